"""Field rules: how one value typed by a person becomes a checked value, written once.

The import (``interchange.validate``), the interview form (``services.diagnostics``), the
territory form and the partnership commands all call these functions, so an e-mail, a SIRET,
a postcode, an amount or a date is accepted or refused the same way everywhere, and on every
database backend (lengths come from ``storage.schema``, checked before anything is written).

Each rule returns the clean value or raises :class:`FieldError` with a French message that
says what to write; the caller adds where (sheet, row, column or form field).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import math
import re
import unicodedata
from functools import cache

import sqlalchemy as sa

from traits import fr
from traits.errors import TraitsError
from traits.storage import schema
from traits.text import fold_accents


class FieldError(TraitsError, ValueError):
    """One value refused; ``message`` is French and says what to write instead."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def quoted(value: object, limit: int = 40) -> str:
    """« value » for a message, cut after ``limit`` characters (messages never carry a whole
    cell: a pasted paragraph, or someone's data, stays out of logs and screens)."""
    text = str(value)
    return f"« {text[:limit]}… »" if len(text) > limit else f"« {text} »"


# -- text keys -----------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive key (headers, names, enum values)."""
    text = fold_accents(text.strip().lower())
    for ch in "_-'’.":
        text = text.replace(ch, " ")
    return " ".join(text.split())


def slug(text: str, limit: int = 80) -> str:
    """A lower-case ASCII identifier from a name: ``Pays de Vitré`` → ``pays-de-vitre``."""
    return re.sub(r"[^a-z0-9]+", "-", fold_accents(text.lower())).strip("-")[:limit]


def stable_id(prefix: str, *parts: str) -> str:
    """An id made from what identifies a row (same row, same id at every import)."""
    key = "\x1f".join(fold(p) for p in parts).encode()
    digest = hashlib.sha1(key, usedforsecurity=False).hexdigest()[:8]
    readable = slug(parts[-1] if parts else "", 40)
    return f"{prefix}-{readable}-{digest}" if readable else f"{prefix}-{digest}"


# -- lengths (from the schema) -------------------------------------------------------------------


#: The longest text a cell of the project's own workbooks holds (Excel's limit): a longer text
#: could be stored but never exported as a workbook again.
WORKBOOK_CELL_CHARS = 32_767
#: Characters XML 1.0 cannot hold, so neither XLSX nor ODS can (tab, line feed and CR can).
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: What a stored text may not hold: every control character but tab and line breaks (C0, DEL,
#: C1), the Unicode line and paragraph separators and the non-characters. None of them is typed
#: on purpose; they come with copy-pastes, and some break a workbook export.
INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
#: Tables the interchange format exports (their texts must fit in a workbook cell).
EXPORTED = frozenset(
    {"territories", "organisations", "diagnostics", "items", "contacts", "partnerships",
     "partnership_events", "partnership_members"}
)  # fmt: skip


@cache
def max_length(table: str, column: str) -> int | None:
    """The most characters ``table.column`` holds: its schema length, else for an exported
    table's text the workbook cell's (None: unbounded or not a text column)."""
    found = schema.metadata.tables.get(table)
    if found is None or column not in found.c:
        return None
    kind = found.c[column].type
    if not isinstance(kind, sa.String):
        return None
    return kind.length or (WORKBOOK_CELL_CHARS if table in EXPORTED else None)


def text_problem(value: str, table: str, column: str) -> str | None:
    """Why a text cannot be stored in ``table.column`` and exported again (None: it can).

    The one rule of the import, the forms and a restore: no control character a workbook
    cannot hold (tab and line breaks are fine), and no more characters than the column holds.
    """
    if INVISIBLE.search(value):
        return (
            "caractère de contrôle invisible (souvent venu d'un copier-coller), qu'un classeur "
            "ne peut pas contenir : retapez ce texte."
        )
    limit = max_length(table, column)
    if limit is not None and len(value) > limit:
        return (
            f"texte trop long ({fr.fr_number(len(value))} caractères, "
            f"{fr.fr_number(limit)} au plus) : raccourcissez-le."
        )
    return None


def check_length(value: str, table: str, column: str) -> str:
    """``value`` if :func:`text_problem` finds nothing; else a FieldError saying why."""
    problem = text_problem(value, table, column)
    if problem is not None:
        raise FieldError(problem)
    return value


def text_problems(table: str, row: dict[str, object]) -> list[tuple[str, str]]:
    """(column, why) for each text of a row about to be written that :func:`text_problem`
    refuses."""
    found = ((c, text_problem(v, table, c)) for c, v in row.items() if isinstance(v, str))
    return [(c, why) for c, why in found if why is not None]


def row_too_long(table: str, row: dict[str, object]) -> list[str]:
    """The columns of a row about to be written whose text exceeds the schema's length."""
    out = []
    for column, value in row.items():
        limit = max_length(table, column)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            out.append(column)
    return out


#: Control, format (invisible) and line/paragraph separator characters have no place in an id.
_INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}
MAX_ID = 120


