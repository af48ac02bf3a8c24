"""The members and label of a pooled partnership (mutualisation) survive export and import."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ITEMS, ORGS, write

from traits import services
from traits.errors import InvalidInputError
from traits.model import Partnership
from traits.services import pooling
from traits.storage import Store
from traits.storage import repository as repo


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Partnership]:
    """The sample territory with one mutualisation of three organisations or more."""
    store = Store(tmp_path_factory.mktemp("pooled") / "demo.sqlite")
    services.load_demo(store)
    pool = next(p for p in pooling.find_pools(store, "vitre") if len(p.org_ids) >= 3)
    part = pooling.propose_pool(store, pool.need_ids, offer_id=pool.offer_id, label=pool.label)
    return store, part


def _partnership(store: Store, partnership_id: str) -> Partnership:
    with store.reading() as conn:
        return repo.read_partnerships(conn, partnership_ids=[partnership_id])[0]


@pytest.mark.parametrize("target", ["dossier", "territoire.xlsx", "territoire.ods"])
def test_export_then_import_keeps_members_and_label(pooled, backend_store, tmp_path, target):
    store, part = pooled
    assert len(part.members) >= 3 and part.label
    services.export_territory(store, tmp_path / target)
    services.import_territory(backend_store, tmp_path / target)
    back = _partnership(backend_store, part.partnership_id)
    assert back.members == part.members
    assert back.label == part.label
    # Imported again over itself: the members are replaced, not doubled.
    services.import_territory(backend_store, tmp_path / target)
    assert _partnership(backend_store, part.partnership_id).members == part.members


def test_an_export_without_members_or_label_imports_and_keeps_what_is_stored(
    pooled, backend_store, tmp_path
):
    store, part = pooled
    folder = tmp_path / "ancien"
    services.export_territory(store, folder)
    services.import_territory(backend_store, folder)
    (folder / "partnership_members.csv").unlink()  # an export older than the file
    text = (folder / "partnerships.csv").read_text("utf-8-sig").splitlines()
    (folder / "partnerships.csv").write_text(
        "\n".join(line.rsplit(";", 1)[0] for line in text) + "\n", "utf-8"
    )  # ... and than the label column (the last one)
    assert "label" not in (folder / "partnerships.csv").read_text("utf-8")
    services.import_territory(backend_store, folder)
    back = _partnership(backend_store, part.partnership_id)
    assert (back.members, back.label) == (part.members, part.label)


PARTS = "partnership_id,need_id,offer_id,status,label\np1,n1,o1,proposed,Camions partagés\n"


def _refused(store: Store, folder: Path) -> str:
    with pytest.raises(InvalidInputError) as err:
        services.import_territory(store, folder)
    with store.reading() as conn:
        assert not repo.read_partnerships(conn), "nothing may be written on error"
    return "\n".join(str(p) for p in err.value.problems if p.severity == "error")


def _folder(tmp_path: Path, members: str) -> Path:
    folder = tmp_path / "pool"
    write(folder, "organisations.csv", ORGS)
    write(folder, "items.csv", ITEMS)
    write(folder, "partnerships.csv", PARTS)
    write(folder, "Membres des mutualisations.csv", members)
    return folder


def test_members_by_name_and_title_are_read(backend_store, tmp_path):
    folder = _folder(
        tmp_path, "partenariat,structure,besoin\np1,Recyclerie du Bocage,Camion\np1,b,\n"
    )
    services.import_territory(backend_store, folder)
    back = _partnership(backend_store, "p1")
    assert [(m.org_id, m.need_id) for m in back.members] == [("a", "n1"), ("b", None)]
    assert back.label == "Camions partagés"


def test_unknown_partnership_is_refused_with_where_and_what_to_do(backend_store, tmp_path):
    folder = _folder(tmp_path, "partenariat,structure,besoin\np9,a,n1\n")
    message = _refused(backend_store, folder)
    assert (
        "Membres des mutualisations.csv, ligne 2, colonne « partenariat » : partenariat « p9 » "
        "introuvable dans l'onglet des partenariats" in message
    )
    assert "ajoutez-y ce partenariat" in message


def test_unknown_organisation_and_foreign_need_are_refused(backend_store, tmp_path):
    folder = _folder(
        tmp_path,
        "partenariat,Structure,besoin\np1,Garage Inconnu,\np1,b,Camion\np1,a,n1\np1,a,n1\n"
        "p1,b,n1\n",
    )
    message = _refused(backend_store, folder)
    assert "ligne 2, colonne « Structure » : structure « Garage Inconnu » introuvable" in message
    assert "ligne 3, colonne « besoin »" in message and "besoin « Camion »" in message
    assert "ligne 5" in message and "déjà décrit ligne 4" in message
    assert (
        "ligne 6, colonne « Structure » : « n1 » appartient à « Recyclerie du Bocage », pas à "
        "« b » : corrigez l'une des deux cellules." in message
    )


def test_members_without_the_party_with_the_need_are_refused(backend_store, tmp_path):
    folder = _folder(tmp_path, "partenariat,structure,besoin\np1,b,\n")
    message = _refused(backend_store, folder)
    assert (
        "ligne 2, colonne « structure » : « Recyclerie du Bocage », la structure qui a le besoin "
        "du partenariat « p1 », n'est pas parmi ses membres" in message
    )


def test_a_mutualisation_of_one_structure_is_refused(backend_store, tmp_path):
    """The rule the CLI applies (at least two structures) holds for an import too."""
    folder = _folder(tmp_path, "partenariat,structure,besoin\np1,a,n1\np1,a,\n")
    message = _refused(backend_store, folder)
    assert (
        "Membres des mutualisations.csv, ligne 2, colonne « structure » : une mutualisation "
        "réunit au moins 2 structures : seule « Recyclerie du Bocage » est membre du "
        "partenariat « p1 »" in message
    )


def test_a_partner_outside_the_members_is_refused(backend_store, tmp_path):
    folder = _folder(tmp_path, "partenariat,structure,besoin\np1,a,n1\np1,c,\n")
    orgs = ORGS + "c,Épicerie du Pays,ess,association,,Vitré,35500\n"
    write(folder, "organisations.csv", orgs)
    message = _refused(backend_store, folder)
    assert (
        "ligne 2, colonne « structure » : « Transports Morin », la structure partenaire du "
        "partenariat « p1 », n'est pas parmi ses membres : ajoutez-la, ou corrigez la ligne "
        "du partenariat." in message
    )
