"""Quantities written in French needs and offers: hours, days, people, seats, surfaces, weights.

Facilitators write sizes the way people say them: "20h par semaine", "1h30", "une salle pour
150 personnes", "300 m2 de stockage", "un 20 m³", "2 tonnes", "un mi-temps", "1 jour tous les
15 jours", "chaque mardi de 9 h à 12 h". This module reads them into :class:`Quantity` values
with a canonical unit and period, so that pooling can sum the hours of several organisations
and matching can compare a room's size with a need's.

Nothing is guessed silently: a reading that is not a plain number and unit (« mi-temps » read
0,5 ETP, « de 9 h à 12 h » read 3 heures) carries a French ``note``; a quantity that describes
what surrounds the need (« dans un bâtiment de 300 m² », « dont 2 h ») is marked ``aside``;
what cannot be read without a guess (« 1.200 m² », 1 200 or 1,2; « tous les 10 jours ») is
returned as a doubt by :func:`read_quantities`, not as a value.

Pure and deterministic: regular expressions over the text, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from traits.fr import fr_number
from traits.text import fold_accents

__all__ = [
    "PERIOD_WEEKS",
    "PER_WEEK",
    "Quantity",
    "Reading",
    "UNIT_LABELS",
    "extract_quantities",
    "format_amount",
    "format_quantity",
    "read_quantities",
    "size_fit",
    "size_unit",
]


@dataclass(frozen=True)
class Quantity:
    """An amount with a canonical unit, and the period it recurs over (if any).

    ``unit`` is one of :data:`UNIT_LABELS`; ``per`` is ``"jour"``, one of
    :data:`PERIOD_WEEKS` or ``None``. ``note`` says in French how an unusual wording was read;
    ``aside`` marks a quantity of what surrounds the need rather than of what it asks;
    ``span`` a duration read from clock times (« de 9 h à 12 h »).
    """

    value: float
    unit: str
    per: str | None = None
    note: str | None = field(default=None, compare=False)
    aside: bool = field(default=False, compare=False)
    span: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Reading:
    """The quantities of a text, and what was seen but not read (French, quoting the text)."""

    quantities: list[Quantity]
    doubts: list[str]


#: Canonical units and their French label (singular, plural).
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "heure": ("heure", "heures"),
    "jour": ("jour", "jours"),
    "etp": ("ETP", "ETP"),
    "personne": ("personne", "personnes"),
    "place": ("place", "places"),
    "m2": ("m²", "m²"),
    "m3": ("m³", "m³"),
    "tonne": ("tonne", "tonnes"),
    "kg": ("kg", "kg"),
    "vehicule": ("véhicule", "véhicules"),
    "repas": ("repas", "repas"),
}
#: Weeks in each calendar period (a year of 52 weeks and 12 months): the only conversions
#: between periods, always said where they are used. A day is not among them (working days
#: or every day: the text does not say).
PERIOD_WEEKS: dict[str, float] = {
    "semaine": 1.0,
    "quinzaine": 2.0,
    "mois": 52 / 12,
    "trimestre": 13.0,
    "semestre": 26.0,
    "an": 52.0,
}
#: Per-week factor of each period for comparing sizes in matching (a day counted as one of
#: five working days): a score, never a figure shown.
PER_WEEK: dict[str, float] = {"jour": 5.0, **{p: 1 / w for p, w in PERIOD_WEEKS.items()}}

_SPACE = "[ \u00a0\u202f]"
_NUMBER = (
    rf"(\d{{1,3}}(?:{_SPACE}\d{{3}})+(?:,\d+)?|\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?|\d+(?:[.,]\d+)?)"
)
_UNIT_WORDS: tuple[tuple[str, str], ...] = (
    # order matters: longer forms first
    (r"m(?:2|²)|metres? carres?|mètres? carrés?", "m2"),
    (r"m(?:3|³)|metres? cubes?|mètres? cubes?", "m3"),
    (r"heures?|hrs?|h(?![a-z])", "heure"),
    (r"jours?|journees?|journées?|j(?![a-z])", "jour"),
    (r"places?(?: assises)?|sieges?|sièges?", "place"),
    (
        r"personnes?|participants?|convives?|couverts?|invites?|invités?|salaries?|salariés?|"
        r"benevoles?|bénévoles?|jeunes|enfants|adultes|caristes?|encadrants?|agents?|"
        r"stagiaires?|apprenants?|animateurs?|animatrices?|travailleurs?|chauffeurs?|"
        r"techniciens?|techniciennes?|equipiers?|équipiers?",
        "personne",
    ),
    (r"tonnes?|t(?![a-z])", "tonne"),
    (r"kilos?|kg(?![a-z])", "kg"),
    (r"vehicules?|véhicules?|camions?|fourgons?|minibus", "vehicule"),
    (r"repas|plateaux(?:-| )repas", "repas"),
    (r"etp(?![a-z])", "etp"),
)
_UNIT_RE = "|".join(f"(?P<u{i}>{pattern})" for i, (pattern, _) in enumerate(_UNIT_WORDS))
_QUANTITY = re.compile(
    rf"(?<![\w,.]){_NUMBER}\s?(?:{_UNIT_RE})(?:\s?(?P<minutes>\d{{2}})(?!\d))?",
    re.IGNORECASE,
)
_SMALL = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
          "douze": 12, "quinze": 15}  # fmt: skip
_COUNT = r"\d+|" + "|".join(_SMALL)
_PERIOD_WORD = (
    r"(?P<word>jours?|j(?![a-z])|semaines?|sem(?![a-z])|quinzaines?|mois|trimestres?|"
    r"semestres?|ans?(?![a-z])|années?|annees?)"
)
_PERIOD_ADJECTIVE = (
    r"(?P<adj>hebdo(?:madaire)?s?|quotidien(?:ne)?s?|bimensuel(?:le)?s?|mensuel(?:le)?s?|"
    r"trimestriel(?:le)?s?|semestriel(?:le)?s?|annuel(?:le)?s?)(?![a-z])"
)
_PERIOD_CORE = (
    rf"(?:(?:par|/|chaque|tous les|toutes les)\s*(?:(?P<every>{_COUNT})\s+)?{_PERIOD_WORD}"
    rf"|{_PERIOD_ADJECTIVE})"
)
#: A period right after a quantity: « par semaine », « tous les 15 jours », « deux fois par mois ».
_PERIOD_AFTER = re.compile(
    rf"[\s,]*(?:(?P<times>{_COUNT})\s*fois\s*)?{_PERIOD_CORE}", re.IGNORECASE
)
#: Any period phrase (its number is not a quantity: « tous les 15 jours » is not 15 days).
_PERIOD_ANYWHERE = re.compile(rf"(?<![\w]){_PERIOD_CORE}", re.IGNORECASE)
_WEEKDAYS = r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?"
#: A period said before a duration: « chaque mardi de 9 h à 12 h », « chaque semaine, 4 h ».
_PERIOD_BEFORE = re.compile(
    rf"(?:chaque|tous les|toutes les)\s+(?:{_WEEKDAYS}(?P<weekday>)|{_PERIOD_WORD})"
    r"(?:\s+(?:matin|midi|après-midi|apres-midi|soir))?[^.;:!?\d]{0,20}$",
    re.IGNORECASE,
)
_HOUR = r"(?P<h{n}>\d{{1,2}})\s?h\s?(?P<m{n}>\d{{2}})?"
#: A span of clock times: « de 9 h à 12 h », « entre 14h et 17h30 », « 9h-12h ».
_RANGE = re.compile(
    rf"(?:\bde\s+{_HOUR.format(n=1)}\s*(?:à|a|-|–)\s*{_HOUR.format(n=2)}"
    rf"|\bentre\s+{_HOUR.format(n=3)}\s*et\s*{_HOUR.format(n=4)}"
    rf"|(?<![\w,.]){_HOUR.format(n=5)}\s*[-–]\s*{_HOUR.format(n=6)})(?![a-z])",
    re.IGNORECASE,
)
#: What joins two time slots of one day: « de 9 h à 12 h et de 14 h à 17 h ».
_JOINED = re.compile(r"\s*(?:,|et|puis)?\s*")
#: A time of day, not a duration: « à 14 h », « vers 9h30 », « dès 8 h ».
_CLOCK = re.compile(
    r"(?:\bà|\bvers|\bdès|\bavant|\baprès|\bapres|jusqu'à|à partir de)\s+"
    r"\d{1,2}\s?h(?:\s?\d{2})?(?![a-z])",
    re.IGNORECASE,
)
#: Words before a quantity that say it is not what the need asks: the building it is in, a part.
_ASIDE = re.compile(
    r"(?:\b(?:dont|y compris)\s*(?:environ\s*)?"
    r"|\b(?:dans|sur|au sein d')\s*(?:un|une|le|la|l'|les|notre|nos|leur|leurs|ce|cet|cette)"
    r"\s*(?:[\w'-]+\s+){1,3}?(?:de|d'|faisant)\s*(?:environ\s*|plus de\s*)?)$",
    re.IGNORECASE,
)
#: Working-time words without a number, read as a share of a full-time job (ETP).
_WORK_TIME: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\bmi[- ]temps\b", re.IGNORECASE), 0.5),
    (re.compile(r"\btemps plein\b", re.IGNORECASE), 1.0),
)
_AMBIGUOUS_DOT = re.compile(r"\d{1,3}\.\d{3}")
#: Every quantity has a digit or a working-time word: most texts have neither (one pass).
_MAY_HOLD_QUANTITY = re.compile(r"\d|temps", re.IGNORECASE)


def _number(text: str) -> float | None:
    """A French number (``1 200``, ``1.200,5``, ``2,5``), or None when the dot is ambiguous.

    A single dot before three digits (« 1.200 ») is a French thousands separator or an
    English decimal point: 1 200 or 1,2, not guessed.
    """
    compact = re.sub(_SPACE, "", text)
    if _AMBIGUOUS_DOT.fullmatch(compact):
        return None
    if "," in compact or compact.count(".") > 1:
        compact = compact.replace(".", "")
    return float(compact.replace(",", "."))


def format_amount(value: float) -> str:
    """``3``, ``0,5``, ``2,17``: at most two decimals, none when whole."""
    text = fr_number(value, 2)
    return text.rstrip("0").rstrip(",") if "," in text else text


def _count(word: str | None) -> int:
    if not word:
        return 1
    return int(word) if word.isdigit() else _SMALL.get(word.lower(), 1)


#: (unit of the period word, how many) → canonical period.
_PERIODS = {
    ("jour", 1): "jour", ("jour", 7): "semaine", ("jour", 14): "quinzaine",
    ("jour", 15): "quinzaine", ("semaine", 1): "semaine", ("semaine", 2): "quinzaine",
    ("quinzaine", 1): "quinzaine", ("mois", 1): "mois", ("mois", 3): "trimestre",
    ("mois", 6): "semestre", ("mois", 12): "an", ("trimestre", 1): "trimestre",
    ("semestre", 1): "semestre", ("an", 1): "an",
}  # fmt: skip
_ADJECTIVES = {"hebdo": "semaine", "quotid": "jour", "bimens": "quinzaine", "mensu": "mois",
               "trimes": "trimestre", "semest": "semestre", "annue": "an"}  # fmt: skip


def _period(match: re.Match[str]) -> str | None:
    """The canonical period of a period phrase, or None when it is not one of them."""
    groups = match.groupdict()
    adjective = groups.get("adj")
    if adjective:
        folded = fold_accents(adjective.lower())
        return next(p for prefix, p in _ADJECTIVES.items() if folded.startswith(prefix))
    word = fold_accents(match.group("word").lower())
    base = next(
        (p for p in ("jour", "semaine", "quinzaine", "mois", "trimestre", "semestre")
         if word.startswith(p[:3]) or (p == "jour" and word == "j")),
        "an",
    )  # fmt: skip
    return _PERIODS.get((base, _count(groups.get("every"))))


def _skipped_spans(text: str) -> list[tuple[int, int]]:
    """Spans whose numbers are not quantities: period phrases and times of day."""
    spans = [m.span() for m in _PERIOD_ANYWHERE.finditer(text)]
    for m in _CLOCK.finditer(text):
        if not _PERIOD_AFTER.match(text, m.end()):
            spans.append(m.span())
    return spans


def _period_at(text: str, start: int, end: int, unit: str) -> tuple[str | None, int, str | None]:
    """The period of the quantity at ``text[start:end]``: (period, times, unread phrase).

    Read after it (« par semaine », « deux fois par mois »), or, for durations, just before it
    (« chaque mardi de 9 h à 12 h »). A period phrase that is not a calendar period
    (« tous les 10 jours ») is returned as the unread phrase.
    """
    after = _PERIOD_AFTER.match(text, end)
    if after is not None:
        period = _period(after)
        if period is None:
            return None, 1, after.group(0).strip(" ,")
        return period, _count(after.group("times")), None
    if unit in {"heure", "jour"}:
        before = _PERIOD_BEFORE.search(text[max(0, start - 40) : start])
        if before is not None:
            if before.group("weekday") is not None:
                return "semaine", 1, None
            period = _period(before)
            return (period, 1, None) if period else (None, 1, before.group(0).strip())
    return None, 1, None


def _quote(text: str) -> str:
    return f"« {' '.join(text.split())} »"


def read_quantities(text: str | None) -> Reading:
    """Every quantity written in ``text`` in reading order, and what could not be read.

    >>> [format_quantity(q) for q in read_quantities("1 jour tous les 15 jours").quantities]
    ['1 jour par quinzaine']
    >>> read_quantities("Un local de 1.200 m²").doubts
    ['« 1.200 m² » peut se lire 1 200 m² ou 1,2 m²']
    """
    if not text or not _MAY_HOLD_QUANTITY.search(text):
        return Reading([], [])
    found: list[tuple[int, Quantity]] = []
    doubts: list[str] = []
    skipped = _skipped_spans(text)
    previous: tuple[int, str | None] | None = None  # the last time slot's end and period
    for m in _RANGE.finditer(text):
        hours = [h for h in m.groups()]
        h1, m1, h2, m2 = next(hours[i : i + 4] for i in (0, 4, 8) if hours[i] is not None)
        duration = (int(h2) * 60 + int(m2 or 0) - int(h1) * 60 - int(m1 or 0)) / 60
        skipped.append(m.span())
        if not 0 < duration <= 24 or int(h1) > 24 or int(h2) > 24:
            continue
        per, times, unread = _period_at(text, m.start(), m.end(), "heure")
        if unread is not None:
            doubts.append(f"{_quote(m.group(0) + ' ' + unread)} : période non reconnue")
            continue
        if per is None and previous and _JOINED.fullmatch(text[previous[0] : m.start()]):
            per = previous[1]  # « chaque mardi de 9 h à 12 h et de 14 h à 17 h »
        previous = (m.end(), per)
        q = Quantity(duration * times, "heure", per)
        said = f"{_quote(m.group(0))} compté {format_quantity(q)}"
        found.append((m.start(), Quantity(q.value, "heure", per, note=said, span=True)))
    for m in _QUANTITY.finditer(text):
        if any(a <= m.start() < b for a, b in skipped):
            continue
        unit = next(
            _UNIT_WORDS[i][1] for i in range(len(_UNIT_WORDS)) if m.group(f"u{i}") is not None
        )
        minutes = m.group("minutes")
        if minutes is not None and unit != "heure":
            continue
        value = _number(m.group(1))
        if value is None:
            whole, part = m.group(1).split(".")
            label = m.group(0)[len(m.group(1)) :].strip()
            decimal = format_amount(float(f"{whole}.{part}"))
            doubts.append(
                f"{_quote(m.group(0))} peut se lire {whole} {part} {label} ou {decimal} {label}"
            )
            continue
        value += int(minutes) / 60 if minutes else 0.0
        per, times, unread = _period_at(text, m.start(), m.end(), unit)
        if unread is not None:
            doubts.append(f"{_quote(m.group(0) + ' ' + unread)} : période non reconnue")
            continue
        note: str | None = None
        if times > 1:
            after = _PERIOD_AFTER.match(text, m.end())
            note = f"{_quote(text[m.start() : after.end() if after else m.end()])} compté "
            note += format_quantity(Quantity(value * times, unit, per))
        aside = _ASIDE.search(text[max(0, m.start() - 60) : m.start()])
        if aside is not None:
            note = f"{_quote(aside.group(0) + m.group(0))} non compté (ce qui entoure le besoin)"
        found.append((m.start(), Quantity(value * times, unit, per, note, aside is not None)))
    for pattern, share in _WORK_TIME:
        for m in pattern.finditer(text):
            q = Quantity(share, "etp")
            found.append((m.start(), Quantity(share, "etp", note=f"{_quote(m.group(0))} compté "
                                              f"{format_quantity(q)}")))  # fmt: skip
    return Reading([q for _, q in sorted(found, key=lambda f: f[0])], doubts)


def extract_quantities(text: str | None) -> list[Quantity]:
    """Every quantity read in ``text``, in reading order (see :func:`read_quantities`).

    >>> extract_quantities("Salle pour 150 personnes, 2 soirs par mois")[0].value
    150.0
    >>> [format_quantity(q) for q in extract_quantities("Secrétariat 1h30 par semaine")]
    ['1,5 heure par semaine']
    """
    return read_quantities(text).quantities


def format_quantity(quantity: Quantity) -> str:
    """``35 heures par semaine``, ``300 m²``, ``1,5 heure``, ``0,5 ETP``."""
    singular, plural_form = UNIT_LABELS[quantity.unit]
    label = singular if quantity.value < 2 else plural_form
    text = f"{format_amount(quantity.value)} {label}"
    if quantity.per is not None:
        text += f" par {quantity.per}"
    return text


def size_unit(quantity: Quantity) -> str:
    """The unit sizes are compared in: seats and people are both a capacity in people."""
    return "personne" if quantity.unit == "place" else quantity.unit


#: Units whose amount is a capacity a need asks and an offer gives.
_CAPACITY_UNITS = frozenset(
    {"personne", "m2", "m3", "tonne", "kg", "heure", "jour", "repas", "etp"}
)
#: What a too-small offer is, agreeing with « offre » (feminine).
_TOO_SMALL = {"personne": "trop petite", "m2": "trop petite", "m3": "trop petite"}


def _weekly(q: Quantity) -> float | None:
    factor = PER_WEEK.get(q.per) if q.per is not None else None
    return None if factor is None else q.value * factor


def size_fit(need: list[Quantity], offer: list[Quantity]) -> tuple[float, str | None]:
    """How well an offer's size meets a need's: a factor in [0, 1] and a French reason.

    Sizes are compared unit by unit (people or seats, m², m³, hours…; hours per week when
    both say a period); what surrounds the need (``aside``) is not its size. An offer under
    80 % of the need is penalised in proportion (never below 0.3), with a sentence like
    « Offre de 40 places pour un besoin de 150 personnes : trop petite ». Unrelated or
    missing sizes give 1.0 and no reason.
    """
    best: tuple[float, str | None] = (1.0, None)
    for n in need:
        unit = size_unit(n)
        if unit not in _CAPACITY_UNITS or n.value <= 0 or n.aside:
            continue
        for o in offer:
            if size_unit(o) != unit or o.aside:
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
            word = _TOO_SMALL.get(unit, "insuffisante")
            reason = (
                f"Offre de {format_quantity(o)} pour un besoin de {format_quantity(n)} : {word}."
            )
            if factor < best[0]:
                best = (factor, reason)
    return best