def identifier(value: str) -> str:
    """An identifier typed by a person: 120 characters at most, one line, nothing invisible."""
    if not 1 <= len(value) <= MAX_ID or any(unicodedata.category(c) in _INVISIBLE for c in value):
        raise FieldError(
            f"identifiant invalide : au plus {MAX_ID} caractères, sans saut de ligne, "
            "tabulation ni caractère invisible."
        )
    return value


# -- identifiers of the French administration ----------------------------------------------------


def plain_digits(value: str, what: str) -> str:
    """``value`` if its digits are the keyboard's 0–9; else a FieldError (digits of another
    script, or full-width ones, look the same but no other tool reads them as numbers)."""
    if any(unicodedata.category(c) == "Nd" and not "0" <= c <= "9" for c in value):
        raise FieldError(
            f"{what} {quoted(value)} : écrivez ses chiffres avec les chiffres 0 à 9 du clavier "
            "(ceux-ci viennent d'une autre écriture ou sont en pleine largeur)."
        )
    return value


def siret(value: str) -> str:
    """A SIRET as 14 digits (spaces, dots and non-breaking spaces dropped), check digit valid."""
    from traits.model import siret_ok

    plain_digits(value, "SIRET")
    digits = re.sub(r"[\s.\u202f\u00a0]", "", value)
    if not digits.isdigit() or len(digits) != 14:
        raise FieldError(f"SIRET {quoted(value)} : il faut 14 chiffres (ou laissez vide).")
    if not siret_ok(digits):
        raise FieldError(
            f"SIRET {quoted(value)} invalide (la clé de contrôle ne correspond pas) : vérifiez-le "
            "sur l'annuaire des entreprises ou laissez vide."
        )
    return digits


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")


def email(value: str) -> str:
    """An e-mail address: one ``@``, a domain with a dot, no space."""
    value = value.strip()
    if not _EMAIL.fullmatch(value):
        raise FieldError(
            f"adresse {quoted(value)} invalide : écrivez-la comme prenom.nom@exemple.fr, "
            "ou laissez vide."
        )
    return check_length(value, "contacts", "email")


def postcode(value: str) -> tuple[str, str | None]:
    """A French postcode: 5 digits (spaces dropped). Returns (postcode, notice or None).

    A 4-digit number is a postcode whose leading 0 the spreadsheet dropped: it is restored,
    with a notice.
    """
    plain_digits(value, "code postal")
    digits = re.sub(r"[\s\u202f\u00a0]", "", value)
    if digits.endswith(".0"):  # a number cell read as a decimal
        digits = digits[:-2]
    if re.fullmatch(r"\d{4}", digits):
        return (
            "0" + digits,
            f"code postal {quoted(value)} lu comme 0{digits} (zéro initial rétabli).",
        )
    if not re.fullmatch(r"\d{5}", digits):
        raise FieldError(
            f"code postal {quoted(value)} invalide : un code postal français a 5 chiffres, "
            "par exemple 35500."
        )
    return digits, None


def phone(value: str) -> tuple[str, str | None]:
    """A phone number kept as typed; returns (number, notice or None).

    A spreadsheet that stored ``02 99 …`` as a number shows 9 digits: that is a French
    number that lost its leading 0, restored with a notice.
    """
    text = plain_digits(value, "numéro de téléphone").strip()
    if text.endswith(".0"):
        text = text[:-2]
    digits = re.sub(r"\D", "", text)
    if text.isdigit() and len(text) == 9 and not text.startswith("0"):
        fixed = "0" + " ".join([text[0]] + [text[i : i + 2] for i in range(1, 9, 2)])
        return fixed, f"numéro {quoted(value)} lu comme {fixed} (zéro initial rétabli)."
    if len(digits) < 9 or re.search(r"[^\d\s.+()\-/]", text):
        raise FieldError(
            f"numéro de téléphone {quoted(value)} illisible : écrivez-le 02 99 12 34 56 "
            "ou +33 2 99 12 34 56."
        )
    return check_length(text, "contacts", "phone"), None


