"""Paramètres: the subcategory vocabulary, the matcher's settings, database export, learning."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import _cache, _errors, _session, _signin, _vocabulary
from traits.services import downloads, learning, matching
from traits.services import vocabulary as voc

store = _session.get_store()
tid = _session.require_territory()
st.title("Paramètres")
vocab_tab, match_tab, data_tab = st.tabs(["Vocabulaire", "Appariement", "Données"])

with vocab_tab:
    st.dataframe(
        pd.DataFrame(voc.vocabulary_rows(store, tid), columns=voc.VOCABULARY_COLUMNS),
        hide_index=True,
        height=280,
    )
    _vocabulary.render(store, tid)

with match_tab:
    config = matching.load_config(store, tid)
    with st.form("match_settings"):
        decay = st.number_input(
            "Distance de référence (km)",
            1.0,
            200.0,
            float(config.distance_decay_km),
            help="Au-delà, la proximité compte de moins en moins.",
        )
        top = st.number_input("Pistes par besoin", 1, 50, int(config.top_k))
        cap = st.number_input(
            "Pistes au plus par structure (tout le territoire)",
            1,
            50,
            int(config.max_proposals_per_org),
        )
        semantic = st.toggle("Encodeur sémantique (plus lent, plus fin)", value=config.use_semantic)
        if st.form_submit_button("Enregistrer les réglages", type="primary"):
            if _errors.succeeded(
                matching.save_settings,
                store,
                tid,
                distance_decay_km=float(decay),
                top_k=int(top),
                max_proposals_per_org=int(cap),
                use_semantic=bool(semantic),
            ):
                st.success("Réglages enregistrés : les pistes seront recalculées.")
    st.markdown("#### Apprentissage")
    st.caption(
        "Les retours « Pertinent / Pas pertinent » et les partenariats conclus ajustent "
        "le classement. Repartir de zéro garde ces retours mais ne les utilise plus."
    )
    overview = learning.learning_overview(store, tid, lambda: _cache.fitted_matcher(store, tid))
    active = overview.state == "active"
    (st.success if active else st.info)(overview.message)  # trusted: numbers and set words
    if active:
        st.dataframe(
            pd.DataFrame(overview.weight_rows(), columns=learning.WEIGHT_COLUMNS),
            hide_index=True,
            column_config={
                "poids par défaut": st.column_config.NumberColumn(format="%.2f"),
                "poids appris": st.column_config.NumberColumn(format="%.2f"),
            },
        )
    if st.checkbox("Je veux oublier l'apprentissage passé", key="reset_confirm"):
        if st.button("Réinitialiser l'apprentissage", type="primary", key="reset_go"):
            if _errors.succeeded(matching.reset_learning, store, tid):
                st.success("Apprentissage réinitialisé : les réglages par défaut s'appliquent.")

with data_tab:
    scope = st.radio(
        "Étendue", ["Ce territoire", "Toute la base"], horizontal=True, key="export_scope"
    )
    fmt = st.radio(
        "Format",
        ["xlsx", "zip"],
        horizontal=True,
        key="export_fmt",
        format_func={"xlsx": "Classeur .xlsx", "zip": "Archive de fichiers CSV"}.get,
    )
    which = tid if scope == "Ce territoire" else None
    st.download_button(
        "Télécharger",
        _signin.as_caller(lambda: downloads.database_file(store, fmt, which)),
        file_name=f"traits-{which or 'base'}.{fmt}",
        on_click="ignore",
        icon=":material/download:",
        key="export_db",
    )
