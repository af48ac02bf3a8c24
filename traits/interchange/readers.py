"""Readers: a folder of CSV files, or one XLSX/ODS workbook, into raw tables of text cells.

Only reading happens here (encodings, separators, sheets, row numbers); checking the values is
``validate``'s job. Every failure is an ``InvalidInputError`` naming the file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from traits.errors import InvalidInputError, Problem
from traits.interchange import cells, csvrows, formulas, layout, limits
from traits.interchange.columns import (
    FileSpec,
    file_for,
    files_named_in,
    is_template_sheet,
    sheet_names,
)

#: Neutralised cells start with this quote, followed by one of FORMULA_STARTS (see writers).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".ods"}


@dataclass
class RawTable:
    """One file or sheet: canonical headers and rows of stripped text, with their line numbers."""

    spec: FileSpec
    source: str  # how to name it to a person: "items.csv" or "l'onglet « Besoins et offres »"
    headers: list[str]  # canonical column names, or "" for unknown columns
    raw_headers: list[str]
    rows: list[list[str]]
    line_numbers: list[int]
    problems: list[Problem] = field(default_factory=list)
    header_ok: bool = True  # False when a required column is missing: rows are not checked
    ignored: list[str] = field(default_factory=list)  # the workbook's sheets left unread

    def typed(self, column: str) -> str:
        """The header of a canonical column as the user typed it."""
        if column in self.headers:
            return self.raw_headers[self.headers.index(column)] or column
        return column

    def records(self) -> list[tuple[int, dict[str, str]]]:
        """Each row as (line number, {canonical column: text}), unknown columns left out."""
        out = []
        for line, row in zip(self.line_numbers, self.rows, strict=True):
            record = {h: (row[i] if i < len(row) else "") for i, h in enumerate(self.headers) if h}
            out.append((line, record))
        return out


#: A neutralised cell: quotes then a formula start. The writers add one quote, the readers take
#: one off, so a text that itself starts with quotes before ``=`` survives (``'=x`` → ``''=x``).
_NEUTRALISED = re.compile("^'+[" + re.escape("".join(FORMULA_STARTS)) + "]")


def is_neutralised(text: str) -> bool:
    """Whether the readers would take a leading quote off ``text``."""
    return _NEUTRALISED.match(text) is not None


def unneutralise(text: str) -> str:
    """Undo the writers' formula neutralisation (``'=x`` → ``=x``, ``''=x`` → ``'=x``)."""
    return text[1:] if is_neutralised(text) else text


def decode_lines(data: bytes, source: str) -> tuple[str, list[int]]:
    """Decode each line as UTF-8, else as Windows-1252.

    Returns the text and, when the file mixes both (accented UTF-8 lines beside Windows-1252
    ones), the lines read as Windows-1252.

    A line break never falls inside a UTF-8 character, so a file whose lines were saved by
    different programs is read right line by line. A line readable in neither is refused.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    parts, windows, utf8_accents = [], [], False
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            parts.append(line.decode("utf-8"))
            utf8_accents = utf8_accents or not line.isascii()
            continue
        except UnicodeDecodeError:
            pass
        try:
            parts.append(line.decode("cp1252"))
        except UnicodeDecodeError as exc:
            raise InvalidInputError(
                Problem(
                    f"encodage non reconnu (octet illisible en position {exc.start + 1} de la "
                    "ligne). Enregistrez le fichier en CSV UTF-8 ou en CSV Windows "
                    "(point-virgule).",
                    file=source,
                    row=number,
                )
            ) from None
        windows.append(number)
    return "\n".join(parts), windows if utf8_accents else []


def decode(data: bytes, source: str) -> str:
    """Decode UTF-8 (with or without BOM) or Windows-1252, line by line, or refuse in French."""
    return decode_lines(data, source)[0]


def _cp1252_chars(lo: int, hi: int) -> str:
    out = []
    for byte in range(lo, hi + 1):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


_CONTINUATION = _cp1252_chars(0x80, 0xBF)
_TO_BYTE = {ch: i + 0x80 for i, ch in enumerate(_cp1252_chars(0x80, 0xFF))}
#: UTF-8 read as Windows-1252: a lead (Â Ã Ä Å, or â) then its continuation bytes' characters.
_MOJIBAKE = re.compile(
    f"[\u00c2-\u00c5][{re.escape(_CONTINUATION)}]|\u00e2[{re.escape(_CONTINUATION)}]{{2}}"
)


def mojibake(text: str) -> str | None:
    """The text as it was meant when it holds UTF-8 read as Windows-1252 (« VitrÃ© »), else None."""
    found = False

    def repair(match: re.Match[str]) -> str:
        nonlocal found
        try:
            fixed = bytes(_TO_BYTE[c] for c in match.group(0)).decode("utf-8")
        except (KeyError, UnicodeDecodeError):
            return match.group(0)
        found = True
        return fixed

    repaired = _MOJIBAKE.sub(repair, text)
    return repaired if found else None


def sniff_delimiter(text: str) -> str:
    """``;`` or ``,`` (or a tab), whichever splits the header line into more columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: len(next(csv.reader([first], delimiter=sep), [])) for sep in (";", ",", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ";"))


