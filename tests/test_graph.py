"""The partnership network: attributes, exports read back, analyses checked against networkx."""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
from collections import Counter

import networkx as nx
import pytest
from factories import partnership

from traits import graph as g
from traits import model
from traits.errors import InvalidInputError
from traits.model import (
    Category,
    Diagnostic,
    Organisation,
    OrgKind,
    Partnership,
    PartnershipMode,
    PartnershipStatus,
)

SEED = 20240611
S = PartnershipStatus


@pytest.fixture
def small() -> tuple[list[Organisation], list[Partnership], list[Diagnostic]]:
    """Five organisations, four partnerships, three diagnostics (a hand-checked world)."""
    orgs = [
        Organisation("esat", "ESAT Les Ateliers", OrgKind.ESS, "t1", "ESAT", lat=48.1, lon=-1.2),
        Organisation("asso", "Recyclerie du Bocage", OrgKind.ESS, "t1", "association"),
        Organisation("morin", "Transports Morin", OrgKind.COMPANY, "t1", "SAS", commune="Vitré"),
        Organisation("banque", "Banque du Coin", OrgKind.COMPANY, "t1"),
        Organisation("mairie", "Mairie d'Izé", OrgKind.PUBLIC, "t1"),
    ]
    d = dt.date
    parts = [
        partnership(
            "p1",
            "morin",
            "esat",
            [
                (S.PROPOSED, d(2022, 1, 10)),
                (S.INTRODUCED, d(2022, 2, 1)),
                (S.REALISED, d(2022, 3, 11)),
            ],
            mode=PartnershipMode.RESPONSIBLE_PRACTICES,
            categories=[Category.PURCHASING],
            need_id="n1",
            offer_id="o1",
            value_euros=10_000.0,
        ),
        partnership(
            "p2",
            "asso",
            "morin",
            [(S.PROPOSED, d(2022, 2, 1)), (S.REALISED, d(2022, 4, 1))],
            mode=PartnershipMode.PHILANTHROPY,
            categories=[Category.EQUIPMENT, Category.PREMISES],
        ),
        partnership("p3", "asso", "banque", [(S.PROPOSED, d(2022, 5, 1))]),
        partnership(
            "p4",
            "mairie",
            "banque",
            [(S.PROPOSED, d(2022, 3, 1)), (S.ABANDONED, d(2022, 6, 1))],
            abandon_reason="pas de suite",
        ),
    ]
    diagnostics = [
        Diagnostic("d1", "esat", d(2022, 1, 5)),
        Diagnostic("d2", "mairie", d(2022, 2, 5)),
        Diagnostic("d3", "asso", d(2022, 2, 6)),
    ]
    return orgs, parts, diagnostics


def random_world(n_orgs: int = 60, n_parts: int = 150, seed: int = SEED):
    """A seeded random territory, for comparisons with networkx."""
    rng = random.Random(seed)
    kinds = [OrgKind.ESS, OrgKind.COMPANY, OrgKind.COMPANY, OrgKind.PUBLIC]
    orgs = [
        Organisation(f"o{i:03d}", f"Structure {i}", rng.choice(kinds), "t") for i in range(n_orgs)
    ]
    parts = []
    for j in range(n_parts):
        a, b = rng.sample(range(n_orgs), 2)
        start = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(300))
        path = rng.choice(
            [
                [S.PROPOSED],
                [S.PROPOSED, S.INTRODUCED],
                [S.PROPOSED, S.ABANDONED],
                [S.PROPOSED, S.INTRODUCED, S.IN_DISCUSSION, S.REALISED],
                [S.PROPOSED, S.REALISED],
            ]
        )
        steps, day = [], start
        for status in path:
            steps.append((status, day))
            day += dt.timedelta(days=rng.randrange(1, 60))
        parts.append(
            partnership(
                f"p{j:04d}",
                orgs[a].org_id,
                orgs[b].org_id,
                steps,
                mode=rng.choice(list(PartnershipMode)),
                categories=rng.sample(list(Category), rng.randrange(1, 3)),
            )
        )
    diagnostics = [
        Diagnostic(f"d{i}", o.org_id, dt.date(2022, 1, 1)) for i, o in enumerate(orgs) if i % 3 == 0
    ]
    return orgs, parts, diagnostics


