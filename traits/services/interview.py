"""The interview form's values and the records they stand for, both ways.

The app keeps a form's values by field name (``name``, ``kind``, ``date``, ``items``…);
:func:`form_values` fills them from a saved diagnostic, :func:`form_records` turns them into
the records :func:`traits.services.diagnostics.save_diagnostic` checks and saves, and
:func:`new_item` / :func:`new_contact` make the entries of the needs, offers and contacts
lists. The field rules themselves (SIRET, e-mail, postcode…) are applied by the save, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from traits import rules
from traits.errors import InvalidInputError, Problem
from traits.fr import fr_short_date
from traits.model import (
    Category,
    Contact,
    Diagnostic,
    DiagnosticStatus,
    Direction,
    Item,
    Organisation,
    OrgKind,
)
from traits.services.diagnostics import CONSENT_SOURCE, DiagnosticRecord
from traits.services.organisations import FIELDS, apply_rule

#: The organisation's text fields, as the form names them (the attributes of Organisation).
TEXT_FIELDS = ("name", "legal_form", "siret", "commune", "postcode", "size", "description")
#: The interview's text fields (the attributes of Diagnostic).
NOTE_FIELDS = ("facilitator", "practices", "motivations", "obstacles", "notes")
#: For what a consent given during the interview holds (where: CONSENT_SOURCE), unless the
#: person says else.
CONSENT_SCOPE = "mise en relation avec des partenaires du territoire"
NO_TITLE = "Donnez un intitulé avant d'ajouter."
#: What an empty date field shows, and its help: dates are typed, read by the import's rule
#: (the browser's calendar would name months and days in English).
DATE_PLACEHOLDER = "JJ/MM/AAAA"
DATE_HELP = "Par exemple 04/02/2025 ou 4 février 2025."


def date_text(day: dt.date | None) -> str:
    """A date as a date field shows it (``04/02/2025``; empty for none)."""
    return fr_short_date(day) if day is not None else ""


def _found(problems: list[Problem], text: object, field: str) -> dt.date | None:
    """The date typed in a field (None when empty or unreadable: then a problem is added)."""
    if isinstance(text, dt.date):  # a day given as such: checked by the same rule, as shown
        text = date_text(text)
    return apply_rule(problems, rules.date, str(text or ""), FIELDS[field])


def _refuse(problems: list[Problem]) -> None:
    """Refuse the entry with every problem found, each said with its field, all at once."""
    if problems:
        said = [(p.column or "", p.message) for p in problems]
        summary = " ".join(f"{c[:1].upper()}{c[1:]} : {m}" if c else m for c, m in said)
        raise InvalidInputError(problems, summary=summary)


def read_date(text: object, field: str) -> dt.date | None:
    """The date typed in a field (None when empty), by the rule the import applies.

    ``field`` is a key of :data:`FIELDS`; an unreadable date is refused with a problem on
    that field.
    """
    problems: list[Problem] = []
    day = _found(problems, text, field)
    _refuse(problems)
    return day


def form_values(record: DiagnosticRecord) -> dict[str, Any]:
    """A saved diagnostic as the form's values (to resume a draft or edit it)."""
    org, d = record.organisation, record.diagnostic
    return {
        "org_id": org.org_id,
        "kind": org.kind.value,
        **{name: getattr(org, name) or "" for name in TEXT_FIELDS},
        "diag_id": d.diagnostic_id,
        "version": record.version,
        "date": date_text(d.date),
        **{name: getattr(d, name) or "" for name in NOTE_FIELDS},
        "items": [
            vars(i) | {"direction": i.direction.value, "category": i.category.value}
            for i in record.items
        ],
        "contacts": [vars(c) for c in record.contacts],
    }


def editing_notice(record: DiagnosticRecord) -> str:
    """What the form says while it edits a saved diagnostic: whose, of when, in which state."""
    d = record.diagnostic
    state = "brouillon" if d.status is DiagnosticStatus.DRAFT else "diagnostic terminé"
    when = f"entretien du {fr_short_date(d.date)}" if d.date else "entretien sans date"
    return (
        f"Vous modifiez le diagnostic enregistré de « {record.organisation.name} » ({when}, "
        f"{state}) : enregistrer remplace ce qui a été enregistré. Pour saisir un autre "
        "entretien, cliquez sur « Nouvel entretien »."
    )


