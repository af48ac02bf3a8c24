"""Personal data as stored: contacts, the rows holding free text (with their territory), and
the writes of an erasure (see :mod:`traits.services.contacts` for the rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t

#: The columns of a contact record (what a right-of-access export gives of each).
CONTACT_COLUMNS = tuple(c.name for c in t.contacts.columns)


def text_columns(table: sa.Table) -> list[sa.Column]:
    """The free-text columns of ``table``: strings and JSON that are neither keys nor references."""
    return [
        c
        for c in table.columns
        if isinstance(c.type, sa.String | sa.JSON) and not c.primary_key and not c.foreign_keys
    ]


def contacts_in(conn: Connection, territory_ids: Iterable[str] | None) -> list[sa.Row]:
    """Every contact record of these territories (None: all), with ``org_name`` and
    ``territory_id`` and ``territory_name`` of its organisation."""
    c, o, tr = t.contacts, t.organisations, t.territories
    q = (
        sa.select(
            c, o.c.name.label("org_name"), o.c.territory_id, tr.c.name.label("territory_name")
        )
        .join(o, o.c.org_id == c.c.org_id)
        .join(tr, tr.c.territory_id == o.c.territory_id)
        .order_by(tr.c.name, o.c.name, c.c.name, c.c.contact_id)
    )
    if territory_ids is not None:
        q = q.where(o.c.territory_id.in_(sorted(territory_ids)))
    return list(conn.execute(q).all())


def record_names(conn: Connection) -> dict[str, dict[Any, Any]]:
    """What names a record in a message: organisations, items, partnerships by id."""
    o, i, p = t.organisations, t.items, t.partnerships
    return {
        "organisations": dict(conn.execute(sa.select(o.c.org_id, o.c.name)).all()),
        "items": {
            r.item_id: r
            for r in conn.execute(sa.select(i.c.item_id, i.c.title, i.c.direction, i.c.org_id))
        },
        "partnerships": {
            r.partnership_id: r
            for r in conn.execute(sa.select(p.c.partnership_id, p.c.label, p.c.org_a, p.c.org_b))
        },
    }


def forget_text_embeddings(conn: Connection, text_hashes: Iterable[str]) -> None:
    """Drop the cached sentence vectors of these texts (by hash), whatever the model."""
    hashes = sorted(set(text_hashes))
    for start in range(0, len(hashes), 500):
        conn.execute(
            t.embeddings.delete().where(t.embeddings.c.text_hash.in_(hashes[start : start + 500]))
        )


def all_contacts(conn: Connection) -> list[sa.Row]:
    """Every contact record."""
    return list(conn.execute(sa.select(t.contacts)))


def contacts_with_organisation(conn: Connection) -> list[sa.Row]:
    """Every contact record with its organisation's name (``org_name``), by id."""
    q = (
        sa.select(t.contacts, t.organisations.c.name.label("org_name"))
        .join(t.organisations, t.contacts.c.org_id == t.organisations.c.org_id)
        .order_by(t.contacts.c.contact_id)
    )
    return list(conn.execute(q).all())


def _owner(table: sa.Table) -> tuple[sa.FromClause, sa.ColumnElement[Any] | None]:
    """The rows of ``table`` with the territory each belongs to (None: no territory)."""
    o, i, p = t.organisations, t.items, t.partnerships
    if "territory_id" in table.c:
        return table, table.c.territory_id
    if table is t.settings:
        return table, table.c.scope
    if "org_id" in table.c and table is not t.partnership_members:
        return table.join(o, o.c.org_id == table.c.org_id), o.c.territory_id
    if table is t.partnerships:
        return table.join(o, o.c.org_id == table.c.org_a), o.c.territory_id
    if table is t.partnership_events:
        joined = table.join(p, p.c.partnership_id == table.c.partnership_id)
        return joined.join(o, o.c.org_id == p.c.org_a), o.c.territory_id
    if table is t.feedback:
        joined = table.join(i, i.c.item_id == table.c.need_id)
        return joined.join(o, o.c.org_id == i.c.org_id), o.c.territory_id
    return table, None


def text_rows(
    conn: Connection, tables: Iterable[str]
) -> Iterator[tuple[sa.Table, list[Any], str | None, sa.RowMapping]]:
    """The rows of ``tables`` holding free text: (table, primary key values, territory, row).

    The territory is the one the row belongs to (through its organisation, partnership or
    need), None for a row of no territory (accounts, global settings).
    """
    for name in tables:
        table = t.metadata.tables[name]
        source, territory = _owner(table)
        label = (territory if territory is not None else sa.null()).label("_territory")
        keys = list(table.primary_key.columns)
        for row in conn.execute(sa.select(table, label).select_from(source).order_by(*keys)):
            m = row._mapping
            yield table, [m[k] for k in keys], m["_territory"], m


def write_cells(conn: Connection, table_name: str, key: list[Any], values: dict[str, Any]) -> None:
    """Replace cells of one row, found by its table and primary key values; a versioned row
    gets a new version (open forms holding the old text are refused, caches see a change)."""
    table = t.metadata.tables[table_name]
    keys = list(table.primary_key.columns)
    if "version" in table.c:
        values = {**values, "version": table.c.version + 1}
    conn.execute(
        table.update().where(*(k == v for k, v in zip(keys, key, strict=True))).values(values)
    )


def column_length(table_name: str, column: str) -> int | None:
    """The longest text a column holds, None when unbounded."""
    return getattr(t.metadata.tables[table_name].c[column].type, "length", None)


def delete_contacts(conn: Connection, contact_ids: Iterable[str]) -> None:
    """Delete contact records."""
    conn.execute(t.contacts.delete().where(t.contacts.c.contact_id.in_(list(contact_ids))))


def forget_shortlists(conn: Connection) -> None:
    """Drop every stored shortlist: their reasons quote the texts (recomputed on demand)."""
    conn.execute(t.shortlists.delete())


def last_diagnostic_dates(conn: Connection) -> dict[str, dt.date]:
    """The date of each organisation's latest diagnostic."""
    q = sa.select(t.diagnostics.c.org_id, sa.func.max(t.diagnostics.c.date)).group_by(
        t.diagnostics.c.org_id
    )
    return {row[0]: row[1] for row in conn.execute(q)}


def last_partnership_steps(conn: Connection) -> dict[str, dt.datetime]:
    """The time of the latest partnership step of each organisation (either side)."""
    events: dict[str, dt.datetime] = {}
    q = sa.select(t.partnerships.c.org_a, t.partnerships.c.org_b, t.partnership_events.c.at).join(
        t.partnership_events,
        t.partnership_events.c.partnership_id == t.partnerships.c.partnership_id,
    )
    for a, b, at in conn.execute(q):
        for org in (a, b):
            if org not in events or at > events[org]:
                events[org] = at
    return events
