"""Stage 7 — learning: re-weight the score parts from the facilitators' feedback.

Feedback is what facilitators record: a proposal judged relevant or not, and partnerships
realised or abandoned. :class:`FeedbackLearner` fits the weights of the default score
(:func:`~traits.matching.score.combine`) to those pairs, with a prior that keeps them near the
defaults when feedback is scarce (a plain logistic regression for inputs that are not
comparison vectors). Below ``min_feedback`` labelled pairs, or with only one kind of answer, it
keeps the default weights. When the feedback says which need each pair belongs to, the weights
are fitted listwise (each need's relevant proposals above its other ones) and kept only if
weights learnt on two thirds of the needs rank the last third's proposals better than the
defaults do (``validation_gain_``): feedback that does not generalise changes nothing.
:meth:`traits.matching.pipeline.Matcher.reset_learning` forgets everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, validate_data

from traits.errors import InvalidInputError, Problem
from traits.matching.config import PARTS, VALIDATION_FOLDS
from traits.matching.score import GATE_PARTS, TEXT_PARTS, combine

__all__ = ["FEEDBACK_LABELS", "FeedbackLearner", "feedback_labels"]

#: Feedback values → (label, sample weight). French and English spellings are accepted.
FEEDBACK_LABELS: dict[str, tuple[int, float]] = {
    "relevant": (1, 1.0),
    "pertinent": (1, 1.0),
    "yes": (1, 1.0),
    "oui": (1, 1.0),
    "1": (1, 1.0),
    "not_relevant": (0, 1.0),
    "non pertinent": (0, 1.0),
    "no": (0, 1.0),
    "non": (0, 1.0),
    "0": (0, 1.0),
    "realised": (1, 2.0),
    "concretise": (1, 2.0),
    "realise": (1, 2.0),
    "in_discussion": (1, 0.5),
    "abandoned": (0, 1.0),
    "abandonne": (0, 1.0),
}


def feedback_labels(feedback: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Pairs, labels and weights of feedback (``need_id, offer_id`` and ``label`` or ``status``)."""
    from traits.text import normalise

    col = (
        "label"
        if "label" in feedback.columns
        else "status"
        if "status" in feedback.columns
        else None
    )
    missing = [c for c in ("need_id", "offer_id") if c not in feedback.columns]
    if col is None or missing:
        raise InvalidInputError(
            Problem(
                "le retour doit avoir les colonnes need_id, offer_id et label (ou status).",
                column=", ".join(missing) or "label",
            )
        )
    keys = feedback[col].map(lambda v: normalise(str(v)).replace(" ", "_"))
    alt = feedback[col].map(lambda v: normalise(str(v)))
    mapped = [
        FEEDBACK_LABELS.get(k) or FEEDBACK_LABELS.get(a) for k, a in zip(keys, alt, strict=True)
    ]
    keep = np.array([m is not None for m in mapped], dtype=bool)
    pairs = feedback.loc[keep, ["need_id", "offer_id"]].astype(str).reset_index(drop=True)
    labels = np.array([m[0] for m in mapped if m is not None], dtype=int)
    weights = np.array([m[1] for m in mapped if m is not None], dtype=float)
    return pairs, labels, weights


