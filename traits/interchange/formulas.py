"""Formula cells a workbook gives without their value (written by a program, never opened).

A spreadsheet stores each formula with the value it last computed; a workbook written by a
script (openpyxl, an export tool) often has the formula alone. Read as values, such a cell
looks empty: an import would then clear what the database holds, or call a filled required
cell « missing ». These cells are found here and refused, located, before any validation.
"""

from __future__ import annotations

from pathlib import Path

from traits.errors import InvalidInputError, Problem

MESSAGE = (
    "formule sans valeur calculée (« {formula} ») : traits ne calcule pas les formules. Ouvrez "
    "le classeur dans votre tableur et enregistrez-le (les valeurs seront calculées), ou "
    "remplacez la formule par sa valeur."
)


def formulas_without_value(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    """Per sheet name, the (row, column, formula) of each formula cell with no cached value
    (row and column from 1, as the spreadsheet shows them). Only .xlsx: .ods keeps values."""
    if path.suffix.lower() != ".xlsx":
        return {}
    from openpyxl import load_workbook

    found: dict[str, dict[tuple[int, int], str]] = {}
    book = load_workbook(path, read_only=True, data_only=False)
    try:
        for sheet in book.worksheets:
            for r, row in enumerate(sheet.iter_rows(min_row=1, min_col=1), start=1):
                for c, cell in enumerate(row, start=1):
                    if getattr(cell, "data_type", None) == "f":
                        found.setdefault(sheet.title, {})[(r, c)] = str(cell.value)
    finally:
        book.close()
    if not found:
        return {}
    out: dict[str, list[tuple[int, int, str]]] = {}
    values = load_workbook(path, read_only=True, data_only=True)
    try:
        for title, cells in found.items():
            for r, row in enumerate(values[title].iter_rows(min_row=1, min_col=1), start=1):
                for c, cell in enumerate(row, start=1):
                    if (r, c) in cells and cell.value in (None, ""):
                        out.setdefault(title, []).append((r, c, cells[(r, c)]))
    finally:
        values.close()
    return out


def problems(cells: list[tuple[int, int, str]], source: str, headers: list[str]) -> list[Problem]:
    """One located error per formula cell without value (``headers`` as typed, by column)."""
    out = []
    for row, column, formula in cells:
        header = headers[column - 1] if column - 1 < len(headers) else None
        shown = formula if len(formula) <= 60 else formula[:57] + "…"
        out.append(
            Problem(MESSAGE.format(formula=shown), file=source, row=row, column=header or None)
        )
    return out


def refuse_unvalued(path: Path, sheets: dict[str, tuple[str, list[str]]]) -> None:
    """Refuse the workbook when a sheet read (name → its source and headers as typed) has
    formula cells without value, one located error per cell."""
    found = formulas_without_value(path)
    refused = [
        problem
        for name, (source, headers) in sheets.items()
        for problem in problems(found.get(name, []), source, headers)
    ]
    if refused:
        raise InvalidInputError(refused)
