"""Stored shortlists and the fingerprint that says whether they still hold.

The fingerprint is a SHA-256 of every row of every data table (caches, accounts and the log
aside), of the code of the ``traits`` package and of the caller's settings: any change to
what matching reads (a word of a need, a partnership moved, a setting, a new version) gives
another fingerprint, and stored shortlists with the old one are simply not used.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t

#: Tables that hold no input of matching: caches, accounts and the audit log.
_NOT_INPUTS = t.CACHES | {"audit_log", "users"}
_PACKAGE = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 of the package's code and data files (another version: another fingerprint)."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".csv", ".npz", ".json"}:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def data_fingerprint(conn: Connection, settings: str) -> str:
    """SHA-256 of every data row of the base, the package's code and ``settings``."""
    digest = hashlib.sha256(code_fingerprint().encode())
    digest.update(settings.encode())
    for table in t.metadata.sorted_tables:
        if table.name in _NOT_INPUTS:
            continue
        digest.update(f"\x1e{table.name}\x1e".encode())
        query = sa.select(table).order_by(*table.primary_key.columns)
        for row in conn.execute(query):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def read(
    conn: Connection, scope: str, fingerprint: str, need_ids: set[str] | None = None
) -> list[dict[str, Any]] | None:
    """The stored shortlists, in their order, when stored with ``fingerprint``; else None.

    ``need_ids`` limits the answer to those needs (all must be stored, else None).
    """
    col = t.shortlists.c
    current = conn.execute(
        sa.select(col.fingerprint).where(col.scope == scope).limit(1)
    ).scalar_one_or_none()
    if current != fingerprint:
        return None
    query = sa.select(col.need_id, col.shortlist).where(col.scope == scope)
    if need_ids is not None:
        query = query.where(col.need_id.in_(sorted(need_ids)))
    rows = conn.execute(query.order_by(col.position)).all()
    if need_ids is not None and {row.need_id for row in rows} != need_ids:
        return None
    return [row.shortlist for row in rows]


def write(conn: Connection, scope: str, fingerprint: str, shortlists: list[dict[str, Any]]) -> None:
    """Replace the stored shortlists of ``scope`` (objects with a ``need_id``, in order)."""
    conn.execute(t.shortlists.delete().where(t.shortlists.c.scope == scope))
    if shortlists:
        conn.execute(
            t.shortlists.insert(),
            [
                {
                    "scope": scope,
                    "need_id": one["need_id"],
                    "position": position,
                    "fingerprint": fingerprint,
                    "shortlist": one,
                }
                for position, one in enumerate(shortlists)
            ],
        )
