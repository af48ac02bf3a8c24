"""Writers: a territory back to the interchange format (CSV folder, XLSX or ODS workbook).

Cells a spreadsheet would run as a formula are neutralised with a leading quote, which the
readers take off again, so an export followed by an import loses nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from traits.errors import InvalidInputError, Problem
from traits.interchange.columns import (
    CONTACTS,
    DIAGNOSTICS,
    ITEMS,
    ORGANISATIONS,
    PARTNERSHIP_EVENTS,
    PARTNERSHIPS,
    TERRITORIES,
    FileSpec,
)
from traits.interchange.readers import FORMULA_STARTS
from traits.interchange.validate import Parsed

_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (numbers are left alone)."""
    if text and text[0] in FORMULA_STARTS and not _NUMBER.match(text):
        return "'" + text
    return text


def cell(value: Any) -> str:
    """Text of one exported cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds") if value.time() else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "|".join(cell(v) for v in value)
    if hasattr(value, "value"):
        return str(value.value)
    return neutralise(str(value))


def tables(data: Parsed) -> dict[FileSpec, list[list[str]]]:
    """Rows (header first) of every file of the format, from domain objects."""

    def rows(spec: FileSpec, objects: list[Any], rename: dict[str, str] | None = None) -> list:
        rename = rename or {}
        header = [c.name for c in spec.columns]
        out = [header]
        for obj in objects:
            values = dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else obj
            out.append([cell(values.get(rename.get(col, col))) for col in header])
        return out

    events = [e for p in data.partnerships for e in p.history]
    return {
        TERRITORIES: rows(TERRITORIES, data.territories),
        ORGANISATIONS: rows(ORGANISATIONS, data.organisations, {"territory": "territory_id"}),
        DIAGNOSTICS: rows(DIAGNOSTICS, data.diagnostics),
        ITEMS: rows(ITEMS, data.items),
        CONTACTS: rows(CONTACTS, data.contacts),
        PARTNERSHIPS: rows(
            PARTNERSHIPS, [{**dataclasses.asdict(p), "history": None} for p in data.partnerships]
        ),
        PARTNERSHIP_EVENTS: rows(PARTNERSHIP_EVENTS, events),
    }


def csv_bytes(rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM and ``;``: what French spreadsheet software opens without asking."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_folder(data: Parsed, folder: str | Path) -> list[Path]:
    """Write every file into ``folder`` (created if needed); each file is replaced atomically."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInputError(
            Problem(f"dossier impossible à créer ({exc.strerror}).", file=str(folder))
        ) from None
    written = []
    for spec, rows in tables(data).items():
        target = folder / spec.filename
        with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False, suffix=".tmp") as tmp:
            tmp.write(csv_bytes(rows))
        os.replace(tmp.name, target)
        written.append(target)
    return written


def write_workbook(data: Parsed, path: str | Path) -> Path:
    """Write one XLSX or ODS workbook with one sheet per file."""
    import pandas as pd

    path = Path(path)
    engine = "odf" if path.suffix.lower() == ".ods" else "openpyxl"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp" + path.suffix)
    with pd.ExcelWriter(tmp, engine=engine) as writer:
        for spec, rows in tables(data).items():
            frame = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
            frame.to_excel(writer, sheet_name=spec.name, index=False)
    os.replace(tmp, path)
    return path
