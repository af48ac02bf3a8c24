"""One rule for texts and digit fields, on import, form and restore (probe D5, D6).

A text a workbook cannot hold (control characters, more than a cell's 32,767 characters) is
refused where it comes in, located, instead of being stored and then blocking every export.
Postcodes, SIRET and phone numbers written with digits of another script or full-width are
refused with a message, not stored as look-alikes no other tool reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from traits import services
from traits.errors import InvalidInputError
from traits.model import Organisation, OrgKind, Territory
from traits.services import diagnostics as ds
from traits.services import territories as ts
from traits.storage import Store

ORGS = "org_id;name;kind;postcode;siret;description\n"
REDON = Territory("redon", "Pays de Redon")


def _import(store: Store, folder: Path, orgs: str, items: str = "") -> InvalidInputError:
    write(folder, "organisations.csv", ORGS + orgs)
    write(folder, "items.csv", "item_id;org_id;direction;category;title\n" + items)
    with pytest.raises(InvalidInputError) as refused:
        services.import_territory(store, folder, territory=REDON)
    assert services.stats(store)["organisations"] == 0, "nothing written"
    return refused.value


@pytest.mark.parametrize(
    ("orgs", "items", "where"),
    [
        ("o1;Atelier\x07Vélo;ess;;;\n", "", ("organisations.csv", 2, "name")),
        (
            "o1;Atelier;ess;;;desc\x1bavec échappement\n",
            "",
            ("organisations.csv", 2, "description"),
        ),
        ("o1;Atelier;ess;;;\n", "i1;o1;need;skills;Site\x0cweb\n", ("items.csv", 2, "title")),
        ("o1;Atelier;ess;;;" + "x" * 40_000 + "\n", "", ("organisations.csv", 2, "description")),
        # DEL, a C1 control and the Unicode line separator: invisible, and they break exports
        ("o1;Atelier\x7fVélo;ess;;;\n", "", ("organisations.csv", 2, "name")),
        ("o1;Atelier;ess;;;desc\x9bC1\n", "", ("organisations.csv", 2, "description")),
        ("o1;Atelier;ess;;;\n", "i1;o1;need;skills;Site\u2028web\n", ("items.csv", 2, "title")),
    ],
)
def test_import_refuses_text_no_workbook_can_hold(
    store: Store, tmp_path: Path, orgs: str, items: str, where: tuple[str, int, str]
):
    refused = _import(store, tmp_path / "t", orgs, items)
    errors = [p for p in refused.problems if p.severity == "error"]
    assert [(p.file, p.row, p.column) for p in errors] == [where]
    assert "retapez" in errors[0].message or "32\u202f767" in errors[0].message


def test_tab_and_line_breaks_stay_and_export_as_a_workbook(store: Store, tmp_path: Path):
    folder = tmp_path / "ok"
    write(folder, "organisations.csv", ORGS + 'o1;Atelier;ess;;;"deux\nlignes\tet tab"\n')
    write(folder, "items.csv", "item_id;org_id;direction;category;title\n")
    services.import_territory(store, folder, territory=REDON)
    (path,) = [services.export_territory(store, tmp_path / "x.xlsx", territory_id="redon")][0]
    assert path.exists()


@pytest.mark.parametrize(
    "orgs",
    [
        "o1;Atelier;ess;３５６００;;\n",  # full-width
        "o1;Atelier;ess;٣٥٦٠٠;;\n",  # Arabic-Indic
        "o1;Atelier;ess;;６４１３３１１９４０００１０;\n",
    ],
)
def test_import_refuses_digits_of_another_script(store: Store, tmp_path: Path, orgs: str):
    refused = _import(store, tmp_path / "d", orgs)
    (error,) = [p for p in refused.problems if p.severity == "error"]
    assert error.row == 2 and error.column in ("postcode", "siret")
    assert "chiffres 0 à 9 du clavier" in error.message


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("postcode", "３５６００", "chiffres 0 à 9"),
        ("siret", "٦٤١٣٣١١٩٤٠٠٠١٠", "chiffres 0 à 9"),
        ("description", "texte\x08effacé", "retapez"),
        ("description", "x" * 40_000, "32\u202f767"),
    ],
)
def test_form_applies_the_same_rule(store: Store, field: str, value: str, why: str):
    territory = ts.create_territory(store, None, "Pays de Redon", ["Redon"], None).territory_id
    org = Organisation("", "Atelier Vélo", OrgKind.ESS, territory, **{field: value})
    with pytest.raises(InvalidInputError) as refused:
        ds.save_organisation(store, org)
    assert why in str(refused.value)
