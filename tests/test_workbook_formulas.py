"""A formula cell written without its value is refused, located, never read as empty (probe D7).

Read as values, such a cell looks empty: the import would clear the stored description, or
call the filled required name « missing ». The refusal names the sheet, the row and the header
as typed, and says to open and save the workbook in the spreadsheet software.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from traits import services
from traits.errors import InvalidInputError
from traits.model import Territory
from traits.storage import Store
from traits.storage import repository as repo

HEADERS = ["Identifiant", "Nom", "Type", "Description"]


def _workbook(path: Path, name: str, description: str) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Structures"
    sheet.append(HEADERS)
    sheet.append(["r_asso", name, "ess", description])
    items = book.create_sheet("Besoins et offres")
    items.append(["Structure", "Sens", "Catégorie", "Intitulé"])
    items.append(["r_asso", "besoin", "compétences", "Site internet"])
    book.save(path)
    return path


@pytest.fixture
def stored(backend_store: Store, tmp_path: Path) -> Store:
    first = _workbook(tmp_path / "first.xlsx", "Atelier Vélo", "Atelier associatif de réparation")
    services.import_territory(backend_store, first, territory=Territory("redon", "Redon"))
    return backend_store


@pytest.mark.parametrize(
    ("name", "description", "header"),
    [
        ("Atelier Vélo", '=CONCATENATE("Atelier";" associatif")', "Description"),
        ('=UPPER("atelier")', "Atelier associatif de réparation", "Nom"),
    ],
)
def test_formula_without_value_is_refused_not_read_as_empty(
    stored: Store, tmp_path: Path, name: str, description: str, header: str
):
    path = _workbook(tmp_path / "formula.xlsx", name, description)
    with pytest.raises(InvalidInputError) as refused:
        services.import_territory(stored, path, territory=Territory("redon", "Redon"))
    (problem,) = refused.value.problems
    assert (problem.file, problem.row, problem.column) == ("l'onglet « Structures »", 2, header)
    assert "formule sans valeur calculée" in problem.message
    assert "enregistrez-le" in problem.message and "manquante" not in problem.message
    with stored.reading() as conn:
        (org,) = [o for o in repo.read_organisations(conn) if o.org_id == "r_asso"]
    assert org.description == "Atelier associatif de réparation"


def test_exported_workbook_has_the_templates_french_sheet_names(stored: Store, tmp_path: Path):
    """What facilitators download reads like their template (probe D10); CSV names unchanged."""
    from openpyxl import load_workbook

    book = services.export_territory(stored, tmp_path / "t.xlsx", territory_id="redon")[0]
    names = load_workbook(book, read_only=True).sheetnames
    assert {"Structures", "Besoins et offres", "Territoires"} <= set(names)
    assert not {"organisations", "items", "territories"} & set(names)
    files = services.export_territory(stored, tmp_path / "dossier", territory_id="redon")
    assert {"organisations.csv", "items.csv"} <= {f.name for f in files}
    again = Store(tmp_path / "again.sqlite")
    services.import_territory(again, book)
    assert services.stats(again, "redon")["organisations"] == 1
