"""Values as a facilitator's spreadsheet holds them (probe « sheets3 », defects 1, 2, 3 and 8).

- a dot before three digits (« 12.000 € », « 1.500 h ») is a French thousands separator or an
  English decimal point: refused, never read as 12 € or 1,5 h;
- a cell formatted as a percentage or in another currency than the euro is refused as the same
  text typed would be, and quoted as the spreadsheet shows it;
- dates before 2000 or more than a year ahead are refused, « 31/12/99 » is 1999 (not 2099);
- messages quote the cell as shown: a date cell « 01/03/2025 », a time « 01:30 », the whole
  text (« 1 k€ »), a SIRET the spreadsheet wrote in scientific notation, an invisible character.

All organisations are fictional.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from factories import workbook
from typer.testing import CliRunner

from traits import rules
from traits.errors import InvalidInputError
from traits.interchange import cells
from traits.interchange.readers import read_workbook
from traits.services import export_territory, import_territory, interview, stats
from traits.services.reports import period_date
from traits.storage import Store

TODAY = dt.date.today()
STRUCTURES = [
    ["Nom", "Type", "SIRET"],
    ["Recyclerie des Essais", "association", None],
    ["Blanchisserie Fictive", "ESAT", None],
]
PARTENARIATS = [
    ["Structure qui a le besoin", "Structure qui offre", "Statut", "Heures", "Montant"],
    ["Recyclerie des Essais", "Blanchisserie Fictive", "concrétisé", "16 h", "1 200,50 €"],
]
ENTRETIENS = [["Structure", "Date"], ["Recyclerie des Essais", "03/03/2025"]]


def _book(path: Path, **overrides: list[list[object]]) -> Path:
    sheets = {"Structures": STRUCTURES, "Entretiens": ENTRETIENS, "Partenariats": PARTENARIATS}
    return workbook(path, sheets, **overrides)


def _refused(store: Store, book: Path) -> list[str]:
    before = stats(store)
    with pytest.raises(InvalidInputError) as err:
        import_territory(store, book)
    assert stats(store) == before  # all or nothing
    return [str(p) for p in err.value.problems if p.severity == "error"]


def _partnership(**cells_: object) -> list[list[object]]:
    row = dict(zip(PARTENARIATS[0], PARTENARIATS[1], strict=True)) | cells_
    return [PARTENARIATS[0], [row[h] for h in PARTENARIATS[0]]]


# -- 1. a dot before three digits ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "typed", "both"),
    [
        (rules.euros, "12.000 €", ("12 000", "« 12 »")),
        (rules.euros, "2.500", ("2 500", "2,5")),
        (rules.euros, "1.200 euros", ("1 200", "1,2")),
        (rules.hours, "1.500 h", ("1 500", "1,5")),
        (rules.hours, "2.250", ("2 250", "2,25")),
        (rules.quantity, "3.125", ("3 125", "3,125")),
    ],
)
def test_a_dot_before_three_digits_is_refused_saying_both_readings(rule, typed, both) -> None:
    with pytest.raises(rules.FieldError) as err:
        rule(typed)
    assert f"« {typed} »" in err.value.message
    assert all(reading in err.value.message for reading in both)


@pytest.mark.parametrize(
    ("rule", "typed", "value"),
    [
        (rules.euros, "1.200,50 €", 1200.5),  # a comma after: the dot separates thousands
        (rules.euros, "1,200.50", 1200.5),
        (rules.euros, "0.200", 0.2),  # 0 thousands means nothing: a decimal
        (rules.euros, "1 200.5 €", 1200.5),  # not three digits after the dot
        (rules.euros, "1200.505", 1200.505),  # four digits before it: not a thousands group
        (rules.hours, "16.5", 16.5),
        (rules.quantity, 2.125, 2.125),  # a number (a number cell, the app) is no text
    ],
)
def test_unambiguous_dots_are_still_read(rule, typed, value) -> None:
    assert rule(typed) == value


def test_a_coordinate_dot_stays_a_decimal_point() -> None:
    assert rules.number("48.731", low=-90, high=90) == 48.731


def test_several_dot_groups_are_refused_with_spaces_advised() -> None:
    with pytest.raises(rules.FieldError, match="« 1 200 000 »"):
        rules.euros("1.200.000")


def test_import_refuses_12_000_with_a_dot_and_writes_nothing(backend_store: Store, tmp_path):
    book = _book(tmp_path / "a.xlsx", Partenariats=_partnership(Montant="12.000 €"))
    messages = _refused(backend_store, book)
    assert len(messages) == 1
    assert "« Partenariats », ligne 2, colonne « Montant »" in messages[0]
    assert "12 000 ou 12 " in messages[0]


def test_number_cells_with_three_decimals_are_read_exactly(backend_store: Store, tmp_path):
    """A number cell 2,125 is no text « 2.125 »: the spreadsheet already read it."""
    book = _book(tmp_path / "n.xlsx", Partenariats=_partnership(Heures=2.125, Montant=1.125))
    import_territory(backend_store, book)
    export_territory(backend_store, tmp_path / "out")
    text = (tmp_path / "out" / "partnerships.csv").read_text(encoding="utf-8-sig")
    assert "2.1250" in text and "1.1250" in text  # written so that it reads back the same
    before = stats(backend_store)
    import_territory(backend_store, tmp_path / "out")  # the export imports again, unchanged
    assert stats(backend_store) == before


def test_command_line_amounts_follow_the_same_rule(tmp_path: Path) -> None:
    from traits.cli import app

    db = str(tmp_path / "t.sqlite")
    book = _book(tmp_path / "c.xlsx")
    runner = CliRunner()
    assert runner.invoke(app, ["import", str(book), "--db", db]).exit_code == 0
    listed = runner.invoke(app, ["partnership", "list", "--db", db]).output
    pid = next(w for w in listed.split() if w.startswith("p-"))
    out = runner.invoke(app, ["partnership", "update", pid, "--euros", "12.000", "--db", db])
    assert out.exit_code == 1 and "12 000" in str(out.exception or out.output)
    out = runner.invoke(app, ["partnership", "update", pid, "--euros", "12 000", "--db", db])
    assert out.exit_code == 0, out.output


# -- 2. percentage and currency formats -----------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        ("0%", "%"),
        ("0.00%", "%"),
        ("[$$-409]#,##0.00", "$"),
        ('"$"#,##0.00', "$"),
        ("#,##0.00\\ [$£-809]", "£"),
        ('#,##0.00 "CHF"', "CHF"),
        ("#,##0.00 [$€-40C]", None),
        ('#,##0.00\\ "€"', None),
        ("#,##0.00 [$EUR]", None),
        ("General", None),
        ("0.00", None),
        ('0" h"', None),
        ("dd/mm/yyyy", None),
        ("[$-40C]d mmmm yyyy", None),
    ],
)
def test_formats_carrying_a_percentage_or_another_currency(code: str, unit: str | None) -> None:
    assert cells.unit_of(code) == unit


def _formatted(path: Path, value: float, code: str) -> Path:
    from openpyxl import load_workbook

    book = load_workbook(_book(path))
    book["Partenariats"]["E2"].value = value
    book["Partenariats"]["E2"].number_format = code
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        (0.15, "0%", "« 15 % » est un pourcentage"),
        (1200.5, "[$$-409]#,##0.00", "« $1\u202f200,50 » n'est pas en euros"),
        (1200.5, '#,##0.00 "CHF"', "« 1\u202f200,50 CHF » n'est pas en euros"),
    ],
)
def test_percentage_and_foreign_currency_cells_are_refused_as_shown(
    backend_store: Store, tmp_path: Path, value: float, code: str, shown: str
) -> None:
    messages = _refused(backend_store, _formatted(tmp_path / "f.xlsx", value, code))
    assert len(messages) == 1 and "colonne « Montant »" in messages[0]
    assert shown in messages[0]


@pytest.mark.parametrize("code", ["#,##0.00 [$€-40C]", '#,##0.00\\ "€"', "General", "0.00"])
def test_euro_and_plain_number_cells_keep_their_exact_value(tmp_path: Path, code: str) -> None:
    tables = read_workbook(_formatted(tmp_path / "e.xlsx", 1200.505, code))
    assert rules.euros(tables["partnerships"].rows[0][4]) == 1200.505


def _ods(path: Path, amounts: list[tuple[str, str, str | None]]) -> Path:
    """An ODS as LibreOffice stores it: each amount (value type, value, currency) with the text
    the spreadsheet shows."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()

    def add(name: str, rows: list[list[object]]) -> None:
        table = Table(name=name)
        for row in rows:
            tr = TableRow()
            for value in row:
                if isinstance(value, tuple):
                    kind, number, currency = value
                    cell = TableCell(valuetype=kind, value=number)
                    if currency:
                        cell.setAttribute("currency", currency)
                    shown = {"percentage": "15 %", "currency": f"1 200,50 {currency}"}[kind]
                else:
                    cell, shown = TableCell(valuetype="string"), str(value)
                cell.addElement(P(text=shown))
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)

    add("Structures", STRUCTURES[:1] + [r[:2] + ["73282932000074"] for r in STRUCTURES[1:]])
    head, row = PARTENARIATS
    add("Partenariats", [head] + [row[:4] + [amount] for amount in amounts])
    doc.save(str(path))
    return path


