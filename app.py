"""Streamlit entry point: a router over the pages of the method (see ``app_pages/``).

Run with ``streamlit run app.py``; ``TRAITS_DB`` chooses the database.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_pages import _session, _signin, _style  # noqa: E402
from app_pages._text import CHOOSE, esc  # noqa: E402
from traits import services  # noqa: E402

#: Each page: its file, its title, its icon and its address (French: what facilitators see).
PAGES = [
    ("app_pages/territory.py", "Territoire", ":material/map:", "territoire"),
    ("app_pages/diagnostics.py", "Diagnostics", ":material/assignment:", "diagnostics"),
    ("app_pages/pistes.py", "Pistes", ":material/join_inner:", "pistes"),
    ("app_pages/pooling.py", "Mutualisations", ":material/groups:", "mutualisations"),
    ("app_pages/partnerships.py", "Partenariats", ":material/handshake:", "partenariats"),
    ("app_pages/network.py", "Réseau", ":material/hub:", "reseau"),
    ("app_pages/report.py", "Bilan", ":material/summarize:", "bilan"),
    ("app_pages/kit.py", "Kit d'essaimage", ":material/menu_book:", "kit"),
    ("app_pages/settings.py", "Paramètres", ":material/settings:", "parametres"),
    (
        "app_pages/administration.py",
        "Administration",
        ":material/admin_panel_settings:",
        "administration",
    ),
]

st.set_page_config(page_title="Traits d'Unions", page_icon="🤝", layout="wide")
_style.french_builtin_texts()
# Keep the interview form's values when the facilitator visits another page and comes back.
for key in [k for k in st.session_state if str(k).startswith("iv_")]:
    st.session_state[key] = st.session_state[key]

store = _session.get_store()
if not _signin.sign_in_gate(store):
    st.stop()
territories = {t.territory_id: t.name for t in services.list_territories(store)}
pending = st.session_state.pop(_session.PENDING_TERRITORY_KEY, None)
if pending in territories:
    st.session_state[_session.TERRITORY_KEY] = pending
elif st.session_state.get(_session.TERRITORY_KEY) not in territories:
    st.session_state[_session.TERRITORY_KEY] = next(iter(territories), None)

with st.sidebar:
    st.markdown("### Traits d'Unions")
    principal = st.session_state.get(_signin.PRINCIPAL_KEY)
    if principal is not None:
        st.caption(f"Connecté·e : {esc(principal.username)}")
        st.button("Se déconnecter", on_click=_signin.sign_out, key="sign_out")
    else:
        st.caption("Poste unique : pas de comptes sur cette base.")
    if _session.exploring_demo():
        st.info("Vous explorez le territoire d'exemple : structures et personnes inventées.")
        st.button("Revenir à ma base", on_click=_session.leave_demo, key="leave_demo")
        st.button("Supprimer la base d'exemple", on_click=_session.remove_demo, key="remove_demo")
    elif _session.demo_allowed() and territories:
        st.button("Explorer le territoire d'exemple", on_click=_session.explore_demo, key="demo")
    if territories:
        st.selectbox(
            "Territoire",
            list(territories),
            format_func=territories.__getitem__,
            key=_session.TERRITORY_KEY,
            # A short list: no typing, so no « No results » (Streamlit offers no French text).
            filter_mode=None,
            placeholder=CHOOSE,
        )
if not territories and not _session.exploring_demo() and _session.demo_allowed():
    st.info(
        "Bienvenue ! Votre base est vide. Créez votre territoire ci-dessous, ou explorez "
        "d'abord le territoire d'exemple : des structures et des personnes inventées, gardées "
        "dans une base à part, que vous pourrez supprimer."
    )
    st.button(
        "Explorer le territoire d'exemple",
        on_click=_session.explore_demo,
        key="first_run_demo",
        type="primary",
    )

page = st.navigation(
    [st.Page(path, title=title, icon=icon, url_path=url) for path, title, icon, url in PAGES]
)
_session.note_page(page.url_path)
if st.session_state.get("_page_changed"):
    with st.sidebar:  # there, it shifts none of the page's own elements
        _style.close_sidebar_on_narrow_screens()
page.run()
