"""Kit d'essaimage: the coordinator's chapters (one tab each) and the territory's field kit."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from app_pages import _errors, _session
from app_pages._text import CHOOSE, esc
from traits.services import kit

TAB_KEY = "kit_chapter"
DOWNLOAD_TAB = "Télécharger le kit"


def _open(title: str) -> None:
    st.session_state[TAB_KEY] = title


def _downloads(store) -> None:  # type: ignore[no-untyped-def]
    tid = _session.current_territory()
    st.markdown(
        "Le kit de votre territoire : le livret, la plaquette, les grilles d'entretien, les "
        "courriers, les modèles de conventions, le kit du groupe local, la synthèse des "
        "résultats et les tableurs d'import, avec le nom du territoire, de l'animateur ou de "
        "l'animatrice, du Pôle et son contact déjà remplis."
    )
    profile = _errors.attempt(kit.kit_profile, store, tid)
    if profile is None:
        return
    fields = profile[0].fields()
    st.caption(f"Territoire : {esc(fields['territoire'])} · animation : {esc(fields['animateur'])}")
    c1, c2, c3 = st.columns(3)
    pole = c1.text_input("Nom du Pôle ESS", key="kit_pole")
    contact = c2.text_input("Contact (courriel ou téléphone du Pôle)", key="kit_contact")
    this_year = dt.date.today().year
    years = [None, *range(this_year, this_year - 8, -1)]
    year = c3.selectbox(
        "Période de la synthèse",
        years,
        format_func=lambda y: "Toutes dates" if y is None else f"Année {y}",
        key="kit_year",
        placeholder=CHOOSE,
    )
    wanted = (tid, pole, contact, year, dt.date.today())
    ready = st.session_state.get("kit_files")
    if ready is None or ready[0] != wanted:
        if not st.button("Préparer les fichiers du kit", type="primary", key="kit_prepare"):
            return
        with st.spinner("Préparation du kit (quelques secondes)…"):
            files = _errors.attempt(
                kit.kit_files, store, tid, pole=pole, contact=contact, year=year
            )
        if files is None:
            return
        st.session_state["kit_files"] = ready = (wanted, files)
    files = ready[1]
    for section, label in kit.SECTIONS.items():
        group = [f for f in files if f.section == section]
        if not group:
            continue
        st.subheader(label)  # trusted: kit.SECTIONS labels
        for file in group:
            st.download_button(  # trusted: the kit's own file titles
                file.title,
                data=file.data,
                file_name=file.name.rsplit("/", 1)[-1],
                mime=file.mime,
                key=f"kit_{file.name}",
                icon=":material/download:",
            )

    st.subheader("Tout le kit")
    st.download_button(
        "Tout le kit (archive zip)",
        data=kit.kit_archive(files),
        file_name="kit-traits-d-unions.zip",
        mime="application/zip",
        key="kit_zip",
        icon=":material/folder_zip:",
    )


store = _session.get_store()
st.title("Kit d'essaimage")
chapters = kit.kit_chapters()
titles = {c.slug: c.title for c in chapters}
tabs = st.tabs(
    [DOWNLOAD_TAB, *titles.values()], key=TAB_KEY, on_change="rerun", default=DOWNLOAD_TAB
)
if tabs[0].open:
    with tabs[0]:
        _downloads(store)
for tab, chapter in zip(tabs[1:], chapters, strict=True):
    if not tab.open:
        continue
    with tab:
        for kind, value in chapter.parts(titles):
            if kind == "text":
                st.markdown(value)  # trusted: the kit's own chapters
            elif kind == "image":
                st.image(value)
            else:
                st.caption(value)  # trusted: the kit's own chapters
        links = chapter.links()
        if links:
            st.markdown("**Voir aussi**")
            for slug in links:
                st.button(  # trusted: the kit's chapter titles
                    titles[slug],
                    key=f"kit_link_{chapter.slug}_{slug}",
                    on_click=_open,
                    args=(titles[slug],),
                    icon=":material/arrow_forward:",
                )