def test_nodes_and_edges_carry_the_domain_attributes(small):
    graph = g.build_graph(*small)
    assert graph.number_of_nodes() == 5 and graph.number_of_edges() == 4
    assert graph.nodes["esat"] == {
        "name": "ESAT Les Ateliers",
        "kind": "ess",
        "legal_form": "ESAT",
        "territory": "t1",
        "lat": 48.1,
        "lon": -1.2,
        "met_in_diagnostic": True,
    }
    assert graph.nodes["morin"]["commune"] == "Vitré"
    assert graph.nodes["morin"]["met_in_diagnostic"] is False
    p1 = graph.edges["morin", "esat", "p1"]
    assert p1 == {
        "partnership_id": "p1",
        "status": "realised",
        "mode": "responsible_practices",
        "categories": "purchasing",
        "created": "2022-01-10",
        "realised": "2022-03-11",
        "need_id": "n1",
        "offer_id": "o1",
        "value_euros": 10_000.0,
    }
    assert graph.edges["asso", "morin", "p2"]["categories"] == "equipment|premises"
    assert "realised" not in graph.edges["asso", "banque", "p3"]
    for _, data in graph.nodes(data=True):
        assert all(type(v) in (str, int, float, bool) for v in data.values())
    for _, _, data in graph.edges(data=True):
        assert all(type(v) in (str, int, float, bool) for v in data.values())


def test_a_partner_outside_the_organisations_becomes_a_bare_node(small):
    orgs, parts, diags = small
    graph = g.build_graph(orgs[1:], parts, diags)
    assert graph.nodes["esat"] == {}


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_exports_read_back_with_networkx(small, tmp_path, suffix):
    graph = g.build_graph(*small)
    path = g.write_graph(graph, tmp_path / f"reseau{suffix}")
    if suffix == ".graphml":
        back = nx.read_graphml(path, force_multigraph=True)
    elif suffix == ".gexf":
        back = nx.read_gexf(path)
    else:
        back = nx.node_link_graph(json.loads(path.read_text("utf-8")), edges="edges")
    assert set(back.nodes) == set(graph.nodes)
    ids = {"p1", "p2", "p3", "p4"}
    assert {d for _, _, d in back.edges(data="partnership_id")} == ids
    if suffix != ".gexf":  # networkx reads GEXF without parallel edges as a simple Graph
        assert back.is_multigraph() and {k for _, _, k in back.edges(keys=True)} == ids
    assert back.nodes["esat"]["name"] == "ESAT Les Ateliers"
    assert back.nodes["esat"]["lat"] == pytest.approx(48.1)
    assert back.nodes["esat"]["met_in_diagnostic"] in (True, "true")
    edge = next(d for _, _, d in back.edges(data=True) if d["partnership_id"] == "p1")
    assert edge["status"] == "realised" and edge["realised"] == "2022-03-11"
    assert float(edge["value_euros"]) == 10_000.0


def test_unknown_graph_format_is_refused_in_french(small, tmp_path):
    with pytest.raises(InvalidInputError) as err:
        g.write_graph(g.build_graph(*small), tmp_path / "reseau.png")
    assert isinstance(err.value, ValueError)
    assert "format de graphe « .png » inconnu" in str(err.value)
    assert ".graphml, .gexf ou .json" in str(err.value)


