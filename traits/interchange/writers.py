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
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from traits import rules
from traits.errors import InvalidInputError, Problem
from traits.fr import fr_number
from traits.interchange import limits
from traits.interchange.columns import (
    CONTACTS,
    DIAGNOSTICS,
    ITEMS,
    ORGANISATIONS,
    PARTNERSHIP_EVENTS,
    PARTNERSHIP_MEMBERS,
    PARTNERSHIPS,
    TERRITORIES,
    FileSpec,
)
from traits.interchange.readers import (
    FORMULA_STARTS,
    RawTable,
    is_neutralised,
    read_csv_bytes,
    read_workbook,
    unneutralise,
)
from traits.interchange.validate import Parsed
from traits.model import LABELS_FR

_NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (numbers are left alone).

    Text the readers would take a quote off (``'=x``) gets one more, so it reads back whole.
    """
    if text and (text[0] in FORMULA_STARTS and not _NUMBER.match(text) or is_neutralised(text)):
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


def french_cell(value: Any) -> str:
    """Text of one cell of a French workbook: the import reads it back as the same value.

    Labels instead of codes (« besoin », « concrétisé »), « oui »/« non », dates 04/02/2025
    (with the time when there is one), decimal commas.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return f"{value:%d/%m/%Y}"
        return f"{value:%d/%m/%Y %H:%M:%S}" if value.second else f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, list):
        return "|".join(french_cell(v) for v in value)
    if hasattr(value, "value"):
        return neutralise(LABELS_FR.get(value, str(value.value)))
    return neutralise(str(value))


#: Columns read by the ambiguous-dot rule (amounts, hours, quantities; see rules.number).
_GROUPED = frozenset({"value_hours", "value_euros", "value_quantity"})


def _readable_back(column: str, text: str) -> str:
    """« 2.125 » in an amount, hours or a quantity would be refused as ambiguous (« 12.000 »
    is 12 000 in French): written 2.1250, the same number, so that the export imports again."""
    return text + "0" if column in _GROUPED and rules.ambiguous_dot(text) else text


def tables(data: Parsed, *, french: bool = False) -> dict[FileSpec, list[list[str]]]:
    """Rows (header first) of every file of the format, from domain objects.

    ``french``: the templates' French headers and labels (:func:`french_cell`), for people;
    otherwise the format's canonical headers and codes, for other tools.
    """
    write = french_cell if french else cell

    def rows(spec: FileSpec, objects: list[Any], rename: dict[str, str] | None = None) -> list:
        rename = rename or {}
        names = [c.name for c in spec.columns]
        out = [[c.label[:1].upper() + c.label[1:] for c in spec.columns] if french else names]
        for obj in objects:
            is_record = dataclasses.is_dataclass(obj) and not isinstance(obj, type)
            values = dataclasses.asdict(obj) if is_record else obj  # type: ignore[arg-type]
            out.append(
                [_readable_back(col, write(values.get(rename.get(col, col)))) for col in names]
            )
        return out

    events = [e for p in data.partnerships for e in p.history]
    members = [m for p in data.partnerships for m in p.members]
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
        PARTNERSHIP_MEMBERS: rows(PARTNERSHIP_MEMBERS, members),
    }


