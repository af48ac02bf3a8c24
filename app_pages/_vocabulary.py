"""Add a territory's own subcategories: one by one, or from a CSV file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from app_pages import _errors
from app_pages._text import CHOOSE, esc
from traits import services
from traits.errors import TraitsError
from traits.fr import plural
from traits.model import LABELS_FR, Category
from traits.services import vocabulary as voc

UPLOAD_LABEL = (
    "Ou un tableur (CSV, Excel ou LibreOffice) : colonnes Libellé, Catégorie, Synonymes "
    "(séparés par « | »), Sous-catégories voisines"
)
UPLOAD_HELP = (
    "Une ligne par sous-catégorie. La catégorie s'écrit comme dans la liste : "
    + ", ".join(LABELS_FR[c] for c in Category)
    + ". Les sous-catégories voisines se donnent par leur libellé, séparées par « | ». "
    "Un libellé déjà présent remplace la sous-catégorie du même nom."
)


def _extend(add: Callable[[], int]) -> None:
    try:
        n = add()
    except TraitsError as exc:
        _errors.show_error(exc)
        return
    st.success(plural(n, "sous-catégorie ajoutée", "sous-catégories ajoutées") + ".")


def render(store: Any, territory_id: str) -> None:
    """The small form and the CSV upload."""
    st.markdown("#### Ajouter une sous-catégorie du territoire")
    with st.form("add_subcategory", clear_on_submit=True):
        c1, c2 = st.columns(2)
        label = c1.text_input("Libellé", placeholder="Entretien de bateaux")
        category = c2.selectbox(
            "Catégorie",
            [c.value for c in Category],
            format_func=lambda c: LABELS_FR[Category(c)],
            placeholder=CHOOSE,
        )
        synonyms = st.text_input("Synonymes, séparés par « | »", placeholder="carénage|coque")
        submitted = st.form_submit_button("Ajouter")
    if submitted:
        if not label.strip():
            st.error("Libellé : obligatoire.")
        else:
            _extend(lambda: voc.add_subcategory(store, territory_id, label, category, synonyms))
    upload = st.file_uploader(UPLOAD_LABEL, key="voc_file", help=UPLOAD_HELP)  # no type=: below
    wrong = services.wrong_file_types([upload.name]) if upload is not None else None
    if wrong:
        st.error(esc(wrong))
        upload = None
    st.download_button(
        "Télécharger un modèle à remplir",
        voc.vocabulary_template(),
        file_name="sous-categories.csv",
        mime="text/csv",
        key="voc_template",
    )
    if upload is not None and st.button("Ajouter ce fichier", key="voc_go"):
        _extend(lambda: voc.extend_file(store, territory_id, upload.getvalue(), upload.name))
