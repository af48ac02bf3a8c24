"""Partnerships as stored (tables ``partnerships``, ``partnership_members``,
``partnership_events``): the writes of a proposal and of each step, and the lookups the
services check them against. Reading whole partnerships is
:func:`traits.storage.repository.read_partnerships`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.model import Partnership, PartnershipStatus
from traits.storage import accounts
from traits.storage import schema as t
from traits.storage.audit import explicit_actor
from traits.storage.repository import partnership_record, write_members

_OPEN = t.partnerships.c.status != PartnershipStatus.ABANDONED.value


def items_by_id(
    conn: Connection, item_ids: Iterable[str], *, with_kind: bool = False
) -> dict[str, sa.Row]:
    """The rows of the items ``item_ids`` that exist, by id; ``with_kind`` adds the kind of
    their organisation."""
    q = sa.select(t.items, t.organisations.c.kind) if with_kind else sa.select(t.items)
    if with_kind:
        q = q.join(t.organisations, t.items.c.org_id == t.organisations.c.org_id)
    return {r.item_id: r for r in conn.execute(q.where(t.items.c.item_id.in_(list(item_ids))))}


def of_pair(conn: Connection, need_id: str, offer_id: str) -> sa.Row | None:
    """The id and status of the partnership of a need–offer pair, if there is one."""
    return conn.execute(
        sa.select(t.partnerships.c.partnership_id, t.partnerships.c.status).where(
            t.partnerships.c.need_id == need_id, t.partnerships.c.offer_id == offer_id
        )
    ).first()


def insert(
    conn: Connection, part: Partnership, at: dt.datetime, author: str | None, note: str | None
) -> None:
    """Store a new partnership (with its members when pooled) and its first step, proposed."""
    conn.execute(t.partnerships.insert(), partnership_record(part))
    if part.members:
        write_members(conn, part)
    add_event(conn, part.partnership_id, at, None, PartnershipStatus.PROPOSED.value, author, note)


def add_event(
    conn: Connection,
    partnership_id: str,
    at: dt.datetime,
    from_status: str | None,
    to_status: str,
    author: str | None,
    note: str | None,
) -> None:
    """Append one step to a partnership's history, signed ``author`` or, when not given, by
    the signed-in account that makes it (as the audit log names it)."""
    if author is None:
        author = accounts.author_name(conn, explicit_actor())
    conn.execute(
        t.partnership_events.insert(),
        {
            "partnership_id": partnership_id,
            "at": at,
            "from_status": from_status,
            "to_status": to_status,
            "author": author,
            "note": note,
        },
    )


def lock(conn: Connection, partnership_id: str) -> sa.Row | None:
    """A partnership's status and version, its row locked until the transaction ends."""
    return conn.execute(
        sa.select(t.partnerships.c.status, t.partnerships.c.version)
        .where(t.partnerships.c.partnership_id == partnership_id)
        .with_for_update()
    ).first()


def update(
    conn: Connection, partnership_id: str, values: dict[str, Any], version: int | None = None
) -> int:
    """Change a partnership's columns (only at ``version`` when given); rows changed."""
    where = [t.partnerships.c.partnership_id == partnership_id]
    if version is not None:
        where.append(t.partnerships.c.version == version)
    return conn.execute(t.partnerships.update().where(*where).values(**values)).rowcount


def versions(conn: Connection) -> dict[str, int]:
    """Every partnership's version, by id."""
    q = sa.select(t.partnerships.c.partnership_id, t.partnerships.c.version)
    return {r.partnership_id: r.version for r in conn.execute(q)}


def proposed_pairs(conn: Connection) -> set[tuple[str, str]]:
    """The need–offer pairs of every partnership, whatever its status."""
    q = sa.select(t.partnerships.c.need_id, t.partnerships.c.offer_id).where(
        t.partnerships.c.need_id.is_not(None), t.partnerships.c.offer_id.is_not(None)
    )
    return {(r.need_id, r.offer_id) for r in conn.execute(q)}


def declined_pairs(conn: Connection) -> set[tuple[str, str]]:
    """The need–offer pairs facilitators judged not relevant."""
    q = sa.select(t.feedback.c.need_id, t.feedback.c.offer_id).where(
        t.feedback.c.relevant.is_(False)
    )
    return {(r.need_id, r.offer_id) for r in conn.execute(q)}


def pooled_needs(conn: Connection, *, open_only: bool) -> set[str]:
    """The needs gathered in a mutualisation (``open_only``: one not abandoned)."""
    pm = t.partnership_members
    q = sa.select(pm.c.need_id).where(pm.c.need_id.is_not(None))
    if open_only:
        q = q.join(t.partnerships, pm.c.partnership_id == t.partnerships.c.partnership_id).where(
            _OPEN
        )
    return set(conn.execute(q).scalars())


def answered_needs(conn: Connection) -> set[str]:
    """The needs a partnership answers: one not abandoned, or any mutualisation."""
    q = sa.select(t.partnerships.c.need_id).where(t.partnerships.c.need_id.is_not(None), _OPEN)
    return set(conn.execute(q).scalars()) | pooled_needs(conn, open_only=False)


def pools_of_needs(conn: Connection, need_ids: Iterable[str]) -> list[sa.Row]:
    """(partnership id, need id, status) of every mutualisation holding one of ``need_ids``."""
    pm = t.partnership_members
    q = (
        sa.select(pm.c.partnership_id, pm.c.need_id, t.partnerships.c.status)
        .join(t.partnerships, pm.c.partnership_id == t.partnerships.c.partnership_id)
        .where(pm.c.need_id.in_(list(need_ids)))
    )
    return list(conn.execute(q))
