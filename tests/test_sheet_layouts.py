"""Sheets laid out the way facilitators lay them out (probe « sheets3 », defects 4 to 7 and the
note on hidden rows): a title above the headers, a row of hints under them, a totals row, a
structure cell merged over its items, hidden or filtered rows, a sheet named « STRUCTURES
2025 », structure types written the usual French way. Each is read as the sheet shows it and
said in a notice, or refused with one message saying what to do; never dropped silently.

The app's preview and the CLI import read through the same function (``preview_import`` and
``import_territory``); both are checked. All organisations are fictional.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from factories import workbook
from openpyxl import load_workbook
from test_import_messages import ENTRETIENS  # the same two interviews

from traits.errors import InvalidInputError, Problem
from traits.interchange import readers, validate
from traits.services import import_territory, preview_import
from traits.services.territories import create_territory, get_territory
from traits.storage import Store

STRUCTURES = [
    ["Nom", "Type", "Commune"],
    ["Atelier du Lié", "association", "Loudéac"],
    ["Garage Kerlann", "entreprise", "Pontivy"],
    ["Traiteur Le Dû", "entreprise", "Rohan"],
]
BESOINS = [
    ["Structure", "Sens", "Catégorie", "Intitulé", "Date de l'entretien"],
    ["Atelier du Lié", "besoin", "matériel", "Camion benne", "28/01/2025"],
    ["Atelier du Lié", "offre", "compétences", "Réparation de vélos", None],
    ["Garage Kerlann", "offre", "matériel", "Prêt de camion", "04/02/2025"],
]
PARTENARIATS = [
    ["Structure qui a le besoin", "Besoin", "Structure qui offre", "Offre", "Statut", "Montant"],
    ["Atelier du Lié", "Camion benne", "Garage Kerlann", "Prêt de camion", "réalisé", "1 200 €"],
]
SHEETS = {
    "Structures": STRUCTURES,
    "Entretiens": ENTRETIENS,
    "Besoins et offres": BESOINS,
    "Partenariats": PARTENARIATS,
}


def _book(path: Path, sheets: dict[str, list[list[object]]] | None = None, **over: object) -> Path:
    return workbook(path, sheets or SHEETS, **over)  # type: ignore[arg-type]


def _parse(path: Path) -> validate.Parsed:
    return validate.validate(readers.read_source(path))


def _texts(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def _errors(parsed: validate.Parsed) -> list[str]:
    return _texts(parsed.errors)


def _warnings(parsed: validate.Parsed) -> list[str]:
    return _texts(parsed.warnings)


# -- defect 4: title lines, hint rows, totals rows ---------------------------------------------


TITLE = [["Pôle ESS du Centre – suivi 2025"], []]


def test_title_lines_above_the_headers_are_said_and_the_rows_read(tmp_path: Path):
    sheets = {name: [*TITLE, *rows] for name, rows in SHEETS.items()}
    parsed = _parse(_book(tmp_path / "t.xlsx", sheets))
    assert _errors(parsed) == []
    assert len(parsed.organisations) == 3 and len(parsed.items) == 3
    said = [w for w in _warnings(parsed) if "en-têtes lus ligne 3" in w]
    assert len(said) == 4 and "Pôle ESS du Centre" in said[0]


def test_a_title_line_in_a_csv_file_is_read_the_same_way(tmp_path: Path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "Structures.csv").write_text(
        "Suivi 2025;;\nNom;Type;Commune\nAtelier du Lié;association;Loudéac\n", "utf-8"
    )
    parsed = _parse(folder)
    assert _errors(parsed) == [] and [o.name for o in parsed.organisations] == ["Atelier du Lié"]
    assert any("en-têtes lus ligne 2" in w for w in _warnings(parsed))


def test_headers_not_found_still_say_which_column_is_missing(tmp_path: Path):
    sheets = {**SHEETS, "Structures": [["Suivi"], ["Nom", "Commune"], ["Atelier", "Loudéac"]]}
    errors = _errors(_parse(_book(tmp_path / "m.xlsx", sheets)))
    assert any("colonne obligatoire « type » absente" in e for e in errors)


@pytest.mark.parametrize("label", ["Total", "TOTAL 2025", "Sous-total :", "Totaux"])
def test_a_totals_row_is_left_out_with_a_notice(tmp_path: Path, label: str):
    partenariats = [*PARTENARIATS, [], [label, None, None, None, None, "1 200 €"]]
    parsed = _parse(_book(tmp_path / "s.xlsx", Partenariats=partenariats))
    assert _errors(parsed) == [] and len(parsed.partnerships) == 1
    assert any("ligne 4 ignorée : ligne de total" in w for w in _warnings(parsed))


def test_a_structure_whose_name_starts_with_total_is_not_a_totals_row(tmp_path: Path):
    structures = [*STRUCTURES, ["Total Rénovation", "entreprise", "Pontivy"]]
    parsed = _parse(_book(tmp_path / "n.xlsx", Structures=structures))
    assert "Total Rénovation" in [o.name for o in parsed.organisations]
    assert not any("total" in w for w in _warnings(parsed))


def test_a_totals_row_in_the_structures_sheet_is_never_a_structure(tmp_path: Path):
    structures = [*STRUCTURES, ["Total : 3 structures", None, None]]
    parsed = _parse(_book(tmp_path / "u.xlsx", Structures=structures))
    assert _errors(parsed) == [] and len(parsed.organisations) == 3


def test_a_row_of_hints_under_the_headers_is_left_out_with_a_notice(tmp_path: Path):
    entretiens = [ENTRETIENS[0], ["(nom exact)", "jj/mm/aaaa"], *ENTRETIENS[1:]]
    partenariats = [PARTENARIATS[0], [None, None, None, None, "piste / concrétisé…", "en euros"],
                    *PARTENARIATS[1:]]  # fmt: skip
    book = _book(tmp_path / "h.xlsx", Entretiens=entretiens, Partenariats=partenariats)
    parsed = _parse(book)
    assert _errors(parsed) == []
    assert len(parsed.diagnostics) == 2 and len(parsed.partnerships) == 1
    hints = [w for w in _warnings(parsed) if "ligne 2 ignorée : elle explique les colonnes" in w]
    assert len(hints) == 2 and "« jj/mm/aaaa »" in hints[0]


def test_a_data_row_under_the_headers_is_never_taken_for_hints(tmp_path: Path):
    entretiens = [ENTRETIENS[0], ["Traiteur Le Dû", "03/03/2025"], *ENTRETIENS[1:]]
    parsed = _parse(_book(tmp_path / "d.xlsx", Entretiens=entretiens))
    assert len(parsed.diagnostics) == 3 and not any("explique" in w for w in _warnings(parsed))


def test_preview_and_import_read_the_layout_alike(store: Store, tmp_path: Path):
    sheets = {name: [*TITLE, *rows] for name, rows in SHEETS.items()}
    sheets["Partenariats"] = [*sheets["Partenariats"], ["Total", None, None, None, None, "1 €"]]
    book = _book(tmp_path / "p.xlsx", sheets)
    create_territory(store, "centre", "Centre", ["Loudéac", "Pontivy", "Rohan"], None)
    territory = get_territory(store, "centre")
    plan = preview_import(store, book, territory=territory)
    report = import_territory(store, book, territory=territory)
    assert plan.errors == [] and _texts(plan.problems) == _texts(report.warnings)
    assert report.written["partenariats"] == 1 and report.written["organisations"] == 3


# -- defect 5: sheet names, one mistake one error ----------------------------------------------


@pytest.mark.parametrize("name", ["STRUCTURES 2025", "Structures (2025)", "structures_v2"])
def test_a_sheet_named_with_a_table_name_inside_is_read_as_that_table(tmp_path: Path, name: str):
    sheets = {name if k == "Structures" else k: v for k, v in SHEETS.items()}
    parsed = _parse(_book(tmp_path / "s.xlsx", sheets))
    assert _errors(parsed) == [] and len(parsed.organisations) == 3
    assert any(
        f"onglet « {name} » lu comme l'onglet « Structures »" in w for w in _warnings(parsed)
    )


def test_two_sheets_that_could_be_the_structures_are_refused(tmp_path: Path):
    book = _book(tmp_path / "two.xlsx", Structures_2024=STRUCTURES)
    with pytest.raises(InvalidInputError) as err:
        readers.read_source(book)
    (problem,) = err.value.problems
    assert "« Structures » et « Structures 2024 »" in str(problem)


def test_a_sheet_whose_headers_are_not_the_table_s_stays_ignored(tmp_path: Path):
    book = _book(tmp_path / "notes.xlsx", Notes_de_suivi=[["Date", "Remarque"], ["x", "y"]])
    parsed = _parse(book)
    assert _errors(parsed) == []
    assert any("onglet « Notes de suivi » ignoré" in w for w in _warnings(parsed))


def test_an_unrecognised_structures_sheet_gives_one_error_not_one_per_reference(tmp_path: Path):
    sheets = {"Liste des assos" if k == "Structures" else k: v for k, v in SHEETS.items()}
    parsed = _parse(_book(tmp_path / "u.xlsx", sheets))
    (error,) = _errors(parsed)
    assert "« Structures » introuvable" in error and "« Liste des assos »" in error
    assert "besoins et offres" not in error  # only the structures are required


def test_a_misspelt_interview_structure_is_one_error_not_two(tmp_path: Path):
    entretiens = [ENTRETIENS[0], ["Atelier du Lié (Loudéac)", dt.datetime(2025, 1, 28)],
                  *ENTRETIENS[2:]]  # fmt: skip
    (error,) = _errors(_parse(_book(tmp_path / "e.xlsx", Entretiens=entretiens)))
    assert "« Entretiens », ligne 2" in error and "Atelier du Lié (Loudéac)" in error


def test_a_refused_items_sheet_adds_no_error_per_partnership(tmp_path: Path):
    besoins = [["Structure", "Sens", "Intitulé"], *[r[:2] + r[3:4] for r in BESOINS[1:]]]
    errors = _errors(_parse(_book(tmp_path / "i.xlsx", Besoins_et_offres=besoins)))
    assert len(errors) == 1 and "colonne obligatoire « catégorie » absente" in errors[0]


# -- defect 6: merged cells, hidden rows (xlsx and ods) ----------------------------------------


def _merged_xlsx(path: Path) -> Path:
    besoins = [list(r) for r in BESOINS]
    besoins[2][0] = None
    _book(path, Besoins_et_offres=besoins)
    book = load_workbook(path)
    book["Besoins et offres"].merge_cells("A2:A3")
    book.save(path)
    return path


def _ods(path: Path, merged: bool = False, hidden: dict[int, str] | None = None) -> Path:
    """The sheets as LibreOffice stores them: a structure cell spanning two rows (a covered
    cell under it), rows hidden (``collapse``) or filtered out (``filter``) by line."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for name, rows in SHEETS.items():
        table = Table(name=name)
        for line, row in enumerate(rows, start=1):
            visibility = (hidden or {}).get(line) if name == "Structures" else None
            tr = TableRow(visibility=visibility) if visibility else TableRow()
            for col, value in enumerate(row):
                if merged and name == "Besoins et offres" and col == 0 and line == 3:
                    tr.addElement(CoveredTableCell())
                    continue
                span = merged and name == "Besoins et offres" and col == 0 and line == 2
                cell = TableCell(valuetype="string", numberrowsspanned=2) if span else None
                cell = cell or TableCell(valuetype="string")
                if value is not None:
                    shown = value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value
                    cell.addElement(P(text=str(shown)))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


