"""Settings (table ``settings``): values by scope (a territory, or global) and key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t


def read_settings(conn: Connection, scope: str, keys: Iterable[str]) -> dict[str, Any]:
    """The values of ``keys`` set in ``scope`` (keys never set are absent)."""
    q = sa.select(t.settings.c.key, t.settings.c.value).where(
        t.settings.c.scope == scope, t.settings.c.key.in_(list(keys))
    )
    return {row.key: row.value for row in conn.execute(q)}


def read_setting(conn: Connection, scope: str, key: str) -> Any:
    """One value, or None when it was never set."""
    return conn.execute(
        sa.select(t.settings.c.value).where(t.settings.c.scope == scope, t.settings.c.key == key)
    ).scalar()


def write_setting(conn: Connection, scope: str, key: str, value: Any) -> None:
    """Set one value, replacing the one before."""
    conn.execute(t.settings.delete().where(t.settings.c.scope == scope, t.settings.c.key == key))
    conn.execute(t.settings.insert(), {"scope": scope, "key": key, "value": value})


def all_settings(conn: Connection) -> list[sa.Row]:
    """Every setting's row (scope, key, value), by scope then key."""
    return list(conn.execute(sa.select(t.settings).order_by(t.settings.c.scope, t.settings.c.key)))


def has_setting(conn: Connection, scope: str, key: str) -> bool:
    """Whether ``key`` was ever set in ``scope``."""
    q = sa.select(t.settings.c.key).where(t.settings.c.scope == scope, t.settings.c.key == key)
    return conn.execute(q).first() is not None
