"""One spreadsheet row being validated: typed getters that apply the field rules.

Every problem is located the way the person sees their file: the sheet (or file), the row
number the spreadsheet shows, and the header as they typed it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

from traits import rules
from traits.errors import Problem
from traits.interchange.columns import enum_value, fold
from traits.interchange.readers import RawTable
from traits.model import LABELS_FR

T = TypeVar("T")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?$")

#: Interchange column → (table, column) of the schema where it is stored, when names differ.
_STORED_AS = {
    ("organisations", "territory"): ("organisations", "territory_id"),
}


def header_as_typed(table: RawTable, column: str) -> str:
    """The header of ``column`` as the file spells it (the canonical name if absent)."""
    if column in table.headers:
        return table.typed(column)
    spec_column = next((c for c in table.spec.columns if c.name == column), None)
    if spec_column is not None and spec_column.aliases:
        return spec_column.aliases[0]
    return column


def french_values(values: dict[str, str]) -> str:
    """The French words accepted for an enumeration: « besoin » ou « offre »."""
    labels = sorted({LABELS_FR.get(v, v) for v in values.values()})
    quoted = [f"« {label} »" for label in labels]
    return ", ".join(quoted[:-1]) + " ou " + quoted[-1] if len(quoted) > 1 else quoted[0]


class Row:
    """One row: getters return clean values (or None) and record located problems."""

    def __init__(self, table: RawTable, line: int, record: dict[str, str], out: list[Problem]):
        self.table, self.line, self.record, self.out = table, line, record, out
        self.ok = True

    def header(self, column: str) -> str:
        """The column's header as typed in this file."""
        return header_as_typed(self.table, column)

    def error(self, column: str | None, message: str) -> None:
        """Record an error: the row will not be imported (nor anything else)."""
        self.ok = False
        where = self.header(column) if column else None
        self.out.append(Problem(message, file=self.table.source, row=self.line, column=where))

    def warn(self, column: str | None, message: str) -> None:
        """Record a warning: the row is imported, the person is told."""
        where = self.header(column) if column else None
        self.out.append(Problem(message, self.table.source, self.line, where, severity="warning"))

    def raw(self, column: str) -> str:
        """The cell as read (stripped), empty when absent."""
        return self.record.get(column, "").strip()

    def shown(self, column: str) -> str:
        """The cell as the spreadsheet shows it: a date cell (read as 2025-01-28) in French."""
        value = self.raw(column)
        if _ISO_DATE.match(value):
            day = dt.date.fromisoformat(value[:10])
            return day.strftime("%d/%m/%Y") + value[10:].replace("T", " ")
        return value

    def value(self, column: str, required: bool = False) -> str | None:
        """The cell's text, or None (an error when required): for words that are looked up."""
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, "valeur obligatoire manquante : remplissez cette cellule.")
            return None
        return value

    def text(self, column: str, required: bool = False) -> str | None:
        """Free text, within the length the database holds for it."""
        value = self.value(column, required)
        if value is None:
            return None
        table, stored = _STORED_AS.get(
            (self.table.spec.name, column), (self.table.spec.name, column)
        )
        return self.rule(column, lambda v: rules.check_length(v, table, stored), value)

    def rule(self, column: str, rule: Callable[[str], T], value: str | None = None) -> T | None:
        """Apply a field rule to the cell (or to ``value``); a refusal becomes a located error."""
        value = self.raw(column) if value is None else value
        if not value:
            return None
        try:
            return rule(value)
        except rules.FieldError as exc:
            self.error(column, exc.message)
            return None

    def noted(self, column: str, rule: Callable[[str], tuple[str, str | None]]) -> str | None:
        """Apply a rule that may restore a value (a lost leading zero), saying so."""
        found = self.rule(column, rule)
        if found is None:
            return None
        value, notice = found
        if notice:
            self.warn(column, notice)
        return value

    def ident(self, column: str, required: bool = True) -> str | None:
        """An identifier (one line, 120 characters at most)."""
        value = self.value(column, required)
        return None if value is None else self.rule(column, rules.identifier, value)

    def enum(
        self,
        column: str,
        values: dict[str, str],
        what: str,
        required: bool = True,
        ambiguous: dict[str, str] | None = None,
    ) -> str | None:
        """One of an enumeration's values, typed in French or English. With ``ambiguous``
        (words naming two values), a note in brackets is allowed (« Entreprise adaptée (EA) »)
        and an ambiguous word is refused, saying why."""
        value = self.value(column, required)
        if value is None:
            return None
        canonical = enum_value(values, value, note=ambiguous is not None)
        why = (ambiguous or {}).get(fold(value))
        if why is not None:
            canonical = None
            self.error(column, f"{why} : écrivez {french_values(values)}.")
        elif canonical is None:
            self.error(column, f"{what} « {value} » inconnu(e) : écrivez {french_values(values)}.")
        return canonical

    def number(
        self, column: str, low: float | None = 0.0, high: float | None = None
    ) -> float | None:
        """A finite number within bounds (zero or more by default)."""
        return self.rule(column, lambda v: rules.number(v, low=low, high=high))

    def date(self, column: str, required: bool = False) -> dt.date | None:
        """A date as people type it."""
        if required and not self.raw(column):
            self.error(column, "date obligatoire manquante : " + rules.DATE_HINT + ".")
            return None
        return self.rule(column, rules.date)

    def datetime(self, column: str, required: bool = False) -> dt.datetime | None:
        """A date, possibly with a time."""
        if required and not self.raw(column):
            self.error(column, "date obligatoire manquante : " + rules.DATE_HINT + ".")
            return None
        return self.rule(column, rules.date_time)
