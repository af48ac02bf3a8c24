"""Personal data (GDPR): export everything held about a person, erase them, purge old contacts.

A person is designated by their e-mail, phone or name (one of several homonyms chosen by
number); erasing removes their contact records and masks their mentions (the forms are in
:mod:`traits.mentions`, the fields and territories reached in :mod:`traits.services.erasure`);
organisations, partnerships and figures stay intact.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy.engine import Connection

from traits.errors import InvalidInputError, NotFoundError, Problem
from traits.mentions import ERASED, name_key, phone_key
from traits.services import access, erasure
from traits.storage import Store
from traits.storage import personal as stored
from traits.storage.embeddings import item_texts

#: Said when mentions remain in the audit log (an account or TRAITS_AUTHOR named after the person).
KEPT_IN_LOG = (
    "{n} dans le journal des modifications, qui ne se modifie pas : la personne y figure comme "
    "auteur de modifications (nom d'un compte ou auteur déclaré en ligne de commande)."
)


class SeveralPeopleError(InvalidInputError):
    """A name (or a shared phone) fits several people: ``choices`` lists them in French."""

    def __init__(self, who: str, choices: list[str]) -> None:
        self.choices = choices
        super().__init__(
            [Problem(f"{n}. {label}") for n, label in enumerate(choices, 1)],
            summary=f"plusieurs personnes correspondent à « {who} » : choisissez laquelle par "
            "son numéro (ou donnez son courriel). Rien n'a été modifié.",
        )


def _label(c: Any) -> str:
    """A contact record as the administrator tells people apart: no ids."""
    role = f", {c.role}" if c.role else ""
    return f"{c.name}{role} — « {c.org_name} », territoire « {c.territory_name} »"


def _people(conn: Connection, who: str) -> list[list[Any]]:
    """The people ``who`` designates (an e-mail, a phone or a name), each as their contact
    records, among the territories the caller may write (fail closed).

    Records sharing an e-mail are one person; records with another e-mail, or none, are
    other people, even with the same name.
    """
    scope = access.writable_territories()
    records = stored.contacts_in(conn, scope)
    who = who.strip()
    if not who:
        return []
    if "@" in who:
        matched = [c for c in records if (c.email or "").strip().lower() == who.lower()]
    elif not re.search(r"[^\W\d_]", who) and phone_key(who):
        matched = [c for c in records if phone_key(c.phone) == phone_key(who)]
    else:
        matched = [c for c in records if name_key(c.name) == name_key(who)]
    people: dict[str, list[Any]] = {}
    for c in matched:
        email = (c.email or "").strip().lower()
        same = [r for r in records if email and (r.email or "").strip().lower() == email]
        people.setdefault(email or c.contact_id, same or [c])
    return sorted(
        people.values(),
        key=lambda group: [(c.territory_name, c.org_name, c.name, c.role or "") for c in group],
    )


def candidates(store: Store, who: str) -> list[str]:
    """The people ``who`` designates, in French (territory, organisation; no ids), in the
    order :func:`export_person` and :func:`erase_person` number them from 1."""
    access.require_admin()
    with store.reading() as conn:
        return [" ; ".join(map(_label, group)) for group in _people(conn, who)]


def _person(conn: Connection, who: str, choice: int | None) -> list[Any]:
    """The contact records of the one person ``who`` designates (``choice``: among several)."""
    people = _people(conn, who)
    if not people:
        raise NotFoundError(f"aucune personne enregistrée avec « {who.strip()} ».")
    if choice is not None:
        if not 1 <= choice <= len(people):
            raise InvalidInputError(
                f"choix {choice} impossible : donnez un numéro de 1 à {len(people)}."
            )
        return people[choice - 1]
    if len(people) > 1:
        raise SeveralPeopleError(who.strip(), [" ; ".join(map(_label, g)) for g in people])
    return people[0]


def export_person(store: Store, who: str, choice: int | None = None) -> dict[str, Any]:
    """Everything held about one person (right of access), as JSON-ready data.

    ``who``: their e-mail, phone or name; ``choice``: which one, when several people match
    (numbered as :func:`candidates` lists them).
    """
    access.require_admin()
    with store.reading() as conn:
        person = _person(conn, who, choice)
        found, _ = erasure.scan(conn, person, access.writable_territories())
    return {
        "person": who.strip(),
        "exported_at": dt.datetime.now().isoformat(timespec="seconds"),
        "contacts": [
            {
                **{k: _json(v) for k, v in c._mapping.items() if k in stored.CONTACT_COLUMNS},
                "organisation": c.org_name,
            }
            for c in person
        ],
        "mentions": [
            {
                "table": f.table,
                "id": f.key[0] if len(f.key) == 1 else f.key,
                "column": f.column,
                "where": f.where,
                "text": _json(f.text),
            }
            for f in found
        ],
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _erase(conn: Connection, contacts: list[Any]) -> dict[str, Any]:
    """Delete the contacts, mask their mentions, drop what was derived from the old texts."""
    found, kept = erasure.scan(conn, contacts, access.writable_territories())
    rows: dict[tuple[str, tuple[Any, ...]], dict[str, Any]] = {}
    for f in found:
        if f.masked is None:
            continue
        value = f.masked
        length = stored.column_length(f.table, f.column)
        if isinstance(value, str) and length and len(value) > length:
            value = value[:length]
        rows.setdefault((f.table, tuple(f.key)), {})[f.column] = value
    _forget_derived(conn, sorted({k[0] for table, k in rows if table == "items"}))
    for (table, key), values in rows.items():
        stored.write_cells(conn, table, list(key), values)
    stored.delete_contacts(conn, [c.contact_id for c in contacts])
    return {
        "masked": [f.where for f in found if f.masked is not None],
        "review": [f.where for f in found if f.masked is None],
        "kept": kept,
    }


def _forget_derived(conn: Connection, item_ids: list[str]) -> None:
    """Drop every copy computed from the texts about to be masked: the stored shortlists
    (their reasons quote words; dropped at every erasure, they are computed again) and the
    sentence vectors of these items' texts, stored and in this process. The app's fitted
    matchers see new versions of the rows (their token) and are fitted again."""
    stored.forget_shortlists(conn)
    if item_ids:
        from traits.matching import encoder

        keys = encoder.text_keys(item_texts(conn, item_ids))
        stored.forget_text_embeddings(conn, keys)
        encoder.forget_vectors(keys)


def _release(store: Store) -> None:
    """After an erasure: the erased bytes leave the SQLite file, and the texts this process
    analysed (stems, quantities, subcategory evidence) leave its caches."""
    _release_bytes(store)
    from traits.matching import textcache

    textcache.forget_texts()


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


def erase_person(store: Store, who: str, choice: int | None = None) -> dict[str, Any]:
    """Remove one person and anonymise their mentions (right to erasure).

    ``who`` and ``choice`` designate the person as for :func:`export_person`. Returns how
    many contact records were deleted (``contacts``), where a mention was masked
    (``masked``, in French), where one was left for review because the field is a name or a
    title that may be a namesake's (``review``), and how many mentions sit in the
    append-only audit log (``kept``).
    """
    access.require_admin()
    with store.transaction() as conn:
        contacts = _person(conn, who, choice)
        done = _erase(conn, contacts)
    _release(store)
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
            ids = {s["contact_id"] for s in stale}
            scope = access.writable_territories()
            _erase(conn, [c for c in stored.contacts_in(conn, scope) if c.contact_id in ids])
    if stale:
        _release(store)
    return stale


__all__ = [
    "ERASED",
    "KEPT_IN_LOG",
    "SeveralPeopleError",
    "candidates",
    "erase_person",
    "export_person",
    "parse_age",
    "purge",
    "stale_contacts",
]
