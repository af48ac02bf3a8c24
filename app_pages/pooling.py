"""Mutualisations: needs several organisations share, and one partnership for all of them."""

from __future__ import annotations

import streamlit as st

from app_pages import _errors, _session
from app_pages._text import esc
from traits.services import diagnostics, pooling

store = _session.get_store()
tid = _session.require_territory()
st.title("Mutualisations")
st.caption(
    "Des besoins proches, exprimés par plusieurs structures, auxquels une seule réponse "
    "pourrait servir : un groupement de commandes, un véhicule partagé, un emploi partagé, "
    "une formation collective…"
)
if "pooling_done" in st.session_state:
    st.success(st.session_state.pop("pooling_done"))  # trusted: written on this page
with st.spinner("Recherche des besoins partagés…"):
    pools = _errors.attempt(pooling.find_pools, store, tid)
if not pools:
    st.info(
        "Aucune mutualisation pour l'instant : elles apparaissent quand au moins deux "
        "structures expriment des besoins proches lors des diagnostics."
    )
    st.stop()
names = {o.org_id: o.name for o in diagnostics.list_organisations(store, tid)}
for n, pool in enumerate(pools):
    with st.container(border=True):
        st.markdown(f"**{esc(pool.label)}**")
        st.caption(
            f"{len(pool.org_ids)} structures : "
            + ", ".join(esc(names.get(o, "")) for o in pool.org_ids)
        )
        st.markdown("\n".join(f"- {esc(reason)}" for reason in pool.reasons))
        if st.button("Suivre cette mutualisation", key=f"pool_{n}", type="primary"):
            done = _errors.succeeded(
                pooling.propose_pool, store, pool.need_ids, offer_id=pool.offer_id, label=pool.label
            )
            if done:
                st.session_state["pooling_done"] = (
                    "Mutualisation ajoutée aux partenariats : suivez-la dans « Partenariats »."
                )
                st.rerun()
