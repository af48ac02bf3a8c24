"""An import stays in its territory, and finds a known structure where it is (probe "sheets",
defects 4 and 5), on both backends.

With a territory given, the names and ids of a sheet resolve only within that territory and
the file's own rows: a reference to another territory's structure, need or offer refuses the
whole import, naming the row, the column and the other territory by its name. Without a
territory, a structure whose name (and commune) is that of one stored structure is that
structure, in its territory; several are refused, listed by territory. All organisations are
fictional.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from traits import services
from traits.errors import InvalidInputError
from traits.model import Territory
from traits.services import access
from traits.storage import Store
from traits.storage import repository as repo

ARGOAT = Territory("t-argoat", "Pays de l'Argoat")
BLAVET = Territory("t-blavet", "Pays du Blavet")

ARGOAT_FILES = {
    "organisations": "Nom;Type;Commune\nESAT du Lac;ESAT;Saint-Guen\n"
    "Menuiserie Le Gall;entreprise;Loudéac\nCafé des Halles;entreprise;Rohan\n",
    "items": "Identifiant;Structure;Sens;Catégorie;Intitulé\n"
    "a-offre;ESAT du Lac;offre;achats;Blanchisserie\n"
    "a-besoin;Menuiserie Le Gall;besoin;achats;Entretien des espaces verts\n",
    "partnerships": "Identifiant;Structure qui a le besoin;Besoin;Structure qui offre;Statut;"
    "Quantité;Unité\n"
    "a-p;Menuiserie Le Gall;Entretien des espaces verts;ESAT du Lac;concrétisé;4;passages\n",
}
BLAVET_ORGS = (
    "Nom;Type;Commune\nGarage Solidaire;SCIC;Pontivy\nCafé des Halles;entreprise;Pontivy\n"
)


def _folder(path: Path, tables: dict[str, str]) -> Path:
    for name, text in tables.items():
        write(path, f"{name}.csv", text)
    return path


def _snapshot(store: Store) -> str:
    with access.operator(), store.reading() as conn:
        return repr(repo.read_all(conn))


@pytest.fixture
def two(backend_store: Store, tmp_path: Path) -> Store:
    services.import_territory(
        backend_store, _folder(tmp_path / "a", ARGOAT_FILES), territory=ARGOAT
    )
    services.import_territory(
        backend_store, _folder(tmp_path / "b", {"organisations": BLAVET_ORGS}), territory=BLAVET
    )
    return backend_store


def _org_id(store: Store, name: str, territory_id: str) -> str:
    with access.operator(), store.reading() as conn:
        (org,) = [o for o in repo.read_organisations(conn, territory_id) if o.name == name]
    return org.org_id


@pytest.mark.parametrize(
    ("sheet", "text", "where"),
    [
        (  # a structure named, not in the file's structures: the other territory's
            "items",
            "Structure;Sens;Catégorie;Intitulé\nGarage Solidaire;besoin;achats;Pneus\n"
            "esat du lac ;offre;achats;Repassage\n",
            "items.csv, ligne 3, colonne « Structure » : « esat du lac » est une structure du "
            "territoire « Pays de l'Argoat », pas du territoire « Pays du Blavet »",
        ),
        (
            "contacts",
            "Structure;Nom;Consentement\nMenuiserie Le Gall;Dominique Exemple;oui\n",
            "contacts.csv, ligne 2, colonne « Structure » : « Menuiserie Le Gall » est une "
            "structure du territoire « Pays de l'Argoat »",
        ),
        (  # the other territory's offer, by its id
            "partnerships",
            "Structure qui a le besoin;Offre;Statut\nGarage Solidaire;a-offre;piste\n",
            "partnerships.csv, ligne 2, colonne « Offre » : « a-offre » est une offre d'une "
            "structure du territoire « Pays de l'Argoat »",
        ),
        (  # the other territory's structure, as the offering party
            "partnerships",
            "Structure qui a le besoin;Structure qui offre;Statut;Quantité\n"
            "Garage Solidaire;ESAT du Lac;en discussion;3\n",
            "partnerships.csv, ligne 2, colonne « Structure qui offre » : « ESAT du Lac » est une "
            "structure du territoire « Pays de l'Argoat »",
        ),
    ],
)
def test_a_reference_to_another_territory_is_refused_and_changes_nothing(
    two: Store, tmp_path: Path, sheet: str, text: str, where: str
):
    folder = _folder(tmp_path / "x", {"organisations": BLAVET_ORGS, sheet: text})
    before = _snapshot(two)
    with pytest.raises(InvalidInputError) as err:
        services.import_territory(two, folder, territory=BLAVET)
    assert _snapshot(two) == before
    assert where in str(err.value)
    assert "t-argoat" not in str(err.value)  # territories by their name, no internal id
    # The app previews through the same service: the same refusal, « Importer » not offered.
    plan = services.preview_import(two, folder, territory=BLAVET)
    assert not plan.ready and any(where in str(p) for p in plan.errors)


def test_a_reference_by_the_other_territorys_id_is_refused(two: Store, tmp_path: Path):
    esat = _org_id(two, "ESAT du Lac", "t-argoat")
    items = f"Structure;Sens;Catégorie;Intitulé\n{esat};offre;achats;Repassage\n"
    folder = _folder(tmp_path / "id", {"organisations": BLAVET_ORGS, "items": items})
    before = _snapshot(two)
    with pytest.raises(InvalidInputError) as err:
        services.import_territory(two, folder, territory=BLAVET)
    assert _snapshot(two) == before
    assert f"« {esat} » est une structure du territoire « Pays de l'Argoat »" in str(err.value)


def test_the_files_own_structure_of_the_same_name_is_the_one_meant(two: Store, tmp_path: Path):
    # « Café des Halles » exists in both territories: the Blavet import means its own.
    contacts = "Structure;Nom;Consentement\ncafé des halles;Dominique Exemple;oui\n"
    folder = _folder(tmp_path / "own", {"organisations": BLAVET_ORGS, "contacts": contacts})
    services.import_territory(two, folder, territory=BLAVET)
    with access.operator(), two.reading() as conn:
        (contact,) = repo.read_contacts(conn)
    assert contact.org_id == _org_id(two, "Café des Halles", "t-blavet")


def test_without_territory_a_known_structure_is_found_where_it_is(two: Store, tmp_path: Path):
    folder = _folder(
        tmp_path / "batch",
        {
            "organisations": "Nom;Type;Commune;Activité\n"
            "ESAT du Lac;ESAT;ST GUEN;Espaces verts\nFromagerie du Quillio;entreprise;Le Quillio;\n",
            "items": "Structure;Sens;Catégorie;Intitulé\nesat du lac;offre;achats;Repassage\n",
        },
    )
    report = services.import_territory(two, folder)
    esat = _org_id(two, "ESAT du Lac", "t-argoat")
    with access.operator(), two.reading() as conn:
        orgs = repo.read_organisations(conn)
        items = {i.title: i for i in repo.read_items(conn)}
    assert [o.territory_id for o in orgs if o.name == "ESAT du Lac"] == ["t-argoat"]
    assert next(o for o in orgs if o.org_id == esat).description == "Espaces verts"
    assert items["Repassage"].org_id == esat
    # The new structure goes to the default territory, and the import says the batch is split.
    assert [o.territory_id for o in orgs if o.name.startswith("Fromagerie")] == ["defaut"]
    assert any(
        "ligne 3 : nouvelle structure" in w.message and "« Pays de l'Argoat »" in w.message
        for w in report.warnings
    )


def test_without_territory_a_name_in_two_territories_is_refused_listing_them(
    two: Store, tmp_path: Path
):
    folder = _folder(tmp_path / "amb", {"organisations": "Nom;Type\nCafé des Halles;entreprise\n"})
    before = _snapshot(two)
    with pytest.raises(InvalidInputError) as err:
        services.import_territory(two, folder)
    assert _snapshot(two) == before
    message = str(err.value)
    assert "organisations.csv, ligne 2, colonne « Nom » : plusieurs structures" in message
    assert "(Pontivy, territoire « Pays du Blavet »)" in message
    assert "(Rohan, territoire « Pays de l'Argoat »)" in message
    # With its commune, the structure is found.
    write(folder, "organisations.csv", "Nom;Type;Commune;Effectif\nCafé des Halles;SARL;rohan;3\n")
    services.import_territory(two, folder)
    with access.operator(), two.reading() as conn:
        cafes = {o.territory_id: o.size for o in repo.read_organisations(conn) if "Café" in o.name}
    assert cafes == {"t-argoat": "3", "t-blavet": None}


@pytest.mark.parametrize(
    ("sheet", "text", "where"),
    [
        (  # a structure's « Territoire » cell names another territory, by id or by name
            "organisations",
            "Nom;Type;Commune;Territoire\nGarage Neuf;SCIC;Pontivy;\n"
            "Ressourcerie Test;association;Rohan;t-argoat\n",
            "organisations.csv, ligne 3, colonne « Territoire » : cette ligne est du territoire "
            "« t-argoat », mais ce fichier est importé pour « Pays du Blavet »",
        ),
        (  # the file's territories sheet describes another territory
            "territories",
            "Nom;Communes\nPays de l'Argoat;Loudéac\n",
            "territories.csv, ligne 2, colonne « Nom » : cette ligne est du territoire "
            "« Pays de l'Argoat », mais ce fichier est importé pour « Pays du Blavet »",
        ),
    ],
)
def test_a_row_naming_another_territory_is_refused(
    two: Store, tmp_path: Path, sheet: str, text: str, where: str
) -> None:
    before = _snapshot(two)
    files = {"organisations": "Nom;Type;Commune\nGarage Neuf;SCIC;Pontivy\n", sheet: text}
    with pytest.raises(InvalidInputError) as refused:
        services.import_territory(two, _folder(tmp_path / "other", files), territory=BLAVET)
    assert any(str(p).startswith(where) for p in refused.value.problems), refused.value
    assert _snapshot(two) == before


def test_a_row_naming_the_import_territory_by_its_name_is_its_own(
    two: Store, tmp_path: Path
) -> None:
    files = {
        "organisations": "Nom;Type;Commune;Territoire\nGarage Neuf;SCIC;Pontivy;pays du blavet\n"
    }
    services.import_territory(two, _folder(tmp_path / "own", files), territory=BLAVET)
    assert _org_id(two, "Garage Neuf", "t-blavet")
