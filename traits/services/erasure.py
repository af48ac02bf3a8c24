"""What an erasure reaches, field by field, and how each finding is told in French.

Every free-text column of the schema is classified here once (a test fails when a new column
is not):

- :data:`MENTIONS`: text written about people (notes, descriptions, histories, authors):
  every form of the person's name, e-mail and phone is masked;
- :data:`TITLES`: names of things that may quote a person (an item's title, a partnership's
  label): only the forms that can only be a person (civility, initials, e-mail, phone) are
  masked; the plain full name (« Bibliothèque Louise Michel ») is listed for review;
- :data:`NAMES`: names and codes never rewritten (an organisation's or a territory's name,
  communes, categories): a mention there is listed for review;
- :data:`IGNORED`: another person's own identity (a contact's name, e-mail and phone, an
  account's rights), never read.

Where: names are searched only in the territories of the person's contact records; elsewhere
only the e-mail and the phone identify them (a homonym is another person). Nothing outside the
territories the caller may write is read, and rows of no territory only by a caller who may
write every territory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.fr import fr_date
from traits.mentions import ERASED, PersonFinder
from traits.storage import personal as stored
from traits.storage import schema as t
from traits.storage.territories import territory_ids

MENTIONS: dict[tuple[str, str], str] = {
    ("territories", "facilitator"): "animateur·rice",
    ("organisations", "description"): "description",
    ("contacts", "role"): "fonction",
    ("contacts", "consent_source"): "origine du consentement",
    ("contacts", "consent_scope"): "portée du consentement",
    ("diagnostics", "facilitator"): "animateur·rice",
    ("diagnostics", "practices"): "pratiques",
    ("diagnostics", "motivations"): "motivations",
    ("diagnostics", "obstacles"): "freins",
    ("diagnostics", "notes"): "notes",
    ("items", "description"): "description",
    ("items", "quantity"): "quantité",
    ("feedback", "author"): "auteur",
    ("partnerships", "abandon_reason"): "raison de l'abandon",
    ("partnerships", "notes"): "notes",
    ("partnership_events", "author"): "auteur",
    ("partnership_events", "note"): "note",
    ("settings", "value"): "valeur",
}
TITLES: dict[tuple[str, str], str] = {
    ("items", "title"): "titre",
    ("partnerships", "label"): "intitulé",
}
NAMES: dict[tuple[str, str], str] = {
    ("territories", "name"): "nom",
    ("territories", "communes"): "communes",
    ("users", "display_name"): "nom affiché",
    ("organisations", "name"): "nom",
    ("organisations", "kind"): "type",
    ("organisations", "legal_form"): "forme juridique",
    ("organisations", "siret"): "SIRET",
    ("organisations", "commune"): "commune",
    ("organisations", "postcode"): "code postal",
    ("organisations", "size"): "taille",
    ("subcategories", "code"): "code",
    ("subcategories", "category"): "catégorie",
    ("subcategories", "label"): "libellé",
    ("subcategories", "synonyms"): "synonymes",
    ("subcategories", "related"): "sous-catégories voisines",
    ("diagnostics", "status"): "état",
    ("items", "direction"): "sens",
    ("items", "category"): "catégorie",
    ("items", "subcategory"): "sous-catégorie",
    ("partnerships", "status"): "étape",
    ("partnerships", "mode"): "mode",
    ("partnerships", "categories"): "catégories",
    ("partnerships", "value_unit"): "unité",
    ("partnership_events", "from_status"): "étape de départ",
    ("partnership_events", "to_status"): "étape",
}
IGNORED = frozenset(
    {
        ("contacts", "name"),
        ("contacts", "email"),
        ("contacts", "phone"),
        ("users", "role"),
        ("users", "territories"),
        ("users", "password_hash"),
    }
)
#: Tables an erasure never rewrites: the append-only log (its mentions are counted) and the
#: caches (dropped whole when a text changes).
UNTOUCHED = frozenset({t.audit_log.name}) | t.CACHES
FIELDS = {**MENTIONS, **TITLES, **NAMES}


@dataclass(frozen=True)
class Finding:
    """One cell mentioning the person: where, in French, and its masked value (None: to
    review, never rewritten)."""

    table: str
    key: list[Any]
    column: str
    text: Any
    where: str
    masked: Any | None


@dataclass(frozen=True)
class Finders:
    """The finders of one person: every form, the forms only a person bears, identifiers."""

    every: PersonFinder
    personal: PersonFinder
    identifiers: PersonFinder

    @classmethod
    def of(cls, contacts: list[Any]) -> Finders:
        people = [(c.name, c.email, c.phone) for c in contacts]
        return cls(*(PersonFinder.for_people(people, names=n) for n in ("all", "personal", "none")))


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


def _found(value: Any, finder: PersonFinder) -> bool:
    return any(finder.spans(s) for s in _strings(value))


def _record(table: str, row: Any, names: dict[str, dict[Any, Any]]) -> str:
    """The record a cell belongs to, in French, as a facilitator knows it (no ids)."""
    orgs = names["organisations"]

    def partnership(pid: str) -> str:
        p = names["partnerships"].get(pid)
        if p is None:
            return "« ? »"
        return f"« {p.label or f'{orgs.get(p.org_a)} ↔ {orgs.get(p.org_b)}'} »"

    def item(iid: str) -> str:
        i = names["items"].get(iid)
        if i is None:
            return "« ? »"
        kind = "besoin" if i.direction == "need" else "offre"
        return f"{kind} « {i.title} » de « {orgs.get(i.org_id)} »"

    if table == "territories":
        return f"Territoire « {row['name']} »"
    if table == "organisations":
        return f"Structure « {row['name']} »"
    if table == "contacts":
        return f"Fiche d'un autre contact de « {orgs.get(row['org_id'])} »"
    if table == "diagnostics":
        return f"Diagnostic de « {orgs.get(row['org_id'])} » du {fr_date(row['date'])}"
    if table == "items":
        described = item(row["item_id"])
        return described[:1].upper() + described[1:]
    if table == "feedback":
        return f"Avis sur une piste du {item(row['need_id'])}"
    if table == "partnerships":
        return f"Partenariat {partnership(row['partnership_id'])}"
    if table == "partnership_events":
        return (
            f"Historique du partenariat {partnership(row['partnership_id'])}, étape du "
            f"{fr_date(row['at'].date())}"
        )
    if table == "subcategories":
        return f"Sous-catégorie « {row['label']} »"
    if table == "users":
        return f"Compte « {row['username']} »"
    return "Réglages"


def _finding(column: tuple[str, str], value: Any, home: bool, finders: Finders) -> Any:
    """What to do with a cell: its masked value, None to list it for review, or ... when
    it does not mention the person (by the forms that count in this column and territory)."""
    where = finders.every if home else finders.identifiers
    if column in MENTIONS:
        return _masked(value, where) if _found(value, where) else ...
    if column in TITLES:
        strict = finders.personal if home else finders.identifiers
        if _found(value, strict):
            return _masked(value, strict)
    return None if _found(value, where) else ...


def _retitle(names: dict[str, dict[Any, Any]], hits: list[tuple[Any, ...]]) -> None:
    """Records are told by their titles as the erasure leaves them, never by the old ones."""
    for table, key, column, _, masked in hits:
        if masked is not None and (table.name, column) in TITLES:
            kind = "items" if table is t.items else "partnerships"
            old = names[kind].get(key[0])
            if old is not None:
                names[kind][key[0]] = SimpleNamespace(**{**old._asdict(), column: masked})


def scan(
    conn: Connection, contacts: list[Any], writable: frozenset[str] | None
) -> tuple[list[Finding], int]:
    """The cells mentioning the person of ``contacts`` (their own records aside), and how
    many mentions sit in the audit log; only in the territories ``writable`` (None: all)."""
    finders = Finders.of(contacts)
    theirs = {c.territory_id for c in contacts}
    own = {c.contact_id for c in contacts}
    known = set(territory_ids(conn))
    names = stored.record_names(conn)
    columns: dict[str, list[str]] = {}
    for table_name, column in FIELDS:
        columns.setdefault(table_name, []).append(column)
    hits: list[tuple[sa.Table, list[Any], str, Any, Any]] = []
    for table, key, territory, row in stored.text_rows(conn, sorted(columns)):
        territory = territory if territory in known else None
        if writable is not None and territory not in writable:
            continue  # fail closed: rows of no territory too
        if table is t.contacts and key[0] in own:
            continue
        for column in columns[table.name]:
            if row[column] is None:
                continue
            masked = _finding((table.name, column), row[column], territory in theirs, finders)
            if masked is not ...:
                hits.append((table, key, column, row, masked))
    _retitle(names, hits)
    found = [
        Finding(
            table.name,
            key,
            column,
            row[column],
            f"{_record(table.name, row, names)} : {FIELDS[table.name, column]}",
            masked,
        )
        for table, key, column, row, masked in hits
    ]
    kept = 0
    if writable is None:
        kept = sum(
            _found(row[c], finders.every)
            for _, _, _, row in stored.text_rows(conn, [t.audit_log.name])
            for c in ("actor", "keys")
        )
    return found, kept
