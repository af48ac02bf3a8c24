"""Matching as a facilitator sees it: right offers first, never one's own, French reasons."""

from __future__ import annotations

import itertools
import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from traits.errors import NotFoundError
from traits.matching import MatchConfig, Matcher, to_format_json
from traits.matching.comparison import PARTS, compare_records
from traits.matching.evaluation import evaluate, hit_at, mrr_at, ndcg_at
from traits.matching.learning import FeedbackLearner
from traits.matching.score import DEFAULT_WEIGHTS, combine
from traits.matching.shortlist import assign_pistes
from traits.matching.synthetic import synthetic_territory

# A small named world around Vitré: two ESS structures, two companies, one far away (Brest).
ORGS = pd.DataFrame(
    [
        ("recyclerie", "La Recyclerie", "ess", "association", 48.124, -1.209, ""),
        ("esat", "ESAT du Pays", "ess", "ESAT", 48.110, -1.180, ""),
        ("transports", "Transports Martin", "company", "SAS", 48.130, -1.230, ""),
        ("imprimerie", "Imprimerie Durand", "company", "SARL", 48.090, -1.190, ""),
        ("brest", "Transports du Finistère", "company", "SAS", 48.390, -4.486, ""),
    ],
    columns=["org_id", "name", "kind", "legal_form", "lat", "lon", "description"],
)
ITEMS = pd.DataFrame(
    [
        (
            "n_camion",
            "recyclerie",
            "need",
            "equipment",
            "",
            "Camion",
            "Un camion pour nos collectes du samedi",
        ),
        (
            "n_envoi",
            "imprimerie",
            "need",
            "purchasing",
            "",
            "Mise sous enveloppe",
            "Mise sous enveloppe de 3000 voeux",
        ),
        (
            "n_jardin",
            "transports",
            "need",
            "purchasing",
            "",
            "Tonte",
            "Tonte et taille de haies du dépôt",
        ),
        (
            "o_vu",
            "transports",
            "offer",
            "equipment",
            "",
            "Véhicule utilitaire",
            "Véhicule utilitaire prêté aux associations",
        ),
        (
            "o_vu_far",
            "brest",
            "offer",
            "equipment",
            "",
            "Véhicule utilitaire",
            "Véhicule utilitaire prêté aux associations",
        ),
        (
            "o_routage",
            "esat",
            "offer",
            "purchasing",
            "",
            "Routage",
            "Mise sous pli et routage de courriers",
        ),
        (
            "o_paysage",
            "esat",
            "offer",
            "purchasing",
            "",
            "Espaces verts",
            "Entretien d'espaces verts",
        ),
        ("o_own", "recyclerie", "offer", "equipment", "", "Camion", "Notre camion le dimanche"),
        (
            "o_fonds",
            "imprimerie",
            "offer",
            "funding",
            "",
            "Dotation",
            "Soutien financier aux associations locales",
        ),
    ],
    columns=["item_id", "org_id", "direction", "category", "subcategory", "title", "description"],
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(MatchConfig(top_k=5)).fit(ORGS, ITEMS)


def test_camion_reaches_vehicule_utilitaire_nearby_first(matcher):
    ranked = [c.offer_id for c in matcher.shortlist("n_camion")]
    assert ranked[0] == "o_vu"
    assert ranked.index("o_vu") < ranked.index("o_vu_far")


def test_mise_sous_enveloppe_reaches_mailing_offer(matcher):
    assert matcher.shortlist("n_envoi")[0].offer_id == "o_routage"


def test_never_matches_own_organisation(matcher):
    for cands in matcher.match_all(k=10).values():
        for c in cands:
            assert c.org_id != c.need_org_id
    assert "o_own" not in [c.offer_id for c in matcher.shortlist("n_camion", k=10)]


def test_excluded_pairs_are_absent(matcher):
    out = matcher.shortlist("n_camion", exclude_pairs={("n_camion", "o_vu")})
    assert "o_vu" not in [c.offer_id for c in out]
    assert out[0].offer_id == "o_vu_far"
    all_out = matcher.match_all(exclude_pairs={("n_envoi", "o_routage")})
    assert "o_routage" not in [c.offer_id for c in all_out["n_envoi"]]


def test_every_candidate_has_french_reasons_distance_and_mode(matcher):
    for cands in matcher.match_all().values():
        for c in cands:
            assert c.reasons and all(isinstance(r, str) and r for r in c.reasons)
            assert c.mode in {
                "philanthropy",
                "responsible_practices",
                "economic_cooperation",
                "societal_innovation",
            }
    top = matcher.shortlist("n_camion")[0]
    assert any(r.startswith("À ") and "km" in r for r in top.reasons)
    assert any("Véhicules" in r for r in top.reasons)
    assert any("Mode de partenariat" in r for r in top.reasons)


def test_unknown_need_is_a_clear_error(matcher):
    with pytest.raises(NotFoundError, match="introuvable"):
        matcher.shortlist("nope")


def test_shortlist_org_covers_both_directions(matcher):
    out = matcher.shortlist_org("esat", k=10)
    assert {c.offer_id for c in out} >= {"o_routage", "o_paysage"}


def test_to_format_json_is_the_interchange_output(matcher):
    res = matcher.match_all()
    doc = to_format_json(res, ITEMS)
    json.dumps(doc)
    assert [d["need_id"] for d in doc] == ["n_camion", "n_envoi", "n_jardin"]
    first = doc[0]
    assert set(first) == {"need_id", "org_id", "candidates"} and first["org_id"] == "recyclerie"
    assert set(first["candidates"][0]) == {"offer_id", "org_id", "score", "reasons"}
    scores = [c["score"] for c in first["candidates"]]
    assert scores == sorted(scores, reverse=True)


_texts = st.text(alphabet=st.sampled_from(list("abcdeéèçàô '’-lmnoprstuv")), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(_texts, min_size=4, max_size=8),
    cats=st.lists(
        st.sampled_from(
            ["skills", "equipment", "purchasing", "premises", "volunteering", "funding", "other"]
        ),
        min_size=8,
        max_size=8,
    ),
    coords=st.lists(st.one_of(st.none(), st.floats(47.0, 49.0)), min_size=3, max_size=3),
)
def test_scores_always_in_unit_interval(titles, cats, coords):
    orgs = pd.DataFrame(
        {
            "org_id": ["a", "b", "c"],
            "name": ["A", "B", "C"],
            "kind": ["ess", "company", "other"],
            "lat": [np.nan if c is None else c for c in coords],
            "lon": [-1.5, -2.0, -3.0],
        }
    )
    items = pd.DataFrame(
        {
            "item_id": [f"i{i}" for i in range(len(titles))],
            "org_id": [["a", "b", "c"][i % 3] for i in range(len(titles))],
            "direction": ["need" if i % 2 else "offer" for i in range(len(titles))],
            "category": cats[: len(titles)],
            "title": titles,
            "description": titles[::-1],
        }
    )
    m = Matcher(MatchConfig(with_char=True)).fit(orgs, items)
    for cands in m.match_all(k=5).values():
        for c in cands:
            assert 0.0 <= c.score <= 1.0
            assert all(0.0 <= v <= 1.0 for v in c.parts.values())
            assert c.reasons


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=len(PARTS), max_size=len(PARTS)))
def test_combine_is_bounded(values):
    assert 0.0 <= combine(np.array([values]), DEFAULT_WEIGHTS)[0] <= 1.0


