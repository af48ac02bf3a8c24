"""Administration: personal data (access, erasure, retention), the audit log, the accounts.

Administrators only (and the single user of a laptop); the services refuse anyone else anyway.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _common as common
from app_pages._text import esc
from traits import services
from traits.fr import plural
from traits.services import access, audit, contacts

S = st.session_state
ALL = ""
OPERATIONS = {"insert": "ajout", "update": "modification", "delete": "suppression"}
RESETS = ("adm_erase_ok", "adm_purge_ok", "adm_disable_ok")

store = common.get_store()
st.title("Administration")
me = access.current()
if me is not None and me.role is not access.Role.ADMIN:
    st.warning("Réservé aux administrateur·rices.")
    st.stop()
if S.pop("adm_reset", False):  # a confirmation is good for one action only
    for key in RESETS:
        S[key] = False
done = S.pop("adm_done", None)
if done:
    st.success(done)  # trusted: messages built with esc below


def finish(message: str) -> None:
    """Show ``message`` after a rerun, with the confirmation boxes unticked."""
    S["adm_done"], S["adm_reset"] = message, True
    S.pop("adm_exported", None)
    st.rerun()


def day(value: object) -> str:
    return f"{value:%d/%m/%Y}" if value else "aucune"


def account_row(user: dict[str, Any]) -> tuple[str, ...]:
    """An account as a row of the table: identifiant, nom, rôle, territoires, état."""
    if user["disabled"]:
        state = "désactivé"
    elif user["locked_until"]:
        state = f"bloqué jusqu'à {user['locked_until']:%H:%M}"
    else:
        state = "actif"
    role = access.ROLE_LABELS.get(access.Role(user["role"]), user["role"])
    return (
        user["username"],
        user["display_name"] or "",
        role,
        ", ".join(user["territories"]),
        state,
    )


personal, journal, accounts = st.tabs(["Données personnelles", "Journal", "Comptes"])

with personal:
    st.subheader("Accès et effacement")
    st.caption(
        "Répondez dans le mois à une personne qui demande ses données ou leur effacement, "
        "après avoir vérifié qu'il s'agit bien d'elle."
    )
    email = st.text_input("Courriel de la personne", key="adm_email").strip()
    if st.button("Exporter", key="adm_b_export", icon=":material/download:"):
        if email:
            S["adm_exported"] = common.attempt(contacts.export_person, store, email)
        else:
            st.warning("Indiquez d'abord le courriel de la personne.")
    exported = S.get("adm_exported")
    if exported and exported["email"] == email:
        st.json(exported)
        st.download_button(
            "Télécharger ces données (JSON)",
            data=json.dumps(exported, ensure_ascii=False, indent=2),
            file_name="donnees-personnelles.json",
            mime="application/json",
            on_click="ignore",
            key="adm_b_download",
        )
    erase_ok = st.checkbox("Je confirme l'effacement définitif", key="adm_erase_ok")
    if st.button("Effacer", key="adm_b_erase", icon=":material/delete_forever:"):
        if not email:
            st.warning("Indiquez d'abord le courriel de la personne.")
        elif not erase_ok:
            st.warning("Cochez la case de confirmation pour effacer.")
        else:
            counts = common.attempt(contacts.erase_person, store, email)
            if counts is not None:
                cards = plural(
                    counts["contacts"], "fiche contact effacée", "fiches contact effacées"
                )
                mentions = plural(counts["mentions"], "mention anonymisée", "mentions anonymisées")
                kept = counts["kept"] and " " + contacts.KEPT_IN_LOG.format(
                    n=plural(counts["kept"], "mention", "mentions")
                )
                finish(f"{cards}, {mentions} dans les notes et les historiques.{kept or ''}")

    st.subheader("Durée de conservation")
    age_text = st.text_input(
        "Sans activité depuis",
        value="3 ans",
        key="adm_age",
        help="Par exemple : 3 ans, 18 mois, 90 jours.",
    )
    age = common.attempt(contacts.parse_age, age_text)
    stale = None if age is None else common.attempt(contacts.stale_contacts, store, age)
    if stale == []:
        st.info("Aucun contact sans activité depuis cette durée.")
    elif stale:
        st.caption(
            f"{plural(len(stale), 'contact', 'contacts')} sans activité depuis cette durée :"
        )
        stale_rows = [
            (s["name"], s["email"] or "", s["org_name"], day(s["last_activity"])) for s in stale
        ]
        columns = ["nom", "courriel", "structure", "dernière activité"]
        st.dataframe(pd.DataFrame(stale_rows, columns=columns), hide_index=True, width="stretch")
        purge_ok = st.checkbox(
            "Je confirme l'effacement définitif de ces contacts", key="adm_purge_ok"
        )
        if st.button("Purger", key="adm_b_purge", icon=":material/delete_sweep:"):
            if not purge_ok:
                st.warning("Cochez la case de confirmation pour purger.")
            else:
                erased = common.attempt(contacts.purge, store, age)
                if erased is not None:
                    finish(f"{plural(len(erased), 'contact effacé', 'contacts effacés')}.")

with journal:
    f1, f2 = st.columns(2)
    table = f1.selectbox(
        "Table",
        [ALL, *audit.AUDITED_TABLES],
        key="adm_log_table",
        format_func=lambda x: audit.TABLE_LABELS_FR.get(x, x) if x else "toutes",
    )
    actors = common.attempt(audit.list_actors, store) or []
    actor = f2.selectbox(
        "Auteur", [ALL, *actors], key="adm_log_actor", format_func=lambda x: x or "tous"
    )
    entries = common.attempt(audit.list_audit, store, table=table or None, actor=actor or None)
    if entries == []:
        st.info("Aucune opération enregistrée.")
    elif entries:
        log_rows = [
            (
                f"{e['at']:%d/%m/%Y %H:%M:%S}",
                e["actor"],
                OPERATIONS.get(e["operation"], e["operation"]),
                audit.TABLE_LABELS_FR.get(e["table"], e["table"]),
                e["rows"],
            )
            for e in entries
        ]
        columns = ["date", "auteur", "opération", "données", "lignes"]
        st.dataframe(pd.DataFrame(log_rows, columns=columns), hide_index=True, width="stretch")
        st.caption(
            f"{plural(len(entries), 'opération', 'opérations')}, les plus récentes "
            "d'abord (200 au plus)."
        )

with accounts:
    users = common.attempt(access.list_users, store)
    if users == []:
        st.info(
            "Poste unique : cette base n'a pas de comptes. Créer le premier compte en fait une "
            "base partagée avec connexion : chacun·e, vous compris·e, devra se connecter. Le "
            "premier compte est donc un compte administrateur·rice."
        )
    elif users:
        user_rows = [account_row(u) for u in users]
        columns = ["identifiant", "nom", "rôle", "territoires", "état"]
        st.dataframe(pd.DataFrame(user_rows, columns=columns), hide_index=True, width="stretch")
    if users is not None:
        territories = {t.territory_id: t.name for t in services.list_territories(store)}
        st.subheader("Ajouter un compte")
        with st.form("adm_add_user"):
            username = st.text_input(
                "Identifiant",
                help="Lettres, chiffres, point, tiret, @ (ou l'adresse "
                "électronique, pour se connecter avec le compte de l'organisation).",
            )
            roles = list(access.Role) if users else [access.Role.ADMIN]
            role = st.selectbox("Rôle", roles, format_func=lambda r: access.ROLE_LABELS[r])
            chosen = st.multiselect(
                "Territoires",
                list(territories),
                format_func=lambda tid: territories[tid],
                help="Obligatoire pour un·e animateur·rice.",
            )
            password = st.text_input("Mot de passe", type="password")
            st.caption(f"Au moins {access.MIN_PASSWORD} caractères.")
            again = st.text_input("Mot de passe (à nouveau)", type="password")
            submitted = st.form_submit_button("Créer le compte", type="primary")
        if submitted:
            if len(password) < access.MIN_PASSWORD:
                st.error(f"Mot de passe trop court : au moins {access.MIN_PASSWORD} caractères.")
            elif password != again:
                st.error("Les deux mots de passe diffèrent : saisissez-les à nouveau.")
            elif common.succeeded(
                access.add_user, store, username.strip(), role, password, territories=chosen
            ):
                finish(f"Compte « {esc(username.strip())} » créé.")
    others = [
        u["username"]
        for u in users or []
        if not u["disabled"] and (me is None or u["username"] != me.username)
    ]
    if others:
        st.subheader("Désactiver un compte")
        who = st.selectbox("Compte à désactiver", others, key="adm_disable_who")
        st.caption("Le compte ne pourra plus se connecter ; son historique reste.")
        disable_ok = st.checkbox("Je confirme la désactivation de ce compte", key="adm_disable_ok")
        if st.button("Désactiver", key="adm_b_disable"):
            if not disable_ok:
                st.warning("Cochez la case de confirmation pour désactiver le compte.")
            elif common.succeeded(access.disable_user, store, who):
                finish(f"Compte « {esc(who)} » désactivé.")
