"""Stored sentence embeddings (table ``embeddings``), keyed by model and text hash, and the
item texts they are computed from."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t

_KEYS_PER_QUERY = 500


def present(conn: Connection, model: str, keys: Sequence[str]) -> set[str]:
    """The keys among ``keys`` whose embedding is stored."""
    col = t.embeddings.c
    found: set[str] = set()
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = list(keys[start : start + _KEYS_PER_QUERY])
        found.update(
            conn.scalars(
                sa.select(col.text_hash).where(col.model == model, col.text_hash.in_(chunk))
            )
        )
    return found


def insert(conn: Connection, model: str, vectors: dict[str, bytes]) -> None:
    """Store vectors (raw float32 bytes) by text hash."""
    if vectors:
        conn.execute(
            t.embeddings.insert(),
            [{"model": model, "text_hash": k, "vector": v} for k, v in vectors.items()],
        )


def vectors(conn: Connection, model: str) -> list[sa.Row]:
    """(text hash, vector bytes) of every stored embedding of ``model``."""
    q = sa.select(t.embeddings.c.text_hash, t.embeddings.c.vector).where(
        t.embeddings.c.model == model
    )
    return list(conn.execute(q).all())


def item_texts(conn: Connection, item_ids: Sequence[str] | None) -> list[sa.Row]:
    """(title, description) of the items asked for (every item when None)."""
    col = t.items.c
    query = sa.select(col.title, col.description)
    if item_ids is None:
        return list(conn.execute(query))
    rows: list[sa.Row] = []
    for start in range(0, len(item_ids), _KEYS_PER_QUERY):
        chunk = list(item_ids[start : start + _KEYS_PER_QUERY])
        rows += list(conn.execute(query.where(col.item_id.in_(chunk))))
    return rows