def _fit_part_weights(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    base: dict[str, float],
    prior_strength: float,
    groups: np.ndarray | None = None,
) -> dict[str, float]:
    """Part weights of :func:`~traits.matching.score.combine` that best explain the feedback.

    Maximises the weighted likelihood of ``P(relevant) = σ(a · log raw_score + b)`` over the
    weights (text weights ≥ 0, gates in [0, 1], a part that never varies keeps its default),
    with a Gaussian prior centred on the defaults whose strength falls as feedback grows: with
    little feedback the weights barely move.
    """
    from scipy.optimize import minimize

    names = list(PARTS)
    w0 = np.array([float(base.get(p, 0.0)) for p in names])
    varies = np.ptp(X, axis=0) > 1e-9
    bounds = []
    for name, default, moves in zip(names, w0, varies, strict=True):
        if not moves or (name in TEXT_PARTS and default == 0.0):
            bounds.append((default, default))  # no evidence about it (or switched off)
        elif name in GATE_PARTS:
            bounds.append((0.0, 1.0))
        else:
            bounds.append((0.0, 2.0 * max(default, 0.1)))
    scale = max(float(np.sum(w0[[names.index(p) for p in TEXT_PARTS]])), 1e-6)
    n = float(sample_weight.sum())
    lam = prior_strength / max(n, 1.0)

    listwise = _listwise_groups(y, groups)

    def loss(theta: np.ndarray) -> float:
        w = dict(zip(names, theta[:-2], strict=True))
        if sum(w[p] for p in TEXT_PARTS) <= 1e-9:
            return 1e6
        raw = combine(X, w, calibrated=False)
        z = theta[-2] * np.log(raw + 1e-4) + theta[-1]
        prior = np.sum(((theta[:-2] - w0) / scale) ** 2)
        if listwise is not None:
            codes, has_pos = listwise
            # log of the softmax of each positive within its need's proposals
            zmax = np.full(codes.max() + 1, -np.inf)
            np.maximum.at(zmax, codes, z)
            den = np.zeros(len(zmax))
            np.add.at(den, codes, np.exp(z - zmax[codes]))
            logp = z - zmax[codes] - np.log(den[codes])
            sel = (y == 1) & has_pos[codes]
            total = float(sample_weight[sel].sum()) or 1.0
            return float(-(sample_weight[sel] * logp[sel]).sum() / total + lam * prior)
        ll = sample_weight * (y * -np.logaddexp(0.0, -z) + (1 - y) * -np.logaddexp(0.0, z))
        return float(-ll.sum() / n + lam * prior)

    x0 = np.concatenate([w0, [1.0, 2.0]])
    result = minimize(loss, x0, method="L-BFGS-B", bounds=[*bounds, (0.05, 20.0), (-20.0, 20.0)])
    theta = result.x if result.success or result.fun < loss(x0) else x0
    return {name: float(v) for name, v in zip(names, theta[:-2], strict=True)}


