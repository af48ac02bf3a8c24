"""What a file may hold before it is parsed: sizes, cells, and what each format can store.

Workbooks (XLSX, ODS) are zip files: their members' declared sizes, their compression ratios and
their cell grids are inspected by streaming the XML, before any spreadsheet parser runs, so a small
file that inflates to gigabytes is refused in seconds. The same bounds apply to CSV folders and to
what the writers produce, so an export can always be imported again. See ``docs/security.md``.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from traits.errors import InvalidInputError, Problem
from traits.fr import fr_number
from traits.rules import WORKBOOK_CELL_CHARS, XML_ILLEGAL  # noqa: F401 - one definition

#: Bytes of text an import reads: a CSV folder's files together, or a workbook's unzipped XML.
MAX_TEXT_BYTES = 64 * 2**20
#: Cells an import reads (all files or sheets together), counted as the parser would lay them out.
MAX_CELLS = 1_000_000
#: Beyond this ratio of unzipped to zipped size, a workbook member larger than 1 MiB is a bomb.
MAX_RATIO = 200
#: The largest text an XLSX cell holds (Excel's limit; openpyxl would cut it silently).
XLSX_MAX_CELL_CHARS = WORKBOOK_CELL_CHARS

_CHUNK = 1 << 20


def _mib(n: int) -> str:
    return f"{fr_number(n / 2**20, 1 if n < 2**20 else 0)} Mo"


def too_big(name: str, size: int) -> None:
    """Refuse a text of ``size`` bytes over ``MAX_TEXT_BYTES``."""
    limit = MAX_TEXT_BYTES
    if size > limit:
        raise InvalidInputError(
            Problem(
                f"fichier trop volumineux ({_mib(size)} de texte, au plus {_mib(limit)}) : "
                "découpez-le, par exemple un territoire par fichier.",
                file=name,
            )
        )


def too_many_cells(name: str, cells: int) -> None:
    """Refuse an import of more than ``MAX_CELLS`` cells."""
    if cells > MAX_CELLS:
        raise InvalidInputError(
            Problem(
                f"trop de cellules (au plus {fr_number(MAX_CELLS)} pour un import) : "
                + "découpez le fichier, par exemple un territoire par fichier, ou retirez les "
                "feuilles et colonnes inutiles.",
                file=name,
            )
        )


def _stream(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes by chunks, with an overlap so a tag is never cut in two."""
    tail = b""
    with archive.open(member) as handle:
        while chunk := handle.read(_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                cut = len(data)
            yield data[:cut]
            tail = data[cut:]
    if tail:
        yield tail


_XLSX_TAG = re.compile(rb"<(?:\w+:)?(row|c)[\s/>][^>]*>")
_XLSX_REF = re.compile(rb'\br="([A-Z]{0,3})(\d{1,7})"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def xlsx_sheet_cells(chunks: Iterator[bytes]) -> int:
    """Cells openpyxl and pandas lay out for one sheet, at most.

    pandas pads each row, up to the last one holding a cell, to the widest row (a grid); a row
    without cells still costs a step, so the sheet's last row counts at least once.
    """
    cell_rows = last_row = width = row = col = 0
    for data in chunks:
        for match in _XLSX_TAG.finditer(data):
            ref = _XLSX_REF.search(match.group(0))
            if match.group(1) == b"row":
                row, col = (int(ref.group(2)) if ref else row + 1), 0
            else:
                col = _col_number(ref.group(1)) if ref and ref.group(1) else col + 1
                row = int(ref.group(2)) if ref else row
                width, cell_rows = max(width, col), max(cell_rows, row)
            last_row = max(last_row, row)
        if max(cell_rows * width, last_row) > MAX_CELLS:
            break
    return max(cell_rows * width, last_row)


_ODS_TAG = re.compile(
    rb"<table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')
_VALUE = re.compile(rb"\boffice:[\w-]*value=")


class _OdsGrid:
    """The grid pandas' ODS reader builds for one sheet, counted without building it.

    Like pandas: repeated cells and rows are expanded; empty ones only when a value follows them
    (trailing empties are dropped); every row is padded to the widest one.
    """

    def __init__(self) -> None:
        self.rows = self.pending_rows = self.width = 0
        self.row_repeat = self.row_len = self.pending_cells = 0

    def end_row(self) -> None:
        if self.row_len:
            self.rows += self.pending_rows + self.row_repeat
            self.pending_rows = 0
            self.width = max(self.width, self.row_len)
        else:
            self.pending_rows += self.row_repeat
        self.row_repeat = self.row_len = self.pending_cells = 0

    def start_row(self, attrs: bytes, closed: bool) -> None:
        self.end_row()
        found = _ROWS_REPEATED.search(attrs)
        self.row_repeat = int(found.group(1)) if found else 1
        if closed:
            self.end_row()

    def cell(self, empty: bool, attrs: bytes) -> None:
        found = _COLS_REPEATED.search(attrs)
        repeat = int(found.group(1)) if found else 1
        if empty:
            self.pending_cells += repeat
        else:
            self.row_len += self.pending_cells + repeat
            self.pending_cells = 0

    def cells(self) -> int:
        rows = self.rows + (self.pending_rows + self.row_repeat if self.row_len else 0)
        return rows * max(self.width, self.row_len)


def ods_cells(chunks: Iterator[bytes]) -> int:
    """Cells pandas' ODS reader lays out for every sheet of ``content.xml``."""
    done, grid = 0, _OdsGrid()
    for data in chunks:
        for kind, attrs, closed in _ODS_TAG.findall(data):
            if kind == b"table":
                grid.end_row()
                done, grid = done + grid.cells(), _OdsGrid()
            elif kind == b"table-row":
                grid.start_row(attrs, bool(closed))
            else:
                empty = kind == b"covered-table-cell" or (closed and not _VALUE.search(attrs))
                grid.cell(empty, attrs)
            if done + grid.cells() > MAX_CELLS:
                return done + grid.cells()
    grid.end_row()
    return done + grid.cells()


def check_workbook(path: Path) -> None:
    """Refuse a workbook whose unzipped size, compression ratio or cell count is too large."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise InvalidInputError(
            Problem(
                "classeur illisible (ce n'est pas un fichier .xlsx ou .ods valide). Ouvrez-le dans "
                "votre tableur et enregistrez-le à nouveau au format .xlsx ou .ods.",
                file=name,
            )
        ) from None
    with archive:
        members = archive.infolist()
        too_big(name, sum(m.file_size for m in members))
        for member in members:
            if member.file_size > 2**20 and member.file_size > MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise InvalidInputError(
                    Problem(
                        "classeur anormalement compressé (plus de "
                        f"{MAX_RATIO} fois) : il ne ressemble pas à un tableau ; enregistrez-le "
                        "à nouveau depuis votre tableur.",
                        file=name,
                    )
                )
        try:
            _count_cells(archive, name, path.suffix.lower() == ".ods")
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError):
            # a corrupt or lying member (bad checksum, encrypted, unknown compression)
            raise InvalidInputError(
                Problem(
                    "classeur illisible (contenu endommagé ou protégé). Ouvrez-le dans votre "
                    "tableur et enregistrez-le à nouveau en .xlsx ou .ods, sans mot de passe.",
                    file=name,
                )
            ) from None


def _count_cells(archive: zipfile.ZipFile, name: str, ods: bool) -> None:
    # A sheet may sit anywhere its relationships point: every XML member of an XLSX is counted.
    cells = 0
    for member in archive.infolist():
        if ods and member.filename == "content.xml":
            cells += ods_cells(_stream(archive, member))
        elif not ods and member.filename.endswith(".xml"):
            cells += xlsx_sheet_cells(_stream(archive, member))
        too_many_cells(name, cells)
