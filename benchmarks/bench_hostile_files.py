"""How fast hostile workbooks and CSV files are refused (issue 11, item 12).

Builds, in a temporary folder: an XLSX of a few MB whose sheet inflates to 1 GB; an XLSX of two
cells 1,048,576 rows apart; an ODS of one cell repeated 100,000 × 1,000 times; a CSV of more than
a million cells. Each must be refused in seconds, before any spreadsheet parser runs.

Usage: python benchmarks/bench_hostile_files.py [--inflated-mb 1024]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import zipfile
from pathlib import Path

from traits.errors import InvalidInputError
from traits.interchange.readers import read_source

ROW = b'<row><c t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>'


def inflating_xlsx(path: Path, megabytes: int) -> Path:
    """An XLSX whose one sheet inflates to ``megabytes`` of XML."""
    block = ROW * (2**20 // len(ROW))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(megabytes):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


FAR_CELLS = (
    b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
)
REPEATED = (
    b'<office:document-content><table:table table:name="items">'
    b'<table:table-row table:number-rows-repeated="100000">'
    b'<table:table-cell table:number-columns-repeated="1000"><text:p>x</text:p>'
    b"</table:table-cell></table:table-row></table:table></office:document-content>"
)


def zipped(path: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(member, data)
    return path


def many_cells_csv(folder: Path) -> Path:
    folder.mkdir()
    (folder / "organisations.csv").write_text("org_id;name;kind\na;A;ess\n")
    rows = "".join(f"n{i};a;need;skills;T;\n" for i in range(200_000))
    (folder / "items.csv").write_text(
        "item_id;org_id;direction;category;title;description\n" + rows
    )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inflated-mb", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = {
            f"XLSX inflating to {args.inflated_mb} MB": inflating_xlsx(
                tmp / "bombe.xlsx", args.inflated_mb
            ),
            "XLSX, 2 cells 1,048,576 rows apart": zipped(
                tmp / "grille.xlsx", "xl/worksheets/sheet1.xml", FAR_CELLS
            ),
            "ODS, 1 cell repeated 10^8 times": zipped(tmp / "repete.ods", "content.xml", REPEATED),
            "CSV folder, 1.2 million cells": many_cells_csv(tmp / "csv"),
        }
        for label, path in cases.items():
            size = sum(f.stat().st_size for f in ([path] if path.is_file() else path.iterdir()))
            t0 = time.perf_counter()
            try:
                read_source(path)
                outcome = "ACCEPTED (should have been refused)"
            except InvalidInputError as exc:
                outcome = "refused: " + exc.problems[0].message[:70]
            elapsed = time.perf_counter() - t0
            print(f"{label:38} {size / 2**20:7.1f} MB on disk  {elapsed:6.2f} s  {outcome}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the whole run: {rss:.0f} MB")


if __name__ == "__main__":
    main()
