"""Kit d'essaimage: the documents that help another Pôle ESS start the method, and templates."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import streamlit as st

KIT = Path(__file__).resolve().parents[1] / "docs" / "kit-essaimage"
MIME = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".pdf": "application/pdf",
    ".csv": "text/csv",
    ".md": "text/markdown",
}

st.title("Kit d'essaimage")
documents = sorted(KIT.glob("*.md")) if KIT.is_dir() else []
templates = (
    sorted(p for p in (KIT / "modeles").glob("*") if p.is_file() and p.suffix.lower() in MIME)
    if KIT.is_dir()
    else []
)
if not documents and not templates:
    st.info("Le kit sera bientôt disponible.")
    st.stop()

if documents:
    titles = [
        p.stem.replace("-", " ").replace("_", " ").lstrip("0123456789 ").capitalize()
        for p in documents
    ]
    for tab, path in zip(st.tabs(titles), documents, strict=True):
        with tab:
            st.markdown(path.read_text(encoding="utf-8"))
if templates:
    st.subheader("Modèles à télécharger")
    for path in templates:
        st.download_button(
            path.name,
            data=path.read_bytes(),
            file_name=path.name,
            mime=MIME.get(path.suffix.lower(), "application/octet-stream"),
            key=f"kit_{path.name}",
            icon=":material/download:",
        )
    csv_folder = KIT / "modeles" / "csv"
    if csv_folder.is_dir():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(csv_folder.glob("*.csv")):
                archive.write(path, path.name)
        st.download_button(
            "modeles-csv.zip (un fichier CSV par onglet)",
            data=buffer.getvalue(),
            file_name="modeles-csv.zip",
            mime="application/zip",
            key="kit_csv_zip",
            icon=":material/download:",
        )
