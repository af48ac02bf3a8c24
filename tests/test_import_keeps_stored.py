"""What a sheet does not say keeps what is stored (probe "sheets", defects 1 and 2), on both
backends.

A column absent from a sheet leaves every stored value of that column as it is when a row
updates a record (a short list of names and communes must not erase the legal form, the
headcount, the amounts…); a column present with an empty cell clears the value, and the import
says so. Importing the same sheet again keeps the date a partnership got at the first import.
All organisations and people are fictional.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from traits import services
from traits.model import Territory
from traits.services import access
from traits.storage import Store
from traits.storage import repository as repo

ARGOAT = Territory("argoat", "Pays de l'Argoat")

FULL = {
    "territories": "territory_id;name;communes;facilitator\n"
    "argoat;Pays de l'Argoat;Loudéac|Saint-Guen;Animatrice du Pôle\n",
    "organisations": "org_id;name;kind;legal_form;siret;commune;postcode;lat;lon;size;description\n"
    "o_esat;ESAT du Lac;ess;ESAT;;Saint-Guen;22530;48.21;-2.99;50-249;Espaces verts, blanchisserie\n"
    "o_menu;Menuiserie Le Gall;company;SARL;;Loudéac;22600;;;10-49;Menuiserie bois\n",
    "diagnostics": "diagnostic_id;org_id;date;facilitator;practices;motivations;obstacles;notes;status\n"
    "d1;o_esat;2025-02-04;Animatrice du Pôle;Achats locaux;Ouvrir l'ESAT;Le temps;RAS;brouillon\n",
    "items": "item_id;org_id;direction;category;subcategory;title;description;quantity;diagnostic_id\n"
    "n1;o_menu;need;purchasing;Nettoyage et propreté des locaux;Entretien des bureaux;"
    "Bureaux et atelier;2 passages par mois;\n"
    "o1;o_esat;offer;purchasing;;Blanchisserie;Linge de travail;20 kg par semaine;d1\n",
    "contacts": "contact_id;org_id;name;role;email;phone;consent;consent_date;consent_source;"
    "consent_scope\n"
    "c1;o_esat;Camille Exemple;directrice;camille@example.org;02 96 00 00 01;oui;2025-02-04;"
    "entretien diagnostic;mise en lien\n",
    "partnerships": "partnership_id;org_a;need_id;org_b;offer_id;status;mode;categories;"
    "value_hours;value_euros;value_quantity;value_unit;abandon_reason;created;notes;label\n"
    "p1;o_menu;n1;o_esat;o1;abandoned;economic_cooperation;purchasing;2,5;1800,50;4;passages;"
    "Trop cher;2025-03-01;Relancer en 2026;Entretien partagé\n",
}

#: Per table: a sheet with only its required columns (and its key), same rows.
SHORT = {
    "territories": "territory_id;name\nargoat;Pays de l'Argoat\n",
    "organisations": "org_id;name;kind\no_esat;ESAT du Lac;ess\no_menu;Menuiserie Le Gall;company\n",
    "diagnostics": "diagnostic_id;org_id;date\nd1;o_esat;2025-02-04\n",
    "items": "item_id;org_id;direction;category;title\n"
    "n1;o_menu;need;purchasing;Entretien des bureaux\no1;o_esat;offer;purchasing;Blanchisserie\n",
    "contacts": "contact_id;org_id;name;consent\nc1;o_esat;Camille Exemple;oui\n",
    "partnerships": "partnership_id;org_a;org_b;status\np1;o_menu;o_esat;abandoned\n",
}


def _snapshot(store: Store) -> str:
    with access.operator(), store.reading() as conn:
        return repr(repo.read_all(conn))


def _folder(path: Path, tables: dict[str, str]) -> Path:
    for name, text in tables.items():
        write(path, f"{name}.csv", text)
    return path


@pytest.fixture
def stored(backend_store: Store, tmp_path: Path) -> Store:
    services.import_territory(backend_store, _folder(tmp_path / "full", FULL), territory=ARGOAT)
    return backend_store


@pytest.mark.parametrize("table", sorted(SHORT))
def test_a_sheet_without_optional_columns_keeps_every_stored_value(
    stored: Store, tmp_path: Path, table: str
):
    before = _snapshot(stored)
    assert "Trop cher" in before and "1800.5" in before and "50-249" in before
    assert "Saint-Guen']" in before and "passages" in before
    tables = {"organisations": SHORT["organisations"], table: SHORT[table]}
    report = services.import_territory(stored, _folder(tmp_path / table, tables), territory=ARGOAT)
    assert _snapshot(stored) == before
    assert not [w for w in report.warnings if "effacée" in w.message]


def test_a_list_of_names_and_communes_finds_its_structures_and_keeps_the_rest(
    stored: Store, tmp_path: Path
):
    before = _snapshot(stored)
    folder = tmp_path / "names"
    write(folder, "organisations.csv", "Nom;Type;Commune\nESAT du Lac ;ESAT;Saint-Guen\n")
    report = services.import_territory(stored, folder, territory=ARGOAT)
    assert _snapshot(stored) == before
    assert report.written["organisations"] == 1 and not report.warnings


def test_an_empty_cell_of_a_present_column_clears_and_says_so(stored: Store, tmp_path: Path):
    folder = tmp_path / "short"
    write(
        folder,
        "organisations.csv",
        "Identifiant;Nom;Type;Commune;Effectif;Activité\n"
        "o_esat;ESAT du Lac;ESAT;Saint-Guen;;Espaces verts, blanchisserie\n"
        "o_menu;Menuiserie Le Gall;entreprise;Loudéac;;\n",
    )
    report = services.import_territory(stored, folder, territory=ARGOAT)
    with access.operator(), stored.reading() as conn:
        orgs = {o.org_id: o for o in repo.read_organisations(conn)}
    assert orgs["o_esat"].size is None and orgs["o_menu"].description is None
    assert orgs["o_esat"].legal_form == "ESAT" and orgs["o_esat"].postcode == "22530"
    assert (orgs["o_esat"].lat, orgs["o_esat"].lon) == (48.21, -2.99)  # same place: kept
    cleared = {w.column: w.message for w in report.warnings if "effacée" in w.message}
    assert cleared["Effectif"].startswith(
        "cellules vides lignes 2, 3 : la valeur enregistrée est effacée"
    )
    assert cleared["Activité"].startswith("cellule vide ligne 3 :")


def test_a_new_place_gets_new_coordinates_without_its_columns(stored: Store, tmp_path: Path):
    folder = tmp_path / "moved"
    write(folder, "organisations.csv", "org_id;name;kind;commune\no_esat;ESAT du Lac;ess;Pontivy\n")
    report = services.import_territory(stored, folder, territory=ARGOAT)
    with access.operator(), stored.reading() as conn:
        (org,) = [o for o in repo.read_organisations(conn) if o.org_id == "o_esat"]
    assert org.commune == "Pontivy" and org.postcode == "22530"  # the postcode was not said
    assert org.lat is not None and abs(org.lat - 48.21) > 0.01
    assert any("code postal enregistré (22530) est gardé" in w.message for w in report.warnings)


def test_a_new_category_drops_the_stored_subcategory_and_says_so(stored: Store, tmp_path: Path):
    folder = tmp_path / "recat"
    write(folder, "organisations.csv", SHORT["organisations"])
    write(folder, "items.csv", "item_id;org_id;direction;category;title\n"
          "n1;o_menu;need;skills;Entretien des bureaux\n")  # fmt: skip
    report = services.import_territory(stored, folder, territory=ARGOAT)
    with access.operator(), stored.reading() as conn:
        (item,) = [i for i in repo.read_items(conn) if i.item_id == "n1"]
    assert item.subcategory is None and item.description == "Bureaux et atelier"
    assert any("sous-catégorie enregistrée" in w.message and w.row == 2 for w in report.warnings)
    # The same category keeps it; an empty « Sous-catégorie » cell clears it, saying so.
    services.import_territory(stored, _folder(tmp_path / "back", FULL), territory=ARGOAT)
    write(folder, "items.csv", "item_id;org_id;direction;category;title;subcategory\n"
          "n1;o_menu;need;purchasing;Entretien des bureaux;\n")  # fmt: skip
    report = services.import_territory(stored, folder, territory=ARGOAT)
    assert any(w.column == "subcategory" and "effacée" in w.message for w in report.warnings)


def test_an_export_imported_over_its_base_changes_nothing(stored: Store, tmp_path: Path):
    before = _snapshot(stored)
    services.export_territory(stored, tmp_path / "export", territory_id="argoat")
    report = services.import_territory(stored, tmp_path / "export")
    assert _snapshot(stored) == before
    assert not [w for w in report.warnings if "effacée" in w.message]


UNDATED = {
    "organisations": "Nom;Type\nJardins de Kerlann;association\nMairie de Guerlédan;mairie\n",
    "diagnostics": "Structure;Date\nJardins de Kerlann;04/02/2025\nMairie de Guerlédan;01/04/2025\n",
    "partnerships": "Structure qui a le besoin;Structure qui offre;Statut;Date de création\n"
    "Jardins de Kerlann;Mairie de Guerlédan;mise en lien;\n",
}


def test_importing_the_same_sheet_again_keeps_the_date_given_at_the_first_import(
    backend_store: Store, tmp_path: Path
):
    folder = _folder(tmp_path / "undated", UNDATED)
    first = services.import_territory(backend_store, folder, territory=ARGOAT)
    assert any("daté du 04/02/2025" in w.message for w in first.warnings)
    after_first = _snapshot(backend_store)
    assert "datetime.date(2025, 2, 4)" in after_first
    for _ in range(2):
        again = services.import_territory(backend_store, folder, territory=ARGOAT)
        assert _snapshot(backend_store) == after_first
        assert not [w for w in again.warnings if "sans date" in w.message]


def test_a_value_the_row_finds_again_is_not_said_erased(backend_store: Store, tmp_path: Path):
    """Re-probe N3: an empty sub-category cell whose sub-category the row gives again (here
    its category « prêt de véhicule ») was reported as « effacée » although it is kept."""
    items = (
        "item_id;org_id;direction;category;subcategory;title\n"
        "i1;o1;need;prêt de véhicule;;Un utilitaire pour les collectes\n"
    )
    folder = tmp_path / "t"
    write(folder, "organisations.csv", "org_id;name;kind\no1;Atelier Test;ess\n")
    write(folder, "items.csv", items)
    services.import_territory(backend_store, folder)
    with access.operator(), backend_store.reading() as conn:
        (first,) = repo.read_items(conn)
    assert first.subcategory == "vehicles"
    again = services.import_territory(backend_store, folder)
    assert not [w for w in again.warnings if "effacée" in w.message], again.warnings
    with access.operator(), backend_store.reading() as conn:
        assert repo.read_items(conn) == [first]
