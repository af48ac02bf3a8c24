"""Diagnostic services: an organisation met, its interview, its needs and offers, its contacts.

What the interview form needs: save a draft half-way through and resume it, finish it, find it
again, delete it, and suggest a subcategory as the facilitator types. Every save is checked
before anything is written, then written in one transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits import rules
from traits.errors import ConflictError, NotFoundError, Problem
from traits.fr import fr_short_date, plural
from traits.model import (
    Contact,
    Diagnostic,
    DiagnosticStatus,
    Direction,
    Item,
    Organisation,
)
from traits.rules import fold
from traits.services import access, embeddings
from traits.services.organisations import (
    FIELDS,
    apply_rule,
    check_organisation,
    describe_items,
    list_organisations,
    new_id,
    raise_errors,
    save_organisation,
    too_long,
    write_organisation,
)
from traits.storage import Store, diagnostics
from traits.storage import repository as repo
from traits.storage import schema as t
from traits.storage.organisations import organisation_exists, territory_of
from traits.vocabulary import Subcategory

NEEDS, OFFERS, CONTACTS = "besoins", "offres", "contacts"
#: Where a consent given during the interview was given, unless the person says else (the
#: interview form offers it; a save records it for a consenting contact without a source).
CONSENT_SOURCE = "entretien diagnostic"

#: The organisation services are reached from here too (the interview form saves both).
__all__ = [
    "FIELDS",
    "DiagnosticRecord",
    "DiagnosticSummary",
    "delete_diagnostic",
    "describe_items",
    "get_diagnostic",
    "list_diagnostics",
    "list_organisations",
    "new_id",
    "save_diagnostic",
    "save_organisation",
    "suggest_subcategories",
]


@dataclass
class DiagnosticRecord:
    """A diagnostic as the form shows it: organisation, interview, needs, offers, contacts."""

    organisation: Organisation
    diagnostic: Diagnostic
    items: list[Item]
    contacts: list[Contact]
    version: int
    warnings: list[Problem] = field(default_factory=list)

    @property
    def needs(self) -> list[Item]:
        """The needs recorded in this diagnostic."""
        return [i for i in self.items if i.direction is Direction.NEED]

    @property
    def offers(self) -> list[Item]:
        """The offers recorded in this diagnostic."""
        return [i for i in self.items if i.direction is Direction.OFFER]


@dataclass
class DiagnosticSummary:
    """One line of the list of diagnostics."""

    diagnostic_id: str
    org_id: str
    org_name: str
    date: dt.date
    status: DiagnosticStatus
    facilitator: str | None
    needs: int
    offers: int

    def describe(self) -> str:
        """« Recyclerie — 3 besoins, 1 offre (brouillon) »."""
        from traits.model import LABELS_FR

        return (
            f"{self.org_name} — {plural(self.needs, 'besoin', 'besoins')}, "
            f"{plural(self.offers, 'offre', 'offres')} ({LABELS_FR[self.status]})"
        )


# -- diagnostics ---------------------------------------------------------------------------------


def _check_items(
    items: list[Item], org_id: str, diagnostic_id: str, complete: bool
) -> tuple[list[Item], list[Problem]]:
    problems: list[Problem] = []
    kept: list[Item] = []
    rows = {Direction.NEED: 0, Direction.OFFER: 0}
    for item in items:
        direction = Direction(item.direction)
        rows[direction] += 1
        title = (item.title or "").strip()
        description = (item.description or "").strip() or None
        if not title and not description:
            continue  # an empty line of the form
        if not title:
            problems.append(
                Problem(
                    "l'intitulé est obligatoire : résumez la demande ou la ressource en "
                    "quelques mots.",
                    file=NEEDS if direction is Direction.NEED else OFFERS,
                    row=rows[direction],
                    column=FIELDS["title"],
                )
            )
            continue
        kept.append(
            dataclasses.replace(
                item,
                item_id=item.item_id or new_id("i"),
                org_id=org_id,
                direction=direction,
                title=title,
                description=description,
                subcategory=(item.subcategory or "").strip() or None,
                quantity=(item.quantity or "").strip() or None,
                diagnostic_id=diagnostic_id,
            )
        )
        where = NEEDS if direction is Direction.NEED else OFFERS
        problems += too_long(t.items.name, kept[-1], where, rows[direction])
    if complete and not kept:
        problems.append(
            Problem(
                "un diagnostic terminé compte au moins un besoin ou une offre : ajoutez-en un, "
                "ou enregistrez comme brouillon.",
                column=FIELDS["items"],
            )
        )
    return kept, problems


def _check_contacts(contacts: list[Contact], org_id: str) -> tuple[list[Contact], list[Problem]]:
    problems: list[Problem] = []
    kept: list[Contact] = []
    for row, contact in enumerate(contacts, start=1):
        name = (contact.name or "").strip()
        if not name and not (contact.email or "").strip() and not (contact.phone or "").strip():
            continue
        email = apply_rule(problems, rules.email, contact.email, FIELDS["email"], CONTACTS, row)
        found_phone = apply_rule(
            problems, rules.phone, contact.phone, FIELDS["phone"], CONTACTS, row
        )
        phone = found_phone[0] if found_phone else None
        if not name:
            problems.append(
                Problem(
                    "le nom du contact est obligatoire.",
                    file=CONTACTS,
                    row=row,
                    column=FIELDS["contact_name"],
                )
            )
        consent_date = contact.consent_date
        if contact.consent and consent_date is None:
            consent_date = dt.date.today()
        kept.append(
            dataclasses.replace(
                contact,
                contact_id=contact.contact_id or new_id("c"),
                org_id=org_id,
                name=name,
                email=email,
                phone=phone,
                consent=bool(contact.consent),
                consent_date=consent_date if contact.consent else None,
                consent_source=contact.consent_source
                or (CONSENT_SOURCE if contact.consent else None),
            )
        )
        problems += too_long(t.contacts.name, kept[-1], CONTACTS, row)
    return kept, problems


@dataclass
class _Checked:
    """A diagnostic save, checked: what to write and every problem found."""

    diagnostic: Diagnostic
    organisation: Organisation | None
    items: list[Item]
    contacts: list[Contact]
    problems: list[Problem]
    territory: str | None  # where every record saved must already belong, if stored


def _check_diagnostic(
    conn: Connection,
    diagnostic: Diagnostic,
    items: list[Item],
    contacts: list[Contact],
    organisation: Organisation | None,
    found: list[Problem],
) -> _Checked:
    """Check a diagnostic save against the field rules and the database, writing nothing
    (``found``: the problems the caller already found, said with the others)."""
    status = DiagnosticStatus(diagnostic.status)
    complete = status is DiagnosticStatus.COMPLETE
    problems: list[Problem] = list(found)
    org_id = diagnostic.org_id
    territory: str | None = None
    if organisation is not None:
        organisation, org_problems = check_organisation(conn, organisation)
        problems += org_problems
        org_id = organisation.org_id
        territory = organisation.territory_id
    elif not org_id or not organisation_exists(conn, org_id):
        problems.append(
            Problem(
                "choisissez la structure rencontrée, ou décrivez-en une nouvelle.",
                column=FIELDS["name"],
            )
        )
    else:
        (territory,) = access.require_stored(conn, "organisation", org_id)
    date = diagnostic.date
    if date is None:
        if complete and not any(p.column == FIELDS["date"] and p.file is None for p in found):
            problems.append(
                Problem("la date de l'entretien est obligatoire.", column=FIELDS["date"])
            )
        date = dt.date.today()
    elif date > dt.date.today() + dt.timedelta(days=366):
        problems.append(
            Problem(
                f"date du {fr_short_date(date)} : plus d'un an dans le futur, vérifiez l'année.",
                column=FIELDS["date"],
            )
        )
    diag = dataclasses.replace(
        diagnostic,
        diagnostic_id=diagnostic.diagnostic_id or new_id("d"),
        org_id=org_id,
        date=date,
        status=status,
        **{
            f: (getattr(diagnostic, f) or "").strip() or None
            for f in ("facilitator", "practices", "motivations", "obstacles", "notes")
        },
    )
    problems += too_long(t.diagnostics.name, diag)
    kept_items, item_problems = _check_items(items, org_id, diag.diagnostic_id, complete)
    kept_contacts, contact_problems = _check_contacts(contacts, org_id)
    problems += item_problems + contact_problems
    return _Checked(diag, organisation, kept_items, kept_contacts, problems, territory)


_SAVED_MEANWHILE = (
    "ce diagnostic vient d'être enregistré par quelqu'un d'autre : rechargez-le "
    "avant d'enregistrer vos changements (copiez vos notes d'abord)."
)


def _lock_diagnostic(
    conn: Connection, diagnostic_id: str, expected_version: int | None
) -> sa.Row | None:
    """Lock the stored diagnostic (PostgreSQL; SQLite writers are already serialised) and
    check its version, so that two concurrent saves cannot both pass; None when new."""
    stored = diagnostics.lock(conn, diagnostic_id)
    if stored is not None and expected_version is not None and stored.version != expected_version:
        raise ConflictError(_SAVED_MEANWHILE)
    if stored is None and expected_version is not None:
        raise ConflictError(
            "ce diagnostic a été supprimé entre-temps : rechargez la liste des diagnostics."
        )
    return stored


def _write_diagnostic(
    conn: Connection, checked: _Checked, stored: sa.Row | None, replace_contacts: bool
) -> None:
    """Write a checked diagnostic: organisation, interview, needs and offers, contacts."""
    diag, org_id = checked.diagnostic, checked.diagnostic.org_id
    if checked.organisation is not None:
        write_organisation(conn, checked.organisation)
    if not diagnostics.write(conn, repo.record(diag), None if stored is None else stored.version):
        raise ConflictError(_SAVED_MEANWHILE)
    diagnostics.replace_items(conn, diag.diagnostic_id, [repo.record(i) for i in checked.items])
    contact_rows = [repo.record(c) for c in checked.contacts]
    diagnostics.write_contacts(conn, org_id, contact_rows, replace=replace_contacts)


def save_diagnostic(
    store: Store,
    diagnostic: Diagnostic,
    items: list[Item],
    contacts: list[Contact] | None,
    *,
    organisation: Organisation | None = None,
    expected_version: int | None = None,
    problems: list[Problem] | None = None,
) -> DiagnosticRecord:
    """Save a diagnostic with its needs, offers and the organisation's contacts, all or nothing.

    A draft (``status="draft"``) may be partial; a complete diagnostic needs its organisation,
    a date and at least one need or offer. Give ``organisation`` to save it in the same
    transaction (a new one gets its id here). ``items`` are this diagnostic's needs and offers
    (those it had and no longer lists are deleted); ``contacts`` are the organisation's contacts
    as the form shows them (the others are deleted; ``None`` leaves them as they are). Empty
    lines are skipped. New ids are made (``d_``, ``i_``, ``c_``) where missing. Three steps in
    one transaction: check (field rules, references), lock (version), write. ``problems`` are
    those the caller already found in reading its form (an unreadable date…): they are said
    with the others, in the same refusal.

    Raises
    ------
    InvalidInputError
        Every problem found, each naming its field (``column``) and, for a need, an offer or a
        contact, its line; nothing is written.
    ConflictError
        ``expected_version`` is not the stored version: someone saved this diagnostic meanwhile.
    """
    with store.transaction() as conn:
        checked = _check_diagnostic(
            conn, diagnostic, items, contacts or [], organisation, problems or []
        )
        diag = checked.diagnostic
        stored = _lock_diagnostic(conn, diag.diagnostic_id, expected_version)
        if checked.territory is not None:
            where = checked.territory
            access.require_owned(conn, "diagnostic", [diag.diagnostic_id], where)
            access.require_owned(conn, "item", [i.item_id for i in checked.items], where)
            access.require_owned(conn, "contact", [c.contact_id for c in checked.contacts], where)
        checked.problems += _foreign_ids(conn, checked.items, checked.contacts, diag.org_id)
        raise_errors(checked.problems, "Diagnostic")
        _write_diagnostic(conn, checked, stored, contacts is not None)
    embeddings.embed_items(store, [i.item_id for i in checked.items])  # matching won't wait
    record = get_diagnostic(store, diag.diagnostic_id)
    record.warnings = [p for p in checked.problems if p.severity != "error"]
    return record


def _foreign_ids(
    conn: Connection, items: list[Item], contacts: list[Contact], org_id: str
) -> list[Problem]:
    """Ids given by the caller that already belong to another organisation's records."""
    problems = []
    if items:
        for item_id in diagnostics.items_of_others(conn, [i.item_id for i in items], org_id):
            problems.append(
                Problem(
                    f"l'identifiant « {item_id} » est déjà pris par une autre structure.",
                    column=FIELDS["items"],
                )
            )
    if contacts:
        ids = [c.contact_id for c in contacts]
        for contact_id in diagnostics.contacts_of_others(conn, ids, org_id):
            problems.append(
                Problem(
                    f"l'identifiant « {contact_id} » est déjà pris par une autre structure.",
                    file=CONTACTS,
                )
            )
    return problems


