"""Territoire: choose or create a territory, and follow its first steps."""

from __future__ import annotations

import streamlit as st

from app_pages import _errors, _map, _session
from app_pages._text import esc
from traits.errors import InvalidInputError
from traits.services import diagnostics, home, overview, territories

FIELDS = territories.TERRITORY_FIELDS


def _todo(todo: home.Todo) -> None:
    """What to do next: partnerships to follow up, needs waiting, drafts."""
    st.markdown("#### À faire")
    if todo.empty:
        st.caption(
            "Rien en attente : ni partenariat à relancer, ni besoin sans suite, ni brouillon."
        )
        return
    n = overview.SHOWN_PER_LIST
    if todo.follow_ups:
        st.markdown("**Partenariats à relancer**")
        for f in todo.follow_ups[:n]:
            stale = ":material/schedule: " if f.stale else ""
            st.markdown(f"- {stale}{esc(overview.follow_up_line(f))}")  # trusted: an icon
        st.page_link(
            "app_pages/partnerships.py",
            label="Ouvrir les partenariats",
            icon=":material/handshake:",
        )
    if todo.waiting_needs:
        st.markdown(f"**Besoins sans partenariat proposé** ({len(todo.waiting_needs)})")
        for need in todo.waiting_needs[:n]:
            st.markdown(f"- {esc(overview.waiting_need_line(need))}")
        st.page_link(
            "app_pages/pistes.py", label="Chercher des pistes", icon=":material/join_inner:"
        )
    if todo.drafts:
        st.markdown("**Diagnostics en brouillon**")
        for draft in todo.drafts[:n]:
            st.markdown(f"- {esc(overview.draft_line(draft))}")
        st.page_link(
            "app_pages/diagnostics.py",
            label="Reprendre un diagnostic",
            icon=":material/assignment:",
        )


store = _session.get_store()
st.title("Territoire")

tid = _session.current_territory()
if tid is not None:
    territory = territories.get_territory(store, tid)
    st.subheader(esc(territory.name))
    st.caption(esc(overview.territory_line(territory)))
    figures = overview.key_figures(store, tid)
    for column, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(label, value)  # trusted: labels written by the overview service
    _todo(home.todo(store, tid))
    with st.expander("Carte des structures"):
        orgs = diagnostics.list_organisations(store, tid)
        _map.draw(
            _map.organisations(orgs),
            key="home_map",
            legend=_map.KIND_LEGEND,
            territory=territory.communes,
        )
    st.markdown("#### Premiers pas")
    for label, done in territories.onboarding_checklist(store, tid):
        st.markdown(
            (":material/check_circle:" if done else ":material/radio_button_unchecked:")
            + f" {esc(label)}"
        )
    st.caption("Changez de territoire dans le menu de gauche.")

if _session.exploring_demo():
    st.info("Vous explorez le territoire d'exemple : revenez à votre base pour créer le vôtre.")
    st.button("Revenir à ma base", on_click=_session.leave_demo, key="leave_demo_here")
    st.stop()
problems = st.session_state.get("territory_problems", [])
with st.expander("Créer un territoire", expanded=tid is None or bool(problems)):
    with st.form("new_territory"):
        name = st.text_input("Nom du territoire", placeholder="Pays de Redon")
        _errors.field_problems(problems, FIELDS["name"])
        communes = st.text_area(
            "Communes ou EPCI (une par ligne)", placeholder="Redon\nAllaire\nGuémené-Penfao"
        )
        facilitator = st.text_input("Animateur ou animatrice")
        submitted = st.form_submit_button("Créer le territoire", type="primary")
    if submitted:
        try:
            created = territories.create_territory(
                store, None, name, communes.splitlines(), facilitator
            )
        except InvalidInputError as exc:
            st.session_state["territory_problems"] = exc.problems
        else:
            st.session_state["territory_problems"] = []
            _session.choose_territory(created.territory_id)
            st.toast(f"Territoire « {esc(created.name)} » créé.")
        st.rerun()