def test_counts_by_status_mode_and_category_match_a_direct_count():
    orgs, parts, diags = random_world()
    graph = g.build_graph(orgs, parts, diags)
    assert g.counts_by(graph, "status") == dict(
        sorted(Counter(p.status.value for p in parts).items(), key=lambda kv: (-kv[1], kv[0]))
    )
    assert g.counts_by(graph, "mode") == {
        k: v for k, v in Counter(p.mode.value for p in parts).items()
    }
    expected = Counter(c.value for p in parts for c in p.categories)
    assert g.counts_by(graph, "categories") == dict(expected)
    assert list(g.counts_by(graph, "categories").values()) == sorted(
        expected.values(), reverse=True
    )


def test_conversion_definitions(small):
    _, parts, _ = small
    # p1, p2 realised; p4 abandoned; p3 open.
    assert g.conversion(parts) == pytest.approx(2 / 3)
    assert g.conversion(parts, among="all") == pytest.approx(2 / 4)
    assert g.conversion([]) is None
    assert g.conversion(parts[2:3]) is None  # only an open piste: nothing decided yet


def test_median_days_to_realise_from_the_history(small):
    _, parts, _ = small
    expected = statistics.median([(dt.date(2022, 3, 11) - dt.date(2022, 1, 10)).days, 59])
    assert g.median_days_to_realise(parts) == expected
    assert g.median_days_to_realise(parts[2:]) is None


def test_status_on_a_day_reads_the_history(small):
    """The history-date rules live in the model (the report and the graph both read them)."""
    _, parts, _ = small
    p1 = parts[0]
    assert model.status_on(p1, dt.date(2022, 1, 9)) is None
    assert model.status_on(p1, dt.date(2022, 1, 10)) == S.PROPOSED
    assert model.status_on(p1, dt.date(2022, 2, 15)) == S.INTRODUCED
    assert model.status_on(p1, dt.date(2023, 1, 1)) == S.REALISED
    assert model.realised_date(p1) == dt.date(2022, 3, 11)
    assert model.closed_date(parts[3]) == dt.date(2022, 6, 1)
    assert model.closed_date(parts[2]) is None


def test_an_undated_partnership_is_never_placed_on_a_day():
    """Without history nor ``created``, only a known earlier date (``since``) places it."""
    undated = Partnership("p", "a", "b", S.REALISED)
    assert model.status_on(undated, dt.date.today()) is None
    assert model.status_on(undated, dt.date(2025, 3, 1), since=dt.date(2025, 3, 2)) is None
    assert model.status_on(undated, dt.date(2025, 3, 2), since=dt.date(2025, 3, 2)) == S.REALISED


def test_to_visit_again_lists_met_organisations_without_a_live_partnership(small):
    graph = g.build_graph(*small)
    # esat and asso have partnerships; the mairie's only one was abandoned.
    assert g.to_visit_again(graph) == ["mairie"]
    orgs, parts, diags = small
    lonely = g.build_graph(orgs, parts[:1], diags)
    assert g.to_visit_again(lonely) == ["mairie", "asso"]  # by name: Mairie…, Recyclerie…