def renaming(stored: str | None, typed: object) -> tuple[str, str] | None:
    """The stored organisation's name and the one typed when the form changed it, else None
    (saving renames the organisation: the page says so before and after)."""
    new = str(typed or "").strip()
    if not stored or not new or new == stored.strip():
        return None
    return stored, new


def organisation_values(org: Organisation | None) -> dict[str, Any]:
    """An organisation's fields as the form's values; a new organisation's when ``None``."""
    if org is None:
        return {"org_id": None, **dict.fromkeys(TEXT_FIELDS, "")}
    return {
        "org_id": org.org_id,
        "kind": org.kind.value,
        **{name: getattr(org, name) or "" for name in TEXT_FIELDS},
    }


def new_item(
    values: Mapping[str, Any], direction: str, org_id: str | None, diagnostic_id: str | None
) -> dict[str, Any]:
    """A need or an offer typed in the form (``title``, ``category``, ``subcategory``,
    ``description``, ``quantity``) as an entry of its list; refused without a title."""
    if not str(values.get("title") or "").strip():
        raise InvalidInputError(NO_TITLE, summary=NO_TITLE)
    return {
        "item_id": "",
        "org_id": org_id or "",
        "direction": direction,
        "category": values.get("category", "other"),
        "subcategory": values.get("subcategory"),
        "title": values["title"],
        "description": values.get("description", ""),
        "quantity": values.get("quantity", ""),
        "diagnostic_id": diagnostic_id,
    }


def new_contact(
    values: Mapping[str, Any], org_id: str | None, interview_date: object
) -> dict[str, Any]:
    """A contact typed in the form as an entry of its list, kept as typed.

    Date, origin and scope describe a consent given: none without it. The consent's date is
    the interview's when none was typed. An e-mail or a phone number the save would refuse
    (the same field rules) and an unreadable consent date are refused here, all at once.
    """
    consent = bool(values.get("consent", False))
    problems: list[Problem] = []
    apply_rule(problems, rules.email, values.get("email"), FIELDS["email"])
    apply_rule(problems, rules.phone, values.get("phone"), FIELDS["phone"])
    consent_date = _found(problems, values.get("consent_date"), "consent_date") if consent else None
    _refuse(problems)
    if consent and consent_date is None:
        try:
            consent_date = read_date(interview_date, "date")
        except InvalidInputError:  # the interview's own field says what is wrong with it
            consent_date = None
    return {
        "contact_id": "",
        "org_id": org_id or "",
        "name": values.get("name", ""),
        "role": values.get("role"),
        "email": values.get("email"),
        "phone": values.get("phone"),
        "consent": consent,
        "consent_date": consent_date,
        "consent_source": (values.get("source") or None) if consent else None,
        "consent_scope": (values.get("scope") or None) if consent else None,
    }


def form_records(
    values: Mapping[str, Any], territory_id: str, status: str
) -> tuple[Organisation, Diagnostic, list[Item], list[Contact], list[Problem]]:
    """The form's values as the records to save (``status``: ``draft`` or ``complete``), and
    the problems found in reading them (an unreadable date: its diagnostic has none), to be
    given to the save, which says them with the others."""
    problems: list[Problem] = []
    org = Organisation(
        values.get("org_id") or "",
        values.get("name", ""),
        OrgKind(values.get("kind", "ess")),
        territory_id,
        **{name: values.get(name) or None for name in TEXT_FIELDS if name != "name"},
    )
    diag = Diagnostic(
        values.get("diag_id") or "",
        org.org_id,
        cast(dt.date, _found(problems, values.get("date"), "date")),  # missing: said by the save
        status=DiagnosticStatus(status),
        **{name: values.get(name) for name in NOTE_FIELDS},
    )
    items = [
        Item(**{**x, "direction": Direction(x["direction"]), "category": Category(x["category"])})
        for x in values.get("items", [])
    ]
    contacts = [Contact(**x) for x in values.get("contacts", [])]
    return org, diag, items, contacts, problems


__all__ = [
    "CONSENT_SCOPE",
    "CONSENT_SOURCE",
    "DATE_HELP",
    "DATE_PLACEHOLDER",
    "NOTE_FIELDS",
    "NO_TITLE",
    "TEXT_FIELDS",
    "date_text",
    "editing_notice",
    "form_records",
    "form_values",
    "new_contact",
    "new_item",
    "organisation_values",
    "read_date",
    "renaming",
]
