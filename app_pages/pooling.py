"""Mutualisations: needs several organisations share, and one partnership for all of them."""

from __future__ import annotations

import streamlit as st

from app_pages import _errors, _session
from app_pages._text import esc
from traits.services import organisations, pooling

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
named = [x for p in pools for x in (*p.need_ids, *p.org_ids)]
names = organisations.display_names(store, named, tid)
for n, pool in enumerate(pools):
    with st.container(border=True):
        st.markdown(f"**{esc(pool.label)}**")
        st.caption(
            f"{len(pool.org_ids)} structures : "
            + ", ".join(esc(names.get(o, "")) for o in pool.org_ids)
        )
        st.markdown("\n".join(f"- {esc(reason)}" for reason in pool.reasons))
        st.markdown("Besoins réunis (décochez ceux à laisser de côté) :")
        kept = []
        for org_id in pool.org_ids:
            st.caption(esc(names.get(org_id, "")))
            for need_id, owner in zip(pool.need_ids, pool.need_org_ids, strict=True):
                if owner == org_id and st.checkbox(
                    esc(names.get(need_id, "")), value=True, key=f"pool_need_{need_id}"
                ):
                    kept.append(need_id)
        if st.button("Suivre cette mutualisation", key=f"pool_{n}", type="primary"):
            done = _errors.succeeded(
                pooling.propose_pool, store, kept, offer_id=pool.offer_id, label=pool.label
            )
            if done:
                st.session_state["pooling_done"] = (
                    "Mutualisation ajoutée aux partenariats : suivez-la dans « Partenariats »."
                )
                st.rerun()
