"""The report as an XLSX workbook: one sheet per section, numbers as numbers.

Text cells go through the interchange writer's formula neutralisation (one rule for every
spreadsheet the project writes): a cell a spreadsheet would run as a formula gets a quote.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from traits.interchange.writers import neutralise
from traits.report.blocks import (
    Bars,
    Bullets,
    Cell,
    Heading,
    Paragraph,
    Table,
    report_blocks,
    title,
)
from traits.report.figures import Report

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_LIMIT = 31  # what spreadsheets accept
_INTEGER_FORMAT = "#,##0"
_DECIMAL_FORMAT = "#,##0.00"


def _whole_words(text: str, limit: int) -> str:
    """The text cut to ``limit`` characters at most, between words."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0]
    return cut if len(cut) <= limit else text[:limit]


def _sheet_name(text: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters at most, whole words, none of ``[]:*?/\\``)."""
    base = _whole_words(_SHEET_FORBIDDEN.sub(" ", text), _SHEET_LIMIT) or "Bilan"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = _whole_words(base, _SHEET_LIMIT - len(suffix)) + suffix, n + 1
    taken.add(name.lower())
    return name


def _rows(block: Heading | Paragraph | Table | Bars | Bullets) -> list[list[Cell]]:
    """A block's rows in a sheet."""
    rows: list[list[Cell]]
    if isinstance(block, Heading | Paragraph):
        rows = [[block.text]]
    elif isinstance(block, Table):
        rows = [list(block.headers), *block.rows, []]
    elif isinstance(block, Bars):
        rows = [[block.title], [block.label_header, "Nombre"]]
        rows += [[name, value] for name, value in block.values]
        rows.append([])
    else:
        rows = [[item] for item in block.items]
        rows.append([])
    return rows


def to_xlsx(report: Report, path: str | Path) -> Path:
    """Write the report as an ``.xlsx`` workbook, each level-2 section on its own sheet."""
    from openpyxl import Workbook

    path = Path(path)
    book = Workbook()
    sheet = book.active
    taken: set[str] = set()
    sheet.title = _sheet_name("Bilan", taken)
    sheet.append([neutralise(title(report))])
    for block in report_blocks(report):
        if isinstance(block, Heading) and block.level == 2:
            sheet = book.create_sheet(_sheet_name(block.short or block.text, taken))
        for row in _rows(block):
            sheet.append([neutralise(c) if isinstance(c, str) else c for c in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    is_int = float(cell.value).is_integer()
                    cell.number_format = _INTEGER_FORMAT if is_int else _DECIMAL_FORMAT
    for ws in book.worksheets:
        ws.column_dimensions["A"].width = 60
    tmp = path.with_name(path.name + ".tmp" + path.suffix)
    book.save(tmp)
    os.replace(tmp, path)
    return path
