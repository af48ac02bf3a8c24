"""Réseau: the partnership graph, its map and its analyses."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import _charts, _map, _session
from app_pages._text import esc
from traits.fr import fr_number, fr_percent, plural
from traits.model import LABELS_FR, PIPELINE, PartnershipStatus
from traits.services import reports, territories, views

store = _session.get_store()
tid = _session.require_territory()
st.title("Réseau")
dot, nodes, edges = views.network_view(store, tid)
facts = reports.graph_analyses(store, tid)
graph_tab, map_tab, facts_tab = st.tabs(["Graphe", "Carte", "Analyses"])
with graph_tab:
    st.caption(
        "Structures : ESS en vert, entreprises en jaune, collectivités en vert clair. "
        "Liens : concrétisés en vert épais, en discussion en orange, mises en lien en "
        "bleu, pistes en gris pointillé, abandons en rouge pointillé. Une mutualisation "
        "est un losange à son nom, relié à chacune de ses structures membres."
    )
    if facts["partnerships"] == 0:
        st.info("Aucun partenariat pour l'instant : proposez des pistes pour voir le réseau.")
    else:
        st.graphviz_chart(dot, width="stretch")
with map_tab:
    communes = territories.get_territory(store, tid).communes
    _map.draw(nodes, edges, key="reseau_map", height=480, territory=communes)
with facts_tab:
    conv = facts.get("conversion", {})
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Structures", fr_number(facts["organisations"]))
    c2.metric("Partenariats", fr_number(facts["partnerships"]))
    c3.metric(
        "Taux de concrétisation",
        fr_percent(conv.get("among_decided")),
        help="Parmi les partenariats concrétisés ou abandonnés.",
    )
    days = facts.get("median_days_to_realise")
    c4.metric("Délai médian", plural(days, "jour", "jours") if days is not None else "—")
    st.caption(f"Part des liens ESS – entreprise : {fr_percent(facts['ess_company_share'])}.")
    if facts["by_status"]:
        order = [*PIPELINE, PartnershipStatus.ABANDONED]
        by_status = [(LABELS_FR[s].capitalize(), facts["by_status"].get(s.value, 0)) for s in order]
        _charts.bars(st, by_status, "partenariats")
    st.markdown("#### Structures à revoir")
    st.caption("Rencontrées en diagnostic mais sans partenariat encore.")
    st.dataframe(
        pd.DataFrame(facts["to_visit_again"], columns=["name"]).rename(
            columns={"name": "structure"}
        ),
        hide_index=True,
    )
    st.markdown("#### Structures passerelles")
    st.caption(
        "Elles relient des structures qui, sans elles, ne seraient pas liées : les plus "
        "centrales d'abord."
    )
    brokers = [b["name"] if isinstance(b, dict) else b[0] for b in facts["brokers"]]
    st.markdown("\n".join(f"{fr_number(i)}. {esc(name)}" for i, name in enumerate(brokers, 1)))
    st.markdown("#### Groupes de structures liées")
    for i, cluster in enumerate(facts["clusters"][:10], start=1):
        st.caption(f"Groupe {fr_number(i)} : " + ", ".join(esc(x["name"]) for x in cluster))