def test_brokers_are_networkx_betweenness_on_the_simple_projection():
    orgs, parts, diags = random_world()
    graph = g.build_graph(orgs, parts, diags)
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_edges_from(
        (u, v) for u, v, s in graph.edges(data="status") if s != "abandoned" and u != v
    )
    reference = nx.betweenness_centrality(simple, weight=None)
    top = sorted(reference.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    found = g.brokers(graph, k=5)
    assert [n for n, _ in found] == [n for n, _ in top]
    assert [s for _, s in found] == pytest.approx([s for _, s in top])


def test_sampled_brokers_use_networkx_pivots_with_the_seed():
    orgs, parts, diags = random_world()
    graph = g.build_graph(orgs, parts, diags)
    simple = g.simple_projection(graph)
    reference = nx.betweenness_centrality(simple, k=20, weight=None, seed=7)
    top = sorted(((n, s) for n, s in reference.items() if s > 0), key=lambda kv: (-kv[1], kv[0]))
    assert g.brokers(graph, k=3, sample=20, seed=7) == top[:3]
    assert g.brokers(graph, k=3, sample=20, seed=7) == g.brokers(graph, k=3, sample=20, seed=7)


def test_simple_projection_counts_partnerships_per_pair(small):
    orgs, parts, diags = small
    extra = partnership("p5", "esat", "morin", [(S.PROPOSED, dt.date(2022, 7, 1))])
    simple = g.simple_projection(g.build_graph(orgs, [*parts, extra], diags))
    assert simple["morin"]["esat"]["weight"] == 2
    assert not simple.has_edge("mairie", "banque")  # abandoned
    assert simple.nodes["esat"]["name"] == "ESAT Les Ateliers"


def test_clusters_are_networkx_louvain_communities():
    orgs, parts, diags = random_world()
    graph = g.build_graph(orgs, parts, diags)
    found = g.clusters(graph, seed=3)
    reference = nx.community.louvain_communities(
        g.simple_projection(graph), weight="weight", seed=3
    )
    assert sorted(map(sorted, found)) == sorted(sorted(c) for c in reference if len(c) >= 2)
    assert [len(c) for c in found] == sorted((len(c) for c in found), reverse=True)
    assert g.clusters(graph, seed=3) == found


def test_ess_company_share(small):
    graph = g.build_graph(*small)
    # p1 company–ESS, p2 ESS–company, p3 ESS–company, p4 public–company.
    assert g.ess_company_share(graph) == pytest.approx(3 / 4)
    assert g.ess_company_share(nx.MultiGraph()) is None
    orgs, parts, diags = random_world()
    kinds = {o.org_id: o.kind.value for o in orgs}
    expected = sum({kinds[p.org_a], kinds[p.org_b]} == {"ess", "company"} for p in parts)
    assert g.ess_company_share(g.build_graph(orgs, parts, diags)) == expected / len(parts)


@pytest.fixture
def pooled(small):
    """The small world plus a realised mutualisation of four: the ESAT, the Recyclerie, the
    Mairie (met, with only an abandoned partnership of its own) and Transports Morin."""
    orgs, parts, diags = small
    members = [
        model.PartnershipMember("pool", org, need)
        for org, need in (("asso", "n_a"), ("esat", "n_e"), ("mairie", "n_m"), ("morin", None))
    ]
    pool = partnership(
        "pool",
        "asso",
        "morin",
        [(S.PROPOSED, dt.date(2022, 7, 1)), (S.REALISED, dt.date(2022, 9, 1))],
        label="Véhicules partagés",
        members=members,
    )
    return orgs, [*parts, pool], diags


def test_the_drawing_links_a_mutualisation_to_every_member(pooled):
    graph = g.build_graph(*pooled)
    drawn = g.drawing(graph)
    hub = g.POOL_NODE + "pool"
    assert drawn.nodes[hub]["name"] == "Véhicules partagés"
    assert sorted(drawn.neighbors(hub)) == ["asso", "esat", "mairie", "morin"]
    # Two-party partnerships stay one edge each; the pool is one node, not an edge.
    assert drawn.number_of_edges() == 4 + 4
    # Its place on a map: the mean of its members whose place is known (the ESAT only).
    assert (drawn.nodes[hub]["lat"], drawn.nodes[hub]["lon"]) == (48.1, -1.2)


def test_members_of_a_mutualisation_are_not_to_visit_again(pooled):
    """The Mairie's own partnership was abandoned, but it is a member of a realised pool."""
    assert g.to_visit_again(g.build_graph(*pooled)) == []


def test_a_mutualisation_with_a_company_among_its_members_joins_ess_and_company(pooled):
    orgs, parts, diags = pooled
    only_pool = [p for p in parts if p.partnership_id == "pool"]
    only_pool[0].org_b = "esat"  # both parties ESS; the company is among the other members
    assert g.ess_company_share(g.build_graph(orgs, only_pool, diags)) == 1.0