@pytest.mark.parametrize("suffix", ["xlsx", "ods"])
def test_a_structure_merged_over_two_rows_is_read_on_both_and_said(tmp_path: Path, suffix: str):
    path = tmp_path / f"merged.{suffix}"
    book = _merged_xlsx(path) if suffix == "xlsx" else _ods(path, merged=True)
    parsed = _parse(book)
    assert _errors(parsed) == []
    owners = {i.title: i.org_id for i in parsed.items}
    assert owners["Réparation de vélos"] == owners["Camion benne"]
    (said,) = [w for w in _warnings(parsed) if "fusionnée" in w]
    assert "(A2:A3)" in said and "« Structure »" in said


def test_a_header_merged_over_the_row_of_hints_stays_a_header(tmp_path: Path):
    entretiens = [ENTRETIENS[0], [None, "jj/mm/aaaa"], *ENTRETIENS[1:]]
    path = _book(tmp_path / "hm.xlsx", Entretiens=entretiens)
    book = load_workbook(path)
    book["Entretiens"].merge_cells("A1:A2")
    book.save(path)
    parsed = _parse(path)
    assert _errors(parsed) == [] and len(parsed.diagnostics) == 2
    assert any("ligne 2 ignorée : elle explique" in w for w in _warnings(parsed))
    assert not any("fusionnée" in w for w in _warnings(parsed))


