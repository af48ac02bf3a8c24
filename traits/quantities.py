"""Quantities written in French needs and offers: hours, days, people, surfaces, volumes, weights.

Facilitators write sizes the way people say them: "20h par semaine", "1h30", "une salle pour
150 personnes", "300 m2 de stockage", "un 20 m³", "2 tonnes", "un mi-temps". This module reads
them into :class:`Quantity` values with a canonical unit, so that pooling can sum the hours of
several organisations and matching can compare a room's size with a need's.

Pure and deterministic: regular expressions over the text, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from traits.fr import fr_number
from traits.text import fold_accents

__all__ = [
    "Quantity",
    "UNIT_LABELS",
    "extract_quantities",
    "format_quantity",
    "size_fit",
    "sum_quantities",
]


@dataclass(frozen=True)
class Quantity:
    """An amount with a canonical unit, and the period it recurs over (if any).

    ``unit`` is one of :data:`UNIT_LABELS`; ``per`` is ``"semaine"``, ``"mois"``, ``"an"``,
    ``"jour"`` or ``None``.
    """

    value: float
    unit: str
    per: str | None = None


#: Canonical units and their French label (singular, plural).
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "heure": ("heure", "heures"),
    "jour": ("jour", "jours"),
    "personne": ("personne", "personnes"),
    "m2": ("m²", "m²"),
    "m3": ("m³", "m³"),
    "tonne": ("tonne", "tonnes"),
    "kg": ("kg", "kg"),
    "vehicule": ("véhicule", "véhicules"),
    "repas": ("repas", "repas"),
}

_NUMBER = r"(\d{1,3}(?:[  \u202f]\d{3})+|\d+(?:[.,]\d+)?)"
_UNIT_WORDS: tuple[tuple[str, str], ...] = (
    # order matters: longer forms first
    (r"m(?:2|²)|metres? carres?|mètres? carrés?", "m2"),
    (r"m(?:3|³)|metres? cubes?|mètres? cubes?", "m3"),
    (r"heures?|hrs?|h(?![a-z])", "heure"),
    (r"jours?|journees?|journées?|j(?![a-z])", "jour"),
    (
        r"personnes?|participants?|places?|convives?|couverts?|invites?|invités?|"
        r"salaries?|salariés?|benevoles?|bénévoles?|jeunes|enfants|adultes|places assises",
        "personne",
    ),
    (r"tonnes?|t(?![a-z])", "tonne"),
    (r"kilos?|kg(?![a-z])", "kg"),
    (r"vehicules?|véhicules?|camions?|fourgons?|minibus", "vehicule"),
    (r"repas|plateaux(?:-| )repas", "repas"),
)
_UNIT_RE = "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _) in enumerate(_UNIT_WORDS))
_QUANTITY = re.compile(
    rf"(?<![\w,.]){_NUMBER}\s?(?:{_UNIT_RE})(?:\s?(?P<minutes>\d{{2}})(?!\d))?",
    re.IGNORECASE,
)
_PER = re.compile(
    r"^\s*(?:par|/|chaque|tous les|toutes les)\s*"
    r"(?P<per>semaines?|sem\b|mois|ans?|années?|annees?|jours?)"
    r"|^\s*(?P<adj>hebdo(?:madaires?)?|mensuel(?:le)?s?|annuel(?:le)?s?)",
    re.IGNORECASE,
)
#: Working-time words that carry hours per week without a number.
_WORK_TIME: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\bmi[- ]temps\b", re.IGNORECASE), 17.5),
    (re.compile(r"\btemps plein\b", re.IGNORECASE), 35.0),
    (re.compile(r"\b(\d+(?:[.,]\d+)?)\s?etp\b", re.IGNORECASE), 35.0),
)


def _number(text: str) -> float:
    return float(re.sub(r"[  \u202f]", "", text).replace(",", "."))


def _period(after: str) -> str | None:
    match = _PER.match(after)
    if match is None:
        return None
    word = fold_accents((match.group("per") or match.group("adj") or "").lower())
    if word.startswith(("sem", "hebdo")):
        return "semaine"
    if word.startswith(("mois", "mensuel")):
        return "mois"
    if word.startswith(("an", "annee", "annuel")):
        return "an"
    return "jour"


def extract_quantities(text: str | None) -> list[Quantity]:
    """Every quantity written in ``text``, in reading order.

    >>> extract_quantities("Salle pour 150 personnes, 2 soirs par mois")
    [Quantity(value=150.0, unit='personne', per=None)]
    >>> extract_quantities("Secrétariat 1h30 par semaine")
    [Quantity(value=1.5, unit='heure', per='semaine')]
    """
    if not text:
        return []
    found: list[Quantity] = []
    for match in _QUANTITY.finditer(text):
        unit = next(
            _UNIT_WORDS[i][1] for i in range(len(_UNIT_WORDS)) if match.group(f"u{i}") is not None
        )
        value = _number(match.group(1))
        minutes = match.group("minutes")
        if minutes is not None:
            if unit != "heure":
                continue
            value += int(minutes) / 60
        found.append(Quantity(value, unit, _period(text[match.end() :])))
    for pattern, hours in _WORK_TIME:
        for match in pattern.finditer(text):
            share = _number(match.group(1)) if match.groups() else 1.0
            found.append(Quantity(share * hours, "heure", "semaine"))
    return found


def sum_quantities(groups: list[list[Quantity]]) -> list[Quantity]:
    """Sum the quantities of several texts, unit by unit and period by period.

    Each text counts once per (unit, period): its largest value, so that "20 h … dont 2 h de
    réunion" is not read as 22 hours.
    """
    totals: dict[tuple[str, str | None], float] = {}
    for quantities in groups:
        largest: dict[tuple[str, str | None], float] = {}
        for q in quantities:
            key = (q.unit, q.per)
            largest[key] = max(largest.get(key, 0.0), q.value)
        for key, value in largest.items():
            totals[key] = totals.get(key, 0.0) + value
    return [Quantity(value, unit, per) for (unit, per), value in totals.items()]


def format_quantity(quantity: Quantity) -> str:
    """``35 heures par semaine``, ``300 m²``, ``1,5 heure``."""
    singular, plural_form = UNIT_LABELS[quantity.unit]
    decimals = 0 if float(quantity.value).is_integer() else 1
    label = singular if quantity.value < 2 else plural_form
    text = f"{fr_number(quantity.value, decimals)} {label}"
    if quantity.per is not None:
        text += f" par {quantity.per}"
    return text


#: Units whose amount is a capacity a need asks and an offer gives.
_CAPACITY_UNITS = frozenset({"personne", "m2", "m3", "tonne", "kg", "heure", "jour", "repas"})
_PER_WEEK = {None: None, "semaine": 1.0, "jour": 5.0, "mois": 12 / 52, "an": 1 / 52}
#: What a too-small offer is, agreeing with « offre » (feminine).
_TOO_SMALL = {"personne": "trop petite", "m2": "trop petite", "m3": "trop petite"}


def _weekly(q: Quantity) -> float | None:
    factor = _PER_WEEK.get(q.per)
    return None if factor is None else q.value * factor


def size_fit(need: list[Quantity], offer: list[Quantity]) -> tuple[float, str | None]:
    """How well an offer's size meets a need's: a factor in [0, 1] and a French reason.

    Sizes are compared unit by unit (people, m², m³, hours…; hours per week when both say a
    period). An offer under 80 % of the need is penalised in proportion (never below 0.3),
    with a sentence like « Offre de 40 personnes pour un besoin de 150 personnes : trop
    petite ». Unrelated or
    missing sizes give 1.0 and no reason.
    """
    best: tuple[float, str | None] = (1.0, None)
    for n in need:
        if n.unit not in _CAPACITY_UNITS or n.value <= 0:
            continue
        for o in offer:
            if o.unit != n.unit:
                continue
            wanted, given = n.value, o.value
            if n.per != o.per:
                wanted_w, given_w = _weekly(n), _weekly(o)
                if wanted_w is None or given_w is None:
                    continue
                wanted, given = wanted_w, given_w
            ratio = given / wanted
            if ratio >= 0.8:
                return 1.0, f"Taille adaptée : {format_quantity(o)} pour {format_quantity(n)}."
            factor = max(0.3, ratio)
            word = _TOO_SMALL.get(n.unit, "insuffisante")
            reason = (
                f"Offre de {format_quantity(o)} pour un besoin de {format_quantity(n)} : {word}."
            )
            if factor < best[0]:
                best = (factor, reason)
    return best
