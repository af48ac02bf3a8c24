"""Organisations and their needs and offers as stored: lookups the services check against,
names and titles to show, and the details of items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t


def siret_holder(conn: Connection, siret: str, other_than: str) -> sa.Row | None:
    """The id, name and territory of an organisation other than ``other_than`` with this SIRET."""
    o = t.organisations
    q = sa.select(o.c.org_id, o.c.name, o.c.territory_id).where(
        t.organisations.c.siret == siret, t.organisations.c.org_id != other_than
    )
    return conn.execute(q).first()


def item_details(
    conn: Connection, item_ids: Iterable[str], territory_ids: Iterable[str] | None
) -> dict[str, dict[str, Any]]:
    """Title, category, direction and organisation (id, name, kind, commune, lat, lon) of each
    item, only in ``territory_ids`` when given."""
    i, o = t.items, t.organisations
    q = (
        sa.select(
            i.c.item_id,
            i.c.title,
            i.c.category,
            i.c.direction,
            i.c.org_id,
            o.c.name.label("org_name"),
            o.c.kind,
            o.c.commune,
            o.c.lat,
            o.c.lon,
        )
        .join(o, i.c.org_id == o.c.org_id)
        .where(i.c.item_id.in_(sorted(set(item_ids))))
    )
    if territory_ids is not None:
        q = q.where(o.c.territory_id.in_(sorted(territory_ids)))
    return {r.item_id: dict(r._mapping) for r in conn.execute(q)}


def organisation_names(
    conn: Connection, org_ids: Iterable[str], territory_id: str | None = None
) -> dict[str, str]:
    """The name of each organisation asked for, by id (of ``territory_id`` only, if given)."""
    ids = list(org_ids)
    if not ids:
        return {}
    o = t.organisations
    q = sa.select(o.c.org_id, o.c.name).where(o.c.org_id.in_(ids))
    if territory_id is not None:
        q = q.where(o.c.territory_id == territory_id)
    return {r.org_id: r.name for r in conn.execute(q)}


def item_titles(
    conn: Connection, item_ids: Iterable[str], territory_id: str | None = None
) -> dict[str, str]:
    """The title of each item asked for, by id (of ``territory_id``'s organisations only, if
    given)."""
    ids = list(item_ids)
    if not ids:
        return {}
    i, o = t.items, t.organisations
    q = sa.select(i.c.item_id, i.c.title).where(i.c.item_id.in_(ids))
    if territory_id is not None:
        q = q.join(o, o.c.org_id == i.c.org_id).where(o.c.territory_id == territory_id)
    return {r.item_id: r.title for r in conn.execute(q)}


def organisation_exists(conn: Connection, org_id: str) -> bool:
    """Whether the organisation exists."""
    q = sa.select(t.organisations.c.org_id).where(t.organisations.c.org_id == org_id)
    return conn.execute(q).first() is not None


def territory_of(conn: Connection, org_ids: Iterable[str]) -> str | None:
    """The territory of (one of) the organisations, None when none exists."""
    q = sa.select(t.organisations.c.territory_id).where(t.organisations.c.org_id.in_(list(org_ids)))
    return conn.execute(q).scalar()
