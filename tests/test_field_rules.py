"""Field rules written once (traits.rules), and the same answer from the import, the forms and
the commands, on both backends: numbers are finite and not negative, text fits its column,
a French postcode has 5 digits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import ITEMS, ORGS, write
from typer.testing import CliRunner

from traits import rules
from traits.cli import app
from traits.errors import InvalidInputError
from traits.interchange.columns import FILES
from traits.model import Contact, Diagnostic, Item, Organisation
from traits.services import diagnostics as ds
from traits.services import import_territory, partnerships, stats
from traits.services.territories import create_territory
from traits.storage import schema

# -- the rules themselves ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["4 février 2025", "04/02/2025", "4/2/25", "2025-02-04", "04.02.2025", "mardi 4 févr. 2025"],
)
def test_dates_as_people_type_them(typed: str) -> None:
    assert rules.date(typed) == dt.date(2025, 2, 4)


@pytest.mark.parametrize("typed", ["31/02/2025", "demain", "4 brumaire 2025", "2025"])
def test_impossible_or_unreadable_dates_are_refused_in_french(typed: str) -> None:
    with pytest.raises(rules.FieldError, match="date"):
        rules.date(typed)


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1 800 €", 1800.0), ("1800,50", 1800.5), ("1 800,50 €", 1800.5), ("2 500 euros", 2500.0)],
)
def test_amounts_as_typed(typed: str, value: float) -> None:
    assert rules.euros(typed) == value


@pytest.mark.parametrize(
    ("typed", "value"), [("20h", 20.0), ("20 h", 20.0), ("1h30", 1.5), ("2,5 heures", 2.5)]
)
def test_hours_as_typed(typed: str, value: float) -> None:
    assert rules.hours(typed) == value


@pytest.mark.parametrize(
    "bad", ["inf", "-inf", "nan", "NaN", "1e309", "-1e400", "Infinity", float("inf"), -3, "-2,5"]
)
@pytest.mark.parametrize("rule", [rules.euros, rules.hours, rules.number])
def test_non_finite_and_negative_numbers_are_refused_by_every_numeric_rule(bad, rule) -> None:
    with pytest.raises(rules.FieldError):
        rule(bad)


def test_phone_that_lost_its_leading_zero_is_restored_with_a_notice() -> None:
    assert rules.phone("299123456") == (
        "02 99 12 34 56",
        "numéro « 299123456 » lu comme 02 99 12 34 56 (zéro initial rétabli).",
    )
    assert rules.phone("06 12 34 56 78") == ("06 12 34 56 78", None)
    with pytest.raises(rules.FieldError):
        rules.phone("demander à l'accueil")


@pytest.mark.parametrize("bad", ["355000", "3550", "35 5OO", "35500-1", "123456789012"])
def test_a_french_postcode_has_five_digits(bad: str) -> None:
    if bad == "3550":  # a number cell that lost its leading zero: restored, and said
        assert rules.postcode(bad) == (
            "03550",
            "code postal « 3550 » lu comme 03550 (zéro initial rétabli).",
        )
        return
    with pytest.raises(rules.FieldError, match="5 chiffres"):
        rules.postcode(bad)


@pytest.mark.parametrize("answer", ["x", "OK", "ok", "peut-être", "?"])
def test_consent_must_be_explicit(answer: str) -> None:
    with pytest.raises(rules.FieldError, match="oui"):
        rules.yes_no(answer)
    assert rules.yes_no(" Oui ") is True and rules.yes_no("NON") is False


def test_one_fold_for_keys_commune_names_and_slugs() -> None:
    from traits.geo import normalise_commune
    from traits.services.territories import slugify

    assert rules.fold("  Œuvre   d'Été ") == "oeuvre d ete"
    assert normalise_commune("Œuvre-d'Été") == "oeuvre d ete"
    assert slugify("Œuvre d'Été") == "oeuvre-d-ete"


def test_lengths_come_from_the_schema() -> None:
    assert rules.max_length("organisations", "name") == schema.organisations.c.name.type.length
    # A free text holds what a workbook cell holds: the project's own exports read it back.
    assert rules.max_length("organisations", "description") == rules.WORKBOOK_CELL_CHARS
    assert rules.max_length("audit_log", "keys") is None


# -- the same rule for the import and the form ---------------------------------------------------


@pytest.mark.parametrize(
    ("siret", "ok"), [("123 456 782 00010", True), ("123.456.782.00010", True), ("1234", False)]
)
def test_form_and_import_agree_on_siret(store, tmp_path: Path, siret: str, ok: bool) -> None:
    create_territory(store, "t", "Territoire test", [], None)
    org = Organisation("", "Atelier", "ess", "t", siret=siret)
    if ok:
        assert ds.save_organisation(store, org).siret == "12345678200010"
    else:
        with pytest.raises(InvalidInputError, match="14 chiffres"):
            ds.save_organisation(store, org)
    folder = tmp_path / "f"
    write(folder, "organisations.csv", f"org_id;name;kind;siret\na;Atelier 2;ess;{siret}\n")
    write(folder, "items.csv", "item_id;org_id;direction;category;title\nn1;a;need;skills;Compta\n")
    if ok:
        import_territory(store, folder, territory=None)
    else:
        with pytest.raises(InvalidInputError, match="14 chiffres"):
            import_territory(store, folder)


@pytest.mark.parametrize("email", ["lou@exemple", "lou exemple@exemple.fr", "lou@@exemple.fr"])
def test_form_and_import_agree_on_email(store, tmp_path: Path, email: str) -> None:
    create_territory(store, "t", "Territoire test", [], None)
    org = Organisation("", "Atelier", "ess", "t")
    with pytest.raises(InvalidInputError, match="adresse"):
        ds.save_diagnostic(
            store,
            Diagnostic("", "", dt.date(2025, 2, 4), status="draft"),
            [],
            [Contact("", "", "Lou Exemple", True, email=email)],
            organisation=org,
        )
    folder = tmp_path / "f"
    write(folder, "organisations.csv", ORGS)
    write(folder, "items.csv", ITEMS)
    write(folder, "contacts.csv", f"contact_id;org_id;name;email;consent\nc1;a;Lou;{email};oui\n")
    with pytest.raises(InvalidInputError, match="adresse"):
        import_territory(store, folder)


# -- issue 11, item 10: non-finite numbers, everywhere -------------------------------------------

PARTS = "partnership_id;need_id;offer_id;status;value_hours;value_euros;value_quantity\n"


@pytest.mark.parametrize("bad", ["inf", "nan", "1e309", "-5", "-1e400"])
@pytest.mark.parametrize("column", ["value_hours", "value_euros", "value_quantity"])
def test_import_refuses_non_finite_values(backend_store, tmp_path: Path, bad: str, column: str):
    folder = tmp_path / "f"
    write(folder, "organisations.csv", ORGS)
    write(folder, "items.csv", ITEMS)
    cells = {"value_hours": "", "value_euros": "", "value_quantity": "", column: bad}
    write(
        folder,
        "partnerships.csv",
        PARTS + f"p1;n1;o1;realised;{cells['value_hours']};{cells['value_euros']};"
        f"{cells['value_quantity']}\n",
    )
    with pytest.raises(InvalidInputError) as err:
        import_territory(backend_store, folder)
    assert f"partnerships.csv, ligne 2, colonne « {column} »" in str(err.value)
    assert stats(backend_store)["organisations"] == 0


@pytest.mark.parametrize("bad", [float("inf"), float("nan"), float("-inf"), 1e308 * 10, -0.5])
def test_service_refuses_non_finite_values(backend_store, small: Path, bad: float) -> None:
    import_territory(backend_store, small)
    pid = partnerships.propose(backend_store, "n1", "o1").partnership_id
    for key in ("value_hours", "value_euros", "value_quantity"):
        with pytest.raises(InvalidInputError):
            partnerships.update_details(backend_store, pid, **{key: bad})
    part = partnerships.get(backend_store, pid)
    assert (part.value_hours, part.value_euros, part.value_quantity) == (None, None, None)


@pytest.mark.parametrize("bad", ["inf", "nan", "1e309", "-3"])
def test_cli_refuses_non_finite_values(tmp_path: Path, small: Path, bad: str) -> None:
    db = str(tmp_path / "t.sqlite")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(small), "--db", db]).exit_code == 0
    pid = (
        runner.invoke(app, ["partnership", "propose", "--db", db, "--need", "n1", "--offer", "o1"])
        .output.strip()
        .splitlines()[-1]
        .split()[0]
    )
    for option in ("--euros", "--hours", "--quantity"):
        out = runner.invoke(app, ["partnership", "update", pid, option, bad, "--db", db])
        assert out.exit_code == 1, out.output
        assert "Erreur inattendue" not in out.output
    report = runner.invoke(app, ["report", "--db", db, "--format", "json"])
    assert report.exit_code == 0, report.output


# -- issue 11, item 11: lengths and formats before the database, same on both backends ---------


def _length_cases() -> list[tuple[str, str]]:
    """Every text column of the format that the schema bounds (ids aside)."""
    out = []
    for spec in FILES:
        table = schema.metadata.tables.get(spec.name)
        for column in spec.columns:
            limit = rules.max_length(spec.name, column.name) if table is not None else None
            if limit and not column.name.endswith("_id") and column.name not in {"org_a", "org_b"}:
                out.append((spec.name, column.name))
    return out


BASE = {
    "organisations": ORGS,
    "items": ITEMS,
    "diagnostics": "diagnostic_id,org_id,date\nd1,a,2025-02-04\n",
    "contacts": "contact_id,org_id,name,consent\nc1,a,Lou Exemple,oui\n",
    "partnerships": "partnership_id,need_id,offer_id,status\np1,n1,o1,proposed\n",
    "partnership_events": "partnership_id,at,to_status\np1,2025-02-04,proposed\n",
    "territories": "territory_id,name\nt1,Territoire\n",
}


@pytest.mark.parametrize(("table", "column"), _length_cases())
def test_every_bounded_text_is_checked_before_the_database(
    backend_store, tmp_path: Path, table: str, column: str
) -> None:
    limit = rules.max_length(table, column)
    folder = tmp_path / "f"
    for name, text in BASE.items():
        if (
            name == table
            or name in ("organisations", "items")
            or (table == "partnership_events" and name == "partnerships")
        ):
            write(folder, f"{name}.csv", text)
    header, first, *others = BASE[table].splitlines()
    long_value = (
        "7" * (limit + 1) if column in ("postcode", "siret", "phone") else "é" * (limit + 1)
    )
    names, cells = header.split(","), first.split(",")
    if column in names:
        cells[names.index(column)] = long_value
    else:
        names, cells = [*names, column], [*cells, long_value]
        others = [line + "," for line in others]
    lines = [",".join(names), ",".join(cells), *others]
    write(folder, f"{table}.csv", "\n".join(lines) + "\n")
    with pytest.raises(InvalidInputError) as err:
        import_territory(backend_store, folder)
    message = str(err.value)
    assert f"{table}.csv, ligne 2, colonne « {column} »" in message
    if len(long_value) > 50:
        assert long_value[:50] not in message  # no whole cell in the message
    assert len([p for p in err.value.problems if p.severity == "error"]) == 1, message
    assert stats(backend_store)["organisations"] == 0


def test_form_refuses_long_text_on_both_backends(backend_store) -> None:
    create_territory(backend_store, "t", "Territoire test", [], None)
    org = Organisation("", "N" * 5000, "ess", "t", postcode="355000000000")
    with pytest.raises(InvalidInputError) as err:
        ds.save_diagnostic(
            backend_store,
            Diagnostic("", "", dt.date(2025, 2, 4)),
            [Item("", "", "need", "skills", "T" * 400)],
            [Contact("", "", "C" * 201, True)],
            organisation=org,
        )
    columns = {p.column for p in err.value.problems}
    assert {"nom de la structure", "code postal", "intitulé", "nom du contact"} <= columns
    assert "NNNN" not in str(err.value)
    with pytest.raises(InvalidInputError, match="trop long"):
        create_territory(backend_store, None, "Pays " * 100, [], None)
    with backend_store.reading() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.organisations)).scalar() == 0
        )


def test_storage_refuses_what_a_caller_forgot_to_check(backend_store) -> None:
    from traits.storage import repository as repo

    with pytest.raises(InvalidInputError, match="longueur"):
        with backend_store.transaction() as conn:
            repo.upsert(
                conn, schema.territories, [{"territory_id": "t", "name": "x" * 201, "communes": []}]
            )
    with backend_store.reading() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.territories)).scalar() == 0
        )
