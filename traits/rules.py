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
    found = INVISIBLE.search(value)
    if found:
        # where by its position only: restore messages never carry the data
        at = found.start() + 1
        where = f"au {at}{'er' if at == 1 else 'e'} caractère"
        return (
            f"caractère de contrôle invisible {where} (souvent venu d'un copier-coller), qu'un "
            "classeur ne peut pas contenir : retapez ce texte."
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


def invisible_at(value: str) -> str | None:
    """Where the first invisible character of ``value`` is, for a message (None: none)."""
    at = next((i for i, c in enumerate(value) if unicodedata.category(c) in _INVISIBLE), None)
    if at is None:
        return None
    char = value[at]
    what = {"\n": "un saut de ligne", "\r": "un saut de ligne", "\t": "une tabulation"}.get(
        char, f"un caractère invisible (U+{ord(char):04X})"
    )
    where = f"après {quoted(value[max(0, at - 30) : at])}" if at else "au début"
    return f"{what} {where}"


def identifier(value: str) -> str:
    """A name or identifier naming a row: 120 characters at most, one line, nothing invisible."""
    hidden = invisible_at(value)
    if hidden is not None:
        raise FieldError(
            f"texte avec {hidden} (souvent venu d'un copier-coller) : effacez-le et retapez ce "
            "nom ou cet identifiant au clavier."
        )
    if not 1 <= len(value) <= MAX_ID:
        raise FieldError(
            f"{quoted(value)} : un nom ou identifiant qui désigne une ligne a au plus {MAX_ID} "
            "caractères ; raccourcissez-le."
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


#: A number as a spreadsheet writes it in scientific notation (« 7,32829E+13 »).
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE]\+?\d+")


def siret(value: str) -> str:
    """A SIRET as 14 digits (spaces, dots and non-breaking spaces dropped), check digit valid."""
    from traits.model import siret_ok

    plain_digits(value, "SIRET")
    digits = re.sub(r"[\s.\u202f\u00a0]", "", value)
    if _SCIENTIFIC.fullmatch(digits):
        raise FieldError(
            f"SIRET {quoted(value)} : le tableur a transformé le SIRET en nombre écrit en notation "
            "scientifique, et des chiffres ont pu être perdus. Mettez la colonne au format texte "
            "et retapez le SIRET (14 chiffres), par exemple 732 829 320 00074."
        )
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

#: Spaces people type between thousands: plain, no-break and narrow no-break.
SPACES = re.compile(r"[\s\u202f\u00a0]")
#: « 12.000 », « 2.500 », « 1.500 » with nothing else: a French thousands separator (12 000) or
#: an English decimal point (12): never guessed, in amounts, hours and quantities.
_DOT_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2}\.\d{3}")
#: Several dots and no comma (« 1.200.000 »): thousands separators, refused like the above.
_DOTS_ONLY = re.compile(r"[+-]?\d{1,3}(?:\.\d{3}){2,}")
_PERCENT = re.compile(r"%\s*$|^\s*%")
#: Currencies other than the euro, as signs or codes (« $ », « 1 200 USD », « CHF 50 »).
_OTHER_CURRENCY = re.compile(
    r"[$£¥₣₤₩₹₽₺¢]|(?<![a-z])(?:usd|gbp|chf|cad|jpy|dollars?|livres?|francs?)(?![a-z])",
    re.IGNORECASE,
)


def _float(text: str) -> float:
    """A decimal number written the French or the English way: ``1 800,50``, ``1800.5``."""
    compact = SPACES.sub("", text)
    if compact.count(",") == 1 and "." in compact:  # 1.800,50 or 1,800.50
        if compact.index(".") < compact.index(","):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    compact = compact.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", compact):
        raise ValueError(text)
    return float(compact)


def ambiguous_dot(text: str) -> bool:
    """Whether ``text`` is a number like « 12.000 »: 12 000 in French, 12 in English."""
    return _DOT_THOUSANDS.fullmatch(SPACES.sub("", text)) is not None


