"""Matching needs with offers, as named stages.

``features`` → ``candidates`` (blocking) → ``comparison`` (vector per pair) → ``score`` →
``explain`` → ``shortlist``; ``learning`` re-weights the score from feedback; ``pipeline``
holds the :class:`Matcher` facade; ``evaluation`` measures it on labelled territories.
"""

from traits.matching.pipeline import Candidate, MatchConfig, Matcher, to_format_json

__all__ = ["Candidate", "MatchConfig", "Matcher", "to_format_json"]
