"""Pistes: for a need, an organisation or the whole territory, the offers that could answer."""

from __future__ import annotations

import streamlit as st

from app_pages import _cache, _errors, _map, _session
from app_pages._text import CHOOSE, esc
from traits import services
from traits.fr import score_words
from traits.model import LABELS_FR
from traits.services import access, diagnostics, matching, territories, views

store = _session.get_store()
tid = _session.require_territory()
st.title("Pistes")
counts = services.stats(store, tid)
if not counts["needs"] or not counts["offers"]:
    st.info(
        "Pas encore de pistes : il faut au moins un besoin et une offre de structures "
        "différentes. Saisissez des diagnostics (page « Diagnostics ») ou importez le tableur "
        "de vos entretiens : les pistes apparaîtront ici."
    )
    st.page_link(
        "app_pages/diagnostics.py", label="Saisir un diagnostic", icon=":material/assignment:"
    )
    st.stop()
scope = (
    st.segmented_control(
        "Pistes",
        ["Par besoin", "Par structure", "Tout le territoire"],
        default="Par besoin",
        key="pistes_scope",
        label_visibility="collapsed",
    )
    or "Par besoin"
)
matcher = _errors.attempt(_cache.fitted_matcher, store, tid)
if matcher is None:
    st.stop()
need = org = None
if scope == "Par besoin":
    needs = dict(views.list_needs(store, tid))
    need = st.selectbox(
        "Besoin", list(needs), format_func=needs.get, key="pistes_need", placeholder=CHOOSE
    )
    shown = _errors.attempt(views.pistes_for, store, tid, matcher, need_id=need) if need else []
elif scope == "Par structure":
    orgs = {o.org_id: o.name for o in diagnostics.list_organisations(store, tid)}
    org = st.selectbox(
        "Structure", list(orgs), format_func=orgs.get, key="pistes_org", placeholder=CHOOSE
    )
    shown = _errors.attempt(views.pistes_for, store, tid, matcher, org_id=org) if org else []
else:
    with st.spinner("Recherche des meilleures pistes du territoire…"):
        shown = _cache.cached_per_token(
            store,
            tid,
            "pistes",
            lambda: views.pistes_for(store, tid, matcher),
            token=views.links_token(store, tid),
        )
if access.may_write(tid):  # read-only callers see the pistes without recording it
    territories.record_milestone(store, tid, territories.PISTES_SEEN)
if "pistes_done" in st.session_state:
    st.success(st.session_state.pop("pistes_done"))  # trusted: written on this page
    if st.session_state.pop("pistes_proposed", False):
        st.page_link(
            "app_pages/partnerships.py", label="Suivre ce partenariat", icon=":material/handshake:"
        )
if not shown:
    where = {"Par besoin": {"need_id": need}, "Par structure": {"org_id": org}}.get(scope, {})
    if shown is not None and all(where.values()):  # nothing chosen yet: the select box asks
        st.info(esc(views.no_pistes_reason(store, tid, **where)))
    st.stop()

for n, view in enumerate(shown[:30]):
    c, need, offer = view.candidate, view.need, view.offer
    with st.container(border=True):
        st.markdown(
            f"**{esc(need.get('title'))}** ({esc(need.get('org_name'))}) ← "
            f"**{esc(offer.get('title'))}** ({esc(offer.get('org_name'))})"
        )
        st.progress(min(1.0, max(0.0, float(c.score))), text=score_words(c.score))
        km = f"à {c.distance_km:.0f} km" if c.distance_km is not None else None
        st.caption(esc(" · ".join(filter(None, [LABELS_FR.get(c.mode, c.mode or ""), km]))))
        st.markdown("\n".join(f"- {esc(r)}" for r in c.reasons))
        b1, b2, b3 = st.columns(3)
        key = f"{n}_{c.need_id}_{c.offer_id}"
        if b1.button("Pertinent", key=f"ok_{key}", icon=":material/thumb_up:"):
            if _errors.succeeded(matching.record_feedback, store, c.need_id, c.offer_id, True):
                st.toast("Merci : ce retour aidera à mieux classer les pistes.")
        if b2.button("Pas pertinent", key=f"ko_{key}", icon=":material/thumb_down:"):
            if _errors.succeeded(matching.record_feedback, store, c.need_id, c.offer_id, False):
                st.session_state["pistes_done"] = "Piste écartée : elle ne sera plus proposée."
                st.rerun()
        if b3.button("Proposer ce partenariat", key=f"go_{key}", type="primary"):
            if _errors.succeeded(matching.propose_candidate, store, c):
                st.session_state["pistes_done"] = (
                    "Piste proposée : suivez-la dans « Partenariats »."
                )
                st.session_state["pistes_proposed"] = True
                st.rerun()
if len(shown) > 30:
    st.caption(f"Les 30 premières pistes sur {len(shown)} sont affichées.")
with st.expander("Carte (besoins en orange, offres en vert)"):
    communes = territories.get_territory(store, tid).communes
    _map.draw(*_map.pairs(shown[:30]), key="pistes_map", territory=communes)
