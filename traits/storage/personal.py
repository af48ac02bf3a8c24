"""Personal data as stored: contacts, every free-text cell where a person may be named, and
the writes of an erasure (see :mod:`traits.services.contacts` for the rules)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t


def text_columns(table: sa.Table) -> list[sa.Column]:
    """The free-text columns of ``table``: strings and JSON that are neither keys nor references."""
    return [
        c
        for c in table.columns
        if isinstance(c.type, sa.String | sa.JSON) and not c.primary_key and not c.foreign_keys
    ]


def contacts_by_email(conn: Connection, email: str) -> list[sa.Row]:
    """The contact records with this e-mail address (in any case)."""
    q = sa.select(t.contacts).where(sa.func.lower(t.contacts.c.email) == email.strip().lower())
    return list(conn.execute(q).all())


def contacts_by_id(conn: Connection, contact_ids: Iterable[str]) -> list[sa.Row]:
    """The contact records asked for."""
    q = sa.select(t.contacts).where(t.contacts.c.contact_id.in_(list(contact_ids)))
    return list(conn.execute(q).all())


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


def text_cells(conn: Connection) -> Iterator[tuple[sa.Table, list[Any], sa.Column, Any]]:
    """Every free-text cell of every table: (table, primary key values, column, value)."""
    for table in t.metadata.sorted_tables:
        columns = text_columns(table)
        if not columns:
            continue
        keys = list(table.primary_key.columns)
        for row in conn.execute(sa.select(*keys, *columns)):
            key = [row._mapping[k] for k in keys]
            for col in columns:
                yield table, key, col, row._mapping[col]


def write_cell(conn: Connection, table_name: str, key: list[Any], column: str, value: Any) -> None:
    """Replace one cell, found by its table, primary key values and column."""
    table = t.metadata.tables[table_name]
    keys = list(table.primary_key.columns)
    conn.execute(
        table.update()
        .where(*(k == v for k, v in zip(keys, key, strict=True)))
        .values({column: value})
    )


def column_length(table_name: str, column: str) -> int | None:
    """The longest text a column holds, None when unbounded."""
    return getattr(t.metadata.tables[table_name].c[column].type, "length", None)


def delete_contacts(conn: Connection, contact_ids: Iterable[str]) -> None:
    """Delete contact records."""
    conn.execute(t.contacts.delete().where(t.contacts.c.contact_id.in_(list(contact_ids))))


def forget_embeddings(conn: Connection) -> None:
    """Drop every cached sentence vector (recomputed on demand)."""
    conn.execute(t.embeddings.delete())


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
