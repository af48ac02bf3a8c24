"""Personal data (GDPR): export everything held about a person, erase them, purge old contacts.

Erasing removes the contact and replaces every mention of them (name in any case or accent
form, e-mail, phone: the rule is in :mod:`traits.mentions`) in every free-text column of every
table with a neutral marker; organisations, partnerships and figures stay intact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Connection

from traits.errors import InvalidInputError, NotFoundError
from traits.mentions import PersonFinder
from traits.services import access
from traits.storage import Store
from traits.storage import personal as stored
from traits.storage import schema as t
from traits.storage.organisations import organisation_names

ERASED = "[personne effacée]"
#: Said when mentions remain in the audit log (an account or TRAITS_AUTHOR named after the person).
KEPT_IN_LOG = (
    "{n} dans le journal des modifications, qui ne se modifie pas : la personne y figure comme "
    "auteur de modifications (nom d'un compte ou auteur déclaré en ligne de commande)."
)
#: Tables never rewritten by an erasure: the append-only log (it holds no column value and no
#: identifier of a personal table, see traits.storage.audit); its mentions are counted.
UNTOUCHED = frozenset({t.audit_log.name})


def _finder(contacts: list[Any]) -> PersonFinder:
    return PersonFinder.for_people((c.name, c.email, c.phone) for c in contacts)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _masked(value: Any, finder: PersonFinder) -> Any:
    if isinstance(value, str):
        return finder.mask(value, ERASED)
    if isinstance(value, dict):
        return {k: _masked(v, finder) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v, finder) for v in value]
    return value


def _mentions(conn: Connection, contacts: list[Any]) -> list[dict[str, Any]]:
    """Every free-text cell of every table mentioning the people (their own records aside)."""
    finder = _finder(contacts)
    own = {c.contact_id for c in contacts}
    found = []
    for table, key, col, value in stored.text_cells(conn):
        if table is t.contacts and key[0] in own:
            continue
        if any(finder.spans(s) for s in _strings(value)):
            found.append(
                {
                    "table": table.name,
                    "id": key[0] if len(key) == 1 else key,
                    "column": col.name,
                    "text": value,
                }
            )
    return found


def export_person(store: Store, email: str) -> dict[str, Any]:
    """Everything held about the person with this e-mail (right of access), as JSON-ready data."""
    access.require_admin()
    with store.reading() as conn:
        contacts = stored.contacts_by_email(conn, email)
        if not contacts:
            raise NotFoundError(f"aucune personne enregistrée avec l'adresse « {email} ».")
        mentions = _mentions(conn, contacts)
        orgs = organisation_names(conn, [c.org_id for c in contacts])
    return {
        "email": email,
        "exported_at": dt.datetime.now().isoformat(timespec="seconds"),
        "contacts": [
            {**{k: _json(v) for k, v in c._mapping.items()}, "organisation": orgs.get(c.org_id)}
            for c in contacts
        ],
        "mentions": [{**m, "text": _json(m["text"])} for m in mentions],
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _erase(conn: Connection, contacts: list[Any]) -> dict[str, int]:
    """Delete the contacts and mask their mentions; the count of mentions masked and left."""
    finder = _finder(contacts)
    ids = [c.contact_id for c in contacts]
    masked = kept = 0
    for m in _mentions(conn, contacts):
        if m["table"] in UNTOUCHED:
            kept += 1
            continue
        value = _masked(m["text"], finder)
        length = stored.column_length(m["table"], m["column"])
        if isinstance(value, str) and length and len(value) > length:
            value = value[:length]
        key = m["id"] if isinstance(m["id"], list) else [m["id"]]
        stored.write_cell(conn, m["table"], key, m["column"], value)
        masked += 1
    stored.delete_contacts(conn, ids)
    if masked:
        # Cached sentence vectors and shortlists (whose reasons quote words) were computed
        # from the texts just masked: recomputed on demand.
        stored.forget_embeddings(conn)
        stored.forget_shortlists(conn)
    return {"mentions": masked, "kept": kept}


def _release_bytes(store: Store) -> None:
    """Make the erased bytes go from the SQLite file: fold the write-ahead log back and empty it.

    ``secure_delete`` (set on every connection, see traits.storage.db) has already zeroed the
    freed space; the checkpoint copies the new pages over the old and truncates the -wal file.
    """
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            # outside any transaction: a checkpoint cannot run inside one
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                cursor.close()


def erase_person(store: Store, email: str) -> dict[str, int]:
    """Remove the person and anonymise every mention of them (right to erasure).

    Returns how many contact records were deleted (``contacts``), how many text cells were
    masked (``mentions``) and how many mentions sit in the append-only audit log (``kept``,
    which only an account named after the person would produce).
    """
    access.require_admin()
    with store.transaction() as conn:
        contacts = stored.contacts_by_email(conn, email)
        if not contacts:
            raise NotFoundError(f"aucune personne enregistrée avec l'adresse « {email} ».")
        done = _erase(conn, contacts)
    _release_bytes(store)
    return {"contacts": len(contacts), **done}


def parse_age(text: str) -> dt.timedelta:
    """``3 ans``, ``18 mois``, ``90 jours`` (or ``3y``, ``18m``, ``90d``) as a duration."""
    m = re.fullmatch(r"\s*(\d+)\s*(y|a|ans?|m|mois|d|j|jours?)\s*", text.lower())
    if not m:
        raise InvalidInputError(
            f"durée « {text} » illisible : écrivez par exemple 3 ans, 18 mois ou 90 jours."
        )
    n, unit = int(m.group(1)), m.group(2)
    days = {"y": 365, "a": 365, "an": 365, "ans": 365, "m": 30, "mois": 30}.get(unit, 1)
    return dt.timedelta(days=n * days)


def last_activity(store: Store) -> dict[str, dt.date | None]:
    """Last activity of each contact: consent, their organisation's diagnostics and partnerships."""
    with store.reading() as conn:
        return _last_activity(conn)


def _last_activity(conn: Connection) -> dict[str, dt.date | None]:
    diag = stored.last_diagnostic_dates(conn)
    events = stored.last_partnership_steps(conn)
    out: dict[str, dt.date | None] = {}
    for c in stored.all_contacts(conn):
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
    with store.reading() as conn:
        return _stale(conn, (today or dt.date.today()) - older_than)


def _stale(conn: Connection, limit: dt.date) -> list[dict[str, Any]]:
    activity = _last_activity(conn)
    return [
        {
            "contact_id": r.contact_id,
            "name": r.name,
            "email": r.email,
            "org_id": r.org_id,
            "org_name": r.org_name,
            "last_activity": activity[r.contact_id],
        }
        for r in stored.contacts_with_organisation(conn)
        if activity[r.contact_id] is None or activity[r.contact_id] < limit
    ]


def purge(
    store: Store, older_than: dt.timedelta, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Erase every contact inactive since ``older_than``; returns who was erased.

    Who is stale is decided inside the erasing transaction, so a contact who became active
    after a list was shown (a new diagnostic, a partnership step) is never erased.
    """
    access.require_admin()
    with store.transaction() as conn:
        stale = _stale(conn, (today or dt.date.today()) - older_than)
        if stale:
            _erase(conn, stored.contacts_by_id(conn, [s["contact_id"] for s in stale]))
    if stale:
        _release_bytes(store)
    return stale


__all__ = [
    "ERASED",
    "KEPT_IN_LOG",
    "erase_person",
    "export_person",
    "parse_age",
    "purge",
    "stale_contacts",
]
