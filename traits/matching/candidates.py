"""Stage 2 — candidates (blocking): which offers are worth comparing with a need.

An offer is a candidate for a need when its category is compatible (soft table of
``vocabulary.CATEGORY_TABLE``, above ``min_category``), it belongs to another
organisation, and it is among the ``n_candidates`` best offers by retrieval score: the
similarity in a sparse retrieval space (stem TF-IDF + subcategory evidence, an inverted index)
times the category and distance gates of the score (:mod:`traits.matching.score`), so that on
a large territory a nearby offer is not crowded out by equally similar ones far away. When a
need has at most ``n_candidates`` compatible offers, all of them are kept: small territories
are scored exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from traits.geo import haversine_km
from traits.matching.comparison import distance_decay
from traits.matching.corpus import Corpus
from traits.vocabulary import CATEGORY_TABLE

__all__ = ["CandidateGenerator"]


class CandidateGenerator(BaseEstimator):
    """Blocking by category family, then sparse nearest neighbours.

    Parameters
    ----------
    n_candidates
        Offers kept per need.
    min_category
        Minimum category compatibility for an offer to be considered.
    word_weight, subcategory_weight, related_weight
        Weights of the retrieval space: stem TF-IDF, same subcategory, neighbouring ones.
    category_weight, distance_weight
        Weights of the category and distance gates applied to the retrieval similarity
        (``1 - w + w × part``, as in the score); 0 leaves the similarity alone.
    distance_decay_km
        Distance at which the distance part falls to 1/e.
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
        subcategory_weight: float = 1.0,
        related_weight: float = 0.5,
        category_weight: float = 0.0,
        distance_weight: float = 0.0,
        distance_decay_km: float = 15.0,
        dense_limit: int = 20_000,
        chunk_size: int = 512,
    ) -> None:
        self.n_candidates = n_candidates
        self.min_category = min_category
        self.word_weight = word_weight
        self.subcategory_weight = subcategory_weight
        self.related_weight = related_weight
        self.category_weight = category_weight
        self.distance_weight = distance_weight
        self.distance_decay_km = distance_decay_km
        self.dense_limit = dense_limit
        self.chunk_size = chunk_size

    def _need_space(self, corpus: Corpus, idx: np.ndarray) -> sp.csr_matrix:
        return sp.hstack(
            [
                corpus.word[idx] * self.word_weight,
                corpus.evidence_n[idx] * self.subcategory_weight,
                corpus.evidence_n[idx] * self.subcategory_weight,
            ],
            format="csr",
        )

    def fit(self, corpus: Corpus, y: Any = None) -> CandidateGenerator:
        """Build the inverted index of the corpus's offers."""
        offers = corpus.offers
        space = sp.hstack(
            [
                corpus.word[offers] * self.word_weight,
                corpus.evidence_n[offers] * self.subcategory_weight,
                corpus.related_evidence_n[offers] * (self.subcategory_weight * self.related_weight),
            ],
            format="csr",
        ).astype(np.float32)
        self.offer_items_ = offers
        self.index_ = space.T.tocsr()  # features × offers: an inverted index
        self.item_cat_ = corpus.category_code
        self.offer_cat_ = self.item_cat_[offers]
        self.offer_org_ = corpus.item_org[offers]
        # per need category, over every offer: allowed by blocking, and the category gate
        by_category = CATEGORY_TABLE[:, self.offer_cat_]
        self.allowed_rows_ = by_category >= self.min_category
        w = self.category_weight
        self.gate_rows_ = (1.0 - w + w * by_category).astype(np.float32)
        self.offer_orgs_, self.offer_org_inv_ = np.unique(self.offer_org_, return_inverse=True)
        self.corpus_ = corpus
        return self

    def pairs(self, need_items: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate pairs for these needs: (need item, offer item, retrieval score) arrays."""
        check_is_fitted(self, "index_")
        corpus = self.corpus_
        need_items = np.asarray(need_items, dtype=np.int64)
        cats = self.item_cat_
        out_n, out_o, out_s = [], [], []
        n_off = len(self.offer_items_)
        if n_off == 0 or len(need_items) == 0:
            e = np.zeros(0, np.int64)
            return e, e, np.zeros(0)
        for start in range(0, len(need_items), self.chunk_size):
            chunk = need_items[start : start + self.chunk_size]
            S = self._need_space(corpus, chunk) @ self.index_
            if n_off <= self.dense_limit:
                ok = self.allowed_rows_[cats[chunk]]
                ok &= corpus.item_org[chunk][:, None] != self.offer_org_[None, :]
                dense = S.toarray()
                if self.category_weight:
                    dense *= self.gate_rows_[cats[chunk]]
                if self.distance_weight:
                    dense *= self._distance_gate_dense(corpus.item_org[chunk])
                np.copyto(dense, np.float32(-np.inf), where=~ok)
                if n_off > self.n_candidates:
                    # the n best of each row; rows with fewer allowed offers keep them all
                    top = np.argpartition(-dense, self.n_candidates - 1, axis=1)
                    top = np.sort(top[:, : self.n_candidates], axis=1)
                else:
                    top = np.broadcast_to(np.arange(n_off), (len(chunk), n_off))
                rows = np.broadcast_to(np.arange(len(chunk))[:, None], top.shape)
                keep = ok[rows, top]
                out_n.append(chunk[rows[keep]])
                out_o.append(self.offer_items_[top[keep]])
                out_s.append(dense[rows[keep], top[keep]])
            else:
                S = S.tocsr()
                for r, need in enumerate(chunk):
                    lo, hi = S.indptr[r], S.indptr[r + 1]
                    cols, vals = S.indices[lo:hi], S.data[lo:hi]
                    compat = CATEGORY_TABLE[cats[need]][self.offer_cat_[cols]] >= self.min_category
                    keep = compat & (self.offer_org_[cols] != corpus.item_org[need])
                    cols, vals = cols[keep], vals[keep]
                    if self.category_weight:
                        vals = vals * self._category_gate(cats[need], self.offer_cat_[cols])
                    if self.distance_weight:
                        cols, vals = self._with_distance(corpus.item_org[need], cols, vals)
                    if len(cols) > self.n_candidates:
                        top = np.argpartition(-vals, self.n_candidates - 1)[: self.n_candidates]
                        cols, vals = cols[top], vals[top]
                    in_order = np.argsort(cols)  # offers in index order, as in the dense case
                    cols, vals = cols[in_order], vals[in_order]
                    out_n.append(np.full(len(cols), need))
                    out_o.append(self.offer_items_[cols])
                    out_s.append(vals)
        return (
            np.concatenate(out_n).astype(np.int64),
            np.concatenate(out_o).astype(np.int64),
            np.concatenate(out_s).astype(float),
        )

    def _category_gate(self, need_cat: np.ndarray, offer_cat: np.ndarray) -> np.ndarray:
        w = self.category_weight
        return (1.0 - w + w * CATEGORY_TABLE[need_cat, offer_cat]).astype(np.float32)

    def _distance_gate(self, km: np.ndarray) -> np.ndarray:
        w = self.distance_weight
        return (1.0 - w + w * distance_decay(km, self.distance_decay_km)).astype(np.float32)

    def _distance_gate_dense(self, need_orgs: np.ndarray) -> np.ndarray:
        """Distance gate of every (need, offer) of a chunk, one distance per pair of orgs."""
        corpus = self.corpus_
        a, a_inv = np.unique(need_orgs, return_inverse=True)
        b, b_inv = self.offer_orgs_, self.offer_org_inv_
        km = haversine_km(
            corpus.org_lat[a][:, None],
            corpus.org_lon[a][:, None],
            corpus.org_lat[b][None, :],
            corpus.org_lon[b][None, :],
        )
        return np.take(self._distance_gate(np.asarray(km))[a_inv], b_inv, axis=1)

    def _with_distance(
        self, need_org: int, cols: np.ndarray, vals: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Apply the distance gate, measuring only offers that can still be among the best.

        The gate lies in ``[1 - w, 1]``: an offer whose similarity is below the
        ``n_candidates``-th best similarity times ``1 - w`` cannot make the cut.
        """
        if len(cols) > self.n_candidates:
            floor = np.partition(vals, len(vals) - self.n_candidates)[-self.n_candidates]
            maybe = vals >= floor * (1.0 - self.distance_weight)
            cols, vals = cols[maybe], vals[maybe]
        corpus = self.corpus_
        orgs = self.offer_org_[cols]
        km = haversine_km(
            corpus.org_lat[need_org],
            corpus.org_lon[need_org],
            corpus.org_lat[orgs],
            corpus.org_lon[orgs],
        )
        return cols, vals * self._distance_gate(np.atleast_1d(km))
