"""What the matcher reads and learns from: organisations and items as rows, judgements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t


def organisation_rows(
    conn: Connection, territory_id: str | None, columns: Sequence[str]
) -> list[sa.RowMapping]:
    """The ``columns`` of a territory's organisations (or all)."""
    q = sa.select(*(t.organisations.c[c] for c in columns))
    if territory_id is not None:
        q = q.where(t.organisations.c.territory_id == territory_id)
    return list(conn.execute(q).mappings().all())


def item_rows(
    conn: Connection, territory_id: str | None, columns: Sequence[str]
) -> list[sa.RowMapping]:
    """The ``columns`` of the needs and offers of a territory's organisations (or all)."""
    q = sa.select(*(t.items.c[c] for c in columns)).join(
        t.organisations, t.items.c.org_id == t.organisations.c.org_id
    )
    if territory_id is not None:
        q = q.where(t.organisations.c.territory_id == territory_id)
    return list(conn.execute(q).mappings().all())


def feedback_rows(conn: Connection, since: dt.datetime | None) -> list[sa.Row]:
    """Judgements (need, offer, relevant) recorded since ``since`` (all when None)."""
    q = sa.select(t.feedback.c.need_id, t.feedback.c.offer_id, t.feedback.c.relevant)
    if since is not None:
        q = q.where(t.feedback.c.at >= since)
    return list(conn.execute(q))


def item_directions(conn: Connection, item_ids: Iterable[str]) -> dict[str, str]:
    """``need`` or ``offer`` for each of ``item_ids`` that exists."""
    q = sa.select(t.items.c.item_id, t.items.c.direction).where(
        t.items.c.item_id.in_(list(item_ids))
    )
    return {r.item_id: r.direction for r in conn.execute(q)}


def insert_feedback(conn: Connection, row: dict[str, Any]) -> None:
    """Record a facilitator's judgement of a candidate pair."""
    conn.execute(t.feedback.insert(), row)


def organisation_exists(conn: Connection, org_id: str, territory_id: str | None) -> bool:
    """Whether ``org_id`` is an organisation (of ``territory_id`` when given)."""
    org = t.organisations.c
    query = sa.select(org.org_id).where(org.org_id == org_id)
    if territory_id is not None:
        query = query.where(org.territory_id == territory_id)
    return conn.scalar(query) is not None


def need_ids(
    conn: Connection,
    territory_id: str | None,
    *,
    need_id: str | None = None,
    org_id: str | None = None,
) -> set[str]:
    """Ids of the needs of a territory (or all), limited to one id or one organisation."""
    item, org = t.items.c, t.organisations.c
    query = (
        sa.select(item.item_id)
        .join(t.organisations, item.org_id == org.org_id)
        .where(item.direction == "need")
    )
    if territory_id is not None:
        query = query.where(org.territory_id == territory_id)
    if need_id is not None:
        query = query.where(item.item_id == need_id)
    if org_id is not None:
        query = query.where(item.org_id == org_id)
    return set(conn.scalars(query))
