"""Stage 4 — score: a weighted combination of the comparison parts, in [0, 1].

``score = relevance × Π gates`` where

* ``relevance`` is the weighted mean of the text parts (word, char, subcategory, semantic):
  what the need and the offer are about;
* each gate part g (category, distance, favoured, reciprocity) multiplies by
  ``1 - w_g + w_g × part_g``: a weight of 0 ignores it, a weight of 1 lets it veto.

So a close but unrelated offer never beats a related one nearby, and distance orders offers
that answer the need equally well ("local first").
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from traits.errors import InvalidInputError, Problem
from traits.matching.comparison import PARTS

__all__ = [
    "DEFAULT_WEIGHTS",
    "GATE_PARTS",
    "TEXT_PARTS",
    "check_weights",
    "combine",
    "relevance",
]

TEXT_PARTS: tuple[str, ...] = ("word", "char", "subcategory", "semantic")
GATE_PARTS: tuple[str, ...] = ("category", "distance", "favoured", "reciprocity")

#: Default weights (tuned by reasoning on the domain, checked on the development set).
DEFAULT_WEIGHTS: dict[str, float] = {
    "word": 0.30,
    "char": 0.20,
    "subcategory": 0.50,
    "semantic": 0.0,
    "category": 0.50,
    "distance": 0.35,
    "favoured": 0.05,
    "reciprocity": 0.05,
}

#: Weight of the semantic part when the encoder is switched on and no weight is given.
SEMANTIC_WEIGHT = 0.60


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """Complete ``weights`` with the defaults and check them (text ≥ 0, gates in [0, 1])."""
    problems = []
    out = dict(DEFAULT_WEIGHTS)
    for name, value in weights.items():
        if name not in PARTS:
            problems.append(
                Problem(f"poids inconnu « {name} » ; poids possibles : {', '.join(PARTS)}.")
            )
            continue
        v = float(value)
        if not np.isfinite(v) or v < 0 or (name in GATE_PARTS and v > 1):
            problems.append(
                Problem(
                    f"poids « {name} » = {value} invalide : positif"
                    + (", au plus 1." if name in GATE_PARTS else ".")
                )
            )
            continue
        out[name] = v
    if problems:
        raise InvalidInputError(problems)
    if sum(out[p] for p in TEXT_PARTS) <= 0:
        raise InvalidInputError(
            "au moins un poids de texte (word, char, subcategory, semantic) doit être positif."
        )
    return out


def relevance(X: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """Weighted mean of the text parts of a comparison matrix, in [0, 1]."""
    w = np.array([weights.get(p, 0.0) for p in TEXT_PARTS])
    cols = [PARTS.index(p) for p in TEXT_PARTS]
    return np.asarray(X)[:, cols] @ (w / w.sum())


def combine(X: np.ndarray, weights: Mapping[str, float]) -> np.ndarray:
    """Scores in [0, 1] of the rows of a comparison matrix (``n_pairs × len(PARTS)``)."""
    X = np.clip(np.asarray(X, dtype=float), 0.0, 1.0)
    if X.shape[0] == 0:
        return np.zeros(0)
    score = relevance(X, weights)
    for p in GATE_PARTS:
        w = float(weights.get(p, 0.0))
        if w:
            score = score * (1.0 - w + w * X[:, PARTS.index(p)])
    return np.clip(score, 0.0, 1.0)
