"""Builders of domain objects shared by the tests (one place, so they cannot drift apart)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from traits.model import Partnership, PartnershipStatus, StatusChange


def partnership(
    pid: str,
    a: str,
    b: str,
    steps: list[tuple[PartnershipStatus, dt.date]],
    *,
    hour: int = 9,
    **kwargs: Any,
) -> Partnership:
    """A partnership whose history goes through ``steps`` (each at ``hour`` o'clock).

    Its status is the last step's and its creation date the first step's; ``kwargs`` are the
    other fields of :class:`Partnership` (need and offer ids, mode, value…).
    """
    history, previous = [], None
    for status, day in steps:
        at = dt.datetime.combine(day, dt.time(hour))
        history.append(StatusChange(pid, at, status, previous))
        previous = status
    return Partnership(pid, a, b, steps[-1][0], created=steps[0][1], history=history, **kwargs)


def workbook(
    path: Path, sheets: dict[str, list[list[object]]], **overrides: list[list[object]]
) -> Path:
    """An XLSX workbook with one sheet per entry, rows as given (header first); ``overrides``
    replace or add sheets, « _ » standing for a space in their names."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    sheets = {**sheets, **{k.replace("_", " "): v for k, v in overrides.items()}}
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path