# -- numbers -------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u202f\u00a0]")


def _float(text: str) -> float:
    """A decimal number written the French or the English way: ``1 800,50``, ``1800.5``."""
    compact = _SPACES.sub("", text)
    if compact.count(",") == 1 and "." in compact:  # 1.800,50 or 1,800.50
        if compact.index(".") < compact.index(","):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    compact = compact.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", compact):
        raise ValueError(text)
    return float(compact)


def number(
    value: str | float | int,
    *,
    low: float | None = 0.0,
    high: float | None = None,
    example: str = "1 800,50",
) -> float:
    """A finite number within [low, high] (by default: zero or more).

    ``inf``, ``nan``, ``1e309`` (which overflows to infinity) and negatives are refused
    everywhere: the import, the forms and the commands all come here.
    """
    if isinstance(value, bool):
        raise FieldError(f"{quoted(value)} n'est pas un nombre : écrivez par exemple {example}.")
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        try:
            result = _float(value)
        except (ValueError, OverflowError):
            raise FieldError(
                f"{quoted(value)} n'est pas un nombre : écrivez par exemple {example}."
            ) from None
    if not math.isfinite(result):
        raise FieldError(
            f"{quoted(value)} n'est pas un nombre utilisable (infini ou indéfini) : écrivez par "
            f"exemple {example}."
        )
    if low is not None and result < low:
        what = "positif ou nul" if low == 0 else f"au moins {_fr(low)}"
        raise FieldError(f"{_fr(result)} : le nombre doit être {what}.")
    if high is not None and result > high:
        raise FieldError(f"{_fr(result)} : le nombre doit être au plus {_fr(high)}.")
    return result


def _fr(value: float) -> str:
    text = str(int(value)) if value == int(value) else f"{value:g}"
    return text.replace(".", ",")


_EUROS = re.compile(r"(€|eur(os?)?|euros?)\s*$", re.IGNORECASE)


def euros(value: str | float) -> float:
    """An amount in euros: ``1 800 €``, ``1800,50``, ``1 800,50 €``, ``1800 euros``."""
    if isinstance(value, str):
        value = _EUROS.sub("", value.strip()).strip()
    return number(value, example="1 800,50 €")


_HOURS = re.compile(
    r"^\s*(?P<h>\d+(?:[.,]\d+)?)\s*(?:h|heures?|hrs?)\s*(?P<m>\d{1,2})?\s*(?:min)?\s*$",
    re.IGNORECASE,
)


def hours(value: str | float) -> float:
    """A number of hours: ``20``, ``20h``, ``20 h``, ``1h30`` (1.5), ``2,5 heures``."""
    if isinstance(value, str):
        found = _HOURS.match(value)
        if found:
            minutes = int(found["m"] or 0)
            if minutes >= 60:
                raise FieldError(
                    f"{quoted(value)} : écrivez les minutes de 0 à 59, par exemple 1h30."
                )
            base = number(found["h"], example="20 h ou 1h30")
            return base + minutes / 60
    return number(value, example="20 h ou 1h30")


# -- dates ---------------------------------------------------------------------------------------

MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8,
    "septembre": 9, "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11,
    "decembre": 12, "dec": 12,
}  # fmt: skip
_WORDED = re.compile(r"^(?:\w+\s+)?(\d{1,2})(?:er)?\s+([a-z]+)\.?\s+(\d{4}|\d{2})$")
_NUMERIC = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T](\d{1,2})[:h](\d{2})(?::(\d{2}))?)?"
)
DATE_HINT = "écrivez-la 04/02/2025, 4 février 2025 ou 2025-02-04"


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def date_time(value: str) -> dt.datetime:
    """A date (or date-time) as people type it.

    ISO ``2025-02-04`` (with or without a time), French ``04/02/2025``, ``4/2/25``,
    ``04.02.2025``, ``4-2-2025``, ``4 février 2025``, ``1er mars 2025``, ``mardi 4 févr. 2025``.
    """
    text = value.strip()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    day = month = year = 0
    try:
        found = _NUMERIC.match(text)
        if found and found.end() == len(text):
            day, month, year = int(found[1]), int(found[2]), _year(found[3])
            hour, minute, second = int(found[4] or 0), int(found[5] or 0), int(found[6] or 0)
            return dt.datetime(year, month, day, hour, minute, second)
        found = _WORDED.match(fold(text))
        if found and found[2] in MONTHS:
            day, month, year = int(found[1]), MONTHS[found[2]], _year(found[3])
            return dt.datetime(year, month, day)
    except ValueError:
        raise FieldError(_impossible(value, day, month, year)) from None
    raise FieldError(f"date {quoted(value)} illisible : {DATE_HINT}.")


