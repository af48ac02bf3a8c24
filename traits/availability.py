"""When a need or an offer applies: days of the week, evenings, week-ends, seasons.

"Un fourgon le mardi et le vendredi", "prêté le week-end", "les soirs de semaine", "l'été":
facilitators write availability in the item's text. :func:`extract_availability` reads it
into an :class:`Availability`; :func:`availability_fit` says whether a need's days and an
offer's can meet, and why not, in French.

Pure and deterministic: regular expressions over the folded text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from traits.text import fold_accents

__all__ = ["Availability", "availability_fit", "describe_days", "extract_availability"]

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})
SEASONS = ("printemps", "ete", "automne", "hiver")
_SEASON_LABELS = {
    "printemps": "au printemps",
    "ete": "l'été",
    "automne": "à l'automne",
    "hiver": "l'hiver",
}
_MONTH_SEASON = {
    "janvier": "hiver", "fevrier": "hiver", "mars": "printemps", "avril": "printemps",
    "mai": "printemps", "juin": "ete", "juillet": "ete", "aout": "ete", "septembre": "automne",
    "octobre": "automne", "novembre": "automne", "decembre": "hiver",
}  # fmt: skip


@dataclass(frozen=True)
class Availability:
    """Days of the week (0 = Monday), part of day and seasons an item's text names.

    Empty sets mean the text says nothing: then nothing can conflict.
    """

    days: frozenset[int] = frozenset()
    evening: bool = False
    seasons: frozenset[str] = frozenset()
    only: bool = False

    @property
    def says_anything(self) -> bool:
        return bool(self.days or self.seasons or self.evening)


_DAY_RE = re.compile(r"\b(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?\b")
_RANGE_RE = re.compile(
    r"\bdu (lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) au "
    r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\b"
)
_WEEKEND_RE = re.compile(r"\bweek[- ]?ends?\b|\bfins? de semaine\b|\bwe\b")
_WEEKDAYS_RE = re.compile(
    r"\ben semaine\b|\bjours? ouvres?\b|\bjours? de semaine\b|\bsoirs? de semaine\b"
)
_EVENING_RE = re.compile(r"\bsoirs?\b|\bsoirees?\b|\ben soiree\b|\bnocturnes?\b")
_ONLY_RE = re.compile(r"\b(seulement|uniquement|que le|que les|exclusivement)\b")
_SEASON_RE = re.compile(r"\b(printemps|ete|automne|hiver|estivale?s?)\b")
_MONTH_RE = re.compile(r"\b(" + "|".join(_MONTH_SEASON) + r")\b")


#: Any of the patterns above: most texts name no day or season, and are read in one pass.
_ANY_RE = re.compile(
    "|".join(
        f"(?:{r.pattern})"
        for r in (_DAY_RE, _WEEKEND_RE, _WEEKDAYS_RE, _EVENING_RE, _ONLY_RE, _SEASON_RE, _MONTH_RE)
    )
)


def extract_availability(text: str | None) -> Availability:
    """The days, evenings and seasons a text names.

    >>> sorted(extract_availability("Un fourgon le mardi et le vendredi").days)
    [1, 4]
    >>> extract_availability("Prêté le week-end seulement").only
    True
    """
    if not text:
        return Availability()
    low = fold_accents(text.lower())
    if not _ANY_RE.search(low):  # (a range names days: _DAY_RE finds it)
        return Availability()
    days: set[int] = set()
    for start, end in _RANGE_RE.findall(low):
        a, b = DAYS.index(start), DAYS.index(end)
        days |= set(range(a, b + 1)) if a <= b else set(range(a, 7)) | set(range(0, b + 1))
    days |= {DAYS.index(d) for d in _DAY_RE.findall(low)}
    if _WEEKEND_RE.search(low):
        days |= WEEKEND
    if _WEEKDAYS_RE.search(low):
        days |= WEEKDAYS
    seasons = {("ete" if s.startswith("estival") else s) for s in _SEASON_RE.findall(low)}
    seasons |= {_MONTH_SEASON[m] for m in _MONTH_RE.findall(low)}
    return Availability(
        days=frozenset(days),
        evening=bool(_EVENING_RE.search(low)),
        seasons=frozenset(seasons),
        only=bool(_ONLY_RE.search(low)),
    )


def describe_days(days: frozenset[int]) -> str:
    """``le mardi et le vendredi``, ``le week-end``, ``en semaine``."""
    if days == WEEKEND:
        return "le week-end"
    if days == WEEKDAYS:
        return "en semaine"
    names = [f"le {DAYS[d]}" for d in sorted(days)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def availability_fit(need: Availability, offer: Availability) -> tuple[float, str | None]:
    """How well an offer's availability meets a need's: a factor in [0, 1] and a reason.

    1.0 when either text says nothing or they share a day and a season; 0.3 when both name
    days and share none (or both name seasons and share none), with a French sentence.
    """
    if need.days and offer.days and not need.days & offer.days:
        return 0.3, (
            f"Besoin {describe_days(need.days)}, offre {describe_days(offer.days)} : "
            "jours incompatibles."
        )
    if need.seasons and offer.seasons and not need.seasons & offer.seasons:
        wanted = " ou ".join(_SEASON_LABELS[s] for s in sorted(need.seasons))
        given = " ou ".join(_SEASON_LABELS[s] for s in sorted(offer.seasons))
        return 0.5, f"Besoin {wanted}, offre {given} : périodes différentes."
    if need.days and offer.days:
        return 1.0, f"Jours compatibles : {describe_days(need.days & offer.days)}."
    return 1.0, None
