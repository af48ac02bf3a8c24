"""Streamlit entry point: the sample territory's figures (the full app comes with the app issue)."""

from __future__ import annotations

import os

import streamlit as st

from traits import services
from traits.model import LABELS_FR, PartnershipStatus
from traits.storage import Store


@st.cache_resource
def get_store() -> Store:
    store = Store(os.environ.get("TRAITS_DB"))
    if not services.list_territories(store):
        services.load_demo(store)
        st.session_state["demo_loaded"] = True
    return store


st.set_page_config(page_title="Traits d'Unions", page_icon="🤝", layout="wide")
st.title("Traits d'Unions")
store = get_store()
if st.session_state.get("demo_loaded"):
    st.info("Base vide : le territoire d'exemple (fictif) a été chargé.")
for territory in services.list_territories(store):
    counts = services.stats(store, territory.territory_id)
    st.header(territory.name)
    cols = st.columns(5)
    cols[0].metric("Structures rencontrées", counts["organisations"])
    cols[1].metric("Diagnostics", counts["diagnostics"])
    cols[2].metric("Besoins", counts["needs"])
    cols[3].metric("Offres", counts["offers"])
    cols[4].metric("Partenariats concrétisés", counts["partnerships"]["realised"])
    st.subheader("Partenariats par statut")
    st.table(
        {
            LABELS_FR[PartnershipStatus(s)]: [n]
            for s, n in counts["partnerships"].items()
        }
    )