def _brute_force_pistes(rows, cap):
    best, best_set = 0.0, ()
    for r in range(len(rows) + 1):
        for combo in itertools.combinations(range(len(rows)), r):
            needs = [rows[i][0] for i in combo]
            offers = [rows[i][1] for i in combo]
            orgs = [o for i in combo for o in (rows[i][2], rows[i][3])]
            if len(set(needs)) < len(needs) or len(set(offers)) < len(offers):
                continue
            if any(orgs.count(o) > cap for o in set(orgs)):
                continue
            total = sum(rows[i][4] for i in combo)
            if total > best + 1e-12:
                best, best_set = total, combo
    return best, best_set


def test_pistes_are_an_exact_assignment_under_the_cap():
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(11):
        a, b = rng.choice(4, size=2, replace=False)
        rows.append(
            (
                f"n{rng.integers(5)}",
                f"o{rng.integers(5)}",
                f"org{a}",
                f"org{b}",
                float(rng.random()),
            )
        )
    for cap in (1, 2):
        chosen = assign_pistes(*zip(*rows, strict=True), max_per_org=cap)
        total = sum(rows[i][4] for i in chosen)
        best, _ = _brute_force_pistes(rows, cap)
        assert total == pytest.approx(best)
        orgs = [o for i in chosen for o in (rows[i][2], rows[i][3])]
        assert max(orgs.count(o) for o in set(orgs)) <= cap


