"""The matching facade: features → candidates → comparison → score → explain → shortlists.

>>> matcher = Matcher(MatchConfig(top_k=5)).fit(orgs, items)      # doctest: +SKIP
>>> matcher.shortlist("need-42")                                   # doctest: +SKIP

Inputs are two DataFrames with the canonical columns of the interchange format (no database);
see :mod:`traits.matching.corpus`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from traits.errors import InvalidInputError, NotFoundError
from traits.matching.candidates import CandidateGenerator
from traits.matching.comparison import Comparer, Comparison
from traits.matching.config import PARTS, MatchConfig
from traits.matching.corpus import Corpus, build_corpus
from traits.matching.explain import Explainer
from traits.matching.learning import FeedbackLearner, feedback_labels
from traits.matching.score import combine
from traits.matching.shortlist import assign_pistes, top_k_per_group
from traits.matching.textcache import fewer_collections
from traits.vocabulary import Vocabulary

__all__ = ["Candidate", "MatchConfig", "Matcher", "to_format_json"]

Pairs = Collection[tuple[str, str]]

#: Digits of the parts shown with a candidate, one per part (for ``map(round, ...)``).
_FOUR = (4,) * len(PARTS)
#: Needs whose candidates are compared and ranked together (about 100 pairs each).
NEED_BLOCK = 4096
#: Slack of the score bounds, against floating-point rounding.
_BOUND_SLACK = 1e-9


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


class Matcher:
    """Match needs with offers of other organisations of the same tables."""

    def __init__(
        self, config: MatchConfig | None = None, vocabulary: Vocabulary | None = None
    ) -> None:
        self.config = config or MatchConfig()
        self.vocabulary = vocabulary

    # -- fitting ------------------------------------------------------------------------------

    @fewer_collections
    def fit(self, orgs: pd.DataFrame, items: pd.DataFrame) -> Matcher:
        """Validate the tables, compute the features and build the candidate index."""
        cfg = self.config
        self.weights_ = cfg.resolved_weights()
        self.corpus_: Corpus = build_corpus(orgs, items, self.vocabulary, cfg)
        self.candidates_ = CandidateGenerator(
            n_candidates=cfg.n_candidates,
            min_category=cfg.min_category,
            related_weight=cfg.related_weight,
            category_weight=self.weights_["category"],
            distance_weight=self.weights_["distance"],
            distance_decay_km=cfg.distance_decay_km,
        ).fit(self.corpus_)
        self.comparer_ = Comparer(cfg).fit(self.corpus_)
        c = self.corpus_
        self._item_ids = c.items["item_id"].to_numpy()
        self._org_ids = c.orgs["org_id"].to_numpy()
        self._explainer = Explainer(c, cfg)
        self.learner_: FeedbackLearner | None = None
        return self

    # -- scoring ------------------------------------------------------------------------------

    def _compare(self, need: np.ndarray, offer: np.ndarray) -> Comparison:
        """Every part of the pairs, reciprocity included (stage 3)."""
        return self.comparer_.compare(need, offer)

    def _final_score(self, X: np.ndarray) -> np.ndarray:
        if self.learner_ is not None and not self.learner_.fallback_:
            return self.learner_.relevance_score(X)
        return combine(X, self.weights_)

    def _score(self, s: Comparison) -> Comparison:
        """Compared pairs scored: the exact reference for any set of pairs."""
        s.score = self._final_score(s.X)
        return s

    def _ranked(
        self, need: np.ndarray, offer: np.ndarray, group: np.ndarray, k: int
    ) -> tuple[Comparison, np.ndarray]:
        """Score pairs and pick the ``k`` best of each group, best first (groups in order).

        Reciprocity (which compares every need of one organisation with every offer of the
        other) is computed only for pairs that can still reach their group's top ``k``: the
        default score never decreases when it grows, so a pair whose score with reciprocity
        at 1 is below the k-th best score with reciprocity at 0 cannot. The result is exactly
        that of scoring every pair. A learnt score gives no such bound: every pair is then
        scored in full.
        """
        s = self.comparer_.compare(need, offer, reciprocity=False)
        if self.weights_.get("reciprocity", 0) > 0:
            if self.learner_ is None or self.learner_.fallback_:
                keep = _may_reach_top(s.X, group, k, self.weights_, [PARTS.index("reciprocity")])
                s, group = s.subset(keep), group[keep]
            self.comparer_.fill_reciprocity(s)
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
    ) -> tuple[Comparison, np.ndarray]:
        """The ``k`` best pairs of each need, needs in order (each need's best first).

        Needs are taken :data:`NEED_BLOCK` at a time, only each block's best pairs kept: the
        memory of a whole-territory match does not grow with its number of needs.
        """
        kept: list[Comparison] = []
        for start in range(0, len(need_items), NEED_BLOCK):
            need, offer, _ = self.candidates_.pairs(need_items[start : start + NEED_BLOCK])
            need, offer = self._without_excluded(need, offer, exclude_pairs)
            s, chosen = self._ranked(need, offer, need, k)
            best = s.subset(chosen)
            best.score = s.score[chosen]
            kept.append(best)
        if len(kept) == 1:
            return kept[0], np.arange(len(kept[0].need))
        s = Comparison(
            np.concatenate([c.need for c in kept] or [np.zeros(0, np.int64)]),
            np.concatenate([c.offer for c in kept] or [np.zeros(0, np.int64)]),
            np.concatenate([c.X for c in kept] or [np.zeros((0, len(PARTS)))]),
            np.concatenate([c.km for c in kept] or [np.zeros(0)]),
            np.concatenate([c.score for c in kept] or [np.zeros(0)]),
        )
        return s, np.arange(len(s.need))

    def _candidates(self, s: Comparison, positions: Iterable[int]) -> list[Candidate]:
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
        modes = ex.modes(need, offer)
        out = []
        for j, (n, o) in enumerate(zip(need.tolist(), offer.tolist(), strict=True)):
            row = rows[j]
            out.append(
                Candidate(
                    need_id=str(need_ids[j]),
                    need_org_id=str(need_orgs[j]),
                    offer_id=str(offer_ids[j]),
                    org_id=str(offer_orgs[j]),
                    score=round(scores[j], 4),
                    parts=dict(zip(PARTS, map(round, row, _FOUR), strict=True)),
                    reasons=ex.reasons(n, o, row, km_out[j], modes[j]),
                    mode=modes[j],
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

    @fewer_collections
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
        own_needs = self.comparer_.items_of(pos, "need")
        need1, offer1, _ = self.candidates_.pairs(own_needs)
        own_offers = self.comparer_.items_of(pos, "offer")
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
        min_score: float | None = None,
    ) -> list[Candidate]:
        """Territory-wide pistes: best total score, each organisation in at most ``max_per_org``.

        Chosen among each need's ``pistes_pool`` best offers (at least ``top_k``) scoring at
        least ``min_score`` (the configured one when None).
        """
        cfg = self.config
        cap = cfg.max_proposals_per_org if max_per_org is None else max_per_org
        floor = cfg.min_score if min_score is None else min_score
        c = self.corpus_
        s, keep = self._top_for_needs(c.needs, max(cfg.top_k, cfg.pistes_pool), exclude_pairs)
        keep = keep[s.score[keep] >= floor]
        chosen = assign_pistes(
            s.need[keep],
            s.offer[keep],
            c.item_org[s.need[keep]],
            c.item_org[s.offer[keep]],
            s.score[keep],
            cap,
            time_limit_s=cfg.solver_time_limit_s,
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
        return pd.DataFrame(s.X, columns=list(PARTS))


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
    if np.all(group[1:] >= group[:-1]):  # pairs grouped by need, as candidates come
        g = np.r_[0, np.cumsum(group[1:] != group[:-1])]
        # one sort on group + (1 - low) / 2 (low is in [0, 1]): as a sort by group, then by
        # low descending, up to rounding far below the slack; faster than np.lexsort
        order = np.argsort(g + 0.5 * (1.0 - low), kind="stable")
    else:
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
