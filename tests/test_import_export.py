"""Import all-or-nothing, French messages located by file/row/column, lossless round trips."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import ITEMS, ORGS, write

from traits import services
from traits.errors import InvalidInputError
from traits.interchange.readers import read_source
from traits.interchange.writers import neutralise
from traits.storage import Store


def _messages(exc: InvalidInputError) -> list[str]:
    return [str(p) for p in exc.problems if p.severity == "error"]


def _refused(store: Store, folder: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as err:
        services.import_territory(store, folder)
    assert services.stats(store)["organisations"] == 0, "nothing may be written on error"
    return _messages(err.value)


def test_small_folder_imports_and_geocodes(store: Store, small: Path):
    report = services.import_territory(store, small)
    assert report.written["organisations"] == 2 and report.written["besoins et offres"] == 2
    counts = services.stats(store)
    assert (counts["organisations"], counts["needs"], counts["offers"]) == (2, 1, 1)
    exported = services.export_territory(store, small.parent / "out")
    rows = list(
        csv.DictReader(
            (small.parent / "out" / "organisations.csv").read_text("utf-8-sig").splitlines(),
            delimiter=";",
        )
    )
    vitre = next(r for r in rows if r["org_id"] == "a")
    assert abs(float(vitre["lat"]) - 48.12) < 0.05 and abs(float(vitre["lon"]) + 1.21) < 0.05
    assert vitre["territory"] == "defaut"
    assert len(exported) == 8  # the seven files and partnership_members.csv


def test_unknown_org_duplicate_id_bad_category_bad_siret_all_reported(store: Store, tmp_path: Path):
    folder = tmp_path / "bad"
    write(folder, "organisations.csv", ORGS.replace("12345678200010", "12345678200011"))
    write(
        folder,
        "items.csv",
        ITEMS
        + "n1,a,need,skills,Doublon,\n"
        + "n3,zz,need,skills,Compta,\n"
        + "n4,a,besoin,cuisine,Repas,\n",
    )
    messages = _refused(store, folder)
    joined = "\n".join(messages)
    assert "organisations.csv, ligne 3, colonne « siret »" in joined
    assert "items.csv, ligne 4, colonne « item_id »" in joined and "déjà utilisé ligne 2" in joined
    assert "items.csv, ligne 5, colonne « org_id »" in joined and "« zz » introuvable" in joined
    assert "items.csv, ligne 6, colonne « category »" in joined and "cuisine" in joined
    assert len(messages) == 4


def test_missing_required_column_refuses_whole_import(store: Store, tmp_path: Path):
    folder = tmp_path / "bad"
    write(folder, "organisations.csv", "org_id,name\na,Asso\n")
    write(folder, "items.csv", ITEMS)
    messages = _refused(store, folder)
    assert any("colonne obligatoire « type »" in m for m in messages)


def test_missing_organisations_file(store: Store, tmp_path: Path):
    folder = tmp_path / "bad"
    write(folder, "items.csv", ITEMS)
    messages = _refused(store, folder)
    assert any("organisations.csv" in m and "introuvable" in m for m in messages)


def test_near_duplicates_are_reported_not_refused(store: Store, tmp_path: Path):
    folder = tmp_path / "dup"
    write(folder, "organisations.csv", ORGS + "c,Recyclerie du bocage,ess,,,VITRE,35500\n")
    write(folder, "items.csv", ITEMS)
    report = services.import_territory(store, folder)
    assert any("doublon" in p.message and p.row == 4 for p in report.warnings)


def test_partnership_within_one_organisation_is_refused(store: Store, small: Path):
    write(small, "items.csv", ITEMS + "o2,a,offer,skills,Aide,\n")
    write(small, "partnerships.csv", "partnership_id,need_id,offer_id,status\np1,n1,o2,proposed\n")
    messages = _refused(store, small)
    assert any("deux structures différentes" in m for m in messages)


def test_abandoned_without_reason_is_refused(store: Store, small: Path):
    write(small, "partnerships.csv", "partnership_id,need_id,offer_id,status\np1,n1,o1,abandonné\n")
    messages = _refused(store, small)
    assert any("motif d'abandon" in m and "partnerships.csv, ligne 2" in m for m in messages)


def test_reimport_updates_instead_of_duplicating(store: Store, small: Path):
    services.import_territory(store, small)
    write(small, "items.csv", ITEMS.replace("Fourgon 12 m3", "Fourgon 20 m3"))
    services.import_territory(store, small)
    assert services.stats(store)["offers"] == 1


def test_id_of_another_territory_is_refused(store: Store, small: Path, tmp_path: Path):
    from traits.model import Territory

    services.import_territory(store, small, territory=Territory("vitre", "Pays de Vitré"))
    with pytest.raises(InvalidInputError) as err:
        services.import_territory(store, small, territory=Territory("redon", "Pays de Redon"))
    assert any("territoire « Pays de Vitré »" in m for m in _messages(err.value))


def test_formula_cells_are_neutralised_and_round_trip(store: Store, small: Path, tmp_path: Path):
    write(small, "items.csv", ITEMS + 'n9,a,need,other,=HYPERLINK("x"),@SUM(A1)\n')
    services.import_territory(store, small)
    out = tmp_path / "out"
    services.export_territory(store, out)
    raw = (out / "items.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in raw and "'@SUM(A1)" in raw
    orgs = (out / "organisations.csv").read_text("utf-8-sig")
    assert ";-1.2" in orgs and ";'-" not in orgs  # negative longitudes stay numbers
    again = Store(tmp_path / "again.sqlite")
    services.import_territory(again, out)
    items = read_source(out)["items"].records()
    assert any(r["title"] == '=HYPERLINK("x")' for _, r in items)


def test_negative_numbers_are_not_neutralised():
    assert neutralise("-1.2175") == "-1.2175"
    assert neutralise("-2 jours") == "'-2 jours"
    assert neutralise("+33 2 99") == "'+33 2 99"


def _snapshot(store: Store) -> dict:
    from traits.storage import repository as repo

    with store.reading() as conn:
        data = repo.read_all(conn)
    return {
        name: sorted(repr(x) for x in getattr(data, name))
        for name in (
            "territories",
            "organisations",
            "diagnostics",
            "items",
            "contacts",
            "partnerships",
        )
    }


@pytest.mark.parametrize(
    ("fmt", "french"),
    [
        ("folder", False),
        ("territoire.xlsx", False),
        ("territoire.ods", False),
        ("territoire.xlsx", True),
        ("territoire.ods", True),
    ],
)
def test_sample_territory_round_trip_is_lossless(tmp_path: Path, fmt: str, french: bool):
    first = Store(tmp_path / "first.sqlite")
    services.load_demo(first)
    target = tmp_path / ("out" if fmt == "folder" else fmt)
    services.export_territory(first, target, french=french)
    second = Store(tmp_path / "second.sqlite")
    services.import_territory(second, target)
    assert _snapshot(first) == _snapshot(second)
    assert services.stats(second) == services.stats(first)


def test_the_workbook_people_download_is_french(tmp_path: Path):
    """Sheets, headers and values as the templates write them: no codes, no ISO dates."""
    import re

    import openpyxl

    from traits.services import downloads

    store = Store(tmp_path / "fr.sqlite")
    services.load_demo(store)
    (tmp_path / "t.xlsx").write_bytes(downloads.territory_workbook(store, "vitre"))
    book = openpyxl.load_workbook(tmp_path / "t.xlsx", read_only=True)
    assert "Structures" in book.sheetnames and "Besoins et offres" in book.sheetnames
    assert not {"organisations", "items", "partnerships"} & set(book.sheetnames)
    cells = [
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    headers = [c.value for c in next(book["Structures"].iter_rows(max_row=1))]
    assert "org_id" not in headers and "Nom" in headers
    assert not {"need", "offer", "realised", "ess", "company", "skills", "premises"} & set(cells)
    assert "besoin" in cells and "concrétisé" in cells
    assert not any(re.fullmatch(r"\d{4}-\d\d-\d\d(T.*)?", c) for c in cells)
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4}", c) for c in cells)


def test_devset_imports_with_relevance(store: Store, devset: Path):
    report = services.import_territory(store, devset)
    counts = services.stats(store)
    assert counts["organisations"] == 18 and counts["needs"] + counts["offers"] == 45
    assert len(report.relevance) == 16