def _table(
    spec: FileSpec,
    source: str,
    raw_rows: list[tuple[int, list[str]]],
    sheet: layout.SheetLayout | None = None,
    *,
    delimited: bool = False,
) -> RawTable:
    """The table under its header row (title lines above it, a row of hints under it and
    totals rows left out, merged cells read on each row they cover: each said).

    ``delimited``: the rows come from a CSV file, where a row longer than the header row
    (even by empty cells) has had its cells moved by a separator typed in a text.
    """
    if not raw_rows:
        raise InvalidInputError(
            Problem(
                "le fichier est vide : il doit commencer par une ligne d'en-têtes.", file=source
            )
        )
    start = layout.header_index(spec, raw_rows)
    header_line, raw_headers = raw_rows[start]
    if sheet is not None:
        sheet = layout.fill_merged(raw_rows, sheet, header_line)
    raw_headers = [h.strip().lstrip("\ufeff") for h in raw_headers]
    headers: list[str] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    named = {spec.column_for(raw) for raw in raw_headers if raw}
    for raw in raw_headers:
        canonical = spec.column_for(raw) if raw else ""
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
            problems.append(_unknown_column(spec, raw, named, source, header_line))
        seen.add(canonical)
        headers.append(canonical)
    header_ok = True
    for col in spec.columns:
        if col.required and col.name not in seen:
            header_ok = False
            problems.append(
                Problem(
                    f"colonne obligatoire « {col.label} » absente : ajoutez une colonne "
                    f"« {col.label} ».",
                    file=source,
                    row=header_line,
                    column=col.label,
                )
            )
    rows: list[list[str]] = []
    lines: list[int] = []
    hint: tuple[int, list[str]] | None = None
    totals: list[int] = []
    above = layout.above_header_notice(source, raw_rows, start)
    problems.extend([above] if above else [])
    problems.extend(_mojibake_problems(source, header_line, raw_headers, raw_headers))
    for line, row in raw_rows[start + 1 :]:
        cells = [unneutralise(c.strip()) for c in row]
        if not any(cells):
            continue
        if not rows and hint is None and layout.is_hint_row(cells):
            hint = (line, cells)
            continue
        if header_ok and layout.is_total_row(spec, headers, cells):
            totals.append(line)
            continue
        problems.extend(_mojibake_problems(source, line, cells, raw_headers))
        if len(cells) > len(headers) and (delimited or any(cells[len(headers) :])):
            # in a CSV file an extra cell, even empty, means the cells after a separator
            # typed inside a text moved one column to the right
            problems.append(
                Problem(
                    f"{len(cells)} cellules pour {len(headers)} en-têtes : vérifiez le "
                    "séparateur et les guillemets de cette ligne (un séparateur tapé dans un "
                    "texte sans guillemets décale les cellules qui le suivent : entourez ce "
                    "texte de guillemets).",
                    file=source,
                    row=line,
                )
            )
        rows.append(cells)
        lines.append(line)
    problems.extend(layout.skipped_notices(source, hint, totals))
    if sheet is not None:
        problems.extend(layout.layout_notices(source, sheet, set(lines), raw_headers))
    return RawTable(spec, source, headers, raw_headers, rows, lines, problems, header_ok)


