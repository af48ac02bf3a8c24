"""An organisation's headcount (« Effectif ») as people type it: a band or a number.

A field rule like those of :mod:`traits.rules` (the import and the forms both call it).
"""

from __future__ import annotations

import datetime as dt
import re

from traits.rules import SPACES, FieldError, quoted, read_date_time

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
    compact = SPACES.sub("", text)
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
            day = read_date_time(text).date()
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
