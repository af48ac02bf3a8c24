"""What the administration page shows, in French: the accounts, the contacts without
activity, the audit log, as table rows; which accounts may be disabled; what an erasure did;
whether a new account's password, typed twice, can be used.

Presentation of records read by :mod:`access`, :mod:`audit` and :mod:`contacts` (which check
who may read them): no database access here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from traits.fr import plural
from traits.services.access import MIN_PASSWORD, ROLE_LABELS, Principal, Role
from traits.services.audit import TABLE_LABELS_FR
from traits.services.contacts import KEPT_IN_LOG

#: Audit log operations as the journal names them.
OPERATIONS_FR = {"insert": "ajout", "update": "modification", "delete": "suppression"}
ACCOUNT_COLUMNS = ["identifiant", "nom", "rôle", "territoires", "état"]
STALE_COLUMNS = ["nom", "courriel", "structure", "dernière activité"]
JOURNAL_COLUMNS = ["date", "auteur", "opération", "données", "lignes"]


def _day(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "aucune"


def account_row(user: Mapping[str, Any]) -> tuple[str, ...]:
    """An account (from :func:`access.list_users`) as a row of :data:`ACCOUNT_COLUMNS`."""
    if user["disabled"]:
        state = "désactivé"
    elif user["locked_until"]:
        state = f"bloqué jusqu'à {user['locked_until']:%H:%M}"
    else:
        state = "actif"
    try:
        role = ROLE_LABELS[Role(user["role"])]
    except ValueError:
        role = str(user["role"])
    return (
        user["username"],
        user["display_name"] or "",
        role,
        ", ".join(user["territories"]),
        state,
    )


def stale_contact_rows(stale: Iterable[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    """Contacts without activity (from :func:`contacts.stale_contacts`) as rows of
    :data:`STALE_COLUMNS`, the last activity as a French date or « aucune »."""
    return [(s["name"], s["email"] or "", s["org_name"], _day(s["last_activity"])) for s in stale]


def journal_rows(entries: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    """Audit log entries (from :func:`audit.list_audit`) as rows of :data:`JOURNAL_COLUMNS`:
    French date and time, the operation and the data in words."""
    return [
        (
            f"{e['at']:%d/%m/%Y %H:%M:%S}",
            e["actor"],
            OPERATIONS_FR.get(e["operation"], e["operation"]),
            TABLE_LABELS_FR.get(e["table"], e["table"]),
            e["rows"],
        )
        for e in entries
    ]


def accounts_to_disable(users: Iterable[Mapping[str, Any]], me: Principal | None) -> list[str]:
    """The usernames an administrator may disable: active accounts other than their own."""
    return [
        u["username"]
        for u in users
        if not u["disabled"] and (me is None or u["username"] != me.username)
    ]


def roles_for_new_account(users: Iterable[Mapping[str, Any]]) -> list[Role]:
    """The roles a new account may take: administrator only for the first account of a base
    (creating it makes the base shared, and someone must be able to manage it)."""
    return list(Role) if any(True for _ in users) else [Role.ADMIN]


def erasure_summary(counts: Mapping[str, int]) -> str:
    """What :func:`contacts.erase_person` did, in one French sentence."""
    cards = plural(counts["contacts"], "fiche contact effacée", "fiches contact effacées")
    mentions = plural(counts["mentions"], "mention anonymisée", "mentions anonymisées")
    kept = ""
    if counts["kept"]:
        kept = " " + KEPT_IN_LOG.format(n=plural(counts["kept"], "mention", "mentions"))
    return f"{cards}, {mentions} dans les notes et les historiques.{kept}"


def new_password_problem(password: str, again: str) -> str | None:
    """Why a new account's password, typed twice, cannot be used (French), or ``None``."""
    if len(password) < MIN_PASSWORD:
        return f"Mot de passe trop court : au moins {MIN_PASSWORD} caractères."
    if password != again:
        return "Les deux mots de passe diffèrent : saisissez-les à nouveau."
    return None


__all__ = [
    "ACCOUNT_COLUMNS",
    "JOURNAL_COLUMNS",
    "OPERATIONS_FR",
    "STALE_COLUMNS",
    "account_row",
    "accounts_to_disable",
    "erasure_summary",
    "journal_rows",
    "new_password_problem",
    "roles_for_new_account",
    "stale_contact_rows",
]