def get_diagnostic(store: Store, diagnostic_id: str) -> DiagnosticRecord:
    """A diagnostic with its organisation, needs, offers and the organisation's contacts."""
    with store.reading() as conn:
        row = diagnostics.read_row(conn, diagnostic_id)
        if row is None:
            raise NotFoundError(
                f"diagnostic « {diagnostic_id} » introuvable : il a peut-être été supprimé, "
                "rechargez la liste."
            )
        diag = Diagnostic(
            row.diagnostic_id,
            row.org_id,
            row.date,
            row.facilitator,
            row.practices,
            row.motivations,
            row.obstacles,
            row.notes,
            DiagnosticStatus(row.status),
        )
        org = next(o for o in _read_orgs(conn, [row.org_id]))
        access.require_read(org.territory_id)
        items = [
            i for i in _read_items_of_org(conn, row.org_id) if i.diagnostic_id == diagnostic_id
        ]
        contacts = [c for c in repo.read_contacts(conn, org.territory_id) if c.org_id == row.org_id]
    return DiagnosticRecord(org, diag, items, contacts, row.version)


def _read_orgs(conn: Connection, org_ids: list[str]) -> list[Organisation]:
    territory = territory_of(conn, org_ids)
    return [o for o in repo.read_organisations(conn, territory) if o.org_id in org_ids]