def _dot_problem(text: str, shown: str, example: str) -> str | None:
    """Why a dot makes ``text`` ambiguous in an amount, hours or a quantity (None: it does not).

    In a French sheet a dot separates thousands (« 1.800,50 »); alone before three digits it
    may also be an English decimal point: « 12.000 » is 12 000 or 12, and is not guessed.
    """
    compact = SPACES.sub("", text)
    if ambiguous_dot(compact):
        whole, part = compact.lstrip("+-").split(".")
        decimal = f"{whole},{part.rstrip('0')}" if part.rstrip("0") else whole
        return (
            f"{quoted(shown)} peut se lire {whole} {part} ou {decimal} (en français le point "
            f"sépare les milliers, en anglais les décimales) : écrivez « {whole} {part} » ou "
            f"« {decimal} », avec une virgule pour les décimales."
        )
    if _DOTS_ONLY.fullmatch(compact):
        spaced = compact.lstrip("+-").replace(".", " ")
        return (
            f"{quoted(shown)} : écrivez les milliers séparés par des espaces (« {spaced} ») et "
            f"les décimales après une virgule, par exemple {example}."
        )
    return None


def number(
    value: str | float | int,
    *,
    low: float | None = 0.0,
    high: float | None = None,
    example: str = "1 800,50",
    grouped: bool = False,
    shown: str | None = None,
) -> float:
    """A finite number within [low, high] (by default: zero or more).

    ``inf``, ``nan``, ``1e309`` (which overflows to infinity) and negatives are refused
    everywhere: the import, the forms and the commands all come here. ``grouped``: the number
    counts something (an amount, hours, a quantity), so a dot may be a French thousands
    separator and « 12.000 » is refused as ambiguous (a coordinate's dot is a decimal point).
    ``shown``: the cell as typed, quoted in messages (``value`` may be part of it).
    """
    shown = str(value) if shown is None else shown
    if isinstance(value, bool):
        raise FieldError(f"{quoted(shown)} n'est pas un nombre : écrivez par exemple {example}.")
    if isinstance(value, (int, float)):
        result = float(value)
    else:
        problem = _dot_problem(value, shown, example) if grouped else None
        if problem is not None:
            raise FieldError(problem)
        try:
            result = _float(value)
        except (ValueError, OverflowError):
            raise FieldError(_not_a_number(shown, example)) from None
    if not math.isfinite(result):
        raise FieldError(
            f"{quoted(shown)} n'est pas un nombre utilisable (infini ou indéfini) : écrivez par "
            f"exemple {example}."
        )
    if low is not None and result < low:
        what = "positif ou nul" if low == 0 else f"au moins {_fr(low)}"
        raise FieldError(f"{_fr(result)} : le nombre doit être {what}.")
    if high is not None and result > high:
        raise FieldError(f"{_fr(result)} : le nombre doit être au plus {_fr(high)}.")
    return result


def _not_a_number(shown: str, example: str) -> str:
    """Why a cell is not a number, and what to write: a percentage, another currency and a
    time of day are said as such (a cell formatted so is quoted as the spreadsheet shows it)."""
    if _PERCENT.search(shown):
        return (
            f"{quoted(shown)} est un pourcentage, pas une valeur : écrivez la valeur elle-même, "
            f"par exemple {example}."
        )
    if _OTHER_CURRENCY.search(shown):
        return (
            f"{quoted(shown)} n'est pas en euros : convertissez le montant en euros et écrivez-le "
            "par exemple 1 800,50 €."
        )
    if re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", shown.strip()):
        return (
            f"{quoted(shown)} est une heure de la journée, pas un nombre : écrivez par "
            f"exemple {example}."
        )
    return f"{quoted(shown)} n'est pas un nombre : écrivez par exemple {example}."


def _fr(value: float) -> str:
    text = str(int(value)) if value == int(value) else f"{value:g}"
    return text.replace(".", ",")


_EUROS = re.compile(r"(€|eur(os?)?|euros?)\s*$", re.IGNORECASE)


def euros(value: str | float) -> float:
    """An amount in euros: ``1 800 €``, ``1800,50``, ``1 800,50 €``, ``1800 euros``."""
    shown = str(value).strip()
    if isinstance(value, str):
        value = _EUROS.sub("", value.strip()).strip()
    return number(value, example="1 800,50 €", grouped=True, shown=shown)


