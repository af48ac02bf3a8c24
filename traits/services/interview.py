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


def read_date(text: object, field: str) -> dt.date | None:
    """The date typed in a field (None when empty), by the rule the import applies.

    ``field`` is a key of :data:`FIELDS`; an unreadable date is refused with a problem on
    that field.
    """
    if isinstance(text, dt.date):
        return text
    problems: list[Problem] = []
    day = apply_rule(problems, rules.date, str(text or ""), FIELDS[field])
    if problems:
        summary = f"{FIELDS[field][:1].upper()}{FIELDS[field][1:]} : {problems[0].message}"
        raise InvalidInputError(problems, summary=summary)
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
    """A contact typed in the form as an entry of its list.

    Date, origin and scope describe a consent given: none without it. The consent's date is
    the interview's when none was typed; an unreadable consent date is refused.
    """
    consent = bool(values.get("consent", False))
    consent_date = read_date(values.get("consent_date"), "consent_date") if consent else None
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
) -> tuple[Organisation, Diagnostic, list[Item], list[Contact]]:
    """The form's values as the records to save (``status``: ``draft`` or ``complete``)."""
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
        cast(dt.date, read_date(values.get("date"), "date")),  # a missing one: refused by the save
        status=DiagnosticStatus(status),
        **{name: values.get(name) for name in NOTE_FIELDS},
    )
    items = [
        Item(**{**x, "direction": Direction(x["direction"]), "category": Category(x["category"])})
        for x in values.get("items", [])
    ]
    contacts = [Contact(**x) for x in values.get("contacts", [])]
    return org, diag, items, contacts


__all__ = [
    "CONSENT_SCOPE",
    "CONSENT_SOURCE",
    "DATE_HELP",
    "DATE_PLACEHOLDER",
    "NOTE_FIELDS",
    "NO_TITLE",
    "TEXT_FIELDS",
    "date_text",
    "form_records",
    "form_values",
    "new_contact",
    "new_item",
    "organisation_values",
    "read_date",
]
