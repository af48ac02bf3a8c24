"""Stage 3 — comparison: every part of any (need, offer) pair, in [0, 1], by one fitted object.

:class:`Comparer` is fitted on a corpus (:mod:`traits.matching.corpus`) and returns the
comparison matrix of any pairs (columns in :data:`PARTS` order); :func:`compare_records` runs
the stage alone on two records, as splink's ``compare_records`` does.

``word``         cosine of the stem TF-IDF rows
``char``         cosine of the character n-gram rows
``subcategory``  same subcategory (1), or neighbouring ones (``related_weight``)
``semantic``     rescaled cosine of sentence embeddings (0 when the encoder is off)
``category``     soft compatibility of the two categories (``vocabulary.CATEGORY_TABLE``)
``distance``     ``exp(-km / decay_km)``: local first; 0.5 when a coordinate is missing
``favoured``     1 when the two kinds form a favoured pairing (ESS ↔ company by default)
``reciprocity``  1 when the offer's organisation also has a need the other one can answer
``size``         1 when the offer is big enough (or sizes say nothing), lower when too small
``days``         1 unless both name days (or seasons) and none is shared
``locality``     for a local need, 1 within ``local_radius_km``, falling fast beyond; 1 for a
                 need answered from afar; 0.75 when the distance is unknown

The distance part weighs less on needs that can be answered from afar (advice, website,
funding: ``remote_distance_share``), and the category part also tries the category an item's
words say when it looks misfiled (:mod:`traits.matching.constraints`).

Pairs are compared in chunks of at most :data:`CHUNK_PAIRS`, so memory stays flat however
many pairs a territory has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp

from traits.geo import haversine_km
from traits.matching.config import PARTS, MatchConfig
from traits.matching.constraints import days_fit, size_fit_pairs
from traits.matching.corpus import Corpus, build_corpus
from traits.matching.score import relevance
from traits.vocabulary import CATEGORY_TABLE, Vocabulary

__all__ = [
    "PARTS",
    "Comparer",
    "Comparison",
    "compare_records",
    "distance_decay",
    "paired_dot",
]

#: Pairs compared at once (bounds the memory of the dense parts: 2 × 16,384 × 384 floats).
CHUNK_PAIRS = 1 << 14
#: Mean pairs per left item from which :func:`paired_rows_dot` takes one product per item.
_MIN_RUN = 8
#: Organisation pairs' item pairs compared at once when checking reciprocity.
RECIPROCITY_CHUNK = 1 << 18
#: Dense cells (left rows × features) written at once by :func:`paired_dot`.
_DENSE_CELLS = 1 << 22
#: Pairs multiplied at once by :func:`paired_dot`.
_PAIR_BLOCK = 1 << 15

_WORD, _CHAR, _SUB, _SEM, _CAT, _DIST, _FAV, _RECIP, _SIZE, _DAYS, _LOCAL = range(len(PARTS))


@dataclass
class Comparison:
    """Compared pairs (item positions), their comparison matrix, distances and scores."""

    need: np.ndarray
    offer: np.ndarray
    X: np.ndarray
    km: np.ndarray
    score: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def subset(self, keep: np.ndarray) -> Comparison:
        """The pairs selected by ``keep`` (a mask or positions), without scores."""
        return Comparison(self.need[keep], self.offer[keep], self.X[keep], self.km[keep])


def distance_decay(km: np.ndarray | float, decay_km: float) -> np.ndarray:
    """``exp(-km / decay_km)``; 0.5 where the distance is unknown (NaN)."""
    km = np.asarray(km, dtype=float)
    out = np.exp(-np.maximum(km, 0.0) / max(decay_km, 1e-9))
    return np.where(np.isnan(km), 0.5, out)


#: Locality part of a pair whose distance is unknown: neither near nor far.
UNKNOWN_LOCALITY = 0.75


def locality(km: np.ndarray, local: np.ndarray, config: MatchConfig) -> np.ndarray:
    """1 within reach of a local need, ``exp(-(km - radius) / decay)`` beyond; 1 when remote."""
    beyond = np.maximum(np.nan_to_num(km, nan=0.0) - config.local_radius_km, 0.0)
    part = np.exp(-beyond / max(config.distance_decay_km, 1e-9))
    part = np.where(np.isnan(km), UNKNOWN_LOCALITY, part)
    return np.where(local, part, 1.0)


class Comparer:
    """Stage 3 fitted on a corpus: the comparison matrix of any (need, offer) pairs.

    Parameters
    ----------
    config
        The matching settings (distance decay, favoured pairs, weights, semantic range…).

    Attributes
    ----------
    corpus_ : Corpus
    weights_ : dict — the weights that decide whether an offer "answers" a need (reciprocity).
    """

    def __init__(self, config: MatchConfig | None = None) -> None:
        self.config = config

    def fit(self, corpus: Corpus, y: Any = None) -> Comparer:
        """Index the corpus's items by organisation (for reciprocity)."""
        cfg = self.config or MatchConfig()
        self.config_ = cfg
        self.corpus_ = corpus
        self.weights_ = cfg.resolved_weights()
        n_orgs = len(corpus.org_kind)
        self._need_ptr, self._need_items = _by_org(
            corpus.item_org[corpus.needs], corpus.needs, n_orgs
        )
        self._offer_ptr, self._offer_items = _by_org(
            corpus.item_org[corpus.offers], corpus.offers, n_orgs
        )
        self.forget_reciprocity()
        return self

    def items_of(self, org: int, direction: str) -> np.ndarray:
        """Positions of the needs (``direction="need"``) or offers of organisation ``org``."""
        if direction == "need":
            return self._need_items[self._need_ptr[org] : self._need_ptr[org + 1]]
        return self._offer_items[self._offer_ptr[org] : self._offer_ptr[org + 1]]

    def forget_reciprocity(self) -> None:
        """Empty the cache of which organisation answers which (it fills as pairs are compared)."""
        self._answer_keys = np.zeros(0, np.int64)
        self._answer_vals = np.zeros(0, bool)

    # -- parts ------------------------------------------------------------------------------

    def compare(
        self, need: np.ndarray, offer: np.ndarray, *, reciprocity: bool = True
    ) -> Comparison:
        """Every part of the pairs ``(need[i], offer[i])`` (item positions).

        With ``reciprocity=False`` that part is left at 0, to be filled by
        :meth:`fill_reciprocity` for the pairs that need it.
        """
        need = np.asarray(need, np.int64)
        offer = np.asarray(offer, np.int64)
        X = np.zeros((len(need), len(PARTS)), dtype=np.float64)
        self._text_parts(X, need, offer, self.config_.with_char)
        km = self._gate_parts(X, need, offer)
        np.clip(X, 0.0, 1.0, out=X)
        out = Comparison(need, offer, X, km)
        if reciprocity:
            self.fill_reciprocity(out)
        return out

    def fill_reciprocity(self, c: Comparison) -> None:
        """Write the reciprocity part of compared pairs (when its weight is not 0)."""
        if self.weights_.get("reciprocity", 0) > 0:
            c.X[:, _RECIP] = self._reciprocity(c.need, c.offer)

    def _text_parts(
        self,
        X: np.ndarray,
        need: np.ndarray,
        offer: np.ndarray,
        with_char: bool,
        with_fit: bool = True,
    ) -> None:
        """Word, char, subcategory, semantic and category parts, in chunks of pairs; the size
        and days parts too unless ``with_fit`` is False (left at 0)."""
        for a in range(0, len(need), CHUNK_PAIRS):
            b = min(a + CHUNK_PAIRS, len(need))
            self._chunk_text_parts(X[a:b], need[a:b], offer[a:b], with_char, with_fit)

    def _chunk_text_parts(
        self, X: np.ndarray, need: np.ndarray, offer: np.ndarray, with_char: bool, with_fit: bool
    ) -> None:
        if not len(need):
            return
        corpus = self.corpus_
        X[:, _WORD] = paired_dot(corpus.word, need, offer)
        if with_char:
            X[:, _CHAR] = np.clip(paired_dot(corpus.char_source(), need, offer), 0.0, 1.0)
        X[:, _SUB] = _subcategory_overlap(corpus, need, offer)
        if corpus.semantic is not None:
            E = corpus.semantic
            cos = paired_rows_dot(E, need, offer)
            lo, hi = self.config_.semantic_range
            X[:, _SEM] = (cos - lo) / (hi - lo)
        cat = corpus.category_code
        X[:, _CAT] = CATEGORY_TABLE[cat[need], cat[offer]]
        said = corpus.text_category_code
        if said is not None:  # a misfiled item is also compared under the category it says
            X[:, _CAT] = np.maximum(X[:, _CAT], CATEGORY_TABLE[said[need], cat[offer]])
            X[:, _CAT] = np.maximum(X[:, _CAT], CATEGORY_TABLE[cat[need], said[offer]])
        if not with_fit:
            return
        if corpus.constraints is not None:
            X[:, _SIZE] = size_fit_pairs(corpus.constraints, need, offer)
            X[:, _DAYS] = days_fit(corpus.constraints, need, offer)
        else:
            X[:, _SIZE] = X[:, _DAYS] = 1.0

    def _gate_parts(self, X: np.ndarray, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
        """Distance and favoured parts; returns the distance in km of each pair (NaN: unknown)."""
        corpus = self.corpus_
        org_a, org_b = corpus.item_org[need], corpus.item_org[offer]
        km = haversine_km(
            corpus.org_lat[org_a],
            corpus.org_lon[org_a],
            corpus.org_lat[org_b],
            corpus.org_lon[org_b],
        )
        km = np.atleast_1d(np.asarray(km, dtype=float))
        near = distance_decay(km, self.config_.distance_decay_km)
        if corpus.constraints is not None:
            # Distance weighs fully on local needs, a little on those answered from afar.
            share = np.where(
                corpus.constraints.local[need], 1.0, self.config_.remote_distance_share
            )
            near = 1.0 - share * (1.0 - near)
            X[:, _LOCAL] = locality(km, corpus.constraints.local[need], self.config_)
        else:
            X[:, _LOCAL] = 1.0
        X[:, _DIST] = near
        kind_a, kind_b = corpus.org_kind[org_a], corpus.org_kind[org_b]
        for x, y in self.config_.favoured_pairs:
            X[((kind_a == x) & (kind_b == y)) | ((kind_a == y) & (kind_b == x)), _FAV] = 1.0
        return km

    # -- reciprocity ------------------------------------------------------------------------

    def _answer_relevance(self, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
        """Text relevance without the char part, times the category part (for reciprocity)."""
        X = np.zeros((len(need), len(PARTS)))
        self._text_parts(X, need, offer, with_char=False, with_fit=False)
        np.clip(X, 0.0, 1.0, out=X)
        w = dict(self.weights_)
        w["char"] = 0.0
        if sum(w[p] for p in ("word", "subcategory", "semantic")) <= 0:
            w["word"] = 1.0
        return relevance(X, w) * X[:, _CAT]

    def _answers_of(self, needy: np.ndarray, answering: np.ndarray) -> np.ndarray:
        """Whether organisation ``answering[i]`` has an offer relevant to a need of ``needy[i]``.

        Every (need of ``needy``, offer of ``answering``) item pair is compared, in chunks of
        at most :data:`RECIPROCITY_CHUNK` item pairs, and the best relevance of each
        organisation pair is kept.
        """
        n_lo = self._need_ptr[needy]
        n_count = self._need_ptr[needy + 1] - n_lo
        o_lo = self._offer_ptr[answering]
        o_count = self._offer_ptr[answering + 1] - o_lo
        size = n_count * o_count
        out = np.zeros(len(needy), bool)
        live = np.flatnonzero(size)
        ends = np.cumsum(size[live])
        start = 0
        while start < len(live):
            done = ends[start - 1] if start else 0
            stop = int(np.searchsorted(ends, done + RECIPROCITY_CHUNK, side="right"))
            stop = max(stop, start + 1)
            sel = live[start:stop]
            m = size[sel]
            first = np.cumsum(m) - m
            pair = np.repeat(np.arange(len(sel)), m)
            local = np.arange(int(m.sum())) - first[pair]
            per_need = o_count[sel][pair]
            need = self._need_items[n_lo[sel][pair] + local // per_need]
            offer = self._offer_items[o_lo[sel][pair] + local % per_need]
            best = np.maximum.reduceat(self._answer_relevance(need, offer), first)
            out[sel] = best >= self.config_.reciprocity_threshold
            start = stop
        return out

    def _reciprocity(self, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
        """1.0 where the offer's organisation has a need the need's organisation answers.

        Answers are cached per organisation pair (sorted keys ``needy × n_orgs + answering``),
        so each pair of organisations is examined once per fitted comparer.
        """
        c = self.corpus_
        n_orgs = len(c.org_kind)
        keys = c.item_org[offer].astype(np.int64) * n_orgs + c.item_org[need]
        uniq, inv = np.unique(keys, return_inverse=True)
        at = np.searchsorted(self._answer_keys, uniq)
        found = np.zeros(len(uniq), bool)
        inside = at < len(self._answer_keys)
        found[inside] = self._answer_keys[at[inside]] == uniq[inside]
        vals = np.zeros(len(uniq), bool)
        vals[found] = self._answer_vals[at[found]]
        todo = uniq[~found]
        if len(todo):
            new = self._answers_of(todo // n_orgs, todo % n_orgs)
            vals[~found] = new
            all_keys = np.concatenate([self._answer_keys, todo])
            all_vals = np.concatenate([self._answer_vals, new])
            order = np.argsort(all_keys, kind="stable")
            self._answer_keys, self._answer_vals = all_keys[order], all_vals[order]
        return vals[inv].astype(float)


def _subcategory_overlap(corpus: Corpus, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """How surely the two items are about the same subcategory (or neighbouring ones), in [0, 1].

    The cosine of the evidence rows says *whether* they point the same way; it is scaled by
    the weaker row's strength, so that two texts each with a faint hint of the same
    subcategory (a shared everyday word) do not look like a sure match:
    ``cos(a, b) × min(|a|, |b|)``, which is ``min(a, b)`` for single-subcategory items.
    Neighbouring subcategories count through the related evidence (already weighted).
    """
    en, rel = corpus.dense_evidence()
    na, nb = corpus.evidence_norm, corpus.related_evidence_norm
    a_n, b_n = na[need], na[offer]
    direct = paired_rows_dot(en, need, offer) * np.minimum(a_n, b_n)
    near = np.maximum(
        paired_rows_dot(en, need, offer, rel) * np.minimum(a_n, nb[offer]),
        paired_rows_dot(rel, need, offer, en) * np.minimum(nb[need], b_n),
    )
    return np.minimum(np.maximum(direct, near), 1.0)


def compare_records(
    need: Mapping[str, Any],
    offer: Mapping[str, Any],
    config: MatchConfig | None = None,
    vocabulary: Vocabulary | None = None,
) -> dict[str, float]:
    """Every part of one (need, offer) pair given as two records, the stage run alone.

    A record holds the item's ``title``, ``description``, ``category`` (and optional
    ``subcategory``) and its organisation's ``kind``, ``lat`` and ``lon``. Word and char
    TF-IDF are fitted on the two texts only, so their values differ from those of a whole
    territory; reciprocity is 0 (each organisation has one item).
    """
    org_cols = ("kind", "lat", "lon", "legal_form")
    item_cols = ("category", "subcategory", "title", "description")
    orgs = pd.DataFrame(
        [
            {"org_id": f"org_{i}", **{c: r.get(c) for c in org_cols}}
            for i, r in enumerate((need, offer))
        ]
    )
    items = pd.DataFrame(
        [
            {
                "item_id": f"item_{i}",
                "org_id": f"org_{i}",
                "direction": d,
                **{c: r.get(c) for c in item_cols},
            }
            for i, (r, d) in enumerate(((need, "need"), (offer, "offer")))
        ]
    )
    corpus = build_corpus(orgs, items, vocabulary, config)
    X = Comparer(config).fit(corpus).compare(np.array([0]), np.array([1])).X[0]
    return {p: float(v) for p, v in zip(PARTS, X, strict=True)}


def _by_org(orgs: np.ndarray, items: np.ndarray, n_orgs: int) -> tuple[np.ndarray, np.ndarray]:
    """Items grouped by organisation: those of organisation g are ``items[ptr[g] : ptr[g + 1]]``."""
    order = np.argsort(orgs, kind="stable")
    ptr = np.zeros(n_orgs + 1, np.int64)
    np.cumsum(np.bincount(orgs, minlength=n_orgs), out=ptr[1:])
    return ptr, np.asarray(items, np.int64)[order]


#: Rows of items: a matrix indexed by item position, or a function giving the rows of items.
Rows: TypeAlias = Callable[[np.ndarray], sp.csr_matrix] | sp.csr_matrix


def _row_source(rows: Rows, idx: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """A matrix holding the rows of ``idx``, and where each one is in it."""
    if sp.issparse(rows):
        return sp.csr_matrix(rows), idx
    items, inverse = np.unique(idx, return_inverse=True)
    return sp.csr_matrix(rows(items)), inverse.ravel()


def paired_rows_dot(
    E: np.ndarray, left: np.ndarray, right: np.ndarray, R: np.ndarray | None = None
) -> np.ndarray:
    """``E[left[i]] · R[right[i]]`` for every pair, for dense rows (``R`` defaults to ``E``).

    When pairs come in runs of one left item (a need and its candidates), each run is one
    matrix-vector product: the left row is read once instead of once per pair, which halves
    what is gathered. Scattered pairs gather both sides.
    """
    R = E if R is None else R
    if not len(left):
        return np.zeros(0, dtype=E.dtype)
    starts = np.flatnonzero(np.r_[True, left[1:] != left[:-1]])
    if len(starts) * _MIN_RUN > len(left):
        return np.einsum("ij,ij->i", E[left], R[right])
    bounds = np.r_[starts, len(left)].tolist()
    out = np.empty(len(left), dtype=E.dtype)
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        out[a:b] = R[right[a:b]] @ E[left[a]]
    return out


def paired_dot(
    rows: Rows, left: np.ndarray, right: np.ndarray, right_rows: Rows | None = None
) -> np.ndarray:
    """``rows[left[i]] · right_rows[right[i]]`` for every i, without copying one row per pair.

    ``right_rows`` defaults to ``rows``. When few left items recur in many pairs (a need and
    its candidates), it is cheaper to write those left rows densely once per chunk, shift each
    right row's columns into its pair's dense block and take one sparse matrix-vector product.
    A matrix is read in place; a function is asked once for the rows of the distinct items.
    """
    out = np.zeros(len(left))
    if not len(left):
        return out
    if right_rows is None and not sp.issparse(rows):  # one call for both sides
        items, inverse = np.unique(np.r_[left, right], return_inverse=True)
        L = R = sp.csr_matrix(rows(items))
        lpos, rpos = inverse.ravel()[: len(left)], inverse.ravel()[len(left) :]
    else:
        L, lpos = _row_source(rows, left)
        R, rpos = _row_source(rows if right_rows is None else right_rows, right)
    n_feat = max(L.shape[1], 1)
    if np.all(lpos[1:] >= lpos[:-1]):  # pairs already grouped by left item (the usual case)
        order = np.arange(len(lpos))
    else:
        order = np.argsort(lpos, kind="stable")
    lsorted = lpos[order]
    first = np.flatnonzero(np.r_[True, lsorted[1:] != lsorted[:-1]])
    lefts = lsorted[first]
    bounds = np.r_[first, len(lsorted)]
    per_chunk = max(1, _DENSE_CELLS // n_feat)
    for c0 in range(0, len(lefts), per_chunk):
        c1 = min(c0 + per_chunk, len(lefts))
        dense = L[lefts[c0:c1]].toarray().ravel()
        index_type = np.int32 if len(dense) < 2**31 else np.int64
        for p0 in range(bounds[c0], bounds[c1], _PAIR_BLOCK):
            sel = order[p0 : min(p0 + _PAIR_BLOCK, bounds[c1])]
            block = (np.searchsorted(lefts[c0:c1], lpos[sel]) * n_feat).astype(index_type)
            Q = R[rpos[sel]]
            cols = Q.indices.astype(index_type, copy=False) + np.repeat(block, np.diff(Q.indptr))
            shifted = sp.csr_matrix((Q.data, cols, Q.indptr), shape=(len(sel), len(dense)))
            out[sel] = shifted @ dense
    return out
