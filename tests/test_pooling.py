"""Mutualisations: pools of needs from several organisations, and pooled partnerships."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import ConflictError, InvalidInputError
from traits.pooling import find_pools
from traits.pooling.volume import need_volume, pool_volume
from traits.quantities import Quantity, extract_quantities
from traits.services import pooling as pooling_service
from traits.storage import Store
from traits.vocabulary import Vocabulary

# A small invented world: Vitré and Châteaubourg are 15 km apart; Morlaix is 170 km away.
VITRE = (48.1236, -1.2083)
CHATEAUBOURG = (48.1111, -1.4000)
MORLAIX = (48.5775, -3.8278)


def _orgs(rows: list[tuple[str, str, tuple[float, float] | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "org_id": org_id,
                "name": name,
                "kind": "ess",
                "lat": place[0] if place else float("nan"),
                "lon": place[1] if place else float("nan"),
            }
            for org_id, name, place in rows
        ]
    )


def _items(rows: list[tuple[str, str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["item_id", "org_id", "direction", "category", "title", "description"]
    ).assign(subcategory="")


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.default()


def test_needs_of_three_organisations_form_one_pool_with_summed_hours(vocab):
    orgs = _orgs(
        [
            ("a", "Épicerie Le Panier", VITRE),
            ("b", "Ressourcerie La Boucle", CHATEAUBOURG),
            ("c", "Théâtre du Pré", VITRE),
            ("d", "Garage Martin", VITRE),
        ]
    )
    items = _items(
        [
            (
                "n1",
                "a",
                "need",
                "skills",
                "Comptabilité",
                "Quelqu'un pour la comptabilité, 4 h par semaine",
            ),
            (
                "n2",
                "b",
                "need",
                "skills",
                "Aide comptable",
                "Tenue de la comptabilité et bilan, 6 h par semaine",
            ),
            (
                "n3",
                "c",
                "need",
                "skills",
                "Un comptable",
                "La comptabilité de l'association : 5 h par semaine",
            ),
            ("n4", "d", "need", "equipment", "Un pont élévateur", "Pour l'atelier"),
        ]
    )
    pools = find_pools(orgs, items, vocab)
    assert len(pools) == 1
    pool = pools[0]
    assert sorted(pool.need_ids) == ["n1", "n2", "n3"]
    assert sorted(pool.org_ids) == ["a", "b", "c"]
    assert pool.form == "shared_job"
    assert pool.volume == ["15 heures par semaine"]
    assert any("L8241-2" in r for r in pool.reasons)
    assert any("15 heures par semaine" in r for r in pool.reasons)


def test_physical_needs_far_apart_never_share_a_pool(vocab):
    orgs = _orgs(
        [
            ("a", "Épicerie Le Panier", VITRE),
            ("b", "Ressourcerie La Boucle", CHATEAUBOURG),
            ("m", "Banque alimentaire du Trégor", MORLAIX),
        ]
    )
    items = _items(
        [
            ("n1", "a", "need", "equipment", "Un camion frigorifique", "Pour la ramasse du mardi"),
            (
                "n2",
                "b",
                "need",
                "equipment",
                "Un camion",
                "Pour les collectes du samedi, un utilitaire",
            ),
            ("n3", "m", "need", "equipment", "Un camion frigorifique", "Pour la ramasse du mardi"),
        ]
    )
    pools = find_pools(orgs, items, vocab)
    assert [sorted(p.org_ids) for p in pools] == [["a", "b"]]
    assert pools[0].form == "shared_equipment"
    assert pools[0].max_distance_km is not None and pools[0].max_distance_km < 25


def test_remote_capable_needs_are_pooled_across_distance(vocab):
    orgs = _orgs(
        [("a", "Épicerie Le Panier", VITRE), ("m", "Banque alimentaire du Trégor", MORLAIX)]
    )
    items = _items(
        [
            (
                "n1",
                "a",
                "need",
                "funding",
                "Mécénat financier",
                "Des dons d'entreprises pour notre fonds",
            ),
            (
                "n2",
                "m",
                "need",
                "funding",
                "Mécénat financier",
                "Des dons d'entreprises pour nos achats",
            ),
        ]
    )
    pools = find_pools(orgs, items, vocab)
    assert [sorted(p.org_ids) for p in pools] == [["a", "m"]]


def test_needs_of_one_organisation_alone_are_no_pool(vocab):
    orgs = _orgs([("a", "Épicerie Le Panier", VITRE), ("b", "Garage Martin", VITRE)])
    items = _items(
        [
            (
                "n1",
                "a",
                "need",
                "purchasing",
                "Nettoyage des locaux",
                "Ménage deux soirs par semaine",
            ),
            ("n2", "a", "need", "purchasing", "Nettoyage du local", "Ménage du dépôt"),
            ("n3", "b", "need", "equipment", "Un pont élévateur", "Pour l'atelier"),
        ]
    )
    assert find_pools(orgs, items, vocab) == []


def test_unknown_distance_is_said_not_hidden(vocab):
    orgs = _orgs([("a", "Épicerie Le Panier", VITRE), ("b", "Ressourcerie La Boucle", None)])
    items = _items(
        [
            ("n1", "a", "need", "premises", "Un lieu de stockage", "Stocker nos palettes au sec"),
            ("n2", "b", "need", "premises", "Stockage", "Un hangar pour stocker les meubles"),
        ]
    )
    pools = find_pools(orgs, items, vocab)
    assert len(pools) == 1
    assert any("Distance inconnue" in r and "Ressourcerie La Boucle" in r for r in pools[0].reasons)


@pytest.mark.parametrize("placed", [1, 2])
def test_a_distance_is_claimed_only_between_placed_organisations(vocab, placed):
    """Two needs of one placed organisation are no distance: with one organisation placed,
    no distance is known; with two, the claim names only the placed ones."""
    orgs = _orgs(
        [
            ("a", "Épicerie Le Panier", VITRE),
            ("b", "Ressourcerie La Boucle", None),
            ("c", "Atelier Vélo", CHATEAUBOURG if placed == 2 else None),
        ]
    )
    items = _items(
        [
            ("n1", "a", "need", "premises", "Un lieu de stockage", "Stocker nos palettes au sec"),
            ("n2", "a", "need", "premises", "Stockage", "Un local pour stocker nos cartons"),
            ("n3", "b", "need", "premises", "Stockage", "Un hangar pour stocker les meubles"),
            ("n4", "c", "need", "premises", "Stockage", "Un local de stockage pour nos vélos"),
        ]
    )
    (pool,) = find_pools(orgs, items, vocab)
    assert sorted(pool.org_ids) == ["a", "b", "c"]
    pairs = {"n1": "a", "n2": "a", "n3": "b", "n4": "c"}  # each need with its organisation
    assert dict(zip(pool.need_ids, pool.need_org_ids, strict=True)) == pairs
    assert not any(r.startswith("Toutes") for r in pool.reasons)
    assert any("Distance inconnue" in r for r in pool.reasons)
    if placed == 1:
        assert pool.max_distance_km is None
        assert not any(" km les unes des autres" in r for r in pool.reasons)
    else:
        assert pool.max_distance_km is not None and pool.max_distance_km > 5
        assert any(r.startswith("Les structures dont la commune est connue") for r in pool.reasons)


def test_an_offer_alike_to_every_need_is_suggested(vocab):
    orgs = _orgs(
        [
            ("a", "Hôtel du Parc", VITRE),
            ("b", "Laiterie du Pré", CHATEAUBOURG),
            ("e", "ESAT Les Ateliers", VITRE),
        ]
    )
    items = _items(
        [
            (
                "n1",
                "a",
                "need",
                "purchasing",
                "Blanchisserie",
                "Laver nos draps et nappes chaque semaine",
            ),
            (
                "n2",
                "b",
                "need",
                "purchasing",
                "Lavage des tenues",
                "Laver les tenues de travail, blanchisserie",
            ),
            (
                "o1",
                "e",
                "offer",
                "purchasing",
                "Blanchisserie",
                "Lavage et repassage du linge des professionnels",
            ),
        ]
    )
    pools = find_pools(orgs, items, vocab)
    assert len(pools) == 1
    assert pools[0].form == "purchasing_group"
    assert pools[0].offer_id == "o1"
    assert any("ESAT Les Ateliers" in r for r in pools[0].reasons)


def test_reasons_cite_words_of_the_domain_not_fillers(vocab):
    orgs = _orgs(
        [("a", "Épicerie Le Panier", VITRE), ("b", "Ressourcerie La Boucle", CHATEAUBOURG)]
    )
    items = _items(
        [
            (
                "n1",
                "a",
                "need",
                "volunteering",
                "Des bénévoles",
                "Il faudrait quelqu'un deux fois par semaine pour le tri",
            ),
            (
                "n2",
                "b",
                "need",
                "volunteering",
                "Bénévoles",
                "Il faudrait quelqu'un deux fois par semaine pour le tri des dons",
            ),
        ]
    )
    pools = find_pools(orgs, items, vocab)
    shared = next(r for r in pools[0].reasons if r.startswith("Mots en commun"))
    for filler in ("faudrait", "quelqu", "fois", "semaine", "deux"):
        assert f"« {filler} »" not in shared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Salle pour 150 personnes", [Quantity(150, "personne")]),
        ("Secrétariat 1h30 par semaine", [Quantity(1.5, "heure", "semaine")]),
        ("Stockage de 300 m2", [Quantity(300, "m2")]),
        ("un 20 m³", [Quantity(20, "m3")]),
        ("un mi-temps", [Quantity(0.5, "etp")]),
        ("1 200 repas", [Quantity(1200, "repas")]),
        ("Le 12 mai 2025, réf. 35500", []),
    ],
)
def test_quantities_as_people_write_them(text, expected):
    assert extract_quantities(text) == expected


def test_quantities_sum_per_unit_and_period_a_part_not_counted_twice():
    figures, reasons = pool_volume(
        [
            need_volume("Secrétariat", "20 h par semaine, dont 2 h de réunion"),
            need_volume("Secrétariat", "10 h par semaine et un local de 50 m²"),
        ],
        "shared_job",
    )
    assert figures == ["30 heures par semaine", "50 m²"]
    assert any("« dont 2 h » non compté" in r for r in reasons)


# -- through the store, the CLI and pooled partnerships ------------------------------------------


@pytest.fixture
def demo(tmp_path) -> Store:
    store = Store(tmp_path / "demo.sqlite")
    services.load_demo(store)
    return store


def test_sample_territory_pools_are_local_and_json_has_the_contract_keys(demo, tmp_path):
    result = CliRunner().invoke(
        app, ["pooling", "--db", str(tmp_path / "demo.sqlite"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    pools = json.loads(result.output)
    assert pools, "the sample territory has shared needs (vehicles, volunteers, laundry)"
    for pool in pools:
        assert {"label", "category", "need_ids", "org_ids", "suggestion", "reasons"} <= set(pool)
        assert len(set(pool["org_ids"])) >= 2
        if pool["form"] in {"shared_equipment", "shared_premises", "purchasing_group"}:
            assert pool["max_distance_km"] is None or pool["max_distance_km"] <= 35


def test_a_pool_becomes_one_partnership_of_all_its_organisations(demo):
    pool = next(p for p in pooling_service.find_pools(demo, "vitre") if len(p.org_ids) >= 3)
    part = pooling_service.propose_pool(
        demo, pool.need_ids, offer_id=pool.offer_id, label=pool.label, author="test"
    )
    assert part.is_pooled
    assert set(pool.org_ids) <= set(part.org_ids)
    assert [m.need_id for m in part.members if m.need_id] == pool.need_ids
    assert part.label == pool.label
    assert part.history[0].to_status.value == "proposed"
    with pytest.raises(ConflictError):
        pooling_service.propose_pool(demo, pool.need_ids)
    from traits.services import partnerships

    moved = partnerships.change_status(demo, part.partnership_id, "introduced", author="test")
    assert moved.members == part.members


def test_a_pool_of_one_organisation_or_with_an_offer_as_need_is_refused(demo):
    with pytest.raises(InvalidInputError, match="au moins deux structures"):
        pooling_service.propose_pool(demo, ["n_escale_camion", "n_escale_stockage"])
    with pytest.raises(InvalidInputError, match="est une offre"):
        pooling_service.propose_pool(demo, ["n_escale_camion", "of_amv_immersions"])


def test_a_pooled_partnership_is_one_edge_and_a_clique_in_the_projection(demo):
    from traits.graph import build_graph, simple_projection
    from traits.storage import repository as repo

    pool = next(p for p in pooling_service.find_pools(demo, "vitre") if len(p.org_ids) >= 3)
    part = pooling_service.propose_pool(demo, pool.need_ids, label=pool.label)
    with demo.reading() as conn:
        graph = build_graph(
            repo.read_organisations(conn, "vitre"), repo.read_partnerships(conn, "vitre")
        )
    edges = [d for _, _, k, d in graph.edges(keys=True, data=True) if k == part.partnership_id]
    assert len(edges) == 1 and edges[0]["members"].split("|") == part.org_ids
    simple = simple_projection(graph)
    members = part.org_ids
    assert all(simple.has_edge(a, b) for a in members for b in members if a != b)


def test_the_report_counts_pools_found_followed_and_realised(demo):
    from traits.report.blocks import indicator_lines
    from traits.services import partnerships, reports

    before = reports.build_report(demo, "vitre")
    assert before.pools_found == len(pooling_service.find_pools(demo, "vitre")) > 0
    assert (before.pools_followed, before.pools_realised) == (0, 0)
    pool = pooling_service.find_pools(demo, "vitre")[0]
    part = pooling_service.propose_pool(demo, pool.need_ids, label=pool.label)
    partnerships.change_status(demo, part.partnership_id, "realised")
    after = reports.build_report(demo, "vitre")
    assert (after.pools_followed, after.pools_realised) == (1, 1)
    assert after.pools_found == before.pools_found - 1  # its needs are no longer a piste
    assert after.to_dict()["pools"] == {"found": after.pools_found, "followed": 1, "realised": 1}
    assert any(
        line.startswith("Mutualisations : 1 mutualisation suivie")
        for line in indicator_lines(after)
    )


def test_the_sample_figures_of_the_docs_hold(tmp_path):
    """docs/pooling.md's figures for the sample territory are the sample's own."""
    import re
    from pathlib import Path

    from traits import services
    from traits.storage import Store

    doc = (Path(__file__).resolve().parents[1] / "docs" / "pooling.md").read_text("utf-8")
    said = re.search(r"Sample territory \(`traits demo`, then `traits pooling`\): (\d+) pools", doc)
    listed = re.findall(r"^- « (.+?) »: (\d+) structures", doc, re.M)
    assert said and listed
    store = Store(tmp_path / "demo.sqlite")
    services.load_demo(store)
    pools = pooling_service.find_pools(store, "vitre")
    assert len(pools) == int(said.group(1))
    sizes = {p.label: len(p.org_ids) for p in pools}
    for label, n in listed:
        assert sizes.get(label) == int(n), label
