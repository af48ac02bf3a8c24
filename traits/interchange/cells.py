"""Workbook cells as the spreadsheet shows them: the text validation reads for each cell.

A cell holds a value and a format; the field rules read text. A date cell is given as it
shows, ``01/03/2025`` (with its time when it has one), a time ``01:30``, a decimal number
``1,5``. A number formatted as a percentage (« 15 % ») or in a currency other than the euro
(« 1 200,50 $ ») is given as it shows too: the field rules then refuse it as they refuse the
same text typed by hand, and quote it as the person sees it (read as its bare value, 0,15 or
1 200,50, it would silently become euros). Euro formats, units such as « h » and plain
numbers keep their exact value.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from traits.fr import fr_number, fr_short_date

#: Per sheet name, the (row, column) of a cell, both from 0, and its text as shown.
Shown = dict[str, dict[tuple[int, int], str]]


def text(value: object) -> str:
    """One cell's value as the spreadsheet shows it (empty for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        if value.microsecond >= 500_000:  # a spreadsheet's time a hair short of the second
            value = value + dt.timedelta(microseconds=1_000_000 - value.microsecond)
        if value.time() == dt.time():
            return fr_short_date(value)
        return f"{fr_short_date(value)} {_time(value.time())}"
    if isinstance(value, dt.date):
        return fr_short_date(value)
    if isinstance(value, dt.time):
        return _time(value)
    return str(value)


def _time(value: dt.time) -> str:
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


# -- number formats that carry a unit --------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')
_BRACKET = re.compile(r"\[\$([^\]-]*)(?:-[0-9A-Fa-f]+)?\]|\[[^\]]*\]")
_ESCAPED = re.compile(r"\\(.)")
_SIGNS = "$£¥€₣₤₩₹₽₺¢"
_CODES = re.compile(r"\b(USD|GBP|CHF|CAD|JPY|CNY|EUR)\b", re.IGNORECASE)


def unit_of(code: str) -> str | None:
    """``%`` for a percentage format, the sign or code of a currency other than the euro,
    else None (plain numbers, dates, euros, other units such as « h »)."""
    section = code.split(";")[0]
    literal: list[str] = []

    def keep(match: re.Match[str]) -> str:
        literal.append(match.group(1) or "")
        return " "

    bare = _ESCAPED.sub(keep, _QUOTED.sub(keep, _BRACKET.sub(keep, section)))
    if "%" in bare:
        return "%"
    said = "".join(literal) + "".join(c for c in bare if c in _SIGNS)
    if "€" in said or re.search(r"\bEUR\b", said, re.IGNORECASE):
        return None
    sign = next((c for c in said if c in _SIGNS), None)
    code_found = _CODES.search(said)
    return sign or (code_found.group(1).upper() if code_found else None)


def shown_with_unit(value: float, code: str, unit: str) -> str:
    """A number cell formatted with ``unit`` as the spreadsheet shows it (« 15 % »,
    « 1 200,50 $ », « $1 200,50 »), with the format's decimals and French separators."""
    section = code.split(";")[0]
    digits = _BRACKET.sub("", _QUOTED.sub("", section))
    decimals = len(re.findall(r"[0#?]", digits.split(".", 1)[1])) if "." in digits else 0
    if unit == "%":
        return f"{fr_number(value * 100, decimals)} %"
    amount = fr_number(value, decimals)
    first_digit = min((section.find(c) for c in "0#?" if c in section), default=len(section))
    sign_at = section.find(unit) if unit in section else len(section)
    return f"{unit}{amount}" if sign_at < first_digit else f"{amount} {unit}"


def unit_cells(path: Path) -> Shown:
    """The number cells of a workbook whose format carries a percentage or a currency other
    than the euro, as the spreadsheet shows them (:func:`overlay` puts them in the sheets)."""
    suffix = path.suffix.lower()
    if suffix == ".ods":
        return _ods_unit_cells(path)
    if suffix in (".xlsx", ".xlsm") and _xlsx_has_unit_formats(path):
        return _xlsx_unit_cells(path)
    return {}


def overlay(frame: Any, shown: dict[tuple[int, int], str]) -> None:
    """Put the cells of :func:`unit_cells` (one sheet's) into that sheet's data frame."""
    rows, columns = frame.shape
    for (row, column), said in shown.items():
        if row < rows and column < columns:
            frame.iat[row, column] = said


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _xlsx_has_unit_formats(path: Path) -> bool:
    """Whether the workbook's styles hold a percentage or foreign currency format (most hold
    none: then its cells are not read a second time)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return True  # styles elsewhere or unreadable: look at every cell
    custom = {
        int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(f"{_MAIN}numFmt")
    }
    formats = root.find(f"{_MAIN}cellXfs")  # the cells' formats (not the named styles')
    used = {int(xf.get("numFmtId", "0")) for xf in (formats if formats is not None else [])}
    return any(unit_of(custom.get(i) or BUILTIN_FORMATS.get(i, "General")) for i in used)


def _xlsx_unit_cells(path: Path) -> Shown:
    from openpyxl import load_workbook

    out: Shown = {}
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            for r, row in enumerate(sheet.iter_rows(min_row=1, min_col=1)):
                for c, cell in enumerate(row):
                    value = getattr(cell, "value", None)
                    if not isinstance(value, (int, float)) or isinstance(value, bool):
                        continue
                    code = getattr(cell, "number_format", "General") or "General"
                    unit = unit_of(code)
                    if unit is not None:
                        said = shown_with_unit(float(value), code, unit)
                        out.setdefault(sheet.title, {})[(r, c)] = said
    finally:
        book.close()
    return out


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT_P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
_MOST_REPEATS = 16_384


def _ods_unit_cells(path: Path) -> Shown:
    """ODS percentage cells and currency cells in another currency than the euro, with the
    text the spreadsheet stored for them (what it shows), placed as pandas places cells:
    rows and cells repeated, covered cells counted."""
    out: Shown = {}
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
            root = ElementTree.parse(content).getroot()
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return out
    for table in root.iter(f"{_TABLE}table"):
        name, r = table.get(f"{_TABLE}name", ""), 0
        for row in table.iter(f"{_TABLE}table-row"):
            row_repeat = int(row.get(f"{_TABLE}number-rows-repeated", "1"))
            c = 0
            for cell in row:
                if cell.tag not in (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell"):
                    continue
                repeat = int(cell.get(f"{_TABLE}number-columns-repeated", "1"))
                said = _ods_shown(cell)
                if said is not None:
                    for i in range(min(row_repeat, _MOST_REPEATS)):
                        for j in range(min(repeat, _MOST_REPEATS)):
                            out.setdefault(name, {})[(r + i, c + j)] = said
                c += repeat
            r += row_repeat
    return out


def _ods_shown(cell: Any) -> str | None:
    kind = cell.get(f"{_OFFICE}value-type")
    currency = (cell.get(f"{_OFFICE}currency") or "").upper()
    if kind != "percentage" and not (kind == "currency" and currency not in ("", "EUR")):
        return None
    said = "\n".join("".join(p.itertext()) for p in cell.iter(_TEXT_P)).strip()
    if said:
        return said
    value = float(cell.get(f"{_OFFICE}value", "0"))
    return f"{fr_number(value * 100)} %" if kind == "percentage" else f"{value} {currency}"