def test_ods_percentage_and_dollar_cells_are_refused_euro_cells_read(
    backend_store: Store, tmp_path: Path
) -> None:
    book = _ods(
        tmp_path / "o.ods",
        [("currency", "1200.5", "USD"), ("percentage", "0.15", None), ("currency", "80", "EUR")],
    )
    tables = read_workbook(book)
    assert [r[4] for r in tables["partnerships"].rows] == ["1 200,50 USD", "15 %", "80"]
    messages = _refused(backend_store, book)
    assert len(messages) == 2
    assert "ligne 2" in messages[0] and "« 1 200,50 USD » n'est pas en euros" in messages[0]
    assert "ligne 3" in messages[1] and "« 15 % » est un pourcentage" in messages[1]


# -- 3. dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("31/12/99", "lue comme le 31 décembre 1999"),
        ("03/03/1925", "avant 2000"),
        ("03/03/1900", "avant 2000"),
        ("03/03/2125", "plus d'un an après aujourd'hui"),
        ((TODAY + dt.timedelta(days=400)).strftime("%d/%m/%Y"), "plus d'un an"),
    ],
)
def test_implausible_dates_are_refused_saying_how_they_were_read(typed: str, said: str) -> None:
    with pytest.raises(rules.FieldError) as err:
        rules.date(typed)
    assert said in err.value.message and f"« {typed} »" in err.value.message