def _impossible(value: str, day: int, month: int, year: int) -> str:
    """Why a date does not exist, and what to write instead."""
    if not 1 <= month <= 12:
        why = f"il n'y a pas de mois {month} (le jour s'écrit avant le mois)"
    else:
        last = calendar.monthrange(year, month)[1]
        why = (
            f"{fr.MONTHS[month - 1]} {year} n'a que {last} jours"
            if day
            else "il n'y a pas de jour 0"
        )
    return (
        f"date {quoted(value)} impossible : {why}. Écrivez une date du calendrier, par exemple "
        f"04/02/2025 (jour/mois/année)."
    )


def date(value: str) -> dt.date:
    """A date as people type it (see :func:`date_time`); a time part is ignored."""
    return date_time(value).date()


# -- yes / no ------------------------------------------------------------------------------------

_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "oui d accord", "d accord"}
_NO = {"non", "n", "no", "faux", "false", "0"}


def yes_no(value: str) -> bool:
    """An explicit ``oui`` or ``non`` (and their obvious forms); ``x`` or ``OK`` is refused."""
    key = fold(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise FieldError(
        f"{quoted(value)} ne dit pas clairement oui ou non : écrivez « oui » (la personne accepte "
        "d'être contactée) ou « non »."
    )


# -- headcount -----------------------------------------------------------------------------------

#: The headcount bands the templates offer (« Effectif »).
HEADCOUNT_BANDS = ("0", "1-9", "10-49", "50-249", "250+")
HEADCOUNT_HINT = (
    "écrivez une tranche (0, 1-9, 10-49, 50-249 ou 250+) ou un nombre de salariés (par exemple 12)"
)
_RANGE = re.compile(r"(\d+) ?(?:-|–|à) ?(\d+)")
_OR_MORE = re.compile(r"(\d+) ?(?:\+|et plus|ou plus)")
_STAFF = re.compile(r"(\d+) ?(?:salariés?|employés?|personnes?)", re.IGNORECASE)


def _dated_band(day: dt.date) -> str | None:
    """The band a spreadsheet turned into this date: « 1-9 » is 1 September (9 January in
    English), « 10-49 » is 1 October 1949; None for any other date."""
    if (day.month, day.day) in ((9, 1), (1, 9)):
        return "1-9"
    return "10-49" if day == dt.date(1949, 10, 1) else None


def headcount(value: str) -> tuple[str, str | None]:
    """An organisation's headcount (« Effectif »): a band or a whole number; returns
    (headcount, notice or None).

    ``1-9``, ``10 à 49`` (→ ``10-49``), ``250+``, ``250 et plus`` (→ ``250+``), ``12``,
    ``1 200``; ``15 salariés`` is read as ``15`` with a notice. A date is what a spreadsheet
    made of a band typed in a cell not formatted as text: read back to its band with a notice
    (1 September → ``1-9``, October 1949 → ``10-49``), any other date refused.
    """
    text = " ".join(str(value).split())
    text = text[:-2] if text.endswith(".0") else text
    compact = _SPACES.sub("", text)
    if compact.isdigit():
        return str(int(compact)), None
    if match := _RANGE.fullmatch(text):
        low, high = int(match[1]), int(match[2])
        if low <= high:
            return f"{low}-{high}", None
    elif match := _OR_MORE.fullmatch(text):
        return f"{int(match[1])}+", None
    elif match := _STAFF.fullmatch(text):
        return str(int(match[1])), f"effectif {quoted(value)} lu comme {int(match[1])}."
    else:
        try:
            day = date(text)
        except FieldError:
            day = None
        if day is not None:
            band, shown = _dated_band(day), day.strftime("%d/%m/%Y")
            if band is not None:
                return band, (
                    f"la date {shown} est la tranche « {band} » que le tableur a prise pour une "
                    f"date : lue comme « {band} » (mettez la colonne au format texte)."
                )
            raise FieldError(
                f"la date {shown} n'est pas un effectif (le tableur a sans doute transformé ce "
                f"qui était tapé) : mettez la cellule au format texte et {HEADCOUNT_HINT}."
            )
    raise FieldError(f"effectif {quoted(value)} illisible : {HEADCOUNT_HINT}.")
