"""The headcount (« Effectif ») has one field rule, for the import and the forms (probe
"sheets", defect 8).

Accepted: a band (0, 1-9, 10-49, 50-249, 250+) or a whole number of employees. A date in the
column is what a spreadsheet made of a band typed in a cell not formatted as text (« 1-9 »
becomes 1 September, « 10-49 » October 1949): read back to its band with a notice, any other
date refused. Free text is refused saying what to write. All organisations are fictional.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from traits import headcount, rules, services
from traits.errors import InvalidInputError
from traits.model import Organisation, OrgKind, Territory
from traits.services import access
from traits.storage import Store
from traits.storage import repository as repo

HINT = "écrivez une tranche (0, 1-9, 10-49, 50-249 ou 250+) ou un nombre de salariés"


@pytest.mark.parametrize(
    ("typed", "stored", "notice"),
    [
        ("1-9", "1-9", None),
        ("250+", "250+", None),
        ("0", "0", None),
        ("35", "35", None),
        ("1 200", "1200", None),
        ("12.0", "12", None),  # a number cell
        ("20 à 49", "20-49", None),
        ("250 et plus", "250+", None),
        ("15 salariés", "15", "lu comme 15"),
        ("2025-09-01", "1-9", "la date 01/09/2025 est la tranche « 1-9 »"),
        ("2026-09-01", "1-9", "la tranche « 1-9 »"),
        ("2025-01-09", "1-9", "la tranche « 1-9 »"),  # an English spreadsheet: 9 January
        ("1949-10-01", "10-49", "la date 01/10/1949 est la tranche « 10-49 »"),
    ],
)
def test_accepted_headcounts(typed: str, stored: str, notice: str | None):
    value, said = headcount.headcount(typed)
    assert value == stored
    assert (said is None) if notice is None else (notice in (said or ""))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("une dizaine", f"effectif « une dizaine » illisible : {HINT}"),
        ("12,5", "effectif « 12,5 » illisible"),
        ("-5", "effectif « -5 » illisible"),
        ("49-10", "effectif « 49-10 » illisible"),
        ("2025-03-01", "la date 01/03/2025 n'est pas un effectif"),
    ],
)
def test_refused_headcounts_say_what_to_write(typed: str, message: str):
    with pytest.raises(rules.FieldError) as err:
        headcount.headcount(typed)
    assert err.value.message.startswith(message) and HINT in err.value.message


def _book(path: Path, sizes: list[object]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Structures"
    sheet.append(["Nom", "Type", "Effectif "])
    for n, size in enumerate(sizes):
        sheet.append([f"Épicerie solidaire n°{n + 1}", "association", size])
    book.save(path)
    return path


def test_import_reads_a_date_cell_back_to_its_band_and_refuses_free_text(
    backend_store: Store, tmp_path: Path
):
    territory = Territory("t-centre", "Centre Bretagne")
    book = _book(tmp_path / "ok.xlsx", [dt.datetime(2025, 9, 1), dt.datetime(1949, 10, 1), 18])
    report = services.import_territory(backend_store, book, territory=territory)
    with access.operator(), backend_store.reading() as conn:
        sizes = sorted(o.size for o in repo.read_organisations(conn))
    assert sizes == ["1-9", "10-49", "18"]
    notices = [str(w) for w in report.warnings if "tranche" in w.message]
    assert len(notices) == 2
    assert notices[0].startswith("l'onglet « Structures », ligne 2, colonne « Effectif » : la date")

    before = services.stats(backend_store)
    bad = _book(tmp_path / "bad.xlsx", ["une dizaine", dt.datetime(2025, 3, 1)])
    with pytest.raises(InvalidInputError) as err:
        services.import_territory(backend_store, bad, territory=territory)
    assert services.stats(backend_store) == before
    errors = [str(p) for p in err.value.problems if p.severity == "error"]
    assert errors[0].startswith("l'onglet « Structures », ligne 2, colonne « Effectif » : effectif")
    assert "ligne 3, colonne « Effectif » : la date 01/03/2025 n'est pas un effectif" in errors[1]


def test_the_form_applies_the_same_rule(store: Store):
    services.create_territory(store, "t-centre", "Centre Bretagne", [], None)
    org = Organisation("", "Garage Solidaire", OrgKind.ESS, "t-centre", size="une dizaine")
    with pytest.raises(InvalidInputError) as err:
        services.save_organisation(store, org)
    (problem,) = err.value.problems
    assert problem.column == "effectif" and HINT in problem.message
    saved = services.save_organisation(store, Organisation("", "Garage", OrgKind.ESS, "t-centre",
                                                           size="10 à 49"))  # fmt: skip
    assert saved.size == "10-49"
