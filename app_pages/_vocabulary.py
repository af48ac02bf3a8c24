"""Add a territory's own subcategories: one by one, or from a CSV file."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from app_pages import _errors
from traits.errors import TraitsError
from traits.fr import plural
from traits.model import LABELS_FR, Category
from traits.services import vocabulary as voc

COLUMNS = ["code", "category", "label", "synonyms", "related"]


def _extend(
    store: Any, territory_id: str, rows: list[list[str]] | None, data: bytes | None
) -> None:
    with tempfile.TemporaryDirectory(prefix="traits-voc-") as tmp:
        path = Path(tmp) / "sous-categories.csv"
        if data is not None:
            path.write_bytes(data)
        else:
            with open(path, "w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows([COLUMNS, *(rows or [])])
        try:
            n = voc.extend_vocabulary(store, territory_id, path)
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
            "Catégorie", [c.value for c in Category], format_func=lambda c: LABELS_FR[Category(c)]
        )
        synonyms = st.text_input("Synonymes, séparés par « | »", placeholder="carénage|coque")
        submitted = st.form_submit_button("Ajouter")
    if submitted:
        if not label.strip():
            st.error("Libellé : obligatoire.")
        else:
            from traits.services.territories import slugify

            code = slugify(label).replace("-", "_")  # facilitators never see codes
            _extend(store, territory_id, [[code, category, label.strip(), synonyms, ""]], None)
    upload = st.file_uploader(
        "Ou un fichier CSV (code, category, label, synonyms, related)", type=["csv"], key="voc_file"
    )
    if upload is not None and st.button("Ajouter ce fichier", key="voc_go"):
        _extend(store, territory_id, None, upload.getvalue())
