"""Territories as stored: their ids, existence, creation, and the subcategories they added."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.model import Territory
from traits.storage import schema as t


def territory_ids(conn: Connection) -> list[str]:
    """The identifiers of every territory."""
    return list(conn.execute(sa.select(t.territories.c.territory_id)).scalars().all())


def territory_exists(conn: Connection, territory_id: str) -> bool:
    """Whether the territory exists."""
    q = sa.select(t.territories.c.territory_id).where(t.territories.c.territory_id == territory_id)
    return conn.execute(q).first() is not None


def insert_territory(conn: Connection, territory: Territory) -> None:
    """Store a new territory."""
    conn.execute(
        t.territories.insert(),
        {
            "territory_id": territory.territory_id,
            "name": territory.name,
            "communes": territory.communes,
            "facilitator": territory.facilitator,
        },
    )


def subcategory_rows(conn: Connection, territory_id: str | None) -> list[sa.Row]:
    """The subcategories a territory added (every territory's when None), in their order."""
    q = sa.select(t.subcategories).order_by(t.subcategories.c.id)
    if territory_id is not None:
        q = q.where(t.subcategories.c.territory_id == territory_id)
    return list(conn.execute(q))