def test_pistes_match_networkx_matching_when_cap_is_one_per_need_and_offer():
    # with one piste per organisation and one item per organisation, pistes form a matching
    rng = np.random.default_rng(5)
    rows = [
        (f"n{a}", f"o{b}", f"A{a}", f"B{b}", float(rng.random()))
        for a in range(4)
        for b in range(4)
    ]
    chosen = assign_pistes(*zip(*rows, strict=True), max_per_org=1)
    g = nx.Graph()
    for n, o, _, _, w in rows:
        g.add_edge(n, o, weight=w)
    ref = nx.max_weight_matching(g)
    ref_total = sum(g[u][v]["weight"] for u, v in ref)
    assert sum(rows[i][4] for i in chosen) == pytest.approx(ref_total)


def test_matcher_pistes_respect_max_per_org():
    orgs, items = synthetic_territory(40, 4, random_state=1)
    m = Matcher(MatchConfig()).fit(orgs, items)
    pistes = m.pistes(max_per_org=2, min_score=0.0)
    assert pistes
    counts = pd.Series([c.need_org_id for c in pistes] + [c.org_id for c in pistes]).value_counts()
    assert counts.max() <= 2
    assert len({c.need_id for c in pistes}) == len(pistes)


def test_learning_falls_back_with_little_feedback(matcher):
    fb = pd.DataFrame({"need_id": ["n_camion"], "offer_id": ["o_vu"], "label": ["relevant"]})
    before = [c.score for c in matcher.shortlist("n_camion")]
    matcher.learn(fb)
    assert matcher.learner_.fallback_
    assert [c.score for c in matcher.shortlist("n_camion")] == before
    matcher.reset_learning()


def test_learning_improves_on_simulated_feedback():
    # Simulated facilitators: a proposal is good only between an ESS structure and a company
    # close to each other (within 12 km) — stricter than the default weights assume.
    orgs, items = synthetic_territory(150, 4, random_state=7, spread_km=12)
    m = Matcher(MatchConfig(top_k=5)).fit(orgs, items)

    def good(c):
        close = c.distance_km is not None and c.distance_km < 12
        return close and c.parts["favoured"] == 1.0 and c.parts["subcategory"] > 0.3

    needs = sorted(m.match_all(k=1))
    train, test = needs[::2], needs[1::2]
    shown = m.match_all(k=10, need_ids=train)
    fb = pd.DataFrame(
        [
            (n, c.offer_id, "relevant" if good(c) else "not_relevant")
            for n, cs in shown.items()
            for c in cs
        ],
        columns=["need_id", "offer_id", "label"],
    )

    def precision():
        res = m.match_all(k=3, need_ids=test)
        return np.mean([good(c) for cs in res.values() for c in cs])

    before = precision()
    m.learn(fb)
    assert not m.learner_.fallback_
    after = precision()
    assert after > 1.25 * before and after > before + 0.03
    m.reset_learning()
    assert precision() == pytest.approx(before)


def test_feedback_learner_passes_sklearn_checks():
    from sklearn.utils.estimator_checks import check_estimator

    check_estimator(FeedbackLearner(min_feedback=0, prior_strength=0.0))


