"""The matching facade: features → candidates → comparison → score → explain → shortlists.

>>> matcher = Matcher(MatchConfig(top_k=5)).fit(orgs, items)      # doctest: +SKIP
>>> matcher.shortlist("need-42")                                   # doctest: +SKIP

Inputs are two DataFrames with the canonical columns of the interchange format (no database);
see :mod:`traits.matching.corpus`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from traits.errors import NotFoundError
from traits.matching.candidates import CandidateGenerator
from traits.matching.comparison import PARTS, compare
from traits.matching.corpus import Corpus, build_corpus
from traits.matching.explain import explain, partnership_mode
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


@dataclass
class MatchConfig:
    """Every setting of matching, declared once.

    Attributes
    ----------
    top_k: candidates per need.
    distance_decay_km: distance at which the distance part falls to 1/e (local first).
    favoured_pairs: pairs of organisation kinds favoured (either way round).
    weights: weights of the score parts (see :mod:`traits.matching.score`); None = defaults.
    use_semantic: add a local sentence encoder (optional dependency ``traits[semantic]``).
    semantic_model: "use" (multilingual USE) or "e5" (multilingual E5 small).
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


_SEMANTIC_RANGE = {"use": (0.15, 0.75), "e5": (0.78, 0.93)}


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
        ).fit(self.corpus_)
        c = self.corpus_
        self._org_needs: dict[int, np.ndarray] = _group(c.item_org[c.needs], c.needs)
        self._org_offers: dict[int, np.ndarray] = _group(c.item_org[c.offers], c.offers)
        self._answers: dict[tuple[int, int], bool] = {}
        self.learner_: FeedbackLearner | None = None
        return self

    # -- scoring ------------------------------------------------------------------------------

    def _compare(
        self, need: np.ndarray, offer: np.ndarray, *, with_char: bool | None = None
    ) -> _Scored:
        cfg = self.config
        X, km = compare(
            self.corpus_,
            need,
            offer,
            decay_km=cfg.distance_decay_km,
            favoured=cfg.favoured_pairs,
            related_weight=cfg.related_weight,
            semantic_range=_SEMANTIC_RANGE.get(cfg.semantic_model, (0.2, 0.8)),
            with_char=cfg.with_char if with_char is None else with_char,
        )
        return _Scored(need, offer, X, km)

    def _quick_relevance(self, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
        """Text relevance without the char part (for reciprocity)."""
        s = self._compare(need, offer, with_char=False)
        w = dict(self.weights_)
        w["char"] = 0.0
        if sum(w[p] for p in ("word", "subcategory", "semantic")) <= 0:
            w["word"] = 1.0
        return relevance(s.X, w) * s.X[:, PARTS.index("category")]

    def _fill_reciprocity(self, s: _Scored) -> None:
        """Reciprocity part: the offer's organisation has a need the need's organisation answers."""
        c = self.corpus_
        a = c.item_org[s.need]
        b = c.item_org[s.offer]
        todo = {(int(y), int(x)) for x, y in zip(a, b, strict=True)} - self._answers.keys()
        if todo:
            nn, oo, keys, valid = [], [], [], []
            for need_org, offer_org in sorted(todo):
                self._answers[(need_org, offer_org)] = False
                needs = self._org_needs.get(need_org, np.zeros(0, np.int64))
                offers = self._org_offers.get(offer_org, np.zeros(0, np.int64))
                if len(needs) and len(offers):
                    nn.append(np.repeat(needs, len(offers)))
                    oo.append(np.tile(offers, len(needs)))
                    keys.append(np.full(len(needs) * len(offers), len(valid)))
                    valid.append((need_org, offer_org))
            if valid:
                rel = self._quick_relevance(np.concatenate(nn), np.concatenate(oo))
                best = np.zeros(len(valid))
                np.maximum.at(best, np.concatenate(keys), rel)
                for pair, value in zip(valid, best, strict=True):
                    self._answers[pair] = bool(value >= self.config.reciprocity_threshold)
        col = PARTS.index("reciprocity")
        s.X[:, col] = [self._answers[(int(y), int(x))] for x, y in zip(a, b, strict=True)]

    def _score(self, s: _Scored) -> _Scored:
        if self.weights_.get("reciprocity", 0) > 0:
            self._fill_reciprocity(s)
        if self.learner_ is not None and not self.learner_.fallback_:
            s.score = self.learner_.relevance_score(s.X)
        else:
            s.score = combine(s.X, self.weights_)
        return s

    def _pairs(self, need_items: np.ndarray, exclude_pairs: Pairs) -> _Scored:
        need, offer, _ = self.candidates_.pairs(need_items)
        if exclude_pairs:
            ids = self.corpus_.items["item_id"].to_numpy()
            ex = {(str(a), str(b)) for a, b in exclude_pairs}
            keep = np.array(
                [(ids[n], ids[o]) not in ex for n, o in zip(need, offer, strict=True)], bool
            )
            need, offer = need[keep], offer[keep]
        return self._score(self._compare(need, offer))

    def _candidates(self, s: _Scored, positions: Iterable[int]) -> list[Candidate]:
        c = self.corpus_
        ids = c.items["item_id"].to_numpy()
        org_ids = c.orgs["org_id"].to_numpy()
        out = []
        for i in positions:
            n, o = int(s.need[i]), int(s.offer[i])
            km = float(s.km[i])
            km_out = None if np.isnan(km) else round(km, 1)
            mode = partnership_mode(c, n, o)
            out.append(
                Candidate(
                    need_id=str(ids[n]),
                    need_org_id=str(org_ids[c.item_org[n]]),
                    offer_id=str(ids[o]),
                    org_id=str(org_ids[c.item_org[o]]),
                    score=round(float(s.score[i]), 4),
                    parts={p: round(float(v), 4) for p, v in zip(PARTS, s.X[i], strict=True)},
                    reasons=explain(c, n, o, s.X[i], km_out, mode),
                    mode=mode,
                    distance_km=km_out,
                )
            )
        return out

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
        k = k or self.config.top_k
        s = self._pairs(np.array([self._need_pos(need_id)]), exclude_pairs)
        order = np.argsort(-s.score, kind="stable")[:k]
        return self._candidates(s, order)

    def match_all(
        self,
        k: int | None = None,
        exclude_pairs: Pairs = frozenset(),
        need_ids: Iterable[str] | None = None,
    ) -> dict[str, list[Candidate]]:
        """The ``k`` best offers of every need (or of ``need_ids``), keyed by need id."""
        k = k or self.config.top_k
        c = self.corpus_
        needs = (
            c.needs
            if need_ids is None
            else np.array([self._need_pos(n) for n in need_ids], dtype=np.int64)
        )
        s = self._pairs(needs, exclude_pairs)
        chosen = top_k_per_group(s.need, s.score, k)
        cands = self._candidates(s, chosen)
        ids = c.items["item_id"].to_numpy()
        out: dict[str, list[Candidate]] = {str(ids[n]): [] for n in needs}
        for cand in cands:
            out[cand.need_id].append(cand)
        return out

    def shortlist_org(
        self, org_id: str, k: int | None = None, exclude_pairs: Pairs = frozenset()
    ) -> list[Candidate]:
        """Best pairs involving one organisation: offers for its needs and needs its offers answer."""
        k = k or self.config.top_k
        c = self.corpus_
        pos = c.org_pos.get(str(org_id))
        if pos is None:
            raise NotFoundError(f"Structure introuvable : « {org_id} ».")
        own_needs = self._org_needs.get(pos, np.zeros(0, np.int64))
        s1 = self._pairs(own_needs, exclude_pairs)
        own_offers = self._org_offers.get(pos, np.zeros(0, np.int64))
        others = c.needs[c.item_org[c.needs] != pos]
        need = np.repeat(others, len(own_offers))
        offer = np.tile(own_offers, len(others))
        if exclude_pairs:
            ids = c.items["item_id"].to_numpy()
            ex = {(str(a), str(b)) for a, b in exclude_pairs}
            keep = np.array(
                [(ids[n], ids[o]) not in ex for n, o in zip(need, offer, strict=True)], bool
            )
            need, offer = need[keep], offer[keep]
        s2 = self._score(self._compare(need, offer))
        merged = _Scored(
            np.r_[s1.need, s2.need],
            np.r_[s1.offer, s2.offer],
            np.vstack([s1.X, s2.X]),
            np.r_[s1.km, s2.km],
            np.r_[s1.score, s2.score],
        )
        order = np.argsort(-merged.score, kind="stable")[:k]
        return self._candidates(merged, order)

    def pistes(
        self,
        max_per_org: int | None = None,
        exclude_pairs: Pairs = frozenset(),
        min_score: float = 0.3,
    ) -> list[Candidate]:
        """Territory-wide pistes: best total score, each organisation in at most ``max_per_org``."""
        cap = self.config.max_proposals_per_org if max_per_org is None else max_per_org
        c = self.corpus_
        s = self._pairs(c.needs, exclude_pairs)
        keep = top_k_per_group(s.need, s.score, max(self.config.top_k, 10))
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
        ).fit(s.X, y[known], sample_weight=w[known])
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


def _group(keys: np.ndarray, values: np.ndarray) -> dict[int, np.ndarray]:
    out: dict[int, list[int]] = {}
    for k, v in zip(keys, values, strict=True):
        out.setdefault(int(k), []).append(int(v))
    return {k: np.asarray(v, dtype=np.int64) for k, v in out.items()}


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
