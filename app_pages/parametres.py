"""Paramètres: the subcategory vocabulary, the matcher's settings, database export, learning."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages import _common as common
from app_pages import _vocabulary
from app_pages._text import esc
from traits.fr import fr_number, plural
from traits.model import LABELS_FR, Category
from traits.services import matching, territories
from traits.services import vocabulary as voc

store = common.get_store()
tid = common.require_territory()
st.title("Paramètres")
vocab_tab, match_tab, data_tab = st.tabs(["Vocabulaire", "Appariement", "Données"])

with vocab_tab:
    rows = [
        (LABELS_FR[Category(s.category)], s.label, ", ".join(s.synonyms[:6]))
        for s in voc.vocabulary(store, tid)
    ]
    st.dataframe(
        pd.DataFrame(rows, columns=["catégorie", "sous-catégorie", "mots reconnus (extrait)"]),
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
            if common.succeeded(
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
    n_feedback = len(matching.feedback_frame(store, tid))
    # the matcher is fitted (or taken from the cache) only once there is enough to learn from
    status = (
        matching.learning_status(common.fitted_matcher(store, tid))
        if n_feedback >= config.min_feedback
        else None
    )
    retours = plural(n_feedback, "retour", "retours")
    if status is not None and status.state == "active":
        st.success(
            f"{esc(retours)} : le classement en tient compte. Vérifié sur des besoins mis de côté, "
            f"il place la bonne offre plus haut (rang réciproque moyen "
            f"+{fr_number(status.validation_gain or 0.0, 2)})."
        )
        st.dataframe(
            pd.DataFrame(
                [
                    (label, status.default_weights[p], status.weights[p])
                    for p, label in matching.PART_LABELS_FR.items()
                ],
                columns=["élément", "poids par défaut", "poids appris"],
            ),
            hide_index=True,
            column_config={
                "poids par défaut": st.column_config.NumberColumn(format="%.2f"),
                "poids appris": st.column_config.NumberColumn(format="%.2f"),
            },
        )
    elif status is not None and status.state == "kept_defaults":
        st.info(
            f"{esc(retours)} : appris sur une partie des besoins, le classement ne faisait pas "
            "mieux sur les autres. Les réglages par défaut restent appliqués."
        )
    else:
        st.info(
            f"{esc(retours)} depuis la dernière remise à zéro. L'apprentissage s'active à "
            f"partir de {fr_number(config.min_feedback)} retours portant sur au moins "
            f"{matching.MIN_LEARNING_NEEDS} besoins différents, chacun avec une piste jugée "
            "pertinente et une autre non."
        )
    if st.checkbox("Je veux oublier l'apprentissage passé", key="reset_confirm"):
        if st.button("Réinitialiser l'apprentissage", type="primary", key="reset_go"):
            if common.succeeded(matching.reset_learning, store, tid):
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

    def _export() -> bytes:
        with tempfile.TemporaryDirectory(prefix="traits-base-") as tmp:
            return territories.export_database(store, Path(tmp) / f"base.{fmt}", which).read_bytes()

    st.download_button(
        "Télécharger",
        common.as_caller(_export),
        file_name=f"traits-{which or 'base'}.{fmt}",
        on_click="ignore",
        icon=":material/download:",
        key="export_db",
    )
