"""One territory never changes another through the import (issue 11, item 4), on both backends.

Every record an import writes is checked against the territory that owns it now, whatever its
table; a collision refuses the whole import, naming the id, the file, the row and the other
territory, and the database is left as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import write

from traits import services
from traits.errors import InvalidInputError, PermissionDeniedError
from traits.model import Territory
from traits.services import access
from traits.services.access import Principal, Role, signed_in
from traits.storage import Store
from traits.storage import repository as repo

LATER = dt.datetime.now() + dt.timedelta(hours=1)
REDON = Principal("anim.redon", Role.FACILITATOR, frozenset({"redon"}), LATER)

VITRE_ORGS = """org_id;name;kind;territory
v_asso;Ressourcerie des Marches;ess;vitre
v_ent;Menuiserie du Val;company;vitre
"""
VITRE_ITEMS = """item_id;org_id;direction;category;title
v_n1;v_asso;need;equipment;Camionnette
v_o1;v_ent;offer;equipment;Prêt de camionnette
"""
VITRE_REST = {
    "diagnostics.csv": "diagnostic_id;org_id;date\nd1;v_asso;2025-03-04\n",
    "contacts.csv": "contact_id;org_id;name;consent;email\n"
    "c1;v_asso;Camille Exemple;oui;camille@example.org\n",
    "partnerships.csv": "partnership_id;need_id;offer_id;status;value_euros\n"
    "p1;v_n1;v_o1;concrétisé;1200\n",
}
REDON_ORGS = """org_id;name;kind;territory
r_asso;Atelier Vélo Solidaire;ess;redon
r_ent;Imprimerie des Marais;company;redon
"""
REDON_ITEMS = """item_id;org_id;direction;category;title
r_n1;r_asso;need;skills;Site internet
r_o1;r_ent;offer;skills;Mise en page
"""


@pytest.fixture
def vitre(backend_store: Store, tmp_path: Path) -> Store:
    folder = tmp_path / "vitre"
    write(folder, "territories.csv", "territory_id;name\nvitre;Pays de Vitré\n")
    write(folder, "organisations.csv", VITRE_ORGS)
    write(folder, "items.csv", VITRE_ITEMS)
    for name, text in VITRE_REST.items():
        write(folder, name, text)
    services.import_territory(backend_store, folder)
    services.import_territory(
        backend_store, _redon(tmp_path / "redon0"), territory=Territory("redon", "Pays de Redon")
    )
    return backend_store


def _redon(folder: Path, **extra: str) -> Path:
    write(folder, "organisations.csv", REDON_ORGS)
    write(folder, "items.csv", REDON_ITEMS)
    for name, text in extra.items():
        write(folder, f"{name}.csv", text)
    return folder


def _account(store: Store, principal: Principal) -> None:
    """The account behind ``principal`` (the services re-read it at every block)."""
    with access.operator():
        if principal.username not in {u["username"] for u in access.list_users(store)}:
            access.add_user(
                store, principal.username, principal.role, territories=principal.territories
            )


def _snapshot(store: Store) -> str:
    with access.operator(), store.reading() as conn:
        data = repo.read_all(conn)
    return repr(data)


def _refused(store: Store, folder: Path, *, as_: Principal | None = None) -> str:
    if as_ is not None:
        _account(store, as_)
    before = _snapshot(store)
    with pytest.raises((InvalidInputError, PermissionDeniedError)) as err:
        if as_ is None:
            services.import_territory(store, folder)
        else:
            with signed_in(as_):
                services.import_territory(store, folder)
    assert _snapshot(store) == before, "a refused import changes nothing"
    return str(err.value)


@pytest.mark.parametrize(
    "name, text, where",
    [
        (
            "partnerships",
            "partnership_id;need_id;offer_id;status\np1;r_n1;r_o1;piste\n",
            "partnerships.csv, ligne 2, colonne « partnership_id »",
        ),
        (
            "contacts",
            "identifiant;structure;nom;consentement\nc1;r_asso;Dominique Exemple;non\n",
            "contacts.csv, ligne 2, colonne « identifiant »",
        ),
        (
            "diagnostics",
            "diagnostic_id;org_id;date\nd1;r_asso;2025-06-01\n",
            "diagnostics.csv, ligne 2, colonne « diagnostic_id »",
        ),
        (
            "items",
            REDON_ITEMS + "v_o1;r_ent;offer;skills;Relecture\n",
            "items.csv, ligne 4, colonne « item_id »",
        ),
        (
            "organisations",
            REDON_ORGS + "v_ent;Menuiserie du Val;company;redon\n",
            "organisations.csv, ligne 4, colonne « org_id »",
        ),
    ],
)
def test_an_id_of_another_territory_is_refused_not_taken(
    vitre: Store, tmp_path: Path, name: str, text: str, where: str
):
    message = _refused(vitre, _redon(tmp_path / "redon", **{name: text}))
    assert where in message and "territoire « Pays de Vitré »" in message
    # The realised partnership keeps its status and its value, the contact its person.
    with vitre.reading() as conn:
        (p1,) = repo.read_partnerships(conn, partnership_ids=["p1"])
        contact = next(c for c in repo.read_contacts(conn) if c.contact_id == "c1")
    assert (p1.status.value, p1.value_euros) == ("realised", 1200)
    assert contact.name == "Camille Exemple"


def test_a_facilitator_cannot_add_items_to_another_territorys_organisation(
    vitre: Store, tmp_path: Path
):
    # Only items: the organisations named are Vitré's, already in the database.
    folder = tmp_path / "sneaky"
    write(folder, "organisations.csv", REDON_ORGS)
    write(folder, "items.csv", REDON_ITEMS + "x1;v_asso;need;skills;Ajout clandestin\n")
    message = _refused(vitre, folder, as_=REDON)
    # Located at the cell typed, without naming the territory Redon's facilitator cannot read.
    assert "items.csv, ligne 4, colonne « org_id »" in message and "vitre" not in message


def test_a_facilitator_cannot_rename_another_territory(vitre: Store, tmp_path: Path):
    folder = _redon(tmp_path / "rename", territories="territory_id;name\nvitre;Piraté\n")
    _refused(vitre, folder, as_=REDON)
    with access.operator(), vitre.reading() as conn:
        assert repo.read_territories(conn, "vitre")[0].name == "Pays de Vitré"


def test_a_partnership_with_another_territorys_offer_is_refused(vitre: Store, tmp_path: Path):
    folder = _redon(
        tmp_path / "cross",
        partnerships="partnership_id;need_id;offer_id;status\npx;r_n1;v_o1;piste\n",
    )
    _refused(vitre, folder, as_=REDON)


def test_own_territory_reimport_still_updates(vitre: Store, tmp_path: Path):
    folder = _redon(tmp_path / "again")
    write(folder, "items.csv", REDON_ITEMS.replace("Mise en page", "Mise en page et relecture"))
    _account(vitre, REDON)
    with signed_in(REDON):
        services.import_territory(vitre, folder)
    with access.operator(), vitre.reading() as conn:
        titles = {i.item_id: i.title for i in repo.read_items(conn, "redon")}
    assert titles["r_o1"] == "Mise en page et relecture"


def test_owners_of_every_kind(vitre: Store):
    with vitre.reading() as conn:
        assert repo.owners(conn, "partnership", ["p1", "nope"]) == {"p1": frozenset({"vitre"})}
        assert repo.owners(conn, "contact", ["c1"]) == {"c1": frozenset({"vitre"})}
        assert repo.owners(conn, "diagnostic", ["d1"]) == {"d1": frozenset({"vitre"})}
        assert repo.owners(conn, "item", ["r_o1"]) == {"r_o1": frozenset({"redon"})}
        assert repo.owners(conn, "organisation", ["r_asso"]) == {"r_asso": frozenset({"redon"})}
        assert repo.owners(conn, "territory", ["redon", "x"]) == {"redon": frozenset({"redon"})}
