"""Matching on unseen territories: locality, sizes, days, misfiled items, jargon, filler words.

Each pattern is tested on a small invented world (organisations and texts written for these
tests): the right offer must come first, and the reasons must say why.
"""

from __future__ import annotations

import pandas as pd
import pytest

from traits.matching.pipeline import MatchConfig, Matcher

PONTIVY = (48.0680, -2.9630)
NOYAL = (48.1010, -2.8860)  # ~7 km
QUIMPER = (47.9960, -4.1020)  # ~85 km


def _world(orgs, items) -> Matcher:
    o = pd.DataFrame(
        [
            {
                "org_id": oid,
                "name": name,
                "kind": kind,
                "lat": p[0] if p else None,
                "lon": p[1] if p else None,
            }  # fmt: skip
            for oid, name, kind, p in orgs
        ]
    )
    it = pd.DataFrame(
        items, columns=["item_id", "org_id", "direction", "category", "title", "description"]
    ).assign(subcategory="")
    return Matcher(MatchConfig(use_semantic=False)).fit(o, it)


def _first(matcher: Matcher, need: str):
    (candidate, *_) = matcher.shortlist(need, k=5)
    return candidate


def test_a_local_need_is_answered_near_before_a_closer_text_far_away():
    m = _world(
        [("a", "Épicerie du Blavet", "ess", PONTIVY), ("b", "Club des anciens de Noyal", "other", NOYAL),
         ("c", "Entraide du Steir", "ess", QUIMPER)],
        [
            ("n", "a", "need", "volunteering", "Chauffeur bénévole pour la ramasse",
             "Un chauffeur bénévole chaque mardi matin pour la ramasse des invendus"),
            ("near", "b", "offer", "volunteering", "Chauffeurs retraités disponibles",
             "Nos retraités conduisent volontiers pour les associations, en semaine"),
            ("far", "c", "offer", "volunteering", "Chauffeurs bénévoles pour vos ramasses",
             "Chauffeurs bénévoles pour la ramasse des invendus chaque semaine"),
        ],
    )  # fmt: skip
    assert _first(m, "n").offer_id == "near"


def test_distance_weighs_little_on_a_need_answered_from_afar():
    m = _world(
        [("a", "Association du Blavet", "ess", PONTIVY), ("b", "Cabinet Le Gall", "company", QUIMPER)],
        [
            ("n", "a", "need", "skills", "Aide pour la comptabilité",
             "Notre trésorière a besoin d'aide pour la comptabilité et le bilan annuel"),
            ("o", "b", "offer", "skills", "Comptabilité associative",
             "Un expert-comptable accompagne les associations pour leur comptabilité, en visio"),
        ],
    )  # fmt: skip
    first = _first(m, "n")
    assert first.offer_id == "o"
    assert first.parts["distance"] > 0.6
    assert any("la distance compte peu" in r for r in first.reasons)


def test_a_room_too_small_comes_after_one_big_enough_and_says_so():
    m = _world(
        [("a", "Foyer de Rohan", "ess", PONTIVY), ("b", "Mairie annexe", "public", NOYAL),
         ("c", "Salle des fêtes", "public", NOYAL)],
        [
            ("n", "a", "need", "premises", "Une salle pour un repas",
             "Une salle pour le repas des familles, 150 personnes"),
            ("small", "b", "offer", "premises", "Salle pour repas", "Salle de 40 places pour un repas"),
            ("big", "c", "offer", "premises", "Salle des fêtes",
             "Salle pour repas et événements, 200 places assises, cuisine"),
        ],
    )  # fmt: skip
    ranked = m.shortlist("n", k=5)
    assert [c.offer_id for c in ranked][:2] == ["big", "small"]
    small = next(c for c in ranked if c.offer_id == "small")
    assert any("trop petite" in r for r in small.reasons)