def _unknown_column(spec: FileSpec, raw: str, named: set[str], source: str, line: int) -> Problem:
    """An unknown header: ignored with a warning, or refused when it probably means a figure
    the reports count that the sheet has no other column for (its values would be lost)."""
    guess = spec.resembling(raw)
    if guess is None:
        text, severity = f"colonne « {raw} » inconnue, ignorée.", "warning"
    elif guess.figure and guess.name not in named:
        text, severity = (
            f"colonne « {raw} » non reconnue : s'il s'agit de la colonne « {guess.label} », "
            f"nommez-la « {guess.label} » (sinon ses valeurs seraient perdues) ; si elle "
            "contient autre chose, supprimez-la ou renommez-la.",
            "error",
        )
    elif guess.name in named:
        text, severity = (
            f"colonne « {raw} » inconnue, ignorée (la colonne « {guess.label} » est lue à part).",
            "warning",
        )
    else:
        text, severity = (
            f"colonne « {raw} » inconnue, ignorée : si elle contient « {guess.label} », "
            f"nommez-la « {guess.label} ».",
            "warning",
        )
    return Problem(text, file=source, row=line, column=raw, severity=severity)


def _mojibake_problems(
    source: str, line: int, cells: list[str], headers: list[str]
) -> list[Problem]:
    out = []
    for i, text in enumerate(cells):
        meant = mojibake(text) if text else None
        if meant is not None:
            out.append(
                Problem(
                    f"« {_excerpt(text)} » est mal encodé (sans doute « {_excerpt(meant)} ») : le "
                    "texte a été converti deux fois. Corrigez la cellule, ou reprenez le fichier "
                    "d'origine et enregistrez-le à nouveau (en « CSV UTF-8 » pour un CSV).",
                    file=source,
                    row=line,
                    column=headers[i] if i < len(headers) and headers[i] else None,
                )
            )
    return out


def _excerpt(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def read_csv_bytes(data: bytes, spec: FileSpec, source: str) -> RawTable:
    """Read one CSV file's bytes (any of the accepted encodings and separators)."""
    if not data.strip():
        raise InvalidInputError(
            Problem(
                "le fichier est vide : il doit commencer par une ligne d'en-têtes.", file=source
            )
        )
    limits.too_big(source, len(data))
    text, windows = decode_lines(data, source)
    if "\x00" in text:
        raise InvalidInputError(
            Problem(
                "ce n'est pas un fichier texte CSV (caractère nul). Exportez la feuille en CSV.",
                file=source,
            )
        )
    sep = sniff_delimiter(text)
    table = _table(spec, source, csvrows.rows(text, sep, source), delimited=True)
    if windows:
        table.problems.append(
            Problem(
                "encodages mélangés : "
                + layout.lines(windows)
                + " en Windows-1252, les autres en UTF-8 ; chaque ligne a été lue dans son "
                "encodage. Vérifiez les accents de ces lignes.",
                file=source,
                severity="warning",
            )
        )
    return table


def _sheets(path: Path) -> dict[str, Any]:
    """Every sheet of an XLSX or ODS workbook as a data frame of cells (no header row)."""
    import pandas as pd

    limits.check_workbook(path)
    engine = "odf" if path.suffix.lower() == ".ods" else "openpyxl"
    try:
        # odfpy prints a broken document's whole XML (the cells' data) to stdout: keep it quiet.
        with contextlib.redirect_stdout(io.StringIO()):
            sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine=engine)
    except Exception:  # noqa: BLE001 - spreadsheet parsers raise anything on bad bytes
        raise InvalidInputError(
            Problem(
                "classeur illisible (abîmé, ou d'un autre format que son extension). Ouvrez-le "
                "dans votre tableur et enregistrez-le à nouveau au format .xlsx ou .ods.",
                file=path.name,
            )
        ) from None
    shown = cells.unit_cells(path)  # percentages and other currencies, as they show
    for name, frame in sheets.items():
        cells.overlay(frame, shown.get(str(name), {}))
    return {str(name): frame for name, frame in sheets.items()}


