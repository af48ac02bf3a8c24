"""Diagnostics: the interview form, the list of diagnostics, import and export of spreadsheets."""

from __future__ import annotations

import streamlit as st

from app_pages import _errors, _interview, _interview_state, _session, _transfer
from app_pages._text import esc
from traits.fr import fr_date
from traits.model import LABELS_FR
from traits.services import diagnostics

store = _session.get_store()
tid = _session.require_territory()
st.title("Diagnostics")
interview, listing, transfer = st.tabs(["Entretien", "Diagnostics enregistrés", "Import / export"])

with interview:
    _interview.render(store, tid)

with listing:
    query = st.text_input("Rechercher (structure, besoin, offre)", key="diag_query")
    found = diagnostics.list_diagnostics(store, tid, query or None)
    st.caption(f"{len(found)} diagnostic{'s' if len(found) > 1 else ''}")
    for summary in found[:100]:
        with st.container(border=True):
            left, mid, right = st.columns([5, 1, 1])
            left.markdown(f"**{esc(summary.org_name)}** — {fr_date(summary.date)}")
            left.caption(esc(summary.describe().split(" — ", 1)[1]))
            mid.button(
                "Reprendre" if summary.status.value == "draft" else "Modifier",
                key=f"ivb_edit_{summary.diagnostic_id}",
                on_click=lambda d=summary.diagnostic_id: _interview_state.load(
                    diagnostics.get_diagnostic(store, d)
                ),
            )
            if right.button("Supprimer", key=f"del_{summary.diagnostic_id}"):
                st.session_state["confirm_delete"] = summary.diagnostic_id
            if st.session_state.get("confirm_delete") == summary.diagnostic_id:
                st.warning(
                    f"Supprimer le diagnostic de « {esc(summary.org_name)} » et ses besoins "
                    "et offres ? La structure et ses contacts restent."
                )
                yes, no = st.columns(2)
                if yes.button("Oui, supprimer", key=f"yes_{summary.diagnostic_id}", type="primary"):
                    removed = _errors.attempt(
                        diagnostics.delete_diagnostic, store, summary.diagnostic_id
                    )
                    st.session_state.pop("confirm_delete", None)
                    if removed is not None:
                        st.toast("Diagnostic supprimé.")
                        st.rerun()
                if no.button("Annuler", key=f"no_{summary.diagnostic_id}"):
                    st.session_state.pop("confirm_delete", None)
                    st.rerun()
    if len(found) > 100:
        st.caption("Seuls les 100 plus récents sont affichés : affinez la recherche.")
    st.caption("Statuts : " + ", ".join(LABELS_FR[s] for s in ("draft", "complete")))

with transfer:
    _transfer.render(store, tid)
