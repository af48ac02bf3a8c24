"""Diagnostics as stored (table ``diagnostics`` with their ``items`` and the organisation's
``contacts``): the versioned write of a save, the lookups it is checked against, the list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t
from traits.storage.repository import upsert


def read_row(conn: Connection, diagnostic_id: str) -> sa.Row | None:
    """The stored row of a diagnostic, or None."""
    q = sa.select(t.diagnostics).where(t.diagnostics.c.diagnostic_id == diagnostic_id)
    return conn.execute(q).first()


def lock(conn: Connection, diagnostic_id: str) -> sa.Row | None:
    """A diagnostic's version and organisation, its row locked until the transaction ends
    (PostgreSQL; SQLite writers are already serialised); None when there is none."""
    return conn.execute(
        sa.select(t.diagnostics.c.version, t.diagnostics.c.org_id)
        .where(t.diagnostics.c.diagnostic_id == diagnostic_id)
        .with_for_update()
    ).first()


def write(conn: Connection, row: dict[str, Any], version: int | None) -> bool:
    """Insert a new diagnostic (``version`` None) or update the one at ``version`` to the next
    version; False when it is no longer at that version."""
    if version is None:
        conn.execute(t.diagnostics.insert(), row)
        return True
    done = conn.execute(
        t.diagnostics.update()
        .where(
            t.diagnostics.c.diagnostic_id == row["diagnostic_id"],
            t.diagnostics.c.version == version,
        )
        .values(**{k: v for k, v in row.items() if k != "diagnostic_id"}, version=version + 1)
    )
    return done.rowcount == 1


def replace_items(conn: Connection, diagnostic_id: str, rows: Sequence[dict[str, Any]]) -> None:
    """Make ``rows`` the diagnostic's needs and offers (the others it had are deleted)."""
    keep_ids = [r["item_id"] for r in rows]
    conn.execute(
        t.items.delete().where(
            t.items.c.diagnostic_id == diagnostic_id, t.items.c.item_id.not_in(keep_ids)
        )
    )
    upsert(conn, t.items, rows)


def write_contacts(
    conn: Connection, org_id: str, rows: Sequence[dict[str, Any]], *, replace: bool
) -> None:
    """Write an organisation's contacts; ``replace`` deletes those not in ``rows``."""
    if replace:
        conn.execute(
            t.contacts.delete().where(
                t.contacts.c.org_id == org_id,
                t.contacts.c.contact_id.not_in([r["contact_id"] for r in rows]),
            )
        )
    upsert(conn, t.contacts, rows)


def items_of_others(conn: Connection, item_ids: Iterable[str], org_id: str) -> list[str]:
    """Those of ``item_ids`` stored for another organisation than ``org_id``."""
    q = sa.select(t.items.c.item_id).where(
        t.items.c.item_id.in_(list(item_ids)), t.items.c.org_id != org_id
    )
    return list(conn.execute(q).scalars())


def contacts_of_others(conn: Connection, contact_ids: Iterable[str], org_id: str) -> list[str]:
    """Those of ``contact_ids`` stored for another organisation than ``org_id``."""
    q = sa.select(t.contacts.c.contact_id).where(
        t.contacts.c.contact_id.in_(list(contact_ids)), t.contacts.c.org_id != org_id
    )
    return list(conn.execute(q).scalars())


def summary_rows(conn: Connection, territory_id: str | None) -> list[sa.Row]:
    """Each diagnostic of the territory (or all): id, organisation id and name, date, status,
    facilitator."""
    d, o = t.diagnostics, t.organisations
    q = sa.select(
        d.c.diagnostic_id, d.c.org_id, d.c.date, d.c.status, d.c.facilitator, o.c.name
    ).join(o, d.c.org_id == o.c.org_id)
    if territory_id is not None:
        q = q.where(o.c.territory_id == territory_id)
    return list(conn.execute(q).all())


def item_rows(conn: Connection, territory_id: str | None) -> list[sa.Row]:
    """(diagnostic id, direction, title) of each item recorded in a diagnostic of the territory."""
    i, o = t.items, t.organisations
    q = sa.select(i.c.diagnostic_id, i.c.direction, i.c.title).where(i.c.diagnostic_id.is_not(None))
    if territory_id is not None:
        q = q.where(i.c.org_id.in_(sa.select(o.c.org_id).where(o.c.territory_id == territory_id)))
    return list(conn.execute(q))


def delete(conn: Connection, diagnostic_id: str) -> int:
    """Delete a diagnostic and the items recorded in it; how many items went."""
    removed = conn.execute(t.items.delete().where(t.items.c.diagnostic_id == diagnostic_id))
    conn.execute(t.diagnostics.delete().where(t.diagnostics.c.diagnostic_id == diagnostic_id))
    return int(removed.rowcount or 0)
