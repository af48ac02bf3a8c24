"""Backups: the SQLite online backup API for a file, a logical dump for any other database.

A logical dump is gzipped JSON of every table (with the schema revision), read back by
``restore`` in one transaction: the database is either fully restored or left as it was.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import gzip
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DBAPIError

from traits.errors import InvalidInputError, Problem
from traits.services import access
from traits.services.backup_check import DUMP_FORMAT, KEPT, read_backup
from traits.storage import Store, dump


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
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
            "revision": dump.revision(conn),
            "created": dt.datetime.now().isoformat(timespec="seconds"),
            "tables": {
                name: [{k: _encode(v) for k, v in row.items()} for row in rows]
                for name, rows in dump.table_rows(conn).items()
            },
        }


def backup(store: Store, target: str | Path) -> Path:
    """Write a consistent copy of the whole database to ``target`` while it is in use.

    ``.sqlite`` (or ``.db``): a SQLite database (the online backup API from a SQLite file, a
    copy from any other backend); anything else: a logical dump (gzipped JSON).
    """
    access.require_admin()
    target = Path(target)
    if target.is_dir():
        raise InvalidInputError(
            Problem("c'est un dossier : donnez un nom de fichier de sauvegarde.", file=str(target))
        )
    tmp = target.with_name(target.name + ".tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        _write(store, target, tmp)
        os.replace(tmp, target)
    except OSError as exc:  # name the file asked for, not the temporary one
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    return target


def _write(store: Store, target: Path, tmp: Path) -> None:
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
                with store.reading() as conn:
                    tables = dump.table_rows(conn)
                with copy.transaction() as conn:
                    dump.replace_tables(conn, tables, KEPT)
            finally:
                copy.dispose()
    else:
        with gzip.open(tmp, "wt", encoding="utf-8") as fh:
            json.dump(_dump(store), fh, ensure_ascii=False)


def restore(store: Store, source: str | Path) -> dict[str, int]:
    """Replace the whole database with a backup (SQLite file or logical dump), all or nothing.

    The whole backup is read and checked first (``backup_check``): a bad backup is refused
    with a French message before the database is touched.
    """
    access.require_admin()
    source = Path(source)
    if not source.is_file():
        raise InvalidInputError(Problem("sauvegarde introuvable.", file=str(source)))
    with store.reading() as conn:
        revision = dump.revision(conn)
    checked = read_backup(source, revision)
    try:
        with store.transaction() as conn:
            if dump.revision(conn) != revision:  # migrated meanwhile by another process
                raise InvalidInputError(
                    Problem("la base a changé de version pendant la lecture.", file=source.name)
                )
            return dump.replace_tables(conn, checked.tables, KEPT)
    except DBAPIError as exc:  # a rule the checks do not know: say so, without the data
        raise InvalidInputError(
            Problem(
                "la base a refusé une ligne de la sauvegarde (contrainte non vérifiée par "
                "traits : signalez-le) ; rien n'a été changé.",
                file=source.name,
            )
        ) from exc


__all__ = ["backup", "restore"]
