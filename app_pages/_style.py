"""French words for the few texts Streamlit writes itself (it has no translations).

The file uploader says "Upload" and "20MB per file • CSV, XLSX", and an empty date field
shows "dd / mm / yyyy" (Streamlit fixes its date fields to American English): these rules
hide them and write the French instead. Loaded once per page run by ``app.py``.

The small toolbar Streamlit shows over a hovered table or chart ("Download as CSV",
"Search", "Show/hide columns", "Fullscreen", "Show data") has English tooltips no option
changes, and its CSV is written the English way (commas, points): it is hidden. What a
facilitator downloads has its own French button (vocabulary, territory data, Bilan,
personal data); the charts' Vega menu is off in :mod:`app_pages._charts`.

An uploaded file's size is written the English way ("25.0B", "1.2MB": no setting changes
it): it is hidden. A wrong file type is refused by our code in French, not by the
uploader's ``type=`` filter (its message is English, with a MIME type).

Left as Streamlit writes them, for want of any setting: the screen-reader labels ("Help
for …", "Show password", "Skip to main content"…) and the refusal of a file over the
server's upload limit (``server.maxUploadSize``; the import says the limit beforehand).
"""

from __future__ import annotations

import streamlit as st

_CSS = """
<style>
[data-testid="stElementToolbar"] { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > span,
[data-testid="stFileUploaderDropzoneInstructions"] > div > small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::before {
  content: "Glissez-déposez vos fichiers ici (20 Mo au plus par fichier)";
}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] { display: none; }
[data-testid="stFileChipName"] + * { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] + *,
[data-testid="stFileUploaderDropzone"] button > div::after { content: "Choisir des fichiers"; }
[data-testid="stDateInputField"] [data-placeholder="true"] {
  -webkit-text-fill-color: transparent; position: relative;
}
[data-testid="stDateInputField"] [data-placeholder="true"]::before {
  -webkit-text-fill-color: currentcolor; position: absolute; inset: 0; text-align: center;
}
[data-testid="stDateInputField"] [data-placeholder="true"][data-type="day"]::before {
  content: "jj";
}
[data-testid="stDateInputField"] [data-placeholder="true"][data-type="month"]::before {
  content: "mm";
}
[data-testid="stDateInputField"] [data-placeholder="true"][data-type="year"]::before {
  content: "aaaa";
}
</style>
"""


def french_builtin_texts() -> None:
    """Replace Streamlit's own English texts on this page."""
    st.html(_CSS)


_CLOSE_SIDEBAR = """
<script>
const doc = window.parent.document;
if (window.parent.innerWidth < 640) {
  const button = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
  const sidebar = doc.querySelector('[data-testid="stSidebar"]');
  if (button && sidebar && sidebar.getAttribute("data-collapsed") === "false") { button.click(); }
}
</script>
"""


def close_sidebar_on_narrow_screens() -> None:
    """On a phone, fold the menu away once a page is chosen (Streamlit leaves it open)."""
    # A new text each time, so that the browser runs the script again on every page change.
    st.session_state["_navigations"] = st.session_state.get("_navigations", 0) + 1
    page = f"<!-- {st.session_state['_navigations']} -->{_CLOSE_SIDEBAR}"
    if hasattr(st, "iframe"):  # Streamlit ≥ 1.50 (components.v1.html is deprecated there)
        st.iframe(page, height=1)
    else:
        from streamlit.components.v1 import html

        html(page, height=0)