def quantity(value: str | float) -> float:
    """A quantity (``12``, ``2,5``, ``1 200``): a dot before three digits is ambiguous."""
    return number(value, example="12 ou 2,5", grouped=True)


_HOURS = re.compile(
    r"^\s*(?P<h>\d+(?:[.,]\d+)?)\s*(?:h|heures?|hrs?)\s*(?P<m>\d{1,2})?\s*(?:min)?\s*$",
    re.IGNORECASE,
)
HOURS_EXAMPLE = "20 h ou 1h30"


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
            base = number(found["h"], example=HOURS_EXAMPLE, grouped=True, shown=value.strip())
            return base + minutes / 60
    return number(value, example=HOURS_EXAMPLE, grouped=True)


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
#: The plausible dates of what the project records (interviews, consents, partnership steps):
#: none before 2000, none more than a year after today (an interview may be planned ahead).
EARLIEST = dt.date(2000, 1, 1)
AHEAD = dt.timedelta(days=366)


def _year(text: str, today: dt.date) -> int:
    """A year as typed: two digits are 20xx unless that lies more than a year ahead, then
    19xx (« 31/12/99 » is 1999, which :func:`plausible` then refuses, saying how it was read)."""
    year = int(text)
    if len(text) != 2:
        return year
    return 2000 + year if 2000 + year <= today.year + 1 else 1900 + year


def read_date_time(value: str, today: dt.date | None = None) -> dt.datetime:
    """A date (or date-time) as people type it, any year (a report's period, a headcount band
    turned into a date); the fields of records use :func:`date_time`.

    ISO ``2025-02-04`` (with or without a time), French ``04/02/2025``, ``4/2/25``,
    ``04.02.2025``, ``4-2-2025``, ``4 février 2025``, ``1er mars 2025``, ``mardi 4 févr. 2025``.
    """
    text, today = value.strip(), today or dt.date.today()
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    day = month = year = 0
    try:
        found = _NUMERIC.match(text)
        if found and found.end() == len(text):
            day, month, year = int(found[1]), int(found[2]), _year(found[3], today)
            hour, minute, second = int(found[4] or 0), int(found[5] or 0), int(found[6] or 0)
            return dt.datetime(year, month, day, hour, minute, second)
        found = _WORDED.match(fold(text))
        if found and found[2] in MONTHS:
            day, month, year = int(found[1]), MONTHS[found[2]], _year(found[3], today)
            return dt.datetime(year, month, day)
    except ValueError:
        raise FieldError(_impossible(value, day, month, year)) from None
    raise FieldError(f"date {quoted(value)} illisible : {DATE_HINT}.")


def plausible(day: dt.date, shown: str, today: dt.date | None = None) -> dt.date:
    """``day`` if a record may carry it (see :data:`EARLIEST` and :data:`AHEAD`); else a
    FieldError quoting the date as typed (``shown``) and saying how it was read."""
    today = today or dt.date.today()
    read = f"date {quoted(shown)}" + (
        f" (lue comme le {fr.fr_date(day)})" if str(day.year) not in shown else ""
    )
    if day < EARLIEST:
        raise FieldError(
            f"{read} : trop ancienne (avant {EARLIEST.year}) pour un entretien, un consentement "
            "ou une étape de partenariat. Vérifiez l'année et écrivez-la en entier, par exemple "
            "04/02/2025."
        )
    if day > today + AHEAD:
        raise FieldError(
            f"{read} : plus d'un an après aujourd'hui, trop loin pour un entretien, un "
            "consentement ou une étape de partenariat. Vérifiez l'année et écrivez-la en entier, "
            "par exemple 04/02/2025."
        )
    return day


def date_time(value: str, today: dt.date | None = None) -> dt.datetime:
    """A date (or date-time) of a record, as people type it (see :func:`read_date_time`),
    refused when implausible (see :func:`plausible`)."""
    found = read_date_time(value, today)
    plausible(found.date(), value.strip(), today)
    return found


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


def date(value: str, today: dt.date | None = None) -> dt.date:
    """A date of a record as people type it (see :func:`date_time`); a time part is ignored."""
    return date_time(value, today).date()


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
