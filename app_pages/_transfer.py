"""Import a spreadsheet (CSV files, or an XLSX/ODS workbook) and export the territory."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from app_pages import _common as common
from app_pages._text import esc
from traits import services

MAX_MB = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render(store: Any, territory_id: str) -> None:
    """The import form (all or nothing, problems row by row) and the export button."""
    st.subheader("Importer un tableur")
    st.caption(
        "Fichiers CSV du format d'échange (organisations.csv, items.csv…) ou un classeur "
        f".xlsx / .ods ; {MAX_MB} Mo au plus. Au moindre problème, rien n'est enregistré."
    )
    uploads = st.file_uploader(
        "Fichiers", type=["csv", "xlsx", "ods"], accept_multiple_files=True, key="import_files"
    )
    if uploads and st.button("Importer", type="primary", key="import_go"):
        too_big = [u.name for u in uploads if u.size > MAX_MB * 1024 * 1024]
        if too_big:
            st.error(f"Fichier trop volumineux (plus de {MAX_MB} Mo) : {esc(', '.join(too_big))}.")
            return
        with tempfile.TemporaryDirectory(prefix="traits-import-") as tmp:
            for upload in uploads:
                (Path(tmp) / Path(upload.name).name).write_bytes(upload.getvalue())
            books = [u for u in uploads if not u.name.lower().endswith(".csv")]
            source = Path(tmp) / Path(books[0].name).name if len(books) == 1 else Path(tmp)
            with st.spinner("Vérification et import…"):
                report = common.attempt(
                    services.import_territory,
                    store,
                    source,
                    territory=services.get_territory(store, territory_id),
                )
        if report is not None:
            st.success(esc(report.summary().replace(str(source), "vos fichiers")))
            if report.warnings:
                st.warning("À vérifier (l'import a bien eu lieu) :")
                st.dataframe(common.problems_frame(report.warnings), hide_index=True)

    st.subheader("Exporter le territoire")
    st.download_button(
        "Télécharger le classeur (.xlsx)",
        common.as_caller(lambda: workbook(store, territory_id)),
        file_name=f"traits-{territory_id}.xlsx",
        mime=XLSX,
        icon=":material/download:",
        key="export_xlsx",
        on_click="ignore",
    )


def workbook(store: Any, territory_id: str) -> bytes:
    """The territory in the interchange format, as an .xlsx workbook's bytes."""
    with tempfile.TemporaryDirectory(prefix="traits-export-") as tmp:
        target = Path(tmp) / "territoire.xlsx"
        services.export_territory(store, target, territory_id=territory_id)
        return target.read_bytes()