def _read_items_of_org(conn: Connection, org_id: str) -> list[Item]:
    territory = territory_of(conn, [org_id])
    return [i for i in repo.read_items(conn, territory) if i.org_id == org_id]


def list_diagnostics(
    store: Store, territory_id: str | None, query: str | None = None
) -> list[DiagnosticSummary]:
    """A territory's diagnostics, most recent first; ``query`` searches the organisation's name
    and the titles of its needs and offers (case and accents ignored)."""
    access.require_read(territory_id)
    with store.reading() as conn:
        rows = diagnostics.summary_rows(conn, territory_id)
        counts: dict[tuple[str, str], int] = {}
        titles: dict[str, list[str]] = {}
        for r in diagnostics.item_rows(conn, territory_id):
            counts[(r.diagnostic_id, r.direction)] = (
                counts.get((r.diagnostic_id, r.direction), 0) + 1
            )
            titles.setdefault(r.diagnostic_id, []).append(r.title)
    words = fold(query or "").split()
    out = []
    for r in rows:
        if words:
            haystack = fold(" ".join([r.name, *titles.get(r.diagnostic_id, [])]))
            if not all(w in haystack for w in words):
                continue
        out.append(
            DiagnosticSummary(
                r.diagnostic_id,
                r.org_id,
                r.name,
                r.date,
                DiagnosticStatus(r.status),
                r.facilitator,
                counts.get((r.diagnostic_id, "need"), 0),
                counts.get((r.diagnostic_id, "offer"), 0),
            )
        )
    out.sort(key=lambda s: (s.date, s.diagnostic_id), reverse=True)
    return out


def delete_diagnostic(store: Store, diagnostic_id: str) -> int:
    """Delete a diagnostic and the needs and offers recorded in it; returns how many items went.

    The organisation and its contacts stay; partnerships keep their history (their need or
    offer is emptied).
    """
    with store.transaction() as conn:
        if diagnostics.read_row(conn, diagnostic_id) is None:
            raise NotFoundError(
                f"diagnostic « {diagnostic_id} » introuvable : il a peut-être déjà été supprimé."
            )
        access.require_stored(conn, "diagnostic", diagnostic_id)
        return diagnostics.delete(conn, diagnostic_id)


def suggest_subcategories(
    store: Store,
    text: str,
    category: str | None = None,
    territory_id: str | None = None,
    k: int = 3,
) -> list[tuple[Subcategory, float]]:
    """The ``k`` likeliest subcategories for a need's or offer's title, best first."""
    if len((text or "").strip()) < 3:
        return []
    from traits.services.vocabulary import vocabulary

    if territory_id is not None:
        access.require_read(territory_id)
    return vocabulary(store, territory_id).suggest(text, category=category, k=k)