def _raw_rows(frame: Any) -> list[tuple[int, list[str]]]:
    """A sheet's rows as (line number, cell texts), leading empty rows left out."""
    raw_rows = [
        (int(idx) + 1, [cells.text(v) for v in row])
        for idx, row in zip(frame.index, frame.itertuples(index=False), strict=True)
    ]
    while raw_rows and not any(raw_rows[0][1]):
        raw_rows.pop(0)
    return raw_rows


def read_sheet(path: Path, spec: FileSpec) -> RawTable:
    """The first sheet of a workbook holding one table (the kit's explanation sheets skipped)."""
    sheets = {n: f for n, f in _sheets(path).items() if not is_template_sheet(n)}
    if not sheets:
        raise InvalidInputError(Problem("le classeur n'a aucune feuille.", file=path.name))
    name, frame = next(iter(sheets.items()))
    sheet = layout.workbook_layouts(path).get(name)
    table = _table(spec, f"{path.name}, onglet « {name} »", _raw_rows(frame), sheet)
    formulas.refuse_unvalued(path, {name: (table.source, table.raw_headers)})
    return table


def missing_structures(ignored: list[str], csv: bool = False) -> Problem:
    """The one error for an import without structures, naming the sheets left unread."""
    if csv:
        return Problem(
            "fichier organisations.csv (ou Structures.csv) introuvable : un territoire a au "
            "moins ses structures."
        )
    plural = "s" if len(ignored) > 1 else ""
    shown = ", ".join(f"« {name} »" for name in ignored)
    return Problem(
        "onglet « Structures » introuvable"
        + (f" (onglet{plural} non reconnu{plural} : {shown})" if ignored else "")
        + " : un territoire a au moins ses structures ; nommez « Structures » l'onglet qui "
        f"les contient (onglets reconnus : {sheet_names()})."
    )


def read_workbook(path: Path) -> dict[str, RawTable]:
    """Read every known sheet of an XLSX or ODS workbook: named as a table (« Besoins et
    offres »), or with a name containing one (« Structures 2025 ») when its headers agree."""
    sheets = _sheets(path)
    layouts = layout.workbook_layouts(path)
    tables: dict[str, RawTable] = {}
    problems: list[Problem] = []
    named: dict[str, str] = {}
    sources: dict[str, tuple[str, list[str]]] = {}
    ignored: list[str] = []
    exact = {n: file_for(n) for n in sheets if not is_template_sheet(n) or file_for(n)}
    ordered = [n for n, s in exact.items() if s] + [n for n, s in exact.items() if not s]
    for sheet_name in ordered:
        source = f"l'onglet « {sheet_name} »"
        found_spec, guessed = exact[sheet_name], exact[sheet_name] is None
        candidates = layout_spec(sheet_name, sheets[sheet_name]) if found_spec is None else []
        if found_spec is None and len(candidates) != 1:
            ignored.append(sheet_name)
            continue
        spec = found_spec or candidates[0]
        if spec.name in named:
            raise InvalidInputError(
                _two_sources(
                    f"feuilles « {named[spec.name]} » et « {sheet_name} »", spec, path.name
                )
            )
        named[spec.name] = sheet_name
        if guessed:
            problems.append(
                Problem(
                    f"onglet « {sheet_name} » lu comme l'onglet « {spec.label} ».",
                    file=path.name,
                    severity="warning",
                )
            )
        try:
            rows = _raw_rows(sheets[sheet_name])
            tables[spec.name] = _table(spec, source, rows, layouts.get(sheet_name))
        except InvalidInputError as exc:
            problems.extend(exc.problems)
        found = tables.get(spec.name)
        sources[sheet_name] = (source, found.raw_headers if found is not None else [])
    formulas.refuse_unvalued(path, sources)  # before validation would read them as empty
    if not tables:
        absent = [] if "organisations" in named else [missing_structures(ignored)]
        raise InvalidInputError([*problems, *absent])
    for table in tables.values():
        table.ignored = ignored
    if "organisations" in named:
        problems.extend(
            Problem(
                f"onglet « {name} » ignoré (onglets reconnus : {sheet_names()}).",
                file=path.name,
                severity="warning",
            )
            for name in ignored
        )
    if problems:
        target = next(iter(tables.values()), None)
        if target is not None:
            target.problems.extend(problems)
        elif any(p.severity == "error" for p in problems):
            raise InvalidInputError(problems)
    return tables


