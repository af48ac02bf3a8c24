"""Readers: a folder of CSV files, or one XLSX/ODS workbook, into raw tables of text cells.

Only reading happens here (encodings, separators, sheets, row numbers); checking the values is
``validate``'s job. Every failure is an ``InvalidInputError`` naming the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from traits.errors import InvalidInputError, Problem
from traits.interchange.columns import FILES, FileSpec, file_for, fold

#: Neutralised cells start with this quote, followed by one of FORMULA_STARTS (see writers).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FILE_BYTES = 200 * 1024 * 1024
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".ods"}


@dataclass
class RawTable:
    """One file or sheet: canonical headers and rows of stripped text, with their line numbers."""

    spec: FileSpec
    source: str  # how to name it to a person: "items.csv" or "territoire.xlsx, feuille « items »"
    headers: list[str]  # canonical column names, or "" for unknown columns
    raw_headers: list[str]
    rows: list[list[str]]
    line_numbers: list[int]
    problems: list[Problem] = field(default_factory=list)
    header_ok: bool = True  # False when a required column is missing: rows are not checked

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Each row as (line number, {canonical column: text}), unknown columns left out."""
        out = []
        for line, row in zip(self.line_numbers, self.rows, strict=True):
            record = {h: (row[i] if i < len(row) else "") for i, h in enumerate(self.headers) if h}
            out.append((line, record))
        return out


def unneutralise(text: str) -> str:
    """Undo the writers' formula neutralisation (``'=x`` → ``=x``)."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        return text[1:]
    return text


def decode(data: bytes, source: str) -> str:
    """Decode UTF-8 (with or without BOM) or Windows-1252, or refuse with a French message."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(
            Problem(
                f"encodage non reconnu (octet illisible à la position {exc.start}). "
                "Enregistrez le fichier en CSV UTF-8 ou en CSV Windows (point-virgule).",
                file=source,
            )
        ) from None


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,`` (or a tab), whichever splits the header line into more columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: len(next(csv.reader([first], delimiter=sep), [])) for sep in (";", ",", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ";"))


def _table(spec: FileSpec, source: str, raw_rows: list[tuple[int, list[str]]]) -> RawTable:
    if not raw_rows:
        raise InvalidInputError(
            Problem(
                "le fichier est vide : il doit commencer par une ligne d'en-têtes.", file=source
            )
        )
    header_line, raw_headers = raw_rows[0]
    raw_headers = [h.strip().lstrip("\ufeff") for h in raw_headers]
    mapping = spec.header_map()
    headers: list[str] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for raw in raw_headers:
        canonical = mapping.get(fold(raw), "") if raw else ""
        if canonical and canonical in seen:
            problems.append(
                Problem(
                    f"la colonne « {raw} » apparaît deux fois ; supprimez l'une des deux.",
                    file=source,
                    row=header_line,
                    column=raw,
                )
            )
            canonical = ""
        elif raw and not canonical:
            problems.append(
                Problem(
                    f"colonne « {raw} » inconnue, ignorée.",
                    file=source,
                    row=header_line,
                    column=raw,
                    severity="warning",
                )
            )
        seen.add(canonical)
        headers.append(canonical)
    header_ok = True
    for col in spec.columns:
        if col.required and col.name not in seen:
            header_ok = False
            hint = " ou ".join(f"« {a} »" for a in (col.name, *col.aliases[:1]))
            problems.append(
                Problem(
                    f"colonne obligatoire « {col.name} » absente : ajoutez une colonne {hint}.",
                    file=source,
                    row=header_line,
                    column=col.name,
                )
            )
    rows, lines = [], []
    for line, row in raw_rows[1:]:
        cells = [unneutralise(c.strip()) for c in row]
        if not any(cells):
            continue
        if len(cells) > len(headers) and any(cells[len(headers) :]):
            problems.append(
                Problem(
                    f"{len(cells)} cellules pour {len(headers)} en-têtes : vérifiez le "
                    "séparateur et les guillemets de cette ligne.",
                    file=source,
                    row=line,
                )
            )
        rows.append(cells)
        lines.append(line)
    return RawTable(spec, source, headers, raw_headers, rows, lines, problems, header_ok)


