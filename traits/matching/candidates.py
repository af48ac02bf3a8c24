"""Stage 2 — candidates (blocking): which offers are worth comparing with a need.

An offer is a candidate for a need when its category is compatible (soft table of
:mod:`traits.matching.comparison`, above ``min_category``), it belongs to another
organisation, and it is among the ``n_candidates`` nearest offers in a sparse retrieval space
(stem TF-IDF + subcategory evidence, an inverted index). When a need has at most
``n_candidates`` compatible offers, all of them are kept: small territories are scored exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from traits.matching.comparison import _CAT_TABLE, category_codes
from traits.matching.corpus import Corpus

__all__ = ["CandidateGenerator"]


class CandidateGenerator(BaseEstimator):
    """Blocking by category family, then sparse nearest neighbours.

    Parameters
    ----------
    n_candidates
        Offers kept per need.
    min_category
        Minimum category compatibility for an offer to be considered.
    word_weight, concept_weight, related_weight
        Weights of the retrieval space: stem TF-IDF, same subcategory, neighbouring ones.
    dense_limit
        Up to this many offers, a need's scores are computed densely (exact and fast).
    chunk_size
        Needs processed together in :meth:`pairs`.
    """

    def __init__(
        self,
        n_candidates: int = 100,
        min_category: float = 0.15,
        word_weight: float = 1.0,
        concept_weight: float = 1.0,
        related_weight: float = 0.5,
        dense_limit: int = 20_000,
        chunk_size: int = 512,
    ) -> None:
        self.n_candidates = n_candidates
        self.min_category = min_category
        self.word_weight = word_weight
        self.concept_weight = concept_weight
        self.related_weight = related_weight
        self.dense_limit = dense_limit
        self.chunk_size = chunk_size

    def _need_space(self, corpus: Corpus, idx: np.ndarray) -> sp.csr_matrix:
        return sp.hstack(
            [
                corpus.word[idx] * self.word_weight,
                corpus.concept_n[idx] * self.concept_weight,
                corpus.concept_n[idx] * self.concept_weight,
            ],
            format="csr",
        )

    def fit(self, corpus: Corpus, y: Any = None) -> CandidateGenerator:
        """Build the inverted index of the corpus's offers."""
        offers = corpus.offers
        space = sp.hstack(
            [
                corpus.word[offers] * self.word_weight,
                corpus.concept_n[offers] * self.concept_weight,
                corpus.concept_rel_n[offers] * (self.concept_weight * self.related_weight),
            ],
            format="csr",
        ).astype(np.float32)
        self.offer_items_ = offers
        self.index_ = space.T.tocsr()  # features × offers: an inverted index
        cats = category_codes(corpus.category)
        self.offer_cat_ = cats[offers]
        self.offer_org_ = corpus.item_org[offers]
        self.corpus_ = corpus
        return self

    def pairs(self, need_items: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate pairs for these needs: (need item, offer item, retrieval score) arrays."""
        check_is_fitted(self, "index_")
        corpus = self.corpus_
        need_items = np.asarray(need_items, dtype=np.int64)
        cats = category_codes(corpus.category)
        out_n, out_o, out_s = [], [], []
        n_off = len(self.offer_items_)
        if n_off == 0 or len(need_items) == 0:
            e = np.zeros(0, np.int64)
            return e, e, np.zeros(0)
        for start in range(0, len(need_items), self.chunk_size):
            chunk = need_items[start : start + self.chunk_size]
            S = self._need_space(corpus, chunk) @ self.index_
            if n_off <= self.dense_limit:
                allowed_cat = _CAT_TABLE[cats[chunk]][:, self.offer_cat_] >= self.min_category
                dense = S.toarray()
                ok = allowed_cat & (corpus.item_org[chunk][:, None] != self.offer_org_[None, :])
                for r, need in enumerate(chunk):
                    cand = np.flatnonzero(ok[r])
                    if len(cand) > self.n_candidates:
                        sc = dense[r, cand]
                        top = np.argpartition(-sc, self.n_candidates - 1)[: self.n_candidates]
                        cand = cand[top]
                    out_n.append(np.full(len(cand), need))
                    out_o.append(self.offer_items_[cand])
                    out_s.append(dense[r, cand])
            else:
                S = S.tocsr()
                for r, need in enumerate(chunk):
                    lo, hi = S.indptr[r], S.indptr[r + 1]
                    cols, vals = S.indices[lo:hi], S.data[lo:hi]
                    compat = _CAT_TABLE[cats[need]][self.offer_cat_[cols]] >= self.min_category
                    keep = compat & (self.offer_org_[cols] != corpus.item_org[need])
                    cols, vals = cols[keep], vals[keep]
                    if len(cols) > self.n_candidates:
                        top = np.argpartition(-vals, self.n_candidates - 1)[: self.n_candidates]
                        cols, vals = cols[top], vals[top]
                    out_n.append(np.full(len(cols), need))
                    out_o.append(self.offer_items_[cols])
                    out_s.append(vals)
        return (
            np.concatenate(out_n).astype(np.int64),
            np.concatenate(out_o).astype(np.int64),
            np.concatenate(out_s).astype(float),
        )