@pytest.mark.parametrize("comparison_vectors", [True, False])
def test_a_fitted_learner_scores_no_pair_without_failing(comparison_vectors: bool):
    """Every piste of a need proposed or set aside leaves no pair to score: once the learner
    had enough feedback, Pistes failed there (« Found array with 0 sample(s) »)."""
    rng = np.random.default_rng(0)
    width = len(PARTS) if comparison_vectors else 3
    X, y = rng.random((60, width)), np.array([0, 1] * 30)
    base = dict(DEFAULT_WEIGHTS) if comparison_vectors else None
    learner = FeedbackLearner(min_feedback=30, base_weights=base).fit(X, y)
    assert not learner.fallback_
    assert learner.relevance_score(np.zeros((0, width))).shape == (0,)


def test_text_transformers_follow_sklearn_conventions():
    from sklearn.base import clone

    from traits.matching.features import CharTfidf, StemTfidf, SubcategoryEncoder

    texts = ["camion à prêter", "véhicule utilitaire", "mise sous pli"]
    for est in (StemTfidf(), CharTfidf(), SubcategoryEncoder()):
        fresh = clone(est)
        assert fresh.get_params() == est.get_params()
        assert fresh.fit(texts) is fresh
        X = fresh.transform(texts)
        assert X.shape[0] == 3
        assert not any(k.endswith("_") for k in fresh.get_params())


def test_metrics_on_known_rankings():
    grades = {"a": 2, "b": 1}
    assert hit_at(["x", "a"], grades) == 1.0
    assert mrr_at(["x", "b", "a"], grades) == 0.5
    assert ndcg_at(["a", "b"], grades) == pytest.approx(1.0)
    assert ndcg_at(["b", "a"], grades) < 1.0


def test_devset_metrics_reach_targets(devset):
    m = evaluate(devset, MatchConfig())
    assert m["needs"] >= 10
    assert m["hit@5"] >= 0.95
    assert m["mrr@10"] >= 0.90
    assert m["ndcg@5"] >= 0.90


# -- speed paths give the exact answer -------------------------------------------------------


@pytest.fixture(scope="module")
def territory() -> tuple[Matcher, pd.DataFrame]:
    """A seeded synthetic territory with more offers than candidates kept per need."""
    orgs, items = synthetic_territory(160, 5, random_state=11)
    return Matcher(MatchConfig(top_k=5, n_candidates=40)).fit(orgs, items), items


def _exact_top5(m: Matcher, need_ids: list[str]) -> dict[str, list[tuple[str, float]]]:
    """Every (need, offer of another organisation) pair scored through the public API."""
    items = m.corpus_.items
    offers = items[items["direction"] == "offer"]
    org_of = dict(zip(items["item_id"], items["org_id"], strict=True))
    out = {}
    for need in need_ids:
        pairs = [(need, o) for o in offers["item_id"] if org_of[o] != org_of[need]]
        scores = combine(m.comparison_vectors(pairs).to_numpy(), m.weights_)
        order = np.argsort(-scores, kind="stable")[:5]
        out[need] = [(pairs[i][1], float(scores[i])) for i in order]
    return out


def test_candidate_recall_against_brute_force_is_at_least_95_percent(territory):
    m, items = territory
    assert (items["direction"] == "offer").sum() > 5 * m.config.n_candidates
    needs = sorted(items.loc[items["direction"] == "need", "item_id"])[::4]
    exact = _exact_top5(m, needs)
    fast = m.match_all(need_ids=needs)
    found = [len({o for o, _ in exact[n]} & {c.offer_id for c in fast[n]}) for n in needs]
    recall = np.mean(found) / 5
    assert recall >= 0.95


def test_top_k_equals_scoring_every_candidate_in_full(territory):
    # reciprocity is only computed where it can change the top 5: the result must not move
    m, items = territory
    needs = sorted(items.loc[items["direction"] == "need", "item_id"])[:60]
    ids = items["item_id"].to_numpy()
    pos = [m.corpus_.item_pos[n] for n in needs]
    need_idx, offer_idx, _ = m.candidates_.pairs(np.array(pos))
    pairs = list(zip(ids[need_idx], ids[offer_idx], strict=True))
    scores = combine(m.comparison_vectors(pairs).to_numpy(), m.weights_)
    fast = m.match_all(need_ids=needs)
    for need in needs:
        rows = [i for i, (n, _) in enumerate(pairs) if n == need]
        best = sorted(rows, key=lambda i: -scores[i])[:5]
        assert [c.offer_id for c in fast[need]] == [pairs[i][1] for i in best]
        assert [c.score for c in fast[need]] == pytest.approx([scores[i] for i in best], abs=1e-4)


