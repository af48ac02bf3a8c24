"""Stage 3 — comparison: the similarities of each (need, offer) pair, every part in [0, 1].

Parts (columns of the comparison matrix, in :data:`PARTS` order):

``word``         cosine of the stem TF-IDF rows
``char``         cosine of the character n-gram rows
``subcategory``  same subcategory (1), or neighbouring ones (``related_weight``)
``semantic``     rescaled cosine of sentence embeddings (0 when the encoder is off)
``category``     soft compatibility of the two categories (:data:`CATEGORY_COMPATIBILITY`)
``distance``     ``exp(-km / decay_km)``: local first; 0.5 when a coordinate is missing
``favoured``     1 when the two kinds form a favoured pairing (ESS ↔ company by default)
``reciprocity``  1 when the offer's organisation also has a need the other one can answer
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import scipy.sparse as sp

from traits.geo import haversine_km
from traits.matching.corpus import Corpus
from traits.vocabulary import CATEGORY_COMPATIBILITY, CATEGORY_ORDER, category_compatibility

__all__ = [
    "CATEGORY_COMPATIBILITY",
    "PARTS",
    "category_compatibility",
    "compare",
    "distance_decay",
    "pair_distance_km",
    "rowwise_dot",
]

PARTS: tuple[str, ...] = (
    "word",
    "char",
    "subcategory",
    "semantic",
    "category",
    "distance",
    "favoured",
    "reciprocity",
)

_CATS = CATEGORY_ORDER


def _category_table() -> tuple[dict[str, int], np.ndarray]:
    pos = {c: i for i, c in enumerate(_CATS)}
    table = np.full((len(_CATS), len(_CATS)), 0.1)
    for (a, b), v in CATEGORY_COMPATIBILITY.items():
        table[pos[a], pos[b]] = v
    return pos, table


_CAT_POS, _CAT_TABLE = _category_table()


def category_codes(categories: np.ndarray) -> np.ndarray:
    """Integer codes of category names (unknown names count as "other")."""
    return np.array([_CAT_POS.get(c, _CAT_POS["other"]) for c in categories], dtype=np.int8)


def distance_decay(km: np.ndarray | float, decay_km: float) -> np.ndarray:
    """``exp(-km / decay_km)``; 0.5 where the distance is unknown (NaN)."""
    km = np.asarray(km, dtype=float)
    out = np.exp(-np.maximum(km, 0.0) / max(decay_km, 1e-9))
    return np.where(np.isnan(km), 0.5, out)


def rowwise_dot(A: sp.csr_matrix, B: sp.csr_matrix) -> np.ndarray:
    """Dot product of row i of A with row i of B, for every i."""
    if A.shape[0] == 0:
        return np.zeros(0)
    return np.asarray(A.multiply(B).sum(axis=1)).ravel()


def pair_distance_km(corpus: Corpus, need_idx: np.ndarray, offer_idx: np.ndarray) -> np.ndarray:
    """Distance in km between the organisations of each pair (NaN when unknown)."""
    a = corpus.item_org[need_idx]
    b = corpus.item_org[offer_idx]
    d = haversine_km(corpus.org_lat[a], corpus.org_lon[a], corpus.org_lat[b], corpus.org_lon[b])
    return np.atleast_1d(np.asarray(d, dtype=float))


def favoured_mask(
    kind_a: np.ndarray, kind_b: np.ndarray, favoured: Iterable[tuple[str, str]]
) -> np.ndarray:
    """1.0 where the two kinds form a favoured pairing (either way round)."""
    out = np.zeros(len(kind_a))
    for x, y in favoured:
        out[((kind_a == x) & (kind_b == y)) | ((kind_a == y) & (kind_b == x))] = 1.0
    return out


def subcategory_overlap(
    corpus: Corpus, need_idx: np.ndarray, offer_idx: np.ndarray, related_weight: float = 0.5
) -> np.ndarray:
    """How surely the two items are about the same subcategory (or neighbouring ones), in [0, 1].

    The cosine of the evidence rows says *whether* they point the same way; it is scaled by
    the weaker row's strength, so that two texts each with a faint hint of the same
    subcategory (a shared everyday word) do not look like a sure match:
    ``cos(a, b) × min(|a|, |b|)``, which is ``min(a, b)`` for single-subcategory items.
    """
    cn_a, cn_b = corpus.concept_n[need_idx], corpus.concept_n[offer_idx]
    na, nb = corpus.concept_norm, corpus.concept_rel_norm
    if na is None or nb is None:  # a corpus built without norms: plain cosines
        direct = rowwise_dot(cn_a, cn_b)
        near = np.maximum(
            rowwise_dot(cn_a, corpus.concept_rel_n[offer_idx]),
            rowwise_dot(corpus.concept_rel_n[need_idx], cn_b),
        )
        return np.minimum(np.maximum(direct, related_weight * near), 1.0)
    a_n, b_n = na[need_idx], na[offer_idx]
    direct = rowwise_dot(cn_a, cn_b) * np.minimum(a_n, b_n)
    near = np.maximum(
        rowwise_dot(cn_a, corpus.concept_rel_n[offer_idx]) * np.minimum(a_n, nb[offer_idx]),
        rowwise_dot(corpus.concept_rel_n[need_idx], cn_b) * np.minimum(nb[need_idx], b_n),
    )
    return np.minimum(np.maximum(direct, near), 1.0)


def compare(
    corpus: Corpus,
    need_idx: np.ndarray,
    offer_idx: np.ndarray,
    *,
    decay_km: float = 15.0,
    favoured: Iterable[tuple[str, str]] = (("ess", "company"),),
    related_weight: float = 0.5,
    answers: np.ndarray | None = None,
    semantic_range: tuple[float, float] = (0.2, 0.8),
    with_char: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Comparison matrix (n_pairs × len(PARTS)) and the distance in km of each pair.

    ``answers`` holds the keys ``need_org * n_orgs + offer_org`` of organisation pairs where
    the second can answer a need of the first (used for reciprocity).
    """
    need_idx = np.asarray(need_idx, dtype=np.int64)
    offer_idx = np.asarray(offer_idx, dtype=np.int64)
    n = len(need_idx)
    X = np.zeros((n, len(PARTS)), dtype=np.float64)
    if n == 0:
        return X, np.zeros(0)
    X[:, 0] = rowwise_dot(corpus.word[need_idx], corpus.word[offer_idx])
    if with_char:
        X[:, 1] = rowwise_dot(corpus.char_rows(need_idx), corpus.char_rows(offer_idx))
    X[:, 2] = subcategory_overlap(corpus, need_idx, offer_idx, related_weight)
    if corpus.semantic is not None:
        cos = np.einsum("ij,ij->i", corpus.semantic[need_idx], corpus.semantic[offer_idx])
        lo, hi = semantic_range
        X[:, 3] = (cos - lo) / (hi - lo)
    cat = corpus.category_code
    X[:, 4] = _CAT_TABLE[cat[need_idx], cat[offer_idx]]
    km = pair_distance_km(corpus, need_idx, offer_idx)
    X[:, 5] = distance_decay(km, decay_km)
    org_a, org_b = corpus.item_org[need_idx], corpus.item_org[offer_idx]
    X[:, 6] = favoured_mask(corpus.org_kind[org_a], corpus.org_kind[org_b], favoured)
    if answers is not None and len(answers):
        n_orgs = len(corpus.org_kind)
        X[:, 7] = np.isin(org_b.astype(np.int64) * n_orgs + org_a, answers).astype(float)
    np.clip(X, 0.0, 1.0, out=X)
    return X, km
