"""Matching needs with offers, as named stages.

``features`` → ``candidates`` (blocking) → ``comparison`` (vector per pair) → ``score`` →
``explain`` → ``shortlist``; ``learning`` re-weights the score from feedback; ``pipeline``
holds the :class:`Matcher` facade; ``evaluation`` measures it on labelled territories.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Candidate", "MatchConfig", "Matcher", "to_format_json"]


def __getattr__(name: str) -> Any:
    """The facade's names, imported on first use: writing texts needs only the light modules
    (``config``, ``encoder``), not scikit-learn."""
    if name in __all__:
        from traits.matching import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'traits.matching' has no attribute {name!r}")
