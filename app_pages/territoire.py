"""Territoire: choose or create a territory, and follow its first steps."""

from __future__ import annotations

import streamlit as st

from app_pages import _common as common
from traits.errors import InvalidInputError
from traits.services import territories

FIELDS = territories.TERRITORY_FIELDS
store = common.get_store()
st.title("Territoire")

tid = common.current_territory()
if tid is not None:
    territory = territories.get_territory(store, tid)
    st.subheader(territory.name)
    st.caption(
        f"Animation : {territory.facilitator or 'non renseignée'} — communes : "
        + (", ".join(territory.communes) or "non renseignées")
    )
    st.markdown("#### Premiers pas")
    for label, done in territories.onboarding_checklist(store, tid):
        st.markdown(
            f"{':material/check_circle:' if done else ':material/radio_button_unchecked:'} {label}"
        )
    st.caption("Changez de territoire dans le menu de gauche.")

problems = st.session_state.get("territory_problems", [])
with st.expander("Créer un territoire", expanded=tid is None or bool(problems)):
    with st.form("new_territory"):
        name = st.text_input("Nom du territoire", placeholder="Pays de Redon")
        common.field_problems(problems, FIELDS["name"])
        given_id = st.text_input(
            "Identifiant (facultatif)", help="Formé à partir du nom s'il est laissé vide."
        )
        common.field_problems(problems, FIELDS["territory_id"])
        communes = st.text_area(
            "Communes ou EPCI (une par ligne)", placeholder="Redon\nAllaire\nGuémené-Penfao"
        )
        facilitator = st.text_input("Animateur ou animatrice")
        submitted = st.form_submit_button("Créer le territoire", type="primary")
    if submitted:
        try:
            created = territories.create_territory(
                store, given_id or None, name, communes.splitlines(), facilitator
            )
        except InvalidInputError as exc:
            st.session_state["territory_problems"] = exc.problems
        else:
            st.session_state["territory_problems"] = []
            common.choose_territory(created.territory_id)
            st.toast(f"Territoire « {created.name} » créé.")
        st.rerun()