def layout_spec(sheet_name: str, frame: Any) -> list[FileSpec]:
    """The table an unknown sheet name contains, kept when the sheet's header row names at
    least one of its required columns (« Notes de suivi » of other columns stays ignored)."""
    candidates = files_named_in(sheet_name)
    if len(candidates) != 1:
        return candidates
    spec = candidates[0]
    rows = _raw_rows(frame)
    if not rows:
        return []
    headers = {spec.column_for(c) for c in rows[layout.header_index(spec, rows)][1] if c}
    return candidates if any(c.required and c.name in headers for c in spec.columns) else []


def read_source(path: str | Path) -> dict[str, RawTable]:
    """Read a territory: a folder of CSV files, one CSV file, or an XLSX/ODS workbook."""
    path = Path(path)
    if not path.exists():
        raise InvalidInputError(
            Problem(f"« {path} » n'existe pas : vérifiez le chemin.", file=str(path))
        )
    if path.is_dir():
        return _read_folder(path)
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        _check_size(path)
        return read_workbook(path)
    if suffix == ".csv":
        spec = file_for(path.stem)
        if spec is None:
            raise InvalidInputError(
                Problem(
                    "nom de fichier non reconnu : nommez-le comme l'onglet du modèle qu'il "
                    f"contient ({sheet_names()}), ou importez le dossier entier.",
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


def _two_sources(both: str, spec: FileSpec, file: str | None = None) -> Problem:
    return Problem(
        f"les {both} décrivent toutes deux « {spec.label} » : gardez-en une seule "
        "(fusionnez leurs lignes si besoin).",
        file=file,
    )


def _read_folder(folder: Path) -> dict[str, RawTable]:
    """Every recognised CSV file of a folder; two files for one table are refused."""
    files: dict[str, Path] = {}
    ignored: list[Problem] = []
    for file in sorted(folder.iterdir()):
        spec = file_for(file.stem)
        if file.suffix.lower() != ".csv":
            if spec is not None:  # items.xlsx beside the CSV files: say it is not read
                ignored.append(
                    Problem(
                        "fichier ignoré : dans un dossier, seuls les fichiers .csv sont lus "
                        "(importez un classeur à part, ou enregistrez-le en CSV).",
                        file=file.name,
                        severity="warning",
                    )
                )
            continue
        if spec is None:
            ignored.append(
                Problem("fichier ignoré : nom non reconnu.", file=file.name, severity="warning")
            )
        elif spec.name in files:
            raise InvalidInputError(
                _two_sources(f"fichiers « {files[spec.name].name} » et « {file.name} »", spec)
            )
        else:
            files[spec.name] = file
    limits.too_big(folder.name, sum(_size(f) for f in files.values()))
    tables = {
        name: read_csv_bytes(_read_bytes(f), file_for(name), f.name)  # type: ignore[arg-type]
        for name, f in files.items()
    }
    limits.too_many_cells(folder.name, sum(len(r) for t in tables.values() for r in t.rows))
    if tables and ignored:
        next(iter(tables.values())).problems.extend(ignored)
    return tables


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError as exc:
        raise InvalidInputError(
            Problem(f"lecture impossible ({exc.strerror}).", file=path.name)
        ) from None


def _check_size(path: Path) -> None:
    limits.too_big(path.name, _size(path))


def _read_bytes(path: Path) -> bytes:
    _check_size(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(
            Problem(f"lecture impossible ({exc.strerror}).", file=path.name)
        ) from None
