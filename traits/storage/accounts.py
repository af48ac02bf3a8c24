"""The accounts of a shared deployment (table ``users``): read, create, disable, count failures."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t

#: Built once: the access guard runs them at the start of every database block.
_ANY_ACCOUNT = sa.select(t.users.c.username).limit(1)
_ACCOUNT = sa.select(t.users.c.role, t.users.c.territories, t.users.c.disabled).where(
    t.users.c.username == sa.bindparam("username")
)


def any_account(conn: Connection) -> bool:
    """Whether at least one account exists."""
    return conn.execute(_ANY_ACCOUNT).first() is not None


def account_rights(conn: Connection, username: str) -> sa.Row | None:
    """An account's role, territories and ``disabled`` flag, or None when there is none."""
    return conn.execute(_ACCOUNT, {"username": username}).first()


def account_key(username: str) -> str:
    """What makes two user names the same account: case and Unicode forms do not count
    (« Anim.P » is « anim.p »; an e-mail used as user name is not case-sensitive either)."""
    return unicodedata.normalize("NFKC", username).casefold()


def same_name(conn: Connection, username: str) -> list[str]:
    """The accounts whose user name is ``username`` up to case and Unicode form."""
    key = account_key(username)
    names = conn.execute(sa.select(t.users.c.username)).scalars()
    return sorted(n for n in names if account_key(n) == key)


def read_user(conn: Connection, username: str) -> sa.Row | None:
    """The whole row of an account, or None: its exact name first, else the one account named
    so up to case; None when several are (a base from before names were unique: refused
    rather than guessed, :func:`duplicate_names` reports them)."""
    row = conn.execute(sa.select(t.users).where(t.users.c.username == username)).first()
    if row is not None:
        return row
    found = same_name(conn, username)
    if len(found) != 1:
        return None
    return conn.execute(sa.select(t.users).where(t.users.c.username == found[0])).first()


def duplicate_names(conn: Connection) -> list[list[str]]:
    """Groups of accounts whose names differ only by case or Unicode form (made before the
    rule existed): each group sorted, for the administrator to sort out."""
    groups: dict[str, list[str]] = {}
    for name in conn.execute(sa.select(t.users.c.username)).scalars():
        groups.setdefault(account_key(name), []).append(name)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def author_name(conn: Connection, username: str | None) -> str | None:
    """How an account signs what it writes: its display name, else its user name; None when
    ``username`` is no account (the command line's operator, a laptop without accounts)."""
    if not username:
        return None
    row = conn.execute(
        sa.select(t.users.c.display_name).where(t.users.c.username == username)
    ).first()
    if row is None:
        return None
    return (row.display_name or "").strip() or username


def read_users(conn: Connection) -> list[sa.Row]:
    """Every account's row, by username."""
    return list(conn.execute(sa.select(t.users).order_by(t.users.c.username)))


def insert_user(conn: Connection, row: dict[str, Any]) -> None:
    """Store a new account."""
    conn.execute(t.users.insert(), row)


def disable_user(conn: Connection, username: str) -> bool:
    """Disable an account; False when there is no such account."""
    done = conn.execute(
        t.users.update().where(t.users.c.username == username).values(disabled=True)
    )
    return done.rowcount == 1


def set_failures(
    conn: Connection, username: str, failed_attempts: int, locked_until: dt.datetime | None
) -> None:
    """Record an account's count of failed sign-ins and its lock."""
    conn.execute(
        t.users.update()
        .where(t.users.c.username == username)
        .values(failed_attempts=failed_attempts, locked_until=locked_until)
    )
