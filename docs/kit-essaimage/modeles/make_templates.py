"""Build the workbook templates of the kit from the CSV templates, so both stay identical.

    python docs/kit-essaimage/modeles/make_templates.py

Reads ``csv/*.csv`` (UTF-8 with BOM, ``;``) and writes ``modele-territoire.xlsx`` and
``modele-territoire.ods``, one sheet per file, each sheet named after its file
(``organisations``, ``items``…), every cell kept as text. Needs pandas, openpyxl and odfpy
(all three are dependencies of ``traits``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
CSV_DIR = HERE / "csv"
#: Sheets in the order a facilitator fills them (references point backwards).
FILES = ("organisations", "items", "diagnostics", "contacts", "partnerships")
WORKBOOKS = ("modele-territoire.xlsx", "modele-territoire.ods")


def read_template(name: str) -> pd.DataFrame:
    """One CSV template, every cell as text (empty cells stay empty)."""
    return pd.read_csv(
        CSV_DIR / f"{name}.csv",
        sep=";",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )


def build(target_dir: Path = HERE) -> list[Path]:
    """Write both workbooks into ``target_dir``; return their paths."""
    frames = {name: read_template(name) for name in FILES}
    written = []
    for filename in WORKBOOKS:
        path = Path(target_dir) / filename
        engine = "odf" if path.suffix == ".ods" else "openpyxl"
        with pd.ExcelWriter(path, engine=engine) as writer:
            for name, frame in frames.items():
                frame.to_excel(writer, sheet_name=name, index=False)
                if engine == "openpyxl":
                    sheet = writer.sheets[name]
                    for column in sheet.columns:
                        width = max(len(str(cell.value or "")) for cell in column)
                        sheet.column_dimensions[column[0].column_letter].width = min(
                            max(width + 2, 12), 60
                        )
        written.append(path)
    return written


def main() -> int:
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"écrit : {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
