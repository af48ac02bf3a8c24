"""Administration, « Comptes »: the accounts, a new account, an account disabled."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_pages import _errors
from app_pages._text import CHOOSE, esc
from traits import services
from traits.services import Store, access, administration


def render(store: Store, me: access.Principal | None, finish: Callable[[str], None]) -> None:
    """The tab; ``finish(message)`` shows the message after a rerun, confirmations unticked."""
    users = _errors.attempt(access.list_users, store)
    if users == []:
        st.info(
            "Poste unique : cette base n'a pas de comptes. Créer le premier compte en fait une "
            "base partagée avec connexion : chacun·e, vous compris·e, devra se connecter. Le "
            "premier compte est donc un compte administrateur·rice."
        )
    elif users:
        names = {t.territory_id: t.name for t in services.list_territories(store)}
        rows = [administration.account_row(u, names) for u in users]
        columns = administration.ACCOUNT_COLUMNS
        st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch")
        doubles = _errors.attempt(access.duplicate_accounts, store)
        if doubles:
            st.warning(esc(access.duplicates_warning(doubles)))
    if users is not None:
        _add_form(store, users, finish)
    others = administration.accounts_to_disable(users or [], me)
    if others:
        st.subheader("Désactiver un compte")
        who = st.selectbox("Compte à désactiver", others, key="adm_disable_who", placeholder=CHOOSE)
        st.caption("Le compte ne pourra plus se connecter ; son historique reste.")
        disable_ok = st.checkbox("Je confirme la désactivation de ce compte", key="adm_disable_ok")
        if st.button("Désactiver", key="adm_b_disable"):
            if not disable_ok:
                st.warning("Cochez la case de confirmation pour désactiver le compte.")
            elif _errors.succeeded(access.disable_user, store, who):
                finish(f"Compte « {esc(who)} » désactivé.")


def _add_form(store: Store, users: list[dict[str, object]], finish: Callable[[str], None]) -> None:
    territories = {t.territory_id: t.name for t in services.list_territories(store)}
    st.subheader("Ajouter un compte")
    with st.form("adm_add_user"):
        username = st.text_input(
            "Identifiant",
            help="Lettres, chiffres, point, tiret, @ (ou l'adresse "
            "électronique, pour se connecter avec le compte de l'organisation).",
        )
        roles = administration.roles_for_new_account(users)
        role = st.selectbox(
            "Rôle", roles, format_func=lambda r: access.ROLE_LABELS[r], placeholder=CHOOSE
        )
        chosen = st.multiselect(
            "Territoires",
            list(territories),
            format_func=lambda tid: territories[tid],
            help="Obligatoire pour un·e animateur·rice.",
            placeholder=CHOOSE,
        )
        password = st.text_input("Mot de passe", type="password")
        st.caption(f"Au moins {access.MIN_PASSWORD} caractères.")
        again = st.text_input("Mot de passe (à nouveau)", type="password")
        submitted = st.form_submit_button("Créer le compte", type="primary")
    if submitted:
        problem = administration.new_password_problem(password, again)
        if problem:
            st.error(problem)  # trusted: written by the service, no typed value in it
        elif _errors.succeeded(
            access.add_user, store, username.strip(), role, password, territories=chosen
        ):
            finish(f"Compte « {esc(username.strip())} » créé.")
