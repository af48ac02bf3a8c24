"""French words for the few texts Streamlit writes itself (it has no translations).

The file uploader says "Upload" and "20MB per file • CSV, XLSX";
these rules hide them and write the French instead. Loaded once per page run by ``app.py``.
"""

from __future__ import annotations

import streamlit as st

_CSS = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span,
[data-testid="stFileUploaderDropzoneInstructions"] > div > small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {
  content: "Glissez-déposez vos fichiers ici (20 Mo au plus par fichier)";
}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] + *,
[data-testid="stFileUploaderDropzone"] button > div::after { content: "Choisir des fichiers"; }
</style>
"""


def french_builtin_texts() -> None:
    """Replace Streamlit's own English texts on this page."""
    st.html(_CSS)
