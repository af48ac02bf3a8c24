"""Whole tables at once, for backups: every row out, every row back in one transaction, the
schema revision they belong to."""

from __future__ import annotations

from collections.abc import Container
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.engine import Connection

from traits.storage import schema as t


def revision(conn: Connection) -> str:
    """The schema revision of the database (Alembic's)."""
    return str(conn.execute(sa.text("select version_num from alembic_version")).scalar())


def table_rows(conn: Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by table name (tables in dependency order)."""
    return {
        table.name: [dict(row._mapping) for row in conn.execute(sa.select(table))]
        for table in t.metadata.sorted_tables
    }


def replace_tables(
    conn: Connection, tables: dict[str, list[dict[str, Any]]], kept: Container[str]
) -> dict[str, int]:
    """Replace every table's rows with ``tables``' (but the ``kept`` tables), on the caller's
    transaction; the number of rows written per table. PostgreSQL's sequences are moved past
    the highest key restored."""
    counts: dict[str, int] = {}
    replaced = [table for table in t.metadata.sorted_tables if table.name not in kept]
    for table in reversed(replaced):
        conn.execute(table.delete())
    for table in replaced:
        rows = tables.get(table.name, [])
        if rows:
            conn.execute(table.insert(), rows)
        counts[table.name] = len(rows)
    if conn.dialect.name == "postgresql":
        for table in t.metadata.sorted_tables:
            for col in table.primary_key.columns:
                if isinstance(col.type, sa.Integer) and col.autoincrement is not False:
                    highest = sa.select(sa.func.max(col)).scalar_subquery()
                    conn.execute(
                        sa.select(
                            sa.func.setval(
                                sa.func.pg_get_serial_sequence(table.name, col.name),
                                sa.func.coalesce(highest, 0) + 1,
                                False,
                            )
                        )
                    )
    return counts


def sqlite_select_all(table_name: str) -> str:
    """SQLite's text of a query of every column of a table of the schema (to read a backup
    file through :mod:`sqlite3`)."""
    every_column = sa.select(sa.text("*")).select_from(t.metadata.tables[table_name])
    return str(every_column.compile(dialect=sqlite_dialect()))
