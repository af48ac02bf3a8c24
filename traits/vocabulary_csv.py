"""Reading a subcategories CSV: the packaged vocabulary, or a territory's own rows typed by
facilitators (French or English headers, French category labels, optional codes)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from traits.errors import InvalidInputError, Problem
from traits.interchange.columns import CATEGORY_VALUES, SUBCATEGORIES
from traits.interchange.readers import WORKBOOK_SUFFIXES, RawTable, read_csv_bytes, read_sheet
from traits.model import LABELS_FR, Category
from traits.rules import fold, quoted, slug

__all__ = ["Subcategory", "read_vocabulary_csv", "subcategory_code"]

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Subcategory:
    """One subcategory of the controlled vocabulary."""

    code: str
    category: str
    label: str
    synonyms: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def _read_table(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> RawTable:
    """The table of a CSV path or buffer, or of a workbook's first sheet (XLSX, ODS)."""
    if isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() in WORKBOOK_SUFFIXES:
        return read_sheet(Path(source), SUBCATEGORIES)
    data, name = _read_bytes(source)
    return read_csv_bytes(data, SUBCATEGORIES, name)


def _read_bytes(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> tuple[bytes, str]:
    """Bytes and display name of a CSV path or buffer."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read(), os.path.basename(os.fspath(source))
    name = getattr(source, "name", None)
    raw = source.read()
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    return data, os.path.basename(name) if isinstance(name, str) else "sous-categories.csv"


def subcategory_code(label: str) -> str:
    """The code made from a label, as the Paramètres form and the reader make it:
    ``Entretien de bateaux`` → ``entretien_de_bateaux`` (``s_`` before a leading digit)."""
    code = slug(label).replace("-", "_")
    return f"s_{code}" if code and not code[0].isalpha() else code


def _category_names() -> str:
    return ", ".join(LABELS_FR[c] for c in Category)


def read_vocabulary_csv(
    path_or_buffer: str | os.PathLike[str] | IO[str] | IO[bytes],
    known: Iterable[Subcategory] = (),
) -> list[Subcategory]:
    """Read and validate a subcategories CSV (``,`` or ``;`` separated) or XLSX/ODS sheet.

    Headers may be French or English (« Libellé », « Catégorie », « Synonymes »,
    « Sous-catégories voisines », optional « Code »), categories French labels or codes.
    Without a code, one is made from the label (:func:`subcategory_code`): a label already in
    ``known`` keeps that subcategory's code (the row replaces it); a made code already taken
    by another subcategory gets a number (``_2``). Neighbours are given by code or by label,
    of ``known`` or of the file.

    Raises
    ------
    InvalidInputError
        With every problem found, in French, located by file, row and header as typed.
    """
    table = _read_table(path_or_buffer)
    if not table.header_ok:
        raise InvalidInputError([p for p in table.problems if p.severity == "error"])
    known = list(known)
    by_label = {fold(k.label): k.code for k in known}
    taken = {k.code: fold(k.label) for k in known}
    problems = [p for p in table.problems if p.severity == "error"]
    rows: list[tuple[Subcategory, int, str]] = []
    labels: dict[str, int] = {}
    codes: dict[str, int] = {}

    def problem(message: str, row_no: int, col: str) -> None:
        problems.append(Problem(message, file=table.source, row=row_no, column=table.typed(col)))

    for row_no, row in table.records():

        def cell(col: str, row: dict[str, str] = row) -> str:
            return row.get(col, "").strip()

        code, category, label = cell("code"), cell("category"), cell("label")
        if not any((code, category, label, cell("synonyms"))):
            continue
        canonical = CATEGORY_VALUES.get(fold(category))
        if canonical is None:
            problem(
                f"catégorie {quoted(category)} inconnue ; choisir parmi {_category_names()}.",
                row_no,
                "category",
            )
        if not label:
            problem("libellé vide : donner le nom de la sous-catégorie.", row_no, "label")
        elif fold(label) in labels:
            problem(
                f"libellé {quoted(label)} déjà donné ligne {labels[fold(label)]} ; "
                "garder une seule ligne par sous-catégorie.",
                row_no,
                "label",
            )
        else:
            labels[fold(label)] = row_no
        if code and not _CODE.match(code):
            problem(
                f"code {quoted(code)} invalide : lettres minuscules sans accent, chiffres et "
                "« _ » ; ou laisser la case vide pour qu'il soit fait à partir du libellé.",
                row_no,
                "code",
            )
            continue
        if code and code in codes:
            problem(
                f"code {quoted(code)} déjà utilisé ligne {codes[code]} ; chaque code doit être "
                "unique (ou laisser la case vide).",
                row_no,
                "code",
            )
        elif not code and label:
            code = by_label.get(fold(label)) or _free_code(subcategory_code(label), taken)
            if not code:
                problem("libellé sans lettre ni chiffre : le réécrire.", row_no, "label")
        if canonical and code and label:
            codes[code], taken[code] = row_no, fold(label)
            sub = Subcategory(code, canonical, label, _split(cell("synonyms")), ())
            rows.append((sub, row_no, cell("related")))
    everyone = [*known, *(sub for sub, _, _ in rows)]
    names = {s.code: s.code for s in everyone} | {fold(s.label): s.code for s in everyone}
    out = []
    for sub, row_no, related in rows:
        neighbours, unknown = _related(related, names, strict=bool(known))
        if unknown:
            problem(
                f"sous-catégories voisines inconnues : {', '.join(unknown)} ; donner le libellé "
                "d'une sous-catégorie existante ou d'une ligne de ce fichier, séparés par « | ».",
                row_no,
                "related",
            )
        out.append(Subcategory(sub.code, sub.category, sub.label, sub.synonyms, neighbours))
    if problems:
        raise InvalidInputError(problems)
    return out


def _related(cell: str, names: dict[str, str], strict: bool) -> tuple[tuple[str, ...], list[str]]:
    """Neighbour codes of a cell (each given by code or by label: ``names`` → code), and the
    names not found. Not ``strict`` (the packaged file, read alone), a well-formed unknown code
    is kept as it is."""
    related: list[str] = []
    unknown: list[str] = []
    for name in _split(cell):
        code = names.get(name) or names.get(fold(name))
        if code is None and not strict and _CODE.match(name):
            code = name
        if code is None:
            unknown.append(quoted(name))
        elif code not in related:
            related.append(code)
    return tuple(related), unknown


def _free_code(code: str, taken: dict[str, str]) -> str:
    """``code``, or ``code_2``, ``code_3``… when another subcategory already has it."""
    if not code or code not in taken:
        return code
    n = 2
    while f"{code}_{n}" in taken:
        n += 1
    return f"{code}_{n}"