def test_two_digit_years_are_this_century_unless_beyond_next_year() -> None:
    assert rules.date("4/2/25") == dt.date(2025, 2, 4)
    assert rules.date("01/01/00") == dt.date(2000, 1, 1)
    future = (TODAY.year + 2) % 100
    assert rules.read_date_time(f"01/01/{future:02d}").year == 1900 + future
    soon = TODAY + dt.timedelta(days=30)
    assert rules.date(soon.strftime("%d/%m/%y")) == soon  # an interview planned next month


def test_the_interview_form_applies_the_same_dates(tmp_path: Path) -> None:
    for typed in ("31/12/99", dt.date(1900, 3, 3), "03/03/2125"):
        with pytest.raises(InvalidInputError):
            interview.read_date(typed, "date")
    assert interview.read_date("04/02/2025", "date") == dt.date(2025, 2, 4)


def test_a_report_period_may_lie_anywhere() -> None:
    assert period_date("31/12/2099", "Au") == dt.date(2099, 12, 31)


def test_import_refuses_an_interview_of_1999_with_row_header_and_cell(
    backend_store: Store, tmp_path: Path
) -> None:
    rows = [*ENTRETIENS, ["Blanchisserie Fictive", "31/12/99"], ["Recyclerie des Essais",
            dt.datetime(1900, 3, 3)]]  # fmt: skip
    messages = _refused(backend_store, _book(tmp_path / "d.xlsx", Entretiens=rows))
    assert len(messages) == 2
    assert "« Entretiens », ligne 3, colonne « Date »" in messages[0]
    assert "« 31/12/99 » (lue comme le 31 décembre 1999)" in messages[0]
    assert "ligne 4" in messages[1] and "« 03/03/1900 »" in messages[1]


# -- 8. cells quoted as the spreadsheet shows them ------------------------------------------------


def test_cells_are_given_as_the_spreadsheet_shows_them() -> None:
    assert cells.text(dt.datetime(2025, 3, 1)) == "01/03/2025"
    assert cells.text(dt.datetime(2025, 3, 1, 10, 30)) == "01/03/2025 10:30"
    assert cells.text(dt.time(1, 30)) == "01:30"
    assert cells.text(1.5) == "1,5"
    assert cells.text(22300.0) == "22300"


@pytest.mark.parametrize(
    ("column", "cell", "quoted"),
    [
        ("Montant", dt.datetime(2025, 3, 1), "« 01/03/2025 » n'est pas un nombre"),
        ("Heures", dt.time(1, 30), "« 01:30 » est une heure de la journée"),
        ("Montant", "1 k€", "« 1 k€ »"),
        ("Montant", "env. 1 200 €", "« env. 1 200 € »"),
        ("Montant", "en euros", "« en euros »"),
    ],
)
def test_messages_quote_the_whole_cell_as_shown(
    backend_store: Store, tmp_path: Path, column: str, cell: object, quoted: str
) -> None:
    book = _book(tmp_path / "q.xlsx", Partenariats=_partnership(**{column: cell}))
    messages = _refused(backend_store, book)
    assert len(messages) == 1 and quoted in messages[0], messages


def test_a_siret_in_scientific_notation_says_what_the_spreadsheet_did() -> None:
    with pytest.raises(rules.FieldError) as err:
        rules.siret("7,32829E+13")
    assert "notation scientifique" in err.value.message
    assert "format texte" in err.value.message


def test_an_invisible_character_in_a_name_is_said_where(backend_store, tmp_path) -> None:
    rows = [ENTRETIENS[0], ["Recyclerie des Essais\u200b", "03/03/2025"]]
    messages = _refused(backend_store, _book(tmp_path / "z.xlsx", Entretiens=rows))
    assert "identifiant invalide" not in messages[0]
    assert "caractère invisible" in messages[0]
    assert "après « Recyclerie des Essais »" in messages[0]


def test_a_control_character_in_a_text_is_said_where() -> None:
    said = rules.text_problem("Atelier vélo\x07 du samedi", "organisations", "description")
    assert said is not None and "au 13e caractère" in said and "Atelier" not in said