def read_csv_bytes(data: bytes, spec: FileSpec, source: str) -> RawTable:
    """Read one CSV file's bytes (any of the accepted encodings and separators)."""
    if not data.strip():
        raise InvalidInputError(
            Problem(
                "le fichier est vide : il doit commencer par une ligne d'en-têtes.", file=source
            )
        )
    text = decode(data, source)
    if "\x00" in text:
        raise InvalidInputError(
            Problem(
                "ce n'est pas un fichier texte CSV (caractère nul). Exportez la feuille en CSV.",
                file=source,
            )
        )
    sep = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    raw_rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            raw_rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInputError(
            Problem(f"CSV illisible ({exc}) : vérifiez les guillemets.", file=source, row=start)
        ) from None
    return _table(spec, source, raw_rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_workbook(path: Path) -> dict[str, RawTable]:
    """Read every known sheet of an XLSX or ODS workbook."""
    import pandas as pd

    engine = "odf" if path.suffix.lower() == ".ods" else "openpyxl"
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine=engine)
    except Exception as exc:  # noqa: BLE001 - spreadsheet parsers raise anything on bad bytes
        raise InvalidInputError(
            Problem(
                f"classeur illisible ({type(exc).__name__}). Ouvrez-le dans votre tableur et "
                "enregistrez-le à nouveau au format .xlsx ou .ods.",
                file=path.name,
            )
        ) from None
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    for sheet_name, frame in sheets.items():
        spec = file_for(str(sheet_name))
        source = f"{path.name}, feuille « {sheet_name} »"
        if spec is None:
            problems.append(
                Problem(
                    f"feuille « {sheet_name} » ignorée (noms attendus : "
                    + ", ".join(s.name for s in FILES)
                    + ").",
                    file=path.name,
                    severity="warning",
                )
            )
            continue
        raw_rows = [
            (int(idx) + 1, [_cell_text(v) for v in row])
            for idx, row in zip(frame.index, frame.itertuples(index=False), strict=True)
        ]
        while raw_rows and not any(raw_rows[0][1]):
            raw_rows.pop(0)
        try:
            tables[spec.name] = _table(spec, source, raw_rows)
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        target = next(iter(tables.values()), None)
        if target is not None:
            target.problems.extend(problems)
        elif any(p.severity == "error" for p in problems):
            raise InvalidInputError(problems)
    return tables


def read_source(path: str | Path) -> dict[str, RawTable]:
    """Read a territory: a folder of CSV files, one CSV file, or an XLSX/ODS workbook."""
    path = Path(path)
    if not path.exists():
        raise InvalidInputError(
            Problem(f"« {path} » n'existe pas : vérifiez le chemin.", file=str(path))
        )
    if path.is_dir():
        tables: dict[str, RawTable] = {}
        ignored: list[Problem] = []
        for file in sorted(path.iterdir()):
            if file.suffix.lower() != ".csv":
                continue
            spec = file_for(file.stem)
            if spec is None:
                ignored.append(
                    Problem("fichier ignoré : nom non reconnu.", file=file.name, severity="warning")
                )
                continue
            tables[spec.name] = read_csv_bytes(_read_bytes(file), spec, file.name)
        if tables and ignored:
            next(iter(tables.values())).problems.extend(ignored)
        return tables
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        _check_size(path)
        return read_workbook(path)
    if suffix == ".csv":
        spec = file_for(path.stem)
        if spec is None:
            raise InvalidInputError(
                Problem(
                    "nom de fichier non reconnu : nommez-le organisations.csv, items.csv… "
                    "ou importez le dossier entier.",
                    file=path.name,
                )
            )
        return {spec.name: read_csv_bytes(_read_bytes(path), spec, path.name)}
    raise InvalidInputError(
        Problem(
            "format non pris en charge : donnez un dossier de fichiers CSV, un classeur .xlsx "
            "ou .ods.",
            file=path.name,
        )
    )


def _check_size(path: Path) -> None:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInputError(
            Problem(
                f"fichier trop volumineux (plus de {MAX_FILE_BYTES // 2**20} Mo).", file=path.name
            )
        )


def _read_bytes(path: Path) -> bytes:
    _check_size(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            Problem(f"lecture impossible ({exc.strerror}).", file=path.name)
        ) from None
