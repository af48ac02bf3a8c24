"""The audit log: every insert, update and delete on the data tables, with who did it.

It records who, when, which table, how many rows and the identifiers inserted: never a
column value, and no identifier of a personal table. The database refuses any change to it
(triggers of migrations 0003 and 0006).

The actor is a context variable: the CLI sets it once, the app per session
(``with acting_as(name): ...``), so the services need no extra argument.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from traits.storage import schema as t

_ACTOR: contextvars.ContextVar[str | None] = contextvars.ContextVar("traits_actor", default=None)
#: Tables whose writes are audited (caches and the log itself are not).
AUDITED = frozenset(
    table.name
    for table in t.metadata.sorted_tables
    if table.name != "audit_log" and table.name not in t.CACHES
)
#: Tables holding personal data (``info={"personal": True}``): the log keeps no identifier of
#: theirs, so that erasing a person leaves nothing of them in the append-only log.
PERSONAL = frozenset(table.name for table in t.metadata.sorted_tables if table.info.get("personal"))
_MAX_KEYS = 50


def current_actor() -> str:
    """Who is acting: set by ``acting_as``, else ``TRAITS_AUTHOR``, else the system user."""
    actor = _ACTOR.get()
    if actor:
        return actor
    env = os.environ.get("TRAITS_AUTHOR")
    if env:
        return env
    try:
        return f"système:{getpass.getuser()}"
    except (OSError, KeyError):  # pragma: no cover - no user name on this system
        return "système"


def explicit_actor() -> str | None:
    """The actor set by ``acting_as`` or ``set_actor`` (the signed-in account), else None."""
    return _ACTOR.get()


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Attribute the writes of this block to ``actor``."""
    token = _ACTOR.set(actor)
    try:
        yield
    finally:
        _ACTOR.reset(token)


def set_actor(actor: str | None) -> None:
    """Attribute the writes of the current context (thread, app session) to ``actor``."""
    _ACTOR.set(actor)


def _keys(table: sa.Table, params: list[dict[str, Any]]) -> list[Any]:
    names = [c.name for c in table.primary_key.columns]
    keys = []
    for row in params[:_MAX_KEYS]:
        values = [row.get(n) for n in names]
        if all(v is not None for v in values):
            keys.append(values[0] if len(values) == 1 else values)
    return keys


def install(engine: Engine) -> None:
    """Log every data write made through ``engine`` in the same transaction."""

    @sa.event.listens_for(engine, "after_execute")
    def _after_execute(
        conn: Connection,
        clause: Any,
        multiparams: Any,
        params: Any,
        execution_options: Any,
        result: Any,
    ) -> None:
        if not isinstance(clause, sa.Insert | sa.Update | sa.Delete):
            return
        table = clause.table
        if getattr(table, "name", None) not in AUDITED:
            return
        rows = multiparams if isinstance(multiparams, list) and multiparams else [params or {}]
        rows = [r for r in rows if isinstance(r, dict)]
        count = (
            result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(rows)
        )
        insert = isinstance(clause, sa.Insert)
        keys = _keys(table, rows) if insert and table.name not in PERSONAL else []
        operation = "insert" if insert else "update" if isinstance(clause, sa.Update) else "delete"
        conn.execute(
            t.audit_log.insert(),
            {
                "at": dt.datetime.now(),
                "actor": current_actor()[:200],
                "operation": operation,
                "table_name": table.name,
                "rows": int(count),
                "keys": keys,
            },
        )


def audit_rows(
    conn: Connection,
    *,
    limit: int,
    table: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
) -> list[sa.Row]:
    """The latest ``limit`` entries of the log, newest first, of one table or actor, since."""
    log = t.audit_log
    query = sa.select(log).order_by(log.c.at.desc(), log.c.audit_id.desc()).limit(max(0, limit))
    if table:
        query = query.where(log.c.table_name == table)
    if actor:
        query = query.where(log.c.actor == actor)
    if since is not None:
        query = query.where(log.c.at >= since)
    return list(conn.execute(query))


def audit_actors(conn: Connection) -> list[str]:
    """Everyone who appears in the log (unsorted)."""
    return list(conn.scalars(sa.select(t.audit_log.c.actor).distinct()))
