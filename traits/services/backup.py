"""Backups: the SQLite online backup API for a file, a logical dump for any other database.

A logical dump is gzipped JSON of every table (with the schema revision), read back by
``restore`` in one transaction: the database is either fully restored or left as it was.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from traits.errors import InvalidInputError, Problem
from traits.services import access
from traits.storage import Store
from traits.storage import schema as t

DUMP_FORMAT = "traits-dump"
SQLITE_MAGIC = b"SQLite format 3\x00"


def _revision(conn: sa.Connection) -> str:
    return str(conn.execute(sa.text("select version_num from alembic_version")).scalar())


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def _sqlite_path(store: Store) -> str | None:
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(url.database)
    return None


def _dump(store: Store) -> dict[str, Any]:
    with store.reading() as conn:
        return {
            "format": DUMP_FORMAT,
            "revision": _revision(conn),
            "created": dt.datetime.now().isoformat(timespec="seconds"),
            "tables": {
                table.name: [
                    {k: _encode(v) for k, v in row._mapping.items()}
                    for row in conn.execute(sa.select(table))
                ]
                for table in t.metadata.sorted_tables
            },
        }


def backup(store: Store, target: str | Path) -> Path:
    """Write a consistent copy of the whole database to ``target`` while it is in use.

    ``.sqlite`` (or ``.db``): a SQLite database (the online backup API from a SQLite file, a
    copy from any other backend); anything else: a logical dump (gzipped JSON).
    """
    access.require_admin()
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    path = _sqlite_path(store)
    if target.suffix.lower() in (".sqlite", ".db", ".sqlite3"):
        if path is not None:
            src, dst = sqlite3.connect(path), sqlite3.connect(tmp)
            try:
                with dst:
                    src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            copy = Store(tmp)
            try:
                with copy.transaction() as conn:
                    _load(conn, _dump(store), source=target.name)
            finally:
                copy.dispose()
    else:
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            json.dump(_dump(store), fh, ensure_ascii=False)
    os.replace(tmp, target)
    return target


def _read_dump(source: Path) -> dict[str, Any]:
    head = source.read_bytes()[:16]
    if head == SQLITE_MAGIC:
        copy = Store(source, migrate=False)
        try:
            with copy.reading() as conn:
                revision = _revision(conn)
                tables = {
                    table.name: [dict(r._mapping) for r in conn.execute(sa.select(table))]
                    for table in t.metadata.sorted_tables
                }
        finally:
            copy.dispose()
        return {"format": DUMP_FORMAT, "revision": revision, "tables": tables, "decoded": True}
    try:
        with gzip.open(source, "rt", encoding="utf-8") as fh:
            dump = json.load(fh)
    except (OSError, ValueError, EOFError) as exc:
        raise InvalidInputError(
            Problem(
                f"ce n'est pas une sauvegarde traits lisible ({type(exc).__name__}).",
                file=source.name,
            )
        ) from None
    if not isinstance(dump, dict) or dump.get("format") != DUMP_FORMAT:
        raise InvalidInputError(Problem("ce n'est pas une sauvegarde traits.", file=source.name))
    return dump


def restore(store: Store, source: str | Path) -> dict[str, int]:
    """Replace the whole database with a backup (SQLite file or logical dump), all or nothing."""
    access.require_admin()
    source = Path(source)
    if not source.is_file():
        raise InvalidInputError(Problem("sauvegarde introuvable.", file=str(source)))
    dump = _read_dump(source)
    with store.transaction() as conn:
        return _load(conn, dump, source=source.name)


def _load(conn: sa.Connection, dump: dict[str, Any], *, source: str) -> dict[str, int]:
    """Replace every table's rows with the dump's, on the caller's transaction."""
    if dump["revision"] != _revision(conn):
        raise InvalidInputError(
            Problem(
                f"sauvegarde faite avec le schéma {dump['revision']}, base au schéma "
                f"{_revision(conn)} : restaurez-la avec la même version de traits.",
                file=source,
            )
        )
    counts: dict[str, int] = {}
    # The audit log is append-only: a restore keeps it (and is itself logged).
    tables = [table for table in t.metadata.sorted_tables if table is not t.audit_log]
    for table in reversed(tables):
        conn.execute(table.delete())
    for table in tables:
        rows = dump["tables"].get(table.name, [])
        if not dump.get("decoded"):
            rows = [{k: _decode(table.c[k], v) for k, v in r.items()} for r in rows]
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


__all__ = ["backup", "restore"]
