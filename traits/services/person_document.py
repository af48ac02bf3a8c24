"""The answer to a right-of-access request as a French text document, for the person.

:func:`traits.services.contacts.export_person` gives the machine form (JSON, kept for
``traits contact export``); this turns it into what an administrator hands to a member of
the public: sections per kind of record, French labels, French dates, « oui »/« non », and
no internal identifier, table or column name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from traits.fr import fr_date, plural
from traits.interchange.columns import FILES_BY_NAME

#: What a contact record says, in order (its identifiers and version left out).
_CONTACT_FIELDS = (
    "name",
    "role",
    "email",
    "phone",
    "consent",
    "consent_date",
    "consent_source",
    "consent_scope",
)
_HIDDEN = {"contact_id", "org_id", "version", "organisation"}


def _contact_label(column: str) -> str:
    """A contact record's field as the contacts sheet heads it (« Date du consentement »)."""
    label = next((c.label for c in FILES_BY_NAME["contacts"].columns if c.name == column), column)
    return f"{label[:1].upper()}{label[1:]}"


def _value(value: Any) -> str:
    """A value as a French reader expects it: dates in words, oui/non, texts whole."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return f"{fr_date(value.date())} à {value:%H} h {value:%M}"
    if isinstance(value, dt.date):
        return fr_date(value)
    if isinstance(value, str):
        try:
            return _value(dt.date.fromisoformat(value)) if len(value) == 10 else value
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return " ; ".join(_value(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, Iterable):
        return " ; ".join(_value(v) for v in value if v not in (None, ""))
    return str(value)


def _contact_lines(contact: Mapping[str, Any]) -> list[str]:
    lines = []
    if contact.get("organisation"):
        lines.append(f"  Structure : {contact['organisation']}")
    fields = [*_CONTACT_FIELDS, *(k for k in contact if k not in _CONTACT_FIELDS)]
    for key in fields:
        value = contact.get(key)
        if key in _HIDDEN or value is None or value == "":
            continue
        lines.append(f"  {_contact_label(key)} : {_value(value)}")
    return lines


def person_document(exported: Mapping[str, Any]) -> str:
    """The French text of :func:`~traits.services.contacts.export_person`'s result."""
    at = dt.datetime.fromisoformat(exported["exported_at"])
    contacts = list(exported.get("contacts", []))
    mentions = list(exported.get("mentions", []))
    lines = [
        f"Données personnelles enregistrées sur « {exported['person']} »",
        f"Extraites le {_value(at)}.",
        "",
        f"Fiches contact ({plural(len(contacts), 'fiche', 'fiches')})",
    ]
    for n, contact in enumerate(contacts, start=1):
        lines += ["", f"Fiche {n}", *_contact_lines(contact)]
    lines += [
        "",
        f"Mentions dans les textes de la base ({plural(len(mentions), 'mention', 'mentions')})",
    ]
    if not mentions:
        lines += ["", "Aucun autre texte de la base ne vous mentionne."]
    for mention in mentions:  # « where »: the record and field in French, as the erasure says
        lines += ["", f"{mention['where']} :", f"  {_value(mention['text'])}"]
    return "\n".join(lines) + "\n"
