"""Administration: personal data (access, erasure, retention), the audit log, the accounts.

Administrators only (and the single user of a laptop); the services refuse anyone else anyway.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import _accounts, _errors, _personal_data, _session
from app_pages._text import CHOOSE
from traits.fr import plural
from traits.services import access, administration, audit

S = st.session_state
ALL = ""
RESETS = ("adm_erase_ok", "adm_purge_ok", "adm_disable_ok")

store = _session.get_store()
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
    st.success(done)  # trusted: messages built with esc (or by the services) in the tabs


def finish(message: str) -> None:
    """Show ``message`` after a rerun, with the confirmation boxes unticked."""
    S["adm_done"], S["adm_reset"] = message, True
    S.pop("adm_exported", None)
    st.rerun()


personal, journal, accounts = st.tabs(["Données personnelles", "Journal", "Comptes"])

with personal:
    _personal_data.render(store, finish)

with journal:
    f1, f2 = st.columns(2)
    table = f1.selectbox(
        "Données modifiées",
        [ALL, *audit.AUDITED_TABLES],
        key="adm_log_table",
        format_func=lambda x: administration.data_label(x) if x else "toutes",
        placeholder=CHOOSE,
    )
    actors = _errors.attempt(audit.list_actors, store) or []
    actor = f2.selectbox(
        "Auteur",
        [ALL, *actors],
        key="adm_log_actor",
        format_func=lambda x: administration.actor_label(x) if x else "tous",
        placeholder=CHOOSE,
    )
    entries = _errors.attempt(audit.list_audit, store, table=table or None, actor=actor or None)
    if entries == []:
        st.info("Aucune opération enregistrée.")
    elif entries:
        st.dataframe(
            pd.DataFrame(
                administration.journal_rows(entries), columns=administration.JOURNAL_COLUMNS
            ),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            f"{plural(len(entries), 'opération', 'opérations')}, les plus récentes "
            "d'abord (200 au plus)."
        )

with accounts:
    _accounts.render(store, me, finish)