def test_hidden_xlsx_rows_are_imported_and_said(tmp_path: Path):
    path = _book(tmp_path / "hidden.xlsx")
    book = load_workbook(path)
    book["Structures"].row_dimensions[3].hidden = True
    book.save(path)
    parsed = _parse(path)
    assert len(parsed.organisations) == 3
    (said,) = [w for w in _warnings(parsed) if "masquée" in w]
    assert "« Structures »" in said and "ligne 3 masquée" in said


def test_filtered_xlsx_rows_are_said_as_filtered(tmp_path: Path):
    path = _book(tmp_path / "filtered.xlsx")
    book = load_workbook(path)
    sheet = book["Structures"]
    sheet.auto_filter.ref = "A1:C4"
    sheet.auto_filter.add_filter_column(2, ["Loudéac", "Rohan"])
    sheet.row_dimensions[3].hidden = True
    book.save(path)
    (said,) = [w for w in _warnings(_parse(path)) if "masquée" in w]
    assert "ligne 3 masquée (par un filtre)" in said


def test_hidden_and_filtered_ods_rows_are_imported_and_said(tmp_path: Path):
    parsed = _parse(_ods(tmp_path / "h.ods", hidden={2: "collapse", 4: "filter"}))
    assert len(parsed.organisations) == 3
    (said,) = [w for w in _warnings(parsed) if "masquée" in w]
    assert "lignes 2, 4 masquées (par un filtre)" in said


