"""The interview form's state: every value lives in ``st.session_state`` under an ``iv_`` key
(kept across pages by app.py). Emptied, filled from a saved diagnostic, and changed by the
form's button callbacks (add or remove a need, an offer, a contact; save). What the values
mean is :mod:`traits.services.interview`'s business."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from app_pages._text import esc
from traits.errors import InvalidInputError, TraitsError
from traits.model import Category, Organisation, OrgKind
from traits.services import Store, diagnostics, interview

S = st.session_state
NEW = ""
ITEM_FIELDS = ("title", "category", "subcategory", "description", "quantity")
CONTACT_FIELDS = ("name", "role", "email", "phone", "consent", "consent_date", "source", "scope")


def _blank(key: str) -> Any:
    """The empty value of a form widget.

    Widgets are emptied by assigning this, never by deleting their key: the browser keeps
    showing (and sends back) the old value of a deleted key.
    """
    if key == "iv_kind":
        return OrgKind.ESS.value
    if key == "iv_org_choice":
        return NEW
    if key == "iv_ct_consent":
        return False
    if key.endswith("_subcategory") or key.endswith("_error"):
        return None
    if key.endswith("_category"):
        return Category.SKILLS.value  # the first choice, as on a new form
    if key == "iv_ct_consent_date":
        return S.get("iv_date") or interview.date_text(dt.date.today())
    if key == "iv_ct_source":
        return interview.CONSENT_SOURCE
    if key == "iv_ct_scope":
        return interview.CONSENT_SCOPE
    return ""


def _put(values: dict[str, Any]) -> None:
    for name, value in values.items():
        S[f"iv_{name}"] = value


def _typed(prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    """The values typed in the widgets ``prefix + name`` (those the form has shown)."""
    return {name: S[prefix + name] for name in names if prefix + name in S}


def reset() -> None:
    """An empty form (a new interview)."""
    S.iv_date = interview.date_text(dt.date.today())
    for key in [k for k in S if str(k).startswith("iv_") and k != "iv_date"]:
        S[key] = _blank(str(key))
    S.iv_items, S.iv_contacts, S.iv_problems = [], [], []
    S.iv_diag_id = S.iv_version = S.iv_org_id = S.iv_stored_name = S.iv_editing = None
    S.iv_saved_warnings = []


def load(record: diagnostics.DiagnosticRecord) -> None:
    """Fill the form with a saved diagnostic (to resume a draft or edit it)."""
    reset()
    _put(interview.form_values(record))
    S.iv_org_choice = record.organisation.org_id
    S.iv_stored_name = record.organisation.name
    S.iv_editing = interview.editing_notice(record)


def choose_org(orgs: dict[str, Organisation]) -> None:
    """Fill the organisation's fields with the one chosen (or empty them for a new one)."""
    org = orgs.get(S.get("iv_org_choice", NEW))
    _put(interview.organisation_values(org))
    S.iv_stored_name = org.name if org else None


def renaming() -> tuple[str, str] | None:
    """The stored organisation's name and the new one, when the form changed it."""
    return interview.renaming(S.get("iv_stored_name"), S.get("iv_name"))


def add_item(direction: str) -> None:
    """Add the need or offer typed in the form to its list, and empty its fields."""
    p = f"iv_new_{direction}_"
    try:
        item = interview.new_item(_typed(p, ITEM_FIELDS), direction, S.iv_org_id, S.iv_diag_id)
    except InvalidInputError as exc:
        S[p + "error"] = exc.summary
        return
    S.iv_items = [*S.iv_items, item]
    for name in ("title", "description", "quantity", "subcategory", "error"):
        S[p + name] = _blank(p + name)


def add_contact() -> None:
    """Add the contact typed in the form to its list, and empty its fields."""
    try:
        contact = interview.new_contact(
            _typed("iv_ct_", CONTACT_FIELDS), S.iv_org_id, S.get("iv_date")
        )
    except InvalidInputError as exc:
        S.iv_ct_error = exc.summary
        return
    S.iv_contacts = [*S.iv_contacts, contact]
    for name in (*CONTACT_FIELDS, "error"):
        S[f"iv_ct_{name}"] = _blank(f"iv_ct_{name}")


def remove(kind: str, index: int) -> None:
    """Take the ``index``-th entry out of the list ``kind`` (``iv_items``, ``iv_contacts``)."""
    S[kind] = [x for i, x in enumerate(S[kind]) if i != index]


def save(store: Store, territory_id: str, status: str) -> None:
    """Save the form (``draft`` or ``complete``); the problems found are kept for the fields."""
    values = {str(k)[3:]: S[k] for k in S if str(k).startswith("iv_")}
    renamed = renaming()
    try:
        org, diag, items, contacts, found = interview.form_records(values, territory_id, status)
        record = diagnostics.save_diagnostic(
            store,
            diag,
            items,
            contacts,
            organisation=org,
            expected_version=S.iv_version,
            problems=found,
        )
    except InvalidInputError as exc:
        S.iv_problems, S.iv_message = exc.problems, ("error", exc.summary)
        return
    except TraitsError as exc:
        S.iv_problems, S.iv_message = [], ("error", str(exc)[:1].upper() + str(exc)[1:])
        return
    # A draft stays open (the interview goes on); a finished diagnostic leaves an empty form,
    # so that the next interview typed in is a new one, never written over this one.
    draft = status == "draft"
    load(record) if draft else reset()
    word = "Brouillon enregistré" if draft else "Diagnostic enregistré"
    said = f"{word} : {esc(record.organisation.name)}."
    if renamed:
        said += f" La structure « {esc(renamed[0])} » est renommée « {esc(renamed[1])} »."
    if not draft:
        said += " Le formulaire est prêt pour un nouvel entretien."
    S.iv_message = ("success", said)
    S.iv_problems = record.warnings if draft else []
    S.iv_saved_warnings = [] if draft else record.warnings
    S.iv_saved_org = None if draft else record.organisation.org_id