def _listwise_groups(
    y: np.ndarray, groups: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Group codes and which groups hold both a positive and a negative (None: pointwise)."""
    if groups is None:
        return None
    _, codes = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    pos = np.bincount(codes, weights=(y == 1).astype(float))
    neg = np.bincount(codes, weights=(y == 0).astype(float))
    has_both = (pos > 0) & (neg > 0)
    if not has_both.any():
        return None
    return codes, has_both


#: Folds of needs of the check that learnt weights rank held-out needs better.


def _first_relevant_rr(score: np.ndarray, y: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Reciprocal rank of the best-ranked relevant pair of each group (groups with one)."""
    out = []
    for g in np.unique(codes):
        sel = codes == g
        if not (y[sel] == 1).any():
            continue
        s, t = score[sel], y[sel]
        best = s[t == 1].max()
        out.append(1.0 / (1 + int((s[t == 0] > best).sum())))
    return np.asarray(out)


def _validation_gain(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    base: dict[str, float],
    prior_strength: float,
    groups: np.ndarray,
    random_state: int | None,
) -> float | None:
    """How much learnt weights raise the held-out MRR of the feedback, needs split in folds.

    Weights are learnt on the other folds' needs and compared with ``base`` on each held-out
    need's labelled proposals (reciprocal rank of its best relevant one). None when fewer
    than two needs per fold hold both a relevant and a not-relevant proposal.
    """
    listwise = _listwise_groups(y, groups)
    if listwise is None:
        return None
    codes, has_both = listwise
    usable = np.flatnonzero(has_both)
    if len(usable) < 2 * VALIDATION_FOLDS:
        return None
    order = np.random.default_rng(random_state).permutation(usable)
    gains = []
    for f in range(VALIDATION_FOLDS):
        held = np.isin(codes, order[f::VALIDATION_FOLDS])
        weights = _fit_part_weights(
            X[~held], y[~held], sample_weight[~held], base, prior_strength, groups[~held]
        )
        learnt = _first_relevant_rr(combine(X[held], weights), y[held], codes[held])
        default = _first_relevant_rr(combine(X[held], base), y[held], codes[held])
        gains.append(float(learnt.mean() - default.mean()))
    return float(np.mean(gains))


class FeedbackLearner(ClassifierMixin, BaseEstimator):
    """Logistic re-weighting of comparison vectors, with a safe fallback to the defaults.

    Parameters
    ----------
    base_weights
        Weights of the default score (:func:`traits.matching.score.combine`); ``None`` uses the
        mean of the parts (for generic inputs).
    min_feedback
        Minimum number of labelled pairs before anything is learnt.
    prior_strength
        Pseudo-count of the default score in the blend ``n / (n + prior_strength)``.
    C
        Inverse regularisation of the logistic regression.
    random_state
        Seed of the solver.
    """

    def __init__(
        self,
        base_weights: Mapping[str, float] | None = None,
        min_feedback: int = 30,
        prior_strength: float = 30.0,
        C: float = 1.0,
        random_state: int | None = 0,
    ) -> None:
        self.base_weights = base_weights
        self.min_feedback = min_feedback
        self.prior_strength = prior_strength
        self.C = C
        self.random_state = random_state

    def _base(self, X: np.ndarray) -> np.ndarray:
        if self.base_weights is not None and X.shape[1] == len(PARTS):
            return combine(X, self.base_weights)
        return np.clip(X, 0, 1).mean(axis=1) if X.shape[1] else np.zeros(len(X))

    def _features(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([X, self._base(X)])

    def fit(self, X: Any, y: Any, sample_weight: Any = None, groups: Any = None) -> FeedbackLearner:
        """Learn from labelled comparison vectors (1 = relevant or realised).

        ``groups`` (the need of each pair) makes the fit listwise: the weights then rank each
        need's relevant proposals above its other ones, which is what a shortlist is judged
        on, rather than predict each label alone.
        """
        X, y = validate_data(self, X, y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type not in ("binary", "unknown") and len(np.unique(y)) > 2:
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {y_type}."
            )
        self.classes_ = unique_labels(y)
        self.n_feedback_ = int(len(y))
        self.fallback_ = self.n_feedback_ < self.min_feedback or len(self.classes_) < 2
        self.model_ = None
        self.learned_weights_: dict[str, float] | None = None
        self.blend_ = 0.0
        if self.fallback_:
            return self
        sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        target = (np.asarray(y) == self.classes_[-1]).astype(float)
        if self.base_weights is not None and X.shape[1] == len(PARTS):
            base = dict(self.base_weights)
            g = None if groups is None else np.asarray(groups)
            self.validation_gain_: float | None = None
            if g is not None:
                self.validation_gain_ = _validation_gain(
                    X, target, sw, base, self.prior_strength, g, self.random_state
                )
                if self.validation_gain_ is None or self.validation_gain_ <= 0:
                    # the learnt weights would not rank held-out needs better: keep the defaults
                    self.learned_weights_ = base
                    return self
            self.learned_weights_ = _fit_part_weights(X, target, sw, base, self.prior_strength, g)
        else:  # generic inputs (not comparison vectors): a plain logistic regression
            self.model_ = LogisticRegression(
                C=self.C, class_weight="balanced", random_state=self.random_state, max_iter=1000
            ).fit(self._features(X), y, sample_weight=sample_weight)
            self.blend_ = self.n_feedback_ / (self.n_feedback_ + self.prior_strength)
        return self

    @property
    def weights_(self) -> dict[str, float]:
        """Learnt weight of each part (logistic coefficients; defaults when falling back)."""
        check_is_fitted(self, "fallback_")
        names = (
            list(PARTS)
            if self.n_features_in_ == len(PARTS)
            else [f"x{i}" for i in range(self.n_features_in_)]
        )
        if self.learned_weights_ is not None:
            return dict(self.learned_weights_)
        if self.model_ is None:
            base = dict(self.base_weights or {})
            return {n: float(base.get(n, 1.0 / max(len(names), 1))) for n in names}
        coef = self.model_.coef_[0]
        return {n: float(c) for n, c in zip([*names, "default_score"], coef, strict=True)}

    def relevance_score(self, X: Any) -> np.ndarray:
        """Matching score in [0, 1]: the default score with the learnt part weights."""
        check_is_fitted(self, "fallback_")
        # no pair left to score (every piste of a need proposed or set aside): no score
        X = validate_data(self, X, reset=False, ensure_min_samples=0)
        if not len(X):
            return np.zeros(0)
        if self.learned_weights_ is not None:
            return combine(X, self.learned_weights_)
        base = self._base(X)
        if self.model_ is None:
            return base
        pos = list(self.model_.classes_).index(self.classes_[-1])
        proba = self.model_.predict_proba(self._features(X))[:, pos]
        return (1 - self.blend_) * base + self.blend_ * proba

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class (the matching score is that of the last class)."""
        s = self.relevance_score(X)
        if len(self.classes_) == 1:
            return np.ones((len(s), 1))
        return np.column_stack([1 - s, s])

    def decision_function(self, X: Any) -> np.ndarray:
        """Score centred on 0.5 (positive means the last class)."""
        return self.relevance_score(X) - 0.5

    def predict(self, X: Any) -> np.ndarray:
        """The more likely class."""
        s = self.relevance_score(X)
        if len(self.classes_) == 1:
            return np.full(len(s), self.classes_[0])
        return np.where(s >= 0.5, self.classes_[-1], self.classes_[0])

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags
