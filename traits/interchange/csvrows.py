"""A CSV text's records with the line each starts on; an unbalanced quote refused where it
opened (strict parsing, and a quoted cell that swallowed lines shaped like rows)."""

from __future__ import annotations

import csv
import io

from traits.errors import InvalidInputError, Problem
from traits.interchange import limits


def rows(text: str, sep: str, source: str) -> list[tuple[int, list[str]]]:
    """Rows with their first line; an unbalanced quote is refused where it opened.

    Strict parsing refuses a quote left open at the end of the file and a closing quote followed
    by text; a quoted cell that swallowed lines shaped like rows of the table is refused too.
    """
    csv.field_size_limit(max(csv.field_size_limit(), limits.MAX_TEXT_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    raw_rows: list[tuple[int, list[str]]] = []
    start, cells, width = 1, 0, 0
    try:
        for row in reader:
            width = width or len(row)
            if reader.line_num > start and width >= 3:
                _refuse_swallowed_rows(row, start, sep, width, source)
            raw_rows.append((start, row))
            cells += len(row)
            limits.too_many_cells(source, cells)
            start = reader.line_num + 1
    except csv.Error:
        opened = _quote_opened(text, start, sep)
        raise InvalidInputError(
            Problem(
                "guillemet ouvert ici et jamais refermé correctement (ou suivi d'autre chose "
                "qu'un séparateur) : vérifiez les guillemets de cette cellule.",
                file=source,
                row=opened,
            )
        ) from None
    return raw_rows


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _refuse_swallowed_rows(row: list[str], start: int, sep: str, width: int, source: str) -> None:
    line = start
    for cell in row:
        inner = cell.splitlines()[1:]
        if any(_row_shaped(part, sep, width) for part in inner):
            raise InvalidInputError(
                Problem(
                    f"la cellule entre guillemets ouverte ici s'étend sur {len(inner) + 1} "
                    "lignes qui ressemblent à des lignes du tableau : un guillemet n'a sans "
                    "doute pas été refermé. Vérifiez les guillemets de cette cellule.",
                    file=source,
                    row=line,
                )
            )
        line += _line_breaks(cell)


def _row_shaped(line: str, sep: str, width: int) -> bool:
    """A line with a separator per column that starts with an id-like word (no space)."""
    first = line.split(sep, 1)[0].strip().strip('"')
    return line.count(sep) >= width - 1 and bool(first) and " " not in first


def _quote_opened(text: str, start: int, sep: str) -> int:
    """The line where the unbalanced quote of the record starting at line ``start`` opened."""
    lines = io.StringIO(text, newline="")
    pos = sum(len(lines.readline()) for _ in range(start - 1))
    line, opened, field_start = start, start, True
    while pos < len(text):
        ch = text[pos]
        if field_start and ch == '"':
            opened, end = line, pos + 1
            while (end := text.find('"', end)) != -1 and text.startswith('"', end + 1):
                end += 2
            if end == -1 or text[end + 1 : end + 2] not in ("", sep, "\r", "\n"):
                return opened
            line += _line_breaks(text[pos:end])
            pos, field_start = end + 1, False
            continue
        if ch in "\r\n":
            line += 0 if ch == "\r" and text.startswith("\n", pos + 1) else 1
        field_start = ch in (sep, "\r", "\n")
        pos += 1
    return opened
