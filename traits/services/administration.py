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
from zoneinfo import ZoneInfo

from traits.fr import plural
from traits.services.access import MIN_PASSWORD, ROLE_LABELS, Principal, Role
from traits.services.audit import TABLE_LABELS_FR
from traits.services.contacts import KEPT_IN_LOG

#: Audit log operations as the journal names them.
OPERATIONS_FR = {"insert": "ajout", "update": "modification", "delete": "suppression"}
ACCOUNT_COLUMNS = ["identifiant", "nom", "rôle", "territoires", "état"]
STALE_COLUMNS = ["nom", "courriel", "structure", "dernière activité"]
JOURNAL_COLUMNS = ["date et heure", "auteur", "opération", "données", "nombre"]
#: The journal's times are shown in French time, whatever the server's clock.
FRENCH_TIME = ZoneInfo("Europe/Paris")
#: How the log names writes made without an account (the CLI, a one-person laptop…), before
#: the computer's session name, and sign-in attempts before the name typed.
_WITHOUT_ACCOUNT, _SIGN_IN = "système", "connexion:"


def _day(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "aucune"


def account_row(
    user: Mapping[str, Any], territory_names: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """An account (from :func:`access.list_users`) as a row of :data:`ACCOUNT_COLUMNS`: its
    territories by their names (``territory_names``: id to name), a lock's end in French
    time."""
    names = territory_names or {}
    if user["disabled"]:
        state = "désactivé"
    elif user["locked_until"]:
        state = f"bloqué jusqu'à {user['locked_until'].astimezone(FRENCH_TIME):%H:%M}"
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
        ", ".join(names.get(t, t) for t in user["territories"]),
        state,
    )


def stale_contact_rows(stale: Iterable[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    """Contacts without activity (from :func:`contacts.stale_contacts`) as rows of
    :data:`STALE_COLUMNS`, the last activity as a French date or « aucune »."""
    return [(s["name"], s["email"] or "", s["org_name"], _day(s["last_activity"])) for s in stale]


def actor_label(actor: str) -> str:
    """Who wrote, as the journal says it: the account's name, « sans compte » with the
    computer's session for writes made without an account, « connexion de … » for sign-ins."""
    if actor == _WITHOUT_ACCOUNT:
        return "sans compte"
    if actor.startswith(_WITHOUT_ACCOUNT + ":"):
        return f"sans compte (session « {actor.partition(':')[2]} » de l'ordinateur)"
    if actor.startswith(_SIGN_IN):
        return f"connexion de « {actor[len(_SIGN_IN) :]} »"
    return actor


def data_label(table: str) -> str:
    """What an audited table holds, capitalised (« Structures »): for filters and columns."""
    label = TABLE_LABELS_FR.get(table, table)
    return label[:1].upper() + label[1:]


def french_time(at: dt.datetime) -> str:
    """A moment in French time and format (``01/12/2026 à 03:29``); a time without a zone
    is the server's clock, as the log writes it."""
    return f"{at.astimezone(FRENCH_TIME):%d/%m/%Y à %H:%M:%S}"


def journal_rows(entries: Iterable[Mapping[str, Any]]) -> list[tuple[Any, ...]]:
    """Audit log entries (from :func:`audit.list_audit`) as rows of :data:`JOURNAL_COLUMNS`:
    French time, the author, the operation and the data in words, how many were changed."""
    return [
        (
            french_time(e["at"]),
            actor_label(e["actor"]),
            OPERATIONS_FR.get(e["operation"], e["operation"]),
            data_label(e["table"]),
            plural(e["rows"], "élément", "éléments") if e["rows"] else "aucun (rien à changer)",
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


#: Heads the fields an erasure left as they were (names and titles) for the person to check.
TO_REVIEW = (
    "À vérifier, non modifié : le nom de la personne figure dans ces noms ou titres, qui "
    "peuvent aussi désigner un homonyme, une rue ou une structure. Corrigez-les vous-même "
    "s'ils désignent la personne :"
)


def erasure_report(done: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    """What :func:`contacts.erase_person` did, in French: (sentence, places it lists)."""
    cards = plural(done["contacts"], "fiche contact effacée", "fiches contact effacées")
    mentions = plural(len(done["masked"]), "mention anonymisée", "mentions anonymisées")
    report = [(f"{cards}, {mentions}{' :' if done['masked'] else '.'}", list(done["masked"]))]
    if done["review"]:
        report.append((TO_REVIEW, list(done["review"])))
    if done["kept"]:
        report.append((KEPT_IN_LOG.format(n=plural(done["kept"], "mention", "mentions")), []))
    return report


def new_password_problem(password: str, again: str) -> str | None:
    """Why a new account's password, typed twice, cannot be used (French), or ``None``."""
    if len(password) < MIN_PASSWORD:
        return f"Mot de passe trop court : au moins {MIN_PASSWORD} caractères."
    if password != again:
        return "Les deux mots de passe diffèrent : saisissez-les à nouveau."
    return None


__all__ = [
    "ACCOUNT_COLUMNS",
    "FRENCH_TIME",
    "JOURNAL_COLUMNS",
    "actor_label",
    "data_label",
    "french_time",
    "OPERATIONS_FR",
    "STALE_COLUMNS",
    "account_row",
    "accounts_to_disable",
    "erasure_report",
    "journal_rows",
    "new_password_problem",
    "roles_for_new_account",
    "stale_contact_rows",
]
