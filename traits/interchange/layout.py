"""What people add around a table in their sheet: title lines above the headers, a row of
hints under them, totals rows, merged cells, hidden rows.

Each is read the way the sheet shows it and said in a notice (a warning), never silently:
the header row is looked for among the first rows, a row of hints right under it and a totals
row are left out, a cell merged over several rows is read on each of them, hidden and filtered
rows are imported. Used by every reader (CSV files, XLSX and ODS sheets): one code path for
the CLI and the app. See docs/format.md, « Sheets, files and headers ».
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from traits.errors import Problem
from traits.interchange.columns import FileSpec
from traits.interchange.limits import _stream
from traits.rules import fold

#: How many non-empty rows are searched for the header row (title lines above it).
HEADER_SEARCH = 10

RawRows = list[tuple[int, list[str]]]


@dataclass
class SheetLayout:
    """What a workbook says about a sheet beyond its values (lines as the spreadsheet shows)."""

    #: Vertical merges: (column index from 0, first line, last line).
    merges: list[tuple[int, int, int]] = field(default_factory=list)
    #: Hidden rows: line → « masquée » or « filtrée ».
    hidden: dict[int, str] = field(default_factory=dict)


def _known(spec: FileSpec, cells: list[str]) -> set[str]:
    return {c for c in (spec.column_for(cell.strip()) for cell in cells if cell.strip()) if c}


def header_index(spec: FileSpec, raw_rows: RawRows) -> int:
    """Index in ``raw_rows`` of the header row: the first of the first non-empty rows that
    names every required column, else the one naming the most known columns (the first
    non-empty row when none names any)."""
    filled = [i for i, (_, cells) in enumerate(raw_rows) if any(c.strip() for c in cells)]
    required = {col.name for col in spec.columns if col.required}
    best, best_count = (filled[0] if filled else 0), 0
    for i in filled[:HEADER_SEARCH]:
        known = _known(spec, raw_rows[i][1])
        if required <= known and known:
            return i
        if len(known) > best_count:
            best, best_count = i, len(known)
    return best


def above_header_notice(source: str, raw_rows: RawRows, index: int) -> Problem | None:
    """The notice saying which lines above the header row were left out, if any."""
    skipped = [(line, cells) for line, cells in raw_rows[:index] if any(c.strip() for c in cells)]
    if not skipped:
        return None
    header_line = raw_rows[index][0]
    shown = " ; ".join(
        " ".join(c.strip() for c in cells if c.strip())[:60] for _, cells in skipped[:3]
    )
    return Problem(
        f"en-têtes lus ligne {header_line} ; {lines([line for line, _ in skipped])} "
        f"au-dessus ignorée{'s' if len(skipped) > 1 else ''} (« {shown} »). Si des en-têtes "
        "ou des données s'y trouvent, placez les en-têtes sur la première ligne.",
        file=source,
        severity="warning",
    )


#: A totals row starts with one of these words (« Total », « TOTAL 2025 », « Sous-total : »).
_TOTAL = re.compile(r"^(sous )?(total|totaux|totaux generaux|somme|cumul)\b")


def is_total_row(spec: FileSpec, headers: list[str], cells: list[str]) -> bool:
    """A totals row: its first filled cell starts with « total » (« sous-total », « somme »…)
    and a required column is left empty (so it cannot be a record of the table)."""
    first = next((c for c in cells if c.strip()), "")
    if not _TOTAL.match(fold(first)):
        return False
    first_at = cells.index(first)
    for col in spec.columns:
        if col.required and col.name in headers:
            at = headers.index(col.name)
            if at != first_at and not (cells[at].strip() if at < len(cells) else ""):
                return True
    return False


#: Cells that explain a column rather than fill it: a format (« jj/mm/aaaa »), a unit
#: (« en euros »), a note in brackets, an example (« ex : … »), a list of choices (« a / b »).
_HINT = re.compile(
    r"^(\(.*\)|\[.*\]|(jj|aaaa|aa|mm|hh)([ /.:-]+(jj|mm|aaaa|aa|hh|mn|min))+"
    r"|en [^\W\d][\w€ ]*|ex(emple)?\b.*|par ex(emple)?\b.*|.+ / .+|.*(…|\.\.\.))$"
)


def is_hint_row(cells: list[str]) -> bool:
    """A row of explanations under the headers: every filled cell looks like a hint."""
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(_HINT.match(c.lower()) for c in filled)


def fill_merged(raw_rows: RawRows, layout: SheetLayout, header_line: int) -> SheetLayout:
    """Give every row under the headers that a merged cell covers the value shown in it (its
    first cell's); a header merged over a row of hints is left to the header row. Returns the
    layout with only the merges filled (for the notice)."""
    by_line = {line: cells for line, cells in raw_rows}
    filled = SheetLayout(hidden=layout.hidden)
    for column, first, last in layout.merges:
        top = by_line.get(first) if first > header_line else None
        if top is None or column >= len(top) or not top[column].strip():
            continue
        filled.merges.append((column, first, last))
        for line in range(first + 1, last + 1):
            cells = by_line.get(line)
            if cells is None:
                continue
            cells.extend([""] * (column + 1 - len(cells)))
            cells[column] = top[column]
    return filled


def layout_notices(
    source: str, layout: SheetLayout, data_lines: set[int], raw_headers: list[str]
) -> list[Problem]:
    """Notices for the merged cells and hidden rows among the rows read as data."""
    out = []
    merges = [m for m in layout.merges if m[1] in data_lines and m[2] > m[1]]
    if merges:
        ranges = ", ".join(f"{_letter(c)}{a}:{_letter(c)}{b}" for c, a, b in merges[:10])
        columns = sorted({raw_headers[c] for c, _, _ in merges if c < len(raw_headers)})
        out.append(
            Problem(
                f"cellule{'s' if len(merges) > 1 else ''} fusionnée{'s' if len(merges) > 1 else ''}"
                f" ({ranges}{'…' if len(merges) > 10 else ''}) : la valeur affichée a été lue sur "
                "chacune des lignes qu'elle couvre"
                + (f" (colonne « {' », « '.join(columns)} »)" if columns else "")
                + ". Vérifiez que c'est bien ce que vous vouliez.",
                file=source,
                severity="warning",
            )
        )
    hidden = sorted(line for line in layout.hidden if line in data_lines)
    if hidden:
        filtered = any(layout.hidden[line] == "filtrée" for line in hidden)
        out.append(
            Problem(
                f"{lines(hidden)} masquée{'s' if len(hidden) > 1 else ''}"
                + (" (par un filtre)" if filtered else "")
                + f" : importée{'s' if len(hidden) > 1 else ''} comme les autres. Si "
                + ("elles ne doivent" if len(hidden) > 1 else "elle ne doit")
                + " pas l'être, supprimez-"
                + ("les" if len(hidden) > 1 else "la")
                + " du classeur.",
                file=source,
                severity="warning",
            )
        )
    return out


def _letter(index: int) -> str:
    """The spreadsheet's letters for a column index from 0 (0 → A, 26 → AA)."""
    out, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def lines(numbers: list[int], most: int = 10) -> str:
    """« ligne 4 » or « lignes 4, 7 et 3 autres »."""
    shown = ", ".join(str(n) for n in numbers[:most])
    more = f" et {len(numbers) - most} autres" if len(numbers) > most else ""
    return f"ligne{'s' if len(numbers) > 1 else ''} {shown}{more}"


def workbook_layouts(path: Path) -> dict[str, SheetLayout]:
    """Per sheet name, its vertical merges and hidden rows (streamed, like ``limits``)."""
    with zipfile.ZipFile(path) as archive:
        if path.suffix.lower() == ".ods":
            return _ods_layouts(archive)
        return {name: _xlsx_layout(archive, member) for name, member in _xlsx_sheets(archive)}


_TAG = {
    "sheet": re.compile(rb"<(?:\w+:)?sheet\s[^>]*>"),
    "rel": re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>"),
}
_ATTR = re.compile(rb'(?:[\w]+:)?(\w+)="([^"]*)"')


def _attrs(tag: bytes) -> dict[str, str]:
    """A tag's attributes, namespace prefixes dropped, entities decoded."""
    return {k.decode(): html.unescape(v.decode("utf-8")) for k, v in _ATTR.findall(tag)}


def _xlsx_sheets(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, its XML member) for each sheet of an XLSX workbook (read with patterns,
    not an XML parser: no entity of the file is ever expanded)."""
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return []
    targets = {a.get("Id"): a.get("Target", "") for a in map(_attrs, _TAG["rel"].findall(rels))}
    out = []
    for sheet in map(_attrs, _TAG["sheet"].findall(book)):
        target = targets.get(sheet.get("id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        out.append((sheet.get("name", ""), member))
    return out


_XLSX_ROW = re.compile(rb"<(?:\w+:)?row\s[^>]*>")
_XLSX_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(1|true)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_FILTER = re.compile(rb"<(?:\w+:)?filterColumn[\s>]")


def _xlsx_layout(archive: zipfile.ZipFile, member: str) -> SheetLayout:
    layout, filtered = SheetLayout(), False
    try:
        info = archive.getinfo(member)
    except KeyError:
        return layout
    for data in _stream(archive, info):
        filtered = filtered or _FILTER.search(data) is not None
        for tag in _XLSX_ROW.findall(data):
            number = _ROW_NUMBER.search(tag)
            if number and _HIDDEN.search(tag):
                layout.hidden[int(number.group(1))] = "masquée"
        for c1, r1, _c2, r2 in _XLSX_MERGE.findall(data):
            if int(r2) > int(r1):
                layout.merges.append((_column_index(c1), int(r1), int(r2)))
    if filtered:
        layout.hidden = dict.fromkeys(layout.hidden, "filtrée")
    return layout


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


_ODS_TAG = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
)
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'table:number-rows-repeated="(\d+)"')
_ODS_COLS = re.compile(rb'table:number-columns-repeated="(\d+)"')
_ODS_SPAN = re.compile(rb'table:number-rows-spanned="(\d+)"')
_ODS_VISIBILITY = re.compile(rb'table:visibility="(collapse|filter)"')


def _ods_layouts(archive: zipfile.ZipFile) -> dict[str, SheetLayout]:
    """Row spans and hidden rows of each sheet of ``content.xml`` (lines from 1)."""
    try:
        info = archive.getinfo("content.xml")
    except KeyError:
        return {}
    out: dict[str, SheetLayout] = {}
    layout, row, col, repeat = SheetLayout(), 0, 0, 1
    for data in _stream(archive, info):
        for closing, kind, attrs, _closed in _ODS_TAG.findall(data):
            if closing:
                continue
            if kind == b"table":
                name = _ODS_NAME.search(attrs)
                layout, row, repeat = SheetLayout(), 0, 1
                out[html.unescape(name.group(1).decode()) if name else ""] = layout
            elif kind == b"table-row":
                row += repeat
                found = _ODS_ROWS.search(attrs)
                repeat, col = (int(found.group(1)) if found else 1), 0
                hidden = _ODS_VISIBILITY.search(attrs)
                if hidden and repeat < 1000:  # a hidden block of empty rows says nothing
                    what = "filtrée" if hidden.group(1) == b"filter" else "masquée"
                    layout.hidden.update(dict.fromkeys(range(row, row + repeat), what))
            else:
                span = _ODS_SPAN.search(attrs)
                if kind == b"table-cell" and span and int(span.group(1)) > 1:
                    layout.merges.append((col, row, row + int(span.group(1)) - 1))
                found = _ODS_COLS.search(attrs)
                col += int(found.group(1)) if found else 1
    return out


def skipped_notices(
    source: str, hint: tuple[int, list[str]] | None, totals: list[int]
) -> list[Problem]:
    """Notices for the row of hints under the headers and the totals rows left out."""
    out = []
    if hint is not None:
        shown = ", ".join(f"« {c.strip()[:40]} »" for c in hint[1] if c.strip())
        out.append(
            Problem(
                f"ligne {hint[0]} ignorée : elle explique les colonnes ({shown}) au "
                "lieu de les remplir. Si c'est une ligne de données, écrivez-y les valeurs.",
                file=source,
                severity="warning",
            )
        )
    if totals:
        several = len(totals) > 1
        out.append(
            Problem(
                f"{lines(totals)} ignorée{'s' if several else ''} : ligne{'s' if several else ''} "
                "de total (les totaux se calculent à partir des lignes importées).",
                file=source,
                severity="warning",
            )
        )
    return out
