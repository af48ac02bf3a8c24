"""Stage 4 — score: a weighted combination of the comparison parts, in [0, 1].

``score = relevance × Π gates`` where

* ``relevance`` is the weighted mean of the text parts (word, char, subcategory, semantic):
  what the need and the offer are about;
* each gate part g (category, distance, favoured, reciprocity) multiplies by
  ``1 - w_g + w_g × part_g``: a weight of 0 ignores it, a weight of 1 lets it veto.

So a close but unrelated offer never beats a related one nearby, and distance orders offers
that answer the need equally well ("local first"). The product is finally calibrated by a
monotonic map (:func:`calibrate`) so that scores spread over [0, 1]: a good match reads 0.6 or
more, and the pistes' ``min_score`` (0.3) keeps plausible pairs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from traits.matching.config import (
    DEFAULT_WEIGHTS,
    GATE_PARTS,
    PARTS,
    SEMANTIC_WEIGHT,
    TEXT_PARTS,
    check_weights,
)

__all__ = [
    "CALIBRATION_MIDPOINT",
    "CALIBRATION_MIDPOINT_SEMANTIC",
    "DEFAULT_WEIGHTS",
    "GATE_PARTS",
    "SEMANTIC_WEIGHT",
    "TEXT_PARTS",
    "calibrate",
    "calibration_midpoint",
    "check_weights",
    "combine",
    "relevance",
]

#: Calibration ``raw ↦ raw^p / (raw^p + m^p)``: the raw score ``m`` of a borderline pair reads
#: 0.5, a typical good match (about 1.4 m) reads 0.65 or more, unrelated pairs stay near 0.
#: ``m`` goes from :data:`CALIBRATION_MIDPOINT` (no semantic part) to
#: :data:`CALIBRATION_MIDPOINT_SEMANTIC` (semantic part only) with the semantic share of the
#: text weights, since rescaled sentence cosines run higher than lexical overlaps.
CALIBRATION_MIDPOINT = 0.15
CALIBRATION_MIDPOINT_SEMANTIC = 0.25
CALIBRATION_POWER = 2.0


def relevance(
    X: np.ndarray, weights: Mapping[str, float], columns: tuple[str, ...] = PARTS
) -> np.ndarray:
    """Weighted mean of the text parts of a comparison matrix, in [0, 1].

    ``columns`` names the matrix's columns: every part by default, or the text parts alone.
    """
    w = np.array([weights.get(p, 0.0) for p in TEXT_PARTS])
    cols = [columns.index(p) for p in TEXT_PARTS]
    return np.asarray(X)[:, cols] @ (w / w.sum())


#: Where the text parts are in a comparison matrix.
_TEXT_COLUMNS = [PARTS.index(p) for p in TEXT_PARTS]


def calibration_midpoint(weights: Mapping[str, float]) -> float:
    """Raw score that :func:`calibrate` maps to 0.5, for these weights."""
    total = sum(float(weights.get(p, 0.0)) for p in TEXT_PARTS)
    share = float(weights.get("semantic", 0.0)) / total if total > 0 else 0.0
    return CALIBRATION_MIDPOINT + share * (CALIBRATION_MIDPOINT_SEMANTIC - CALIBRATION_MIDPOINT)


def calibrate(raw: np.ndarray, midpoint: float = CALIBRATION_MIDPOINT) -> np.ndarray:
    """Monotonic map of raw scores in [0, 1] onto a readable [0, 1] scale (order unchanged)."""
    raw = np.clip(np.asarray(raw, dtype=float), 0.0, 1.0)
    a = raw**CALIBRATION_POWER
    return a / (a + midpoint**CALIBRATION_POWER)


def combine(X: np.ndarray, weights: Mapping[str, float], *, calibrated: bool = True) -> np.ndarray:
    """Scores in [0, 1] of the rows of a comparison matrix (``n_pairs × len(PARTS)``).

    ``relevance × Π gates``, then :func:`calibrate` (unless ``calibrated=False``): a good
    match reads 0.6 or more, a borderline one about 0.5.
    """
    X = np.asarray(X, dtype=float)
    if X.shape[0] == 0:
        return np.zeros(0)
    # each part clipped to [0, 1] as it is read (cheaper than a clipped copy of the matrix)
    score = relevance(np.clip(X[:, _TEXT_COLUMNS], 0.0, 1.0), weights, columns=TEXT_PARTS)
    for p in GATE_PARTS:
        w = float(weights.get(p, 0.0))
        if w:
            gate = np.clip(X[:, PARTS.index(p)], 0.0, 1.0)
            gate *= w
            gate += 1.0 - w
            score *= gate
    np.clip(score, 0.0, 1.0, out=score)
    if calibrated:
        score = calibrate(score, calibration_midpoint(weights))
    return np.clip(score, 0.0, 1.0)