def test_text_parts_are_the_cosines_of_the_feature_rows(territory):
    # the comparison's fast paired products equal plain cosines of each pair's rows
    m, items = territory
    c = m.corpus_
    rng = np.random.default_rng(0)
    need = rng.choice(c.needs, 300)
    offer = rng.choice(c.offers, 300)
    ids = items["item_id"].to_numpy()
    mine = m.comparison_vectors(zip(ids[need], ids[offer], strict=True))
    char = c.char_model.transform(c.texts)
    for part, rows in (("word", c.word), ("char", char)):
        want = np.asarray(rows[need].multiply(rows[offer]).sum(axis=1)).ravel()
        assert mine[part].to_numpy() == pytest.approx(want, abs=1e-6)


def test_the_comparison_stage_runs_alone_on_two_records():
    # splink's compare_records: two records in, every part out, no matcher around it
    need = {
        "title": "Camion pour un déménagement",
        "description": "vider une maison",
        "category": "equipment",
        "kind": "ess",
        "lat": 48.124,
        "lon": -1.209,
    }
    same = dict(need, kind="company", lat=48.125, lon=-1.210)
    parts = compare_records(need, same)
    assert list(parts) == list(PARTS)
    assert parts["word"] == pytest.approx(1.0) and parts["char"] == pytest.approx(1.0)
    assert parts["subcategory"] > 0.5 and parts["category"] == 1.0
    assert parts["distance"] > 0.9 and parts["favoured"] == 1.0
    assert parts["semantic"] == 0.0 and parts["reciprocity"] == 0.0
    far = dict(
        same, title="Cours de comptabilité", description="", category="skills", lat=48.39, lon=-4.49
    )
    other = compare_records(need, far)
    assert other["word"] == 0.0 and other["category"] < 0.3 and other["distance"] < 0.01


def test_reciprocity_follows_its_definition(territory):
    # 1 when the offer's organisation has a need that one of the need's organisation's offers
    # answers (relevance without the char part, times category, above the threshold)
    from traits.matching.score import relevance

    m, items = territory
    c = m.corpus_
    w = dict(m.weights_, char=0.0)
    rng = np.random.default_rng(1)
    ids = items["item_id"].to_numpy()
    need = rng.choice(c.needs, 40)
    offer = rng.choice(c.offers, 40)
    got = m.comparison_vectors(zip(ids[need], ids[offer], strict=True))["reciprocity"].to_numpy()
    for n, o, value in zip(need, offer, got, strict=True):
        theirs = [i for i in c.needs if c.item_org[i] == c.item_org[o]]
        ours = [i for i in c.offers if c.item_org[i] == c.item_org[n]]
        pairs = [(ids[a], ids[b]) for a in theirs for b in ours]
        answered = False
        if pairs:
            X = m.comparison_vectors(pairs).to_numpy()
            rel = relevance(X, w) * X[:, PARTS.index("category")]
            answered = bool(rel.max() >= m.config.reciprocity_threshold)
        assert value == float(answered)
    assert 0 < got.sum() < len(got)


def test_synthetic_territory_never_own_org_and_excluded_pairs_absent(territory):
    m, items = territory
    first = m.match_all()
    org_of = dict(zip(items["item_id"], items["org_id"], strict=True))
    for need, cands in first.items():
        assert len(cands) == 5
        for c in cands:
            assert c.org_id != org_of[need] and c.need_org_id == org_of[need]
            assert c.reasons and c.reasons[-1].startswith("Mode de partenariat")
    excluded = {(n, cands[0].offer_id) for n, cands in first.items()}
    again = m.match_all(exclude_pairs=excluded)
    for need, cands in again.items():
        assert (need, first[need][0].offer_id) not in {(need, c.offer_id) for c in cands}
        assert [c.offer_id for c in cands[:4]] == [c.offer_id for c in first[need][1:]]