def csv_bytes(rows: list[list[str]]) -> bytes:
    """UTF-8 with BOM and ``;``: what French spreadsheet software opens without asking."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _unfit(text: str, fmt: str) -> str | None:
    """Why a format cannot hold ``text`` (None: it can)."""
    if fmt == "csv":
        return "caractère nul, que le CSV ne peut pas contenir" if "\x00" in text else None
    if limits.XML_ILLEGAL.search(text):
        return "caractère de contrôle invisible, qu'un classeur ne peut pas contenir"
    if fmt == "ods" and "\r" in text:
        return "retour chariot (fin de ligne Windows), qu'un classeur .ods ne peut pas contenir"
    if fmt == "xlsx" and len(text) > limits.XLSX_MAX_CELL_CHARS:
        return (
            f"{fr_number(len(text))} caractères, plus que les "
            f"{fr_number(limits.XLSX_MAX_CELL_CHARS)} qu'une cellule de classeur .xlsx peut "
            "contenir"
        )
    return None


def check_fits(all_rows: dict[FileSpec, list[list[str]]], fmt: str) -> None:
    """Refuse, before anything is written, what ``fmt`` (csv, xlsx, ods) cannot hold."""
    problems = []
    total = sum(len(r) for rows in all_rows.values() for r in rows)
    if total > limits.MAX_CELLS:
        problems.append(
            Problem(
                f"{fr_number(total)} cellules : plus que ce qu'un import relit "
                f"({fr_number(limits.MAX_CELLS)}) ; exportez un territoire à la fois."
            )
        )
    for spec, rows in all_rows.items():
        header = rows[0]
        for line, row in enumerate(rows[1:], start=2):
            for column, text in zip(header, row, strict=True):
                why = _unfit(text, fmt)
                if why is not None:
                    problems.append(
                        Problem(
                            f"« {row[0]} » : {why}. Exportez dans un autre format (dossier "
                            "CSV) ou corrigez le texte.",
                            file=spec.filename if fmt == "csv" else f"l'onglet « {spec.label} »",
                            row=line,
                            column=column,
                        )
                    )
    if problems:
        raise InvalidInputError(
            problems, summary="export impossible sans perte : rien n'a été écrit."
        )


def check_read_back(rows: list[list[str]], table: RawTable | None, where: str) -> None:
    """Refuse a written file whose reading gives other cells than those written."""
    want = [[unneutralise(c.strip()) for c in row] for row in rows[1:]]
    want = [row for row in want if any(row)]
    got = table.rows if table is not None else []
    width = len(rows[0])
    for line, (a, b) in enumerate(zip(want, got, strict=False), start=2):
        b = (b + [""] * width)[:width]
        for column, x, y in zip(rows[0], a, b, strict=True):
            if x != y:
                raise InvalidInputError(
                    Problem(
                        "le fichier écrit ne se relit pas à l'identique : rien n'a été écrit. "
                        "Exportez dans un autre format (dossier CSV).",
                        file=where,
                        row=line,
                        column=column,
                    )
                )
    if len(want) != len(got):
        raise InvalidInputError(
            Problem(
                f"le fichier écrit se relit avec {len(got)} lignes au lieu de {len(want)} : "
                "rien n'a été écrit.",
                file=where,
            )
        )


def _readable(where: str, several: bool, read: Callable[..., Any], *args: Any) -> Any:
    """What ``read(*args)`` reads back, or a refusal of the export saying why it cannot
    (``several``: the export holds more than one territory, which may be exported apart)."""
    try:
        return read(*args)
    except InvalidInputError as exc:
        apart = (
            "exportez un territoire à la fois, ou dans un autre format"
            if several
            else ("exportez dans un autre format (dossier CSV)")
        )
        raise InvalidInputError(
            Problem(
                "le fichier écrit ne pourrait pas être importé à nouveau "
                f"({exc.problems[0].message.rstrip('.')}) : {apart}.",
                file=where,
            ),
            summary="export impossible sans perte : rien n'a été écrit.",
        ) from None


def write_folder(data: Parsed, folder: str | Path) -> list[Path]:
    """Write every file into ``folder`` (created if needed); each file is replaced atomically.

    Every file is read back from memory before anything is written.
    """
    folder = Path(folder)
    all_rows = tables(data)
    check_fits(all_rows, "csv")
    contents = {}
    for spec, rows in all_rows.items():
        contents[spec] = csv_bytes(rows)
        back = _readable(
            spec.filename,
            len(data.territories) > 1,
            read_csv_bytes,
            contents[spec],
            spec,
            spec.filename,
        )
        check_read_back(rows, back, spec.filename)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInputError(
            Problem(f"dossier impossible à créer ({exc.strerror}).", file=str(folder))
        ) from None
    written = []
    for spec, content in contents.items():
        target = folder / spec.filename
        with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False, suffix=".tmp") as tmp:
            tmp.write(content)
        os.replace(tmp.name, target)
        written.append(target)
    return written


def write_workbook(data: Parsed, path: str | Path, *, french: bool = False) -> Path:
    """Write one XLSX or ODS workbook with one sheet per file, read back before it replaces.

    ``french``: sheets, headers and values as the templates write them (see :func:`tables`).
    """
    import pandas as pd

    path = Path(path)
    fmt = "ods" if path.suffix.lower() == ".ods" else "xlsx"
    all_rows = tables(data, french=french)
    check_fits(all_rows, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp" + path.suffix)
    try:
        with warnings.catch_warnings():
            # pandas warns of Excel's limit for ODS too; check_fits and the read-back decide.
            warnings.filterwarnings("ignore", "Cell contents too long", UserWarning)
            with pd.ExcelWriter(tmp, engine="odf" if fmt == "ods" else "openpyxl") as writer:
                for spec, rows in all_rows.items():
                    frame = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
                    # The templates' French sheet names (the import reads French and English).
                    frame.to_excel(writer, sheet_name=spec.label, index=False)
        back = _readable(path.name, len(data.territories) > 1, read_workbook, tmp)
        for spec, rows in all_rows.items():
            check_read_back(rows, back.get(spec.name), f"{path.name}, onglet « {spec.label} »")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