def test_days_that_never_meet_put_an_offer_after_one_that_fits():
    m = _world(
        [("a", "Ressourcerie du Blavet", "ess", PONTIVY), ("b", "Garage Morvan", "company", NOYAL),
         ("c", "Transports Le Breton", "company", NOYAL)],
        [
            ("n", "a", "need", "equipment", "Un fourgon", "Un fourgon le mardi et le vendredi pour les collectes"),
            ("weekend", "b", "offer", "equipment", "Prêt de fourgon", "Notre fourgon prêté le week-end"),
            ("weekday", "c", "offer", "equipment", "Camionnette disponible", "Une camionnette libre en semaine"),
        ],
    )  # fmt: skip
    ranked = m.shortlist("n", k=5)
    assert ranked[0].offer_id == "weekday"
    weekend = next(c for c in ranked if c.offer_id == "weekend")
    assert any("jours incompatibles" in r for r in weekend.reasons)


def test_a_misfiled_need_still_finds_its_answer_and_the_facilitator_is_told():
    m = _world(
        [("a", "Épicerie solidaire", "ess", PONTIVY), ("b", "Hypermarché du Blavet", "company", NOYAL)],
        [
            ("n", "a", "need", "funding", "Dons alimentaires",
             "Des invendus alimentaires, fruits et légumes, produits frais pour nos familles"),
            ("o", "b", "offer", "equipment", "Invendus alimentaires",
             "Nous donnons nos invendus : fruits, légumes, produits frais"),
        ],
    )  # fmt: skip
    first = _first(m, "n")
    assert first.offer_id == "o"
    assert any("semble relever de « matériel »" in r for r in first.reasons)


def test_jargon_is_read_both_ways():
    m = _world(
        [("a", "Chantier d'insertion", "ess", PONTIVY), ("b", "Organisme de prévention", "company", NOYAL),
         ("c", "Auto-école", "company", NOYAL)],
        [
            ("n", "a", "need", "skills", "Formation SST", "Former nos encadrants au SST"),
            ("o", "b", "offer", "skills", "Sauveteur secouriste du travail",
             "Sessions de sauveteur secouriste du travail et premiers secours en entreprise"),
            ("x", "c", "offer", "skills", "Formation au permis", "Formation au code de la route"),
        ],
    )  # fmt: skip
    assert _first(m, "n").offer_id == "o"


def test_reasons_never_cite_filler_words():
    m = _world(
        [("a", "Épicerie", "ess", PONTIVY), ("b", "Club", "other", NOYAL)],
        [
            ("n", "a", "need", "volunteering", "Bénévoles deux fois par semaine",
             "Un coup de main deux fois par semaine pour la mise en rayon"),
            ("o", "b", "offer", "volunteering", "Bénévoles disponibles",
             "Nos membres donnent un coup de main deux fois par semaine"),
        ],
    )  # fmt: skip
    words = " ".join(r for r in _first(m, "n").reasons if r.startswith("Mots en commun"))
    for filler in ("deux", "fois", "semaine", "coup", "main", "mise"):
        assert f"« {filler} »" not in words


def test_unknown_distance_is_neither_near_nor_far_and_said():
    m = _world(
        [("a", "Épicerie", "ess", PONTIVY), ("b", "Menuiserie sans adresse", "company", None)],
        [
            ("n", "a", "need", "equipment", "Des étagères", "Des étagères pour la réserve"),
            ("o", "b", "offer", "equipment", "Étagères", "Étagères en bois à donner"),
        ],
    )  # fmt: skip
    first = _first(m, "n")
    assert first.distance_km is None
    assert 0.0 < first.parts["distance"] < 1.0
    assert any("Distance inconnue" in r and "ni proche ni loin" in r for r in first.reasons)


@pytest.mark.parametrize("need_cat", ["funding", "skills"])
def test_sizes_days_and_filing_are_parts_of_every_comparison(need_cat):
    m = _world(
        [("a", "A", "ess", PONTIVY), ("b", "B", "company", NOYAL)],
        [("n", "a", "need", need_cat, "Un besoin", "texte"), ("o", "b", "offer", "skills", "Une offre", "texte")],
    )  # fmt: skip
    parts = _first(m, "n").parts
    assert parts["size"] == 1.0 and parts["days"] == 1.0