# -- defect 7: structure types as people write them --------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("Association loi 1901", "ess"),
        ("Association (loi 1901)", "ess"),
        ("Entreprise adaptée (EA)", "ess"),
        ("SCOP SARL", "ess"),
        ("SAS SCIC", "ess"),
        ("Scop S.A.R.L.", "ess"),
        ("CCAS", "public"),
        ("Collectivité territoriale", "public"),
        ("EPCI", "public"),
        ("Auto-entrepreneur", "company"),
        ("Entreprise individuelle", "company"),
    ],
)
def test_usual_structure_types_are_read(tmp_path: Path, typed: str, kind: str):
    structures = [STRUCTURES[0], ["Atelier du Lié", typed, "Loudéac"], *STRUCTURES[2:]]
    parsed = _parse(_book(tmp_path / "k.xlsx", Structures=structures))
    assert _errors(parsed) == []
    assert {o.name: o.kind.value for o in parsed.organisations}["Atelier du Lié"] == kind


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("EI", "entreprise d'insertion (structure de l'ESS) ou une entreprise individuelle"),
        ("Association (SARL)", "type de structure « Association (SARL) » inconnu(e)"),
    ],
)
def test_ambiguous_structure_types_are_refused_saying_why(tmp_path: Path, typed: str, said: str):
    structures = [STRUCTURES[0], ["Atelier du Lié", typed, "Loudéac"], *STRUCTURES[2:]]
    (error,) = _errors(_parse(_book(tmp_path / "k.xlsx", Structures=structures)))
    assert said in error and "« structure de l'ESS »" in error
