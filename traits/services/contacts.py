"""Personal data (GDPR): export everything held about a person, erase them, purge old contacts.

Erasing removes the contact and replaces every mention of their name or e-mail in free text
and histories with a neutral marker; organisations, partnerships and figures stay intact.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.errors import InvalidInputError, NotFoundError
from traits.services import access
from traits.storage import Store
from traits.storage import schema as t

ERASED = "[personne effacée]"

#: Free-text columns that may mention a person, by table.
TEXT_COLUMNS: dict[sa.Table, tuple[str, ...]] = {
    t.diagnostics: ("facilitator", "practices", "motivations", "obstacles", "notes"),
    t.items: ("description",),
    t.partnerships: ("notes", "abandon_reason"),
    t.partnership_events: ("author", "note"),
    t.feedback: ("author",),
    t.organisations: ("description",),
}


def _contacts(conn: Connection, email: str) -> list[Any]:
    rows = conn.execute(
        sa.select(t.contacts).where(sa.func.lower(t.contacts.c.email) == email.strip().lower())
    ).all()
    return list(rows)


def _patterns(contacts: list[Any]) -> list[re.Pattern[str]]:
    words = set()
    for c in contacts:
        if c.name and len(c.name.strip()) >= 3:
            words.add(c.name.strip())
        if c.email:
            words.add(c.email.strip())
    return [re.compile(re.escape(w), re.IGNORECASE) for w in sorted(words, key=len, reverse=True)]


def _mentions(conn: Connection, patterns: list[re.Pattern[str]]) -> list[dict[str, Any]]:
    """Every free-text cell mentioning the person: table, key, column, text."""
    found = []
    for table, columns in TEXT_COLUMNS.items():
        key = next(iter(table.primary_key.columns))
        cols = [table.c[c] for c in columns]
        for row in conn.execute(sa.select(key, *cols)):
            for col in columns:
                text = getattr(row, col)
                if text and any(p.search(text) for p in patterns):
                    found.append(
                        {
                            "table": table.name,
                            "id": getattr(row, key.name),
                            "column": col,
                            "text": text,
                        }
                    )
    return found


def export_person(store: Store, email: str) -> dict[str, Any]:
    """Everything held about the person with this e-mail (right of access), as JSON-ready data."""
    access.require_admin()
    with store.reading() as conn:
        contacts = _contacts(conn, email)
        if not contacts:
            raise NotFoundError(f"aucune personne enregistrée avec l'adresse « {email} ».")
        mentions = _mentions(conn, _patterns(contacts))
        orgs = {
            r.org_id: r.name
            for r in conn.execute(
                sa.select(t.organisations.c.org_id, t.organisations.c.name).where(
                    t.organisations.c.org_id.in_([c.org_id for c in contacts])
                )
            )
        }
    return {
        "email": email,
        "exported_at": dt.datetime.now().isoformat(timespec="seconds"),
        "contacts": [
            {**{k: _json(v) for k, v in c._mapping.items()}, "organisation": orgs.get(c.org_id)}
            for c in contacts
        ],
        "mentions": mentions,
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _erase(conn: Connection, contacts: list[Any]) -> int:
    patterns = _patterns(contacts)
    mentions = _mentions(conn, patterns)
    for m in mentions:
        table = t.metadata.tables[m["table"]]
        key = next(iter(table.primary_key.columns))
        text = m["text"]
        for p in patterns:
            text = p.sub(ERASED, text)
        conn.execute(table.update().where(key == m["id"]).values({m["column"]: text}))
    conn.execute(
        t.contacts.delete().where(t.contacts.c.contact_id.in_([c.contact_id for c in contacts]))
    )
    return len(mentions)


def erase_person(store: Store, email: str) -> dict[str, int]:
    """Remove the person and anonymise every mention of them (right to erasure)."""
    access.require_admin()
    with store.transaction() as conn:
        contacts = _contacts(conn, email)
        if not contacts:
            raise NotFoundError(f"aucune personne enregistrée avec l'adresse « {email} ».")
        mentions = _erase(conn, contacts)
    return {"contacts": len(contacts), "mentions": mentions}


def parse_age(text: str) -> dt.timedelta:
    """``3y``, ``18m``, ``90d`` (or ``3a`` for ans, ``18mois``) as a duration."""
    m = re.fullmatch(r"\s*(\d+)\s*(y|a|ans?|m|mois|d|j|jours?)\s*", text.lower())
    if not m:
        raise InvalidInputError(
            f"durée « {text} » illisible : écrivez par exemple 3y (3 ans), 18m (mois) "
            "ou 90d (jours)."
        )
    n, unit = int(m.group(1)), m.group(2)
    days = {"y": 365, "a": 365, "an": 365, "ans": 365, "m": 30, "mois": 30}.get(unit, 1)
    return dt.timedelta(days=n * days)


def last_activity(store: Store) -> dict[str, dt.date | None]:
    """Last activity of each contact: consent, their organisation's diagnostics and partnerships."""
    with store.reading() as conn:
        diag = {
            row[0]: row[1]
            for row in conn.execute(
                sa.select(t.diagnostics.c.org_id, sa.func.max(t.diagnostics.c.date)).group_by(
                    t.diagnostics.c.org_id
                )
            )
        }
        events: dict[str, dt.datetime] = {}
        q = sa.select(
            t.partnerships.c.org_a, t.partnerships.c.org_b, t.partnership_events.c.at
        ).join(
            t.partnership_events,
            t.partnership_events.c.partnership_id == t.partnerships.c.partnership_id,
        )
        for a, b, at in conn.execute(q):
            for org in (a, b):
                if org not in events or at > events[org]:
                    events[org] = at
        out: dict[str, dt.date | None] = {}
        for c in conn.execute(sa.select(t.contacts)):
            dates = [
                d
                for d in (
                    c.consent_date,
                    diag.get(c.org_id),
                    events[c.org_id].date() if c.org_id in events else None,
                )
                if d is not None
            ]
            out[c.contact_id] = max(dates) if dates else None
    return out


def stale_contacts(
    store: Store, older_than: dt.timedelta, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Contacts with no activity since ``older_than`` (those with no date at all included)."""
    access.require_admin()
    limit = (today or dt.date.today()) - older_than
    activity = last_activity(store)
    with store.reading() as conn:
        rows = conn.execute(sa.select(t.contacts).order_by(t.contacts.c.contact_id)).all()
    return [
        {
            "contact_id": r.contact_id,
            "name": r.name,
            "email": r.email,
            "org_id": r.org_id,
            "last_activity": activity[r.contact_id],
        }
        for r in rows
        if activity[r.contact_id] is None or activity[r.contact_id] < limit
    ]


def purge(
    store: Store, older_than: dt.timedelta, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Erase every contact inactive since ``older_than``; returns who was erased."""
    access.require_admin()
    stale = stale_contacts(store, older_than, today)
    if stale:
        with store.transaction() as conn:
            rows = conn.execute(
                sa.select(t.contacts).where(
                    t.contacts.c.contact_id.in_([s["contact_id"] for s in stale])
                )
            ).all()
            _erase(conn, list(rows))
    return stale


__all__ = ["ERASED", "erase_person", "export_person", "parse_age", "purge", "stale_contacts"]
