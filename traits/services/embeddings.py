"""Sentence embeddings written with the texts, so that matching never waits on the encoder.

Import, interview save and ``traits demo`` call :func:`embed_items` once their transaction has
committed: the texts that have no stored embedding yet are encoded in batches (with a progress
callback: a bar on stderr in the CLI, ``st.progress`` in the app) and stored, each text once
per deployment. :func:`load_embeddings` fills the process cache before a fit; a text still
missing then (written by an older version, or while the encoder was absent) is encoded by the
fit, which should be rare.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from traits.fr import fr_number
from traits.services import access
from traits.storage import Store
from traits.storage import embeddings as stored
from traits.vocabulary import Vocabulary

__all__ = ["MODEL", "Progress", "embed_items", "embed_texts", "load_embeddings"]

#: The sentence encoder whose embeddings are written with the texts.
MODEL = "e5"
#: Called with (fraction done in [0, 1], French message).
Progress = Callable[[float, str], None]
_WORDING = "Préparation des textes pour les pistes…"


def embed_texts(
    store: Store, texts: Iterable[str], *, model: str = MODEL, progress: Progress | None = None
) -> int:
    """Encode and store the embeddings of ``texts`` not stored yet; return how many were new.

    Does nothing (0) when the encoder is not installed.
    """
    from traits.matching import encoder as features

    if not features.semantic_available(model):
        return 0
    by_key = {features.text_key(features.normalise_for_encoder(x)): x for x in texts}
    with store.reading() as conn:
        missing = sorted(set(by_key) - stored.present(conn, model, sorted(by_key)))
    if not missing:
        return 0
    say = progress or (lambda _f, _m: None)

    def step(done: int, total: int) -> None:
        say(done / total, f"{_WORDING} {fr_number(done)} sur {fr_number(total)}")

    say(0.0, _WORDING)
    features.encode_missing(model, [by_key[k] for k in missing], progress=step)
    cache = features.embedding_cache(model)
    # a cache, not data: written whoever reads the pistes (a read-only coordinator included)
    with access.cache_writes(), store.transaction() as conn:  # others may have stored some
        new = sorted(set(missing) - stored.present(conn, model, missing))
        stored.insert(conn, model, {k: np.asarray(cache[k], np.float32).tobytes() for k in new})
    step(len(missing), len(missing))  # also when the process had them all already
    return len(new)


def embed_items(
    store: Store,
    item_ids: Iterable[str] | None = None,
    *,
    vocabulary: Vocabulary | None = None,
    progress: Progress | None = None,
) -> int:
    """Store the embeddings of these items' texts (all items when None) and of the vocabulary's.

    The vocabulary's texts (:func:`~traits.matching.encoder.reference_texts`) centre the
    embeddings of small territories; they are encoded once too.
    """
    from traits.matching import encoder as features

    if not features.semantic_available(MODEL):
        return 0
    ids = None if item_ids is None else sorted({str(i) for i in item_ids})
    with store.reading() as conn:
        rows = stored.item_texts(conn, ids)
    texts = [features.semantic_text(r.title, r.description) for r in rows]
    texts += features.reference_texts(vocabulary or Vocabulary.default())
    return embed_texts(store, texts, progress=progress)


def load_embeddings(store: Store, model: str = MODEL) -> int:
    """Fill the process cache with the stored embeddings of ``model``; return how many."""
    from traits.matching import encoder as features

    cache = features.embedding_cache(model)
    with store.reading() as conn:
        rows = stored.vectors(conn, model)
    for r in rows:
        cache.setdefault(r.text_hash, np.frombuffer(r.vector, dtype=np.float32))
    return len(rows)
