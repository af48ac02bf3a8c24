"""What the spreadsheet import says, as a facilitator reads it (probe « sheets », defects 3, 9,
10, 11, 13): headers with a unit, one error per mistake at the wrong cell, rows in every
warning, same-named structures of different communes, impossible dates.

The workbooks are small and typed by hand; every organisation and person is fictional.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from factories import workbook
from openpyxl import Workbook

from traits import rules
from traits.errors import InvalidInputError
from traits.interchange import readers, validate
from traits.services import export_territory, import_territory, preview_import
from traits.services.territories import create_territory, get_territory
from traits.storage import Store

STRUCTURES = [
    ["Nom", "Type", "Commune", "Effectif"],
    ["Atelier du Lié", "association", "Loudéac", "10-49"],
    ["Garage Kerlann", "entreprise", "Pontivy", "10-49"],
    ["Traiteur Le Dû", "entreprise", "Rohan", "1-9"],
]
ENTRETIENS = [
    ["Structure", "Date"],
    ["Atelier du Lié", dt.datetime(2025, 1, 28)],
    ["Garage Kerlann", "04/02/2025"],
]
BESOINS = [
    ["Structure", "Sens", "Catégorie", "Intitulé", "Date de l'entretien"],
    ["Atelier du Lié", "besoin", "matériel", "Camion benne", dt.datetime(2025, 1, 28)],
    ["Garage Kerlann", "offre", "matériel", "Prêt de camion", "04/02/2025"],
]
PARTENARIATS = [
    ["Structure qui a le besoin", "Besoin", "Structure qui offre", "Offre", "Statut"],
    ["Atelier du Lié", "Camion benne", "Garage Kerlann", "Prêt de camion", "réalisé"],
    ["Traiteur Le Dû", None, "Garage Kerlann", None, "en discussion"],
]


SHEETS = {
    "Structures": STRUCTURES,
    "Entretiens": ENTRETIENS,
    "Besoins et offres": BESOINS,
    "Partenariats": PARTENARIATS,
}


def _book(path: Path, **sheets: list[list[object]]) -> Path:
    return workbook(path, SHEETS, **sheets)


def _check(path: Path) -> validate.Parsed:
    return validate.validate(readers.read_source(path))


def _errors(parsed: validate.Parsed) -> list[str]:
    return [str(p) for p in parsed.errors]


def _with(rows: list[list[object]], row: int, col: int, value: object) -> list[list[object]]:
    out = [list(r) for r in rows]
    out[row][col] = value
    return out


# -- defect 3: headers with a unit or a note ------------------------------------------------------


@pytest.mark.parametrize(
    ("euros", "hours"),
    [
        ("Montant (€)", "Heures (h)"),
        ("Montant en €", "Heures en h"),
        ("Valeur (euros)", "Nombre d'heures (h)"),
        ("Montant : en euros", "Heures [bénévoles]"),
        ("Valeur (€)", "Durée (heures)"),  # other ways people head the hours (re-probe N1)
        ("Montant", "Nb d'heures"),
    ],
)
def test_figures_under_a_header_with_its_unit_are_read(tmp_path: Path, euros: str, hours: str):
    parts = [r + [v, w] for r, v, w in zip(PARTENARIATS, [euros, "2 500", None],
                                          [hours, "2,5 h", "12"], strict=True)]  # fmt: skip
    parsed = _check(_book(tmp_path / "a.xlsx", Partenariats=parts))
    assert not parsed.errors and not any("inconnue" in str(w) for w in parsed.warnings)
    first, second = parsed.partnerships
    assert (first.value_euros, first.value_hours, second.value_hours) == (2500.0, 2.5, 12.0)


def test_other_sheets_read_headers_with_a_note_the_same_way(tmp_path: Path):
    structures = [["Nom", "Type", "Commune", "Effectif (salariés)"], *STRUCTURES[1:]]
    entretiens = [["Structure (nom)", "Date (jj/mm/aaaa)"], *ENTRETIENS[1:]]
    parsed = _check(_book(tmp_path / "b.xlsx", Structures=structures, Entretiens=entretiens))
    assert not parsed.errors
    assert [o.size for o in parsed.organisations] == ["10-49", "10-49", "1-9"]
    assert [d.date for d in parsed.diagnostics] == [dt.date(2025, 1, 28), dt.date(2025, 2, 4)]


def test_a_header_that_only_looks_like_a_counted_figure_is_refused_naming_it(tmp_path: Path):
    parts = [r + [v] for r, v in zip(PARTENARIATS, ["Montant HT", "2 500", None], strict=True)]
    parsed = _check(_book(tmp_path / "c.xlsx", Partenariats=parts))
    assert _errors(parsed) == [
        "l'onglet « Partenariats », ligne 1, colonne « Montant HT » : colonne « Montant HT » "
        "non reconnue : s'il s'agit de la colonne « montant », nommez-la « montant » (sinon ses "
        "valeurs seraient perdues) ; si elle contient autre chose, supprimez-la ou renommez-la."
    ]
    # Beside its own « Montant » column it is something else: read past, with a word.
    parts = [r + [v] for r, v in zip(parts, ["Montant", "2 400", None], strict=True)]
    parsed = _check(_book(tmp_path / "d.xlsx", Partenariats=parts))
    assert not parsed.errors and parsed.partnerships[0].value_euros == 2400.0
    assert any("« Montant HT » inconnue, ignorée" in str(w) for w in parsed.warnings)


# -- defect 9: every warning says its row ---------------------------------------------------------


def test_partnership_warnings_give_their_row_and_structures(tmp_path: Path):
    parsed = _check(_book(tmp_path / "e.xlsx"))
    dated = [w for w in parsed.warnings if "sans date" in w.message]
    assert [(w.file, w.row) for w in dated] == [
        ("l'onglet « Partenariats »", 2),
        ("l'onglet « Partenariats »", 3),
    ]
    assert "« Atelier du Lié » et « Garage Kerlann » est sans date : daté du 28/01/2025" in str(
        dated[0]
    )
    assert "« Traiteur Le Dû » et « Garage Kerlann » est sans date : daté du 04/02/2025" in str(
        dated[1]
    )


def test_history_that_disagrees_with_the_status_is_reported_at_the_partnership_row(
    tmp_path: Path,
):
    parts = [["Identifiant", *PARTENARIATS[0]], ["p1", *PARTENARIATS[1]]]
    history = [["Partenariat", "Date", "Vers"], ["p1", "04/02/2025", "en discussion"]]
    parsed = _check(_book(tmp_path / "f.xlsx", Partenariats=parts, Historique=history))
    (warning,) = [w for w in parsed.warnings if "historique" in w.message]
    assert (warning.file, warning.row) == ("l'onglet « Partenariats »", 2)


def test_no_warning_of_a_clean_workbook_lacks_a_row(tmp_path: Path):
    structures = _with(STRUCTURES, 2, 2, "Vannes")  # outside no territory here: no warning
    contacts = [["Structure", "Nom", "Téléphone", "Consentement"],
                ["Garage Kerlann", "Alan Fictif", 297001122, "oui"]]  # fmt: skip
    parsed = _check(_book(tmp_path / "g.xlsx", Structures=structures, Contacts=contacts))
    assert parsed.warnings
    assert all(w.row is not None for w in parsed.warnings), [str(w) for w in parsed.warnings]


# -- defect 10: one mistake, one error at the wrong cell ------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "row", "col", "typed", "expected"),
    [
        (
            "Besoins et offres", 1, 0, "Atelier du Lie Ouest",  # a name typed wrong
            "l'onglet « Besoins et offres », ligne 2, colonne « Structure » : structure « Atelier "
            "du Lie Ouest » introuvable : écrivez son nom tel qu'il figure dans l'onglet des "
            "structures (ou ajoutez-la). Noms proches : « Atelier du Lié ».",
        ),
        (
            "Entretiens", 1, 1, "31/02/2025",  # the interview the need refers to
            "l'onglet « Entretiens », ligne 2, colonne « Date » : date « 31/02/2025 » impossible "
            ": février 2025 n'a que 28 jours. Écrivez une date du calendrier, par exemple "
            "04/02/2025 (jour/mois/année).",
        ),
    ],
)  # fmt: skip
def test_one_mistake_gives_one_error_not_one_per_row_that_follows(
    tmp_path: Path, sheet: str, row: int, col: int, typed: str, expected: str
):
    rows = {"Besoins et offres": BESOINS, "Entretiens": ENTRETIENS}[sheet]
    changed = {sheet.replace(" ", "_"): _with(rows, row, col, typed)}
    assert _errors(_check(_book(tmp_path / "h.xlsx", **changed))) == [expected]


def test_a_refused_need_does_not_make_its_partnership_an_error(tmp_path: Path):
    besoins = _with(BESOINS, 1, 2, "planètes")  # a category that does not exist
    parsed = _check(_book(tmp_path / "j.xlsx", Besoins_et_offres=besoins))
    assert len(parsed.errors) == 1 and parsed.errors[0].row == 2
    assert parsed.errors[0].file == "l'onglet « Besoins et offres »"


def test_a_missing_interview_is_quoted_as_the_date_cell_shows_it(tmp_path: Path):
    besoins = _with(BESOINS, 2, 4, dt.datetime(2025, 1, 29))  # no interview that day
    (message,) = _errors(_check(_book(tmp_path / "k.xlsx", Besoins_et_offres=besoins)))
    assert "entretien « 29/01/2025 » introuvable" in message and "2025-01-29" not in message


def test_the_app_preview_and_the_import_report_the_same_errors(store: Store, tmp_path: Path):
    besoins = _with(BESOINS, 1, 0, "Atelier du Lie Ouest")
    entretiens = _with(ENTRETIENS, 2, 1, "30/02/2025")
    book = _book(tmp_path / "l.xlsx", Besoins_et_offres=besoins, Entretiens=entretiens)
    create_territory(store, "centre", "Centre", ["Loudéac", "Pontivy", "Rohan"], None)
    territory = get_territory(store, "centre")
    preview = preview_import(store, book, territory=territory)
    for dry_run in (True, False):
        with pytest.raises(InvalidInputError) as err:
            import_territory(store, book, territory=territory, dry_run=dry_run)
        errors = [p for p in err.value.problems if p.severity == "error"]
        assert [str(p) for p in errors] == [str(p) for p in preview.errors]
    assert len(preview.errors) == 2


# -- defect 11: same name, other commune -----------------------------------------------------------


CAFES = [*STRUCTURES, ["Café des Halles", "entreprise", "Pontivy", "1-9"],
         ["CAFE DES HALLES ", "entreprise", "Rohan", "1-9"]]  # fmt: skip


def test_same_name_in_two_communes_is_two_structures_at_every_import(
    backend_store: Store, tmp_path: Path
):
    create_territory(backend_store, "centre", "Centre", ["Loudéac", "Pontivy", "Rohan"], None)
    book = _book(tmp_path / "m.xlsx", Structures=CAFES)
    territory = get_territory(backend_store, "centre")
    first = import_territory(backend_store, book, territory=territory)
    assert first.written["organisations"] == 5
    assert not any("doublon" in str(w) for w in first.warnings)
    import_territory(backend_store, book, territory=territory)  # the same sheet again
    export_territory(backend_store, tmp_path / "out", territory_id="centre")
    lines = (tmp_path / "out" / "organisations.csv").read_text(encoding="utf-8-sig").splitlines()
    cafes = [line for line in lines if "halles" in line.lower()]
    assert len(cafes) == 2 and {c.split(";")[5] for c in cafes} == {"Pontivy", "Rohan"}


def test_an_ambiguous_name_lists_the_structures_and_what_to_write(tmp_path: Path):
    contacts = [["Structure", "Nom", "Consentement"], ["cafe des halles", "Yves Fictif", "oui"]]
    (message,) = _errors(_check(_book(tmp_path / "n.xlsx", Structures=CAFES, Contacts=contacts)))
    assert message.startswith(
        "l'onglet « Contacts », ligne 2, colonne « Structure » : plusieurs structures "
        "s'appellent « cafe des halles » : "
    )
    assert "« Café des Halles » (Pontivy)" in message and "« CAFE DES HALLES » (Rohan)" in message
    assert "donnez à chacune un identifiant" in message and "écrivez dans cette cellule" in message


def test_with_identifiants_the_message_names_them_and_the_cell_takes_one(tmp_path: Path):
    cafes = [["Identifiant", *STRUCTURES[0]], *[["", *r] for r in STRUCTURES[1:]],
             ["cafe-pontivy", *CAFES[-2]], ["cafe-rohan", *CAFES[-1]]]  # fmt: skip
    contacts = [["Structure", "Nom", "Consentement"], ["cafe des halles", "Yves Fictif", "oui"]]
    (message,) = _errors(_check(_book(tmp_path / "o.xlsx", Structures=cafes, Contacts=contacts)))
    assert "« Café des Halles » (Pontivy, identifiant « cafe-pontivy »)" in message
    assert "« CAFE DES HALLES » (Rohan, identifiant « cafe-rohan »)" in message
    assert "écrivez dans cette cellule l'identifiant de la bonne structure" in message
    contacts[1][0] = "cafe-rohan"
    parsed = _check(_book(tmp_path / "p.xlsx", Structures=cafes, Contacts=contacts))
    assert not parsed.errors and parsed.contacts[0].org_id == "cafe-rohan"


def test_same_name_and_same_commune_twice_says_what_to_do(tmp_path: Path):
    twice = [*STRUCTURES, ["Garage Kerlann", "entreprise", "Pontivy", "1-9"]]
    (problem,) = _check(_book(tmp_path / "q.xlsx", Structures=twice)).errors
    assert (problem.row, problem.column) == (5, "identifiant")
    assert "déjà décrit(e) ligne 3" in problem.message and "identifiant" in problem.message


# -- defect 13: impossible dates and words of the database ---------------------------------------


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("31/02/2025", "février 2025 n'a que 28 jours"),
        ("31 avril 2025", "avril 2025 n'a que 30 jours"),
        ("12/13/2025", "il n'y a pas de mois 13"),
        ("0/3/2025", "il n'y a pas de jour 0"),
    ],
)
def test_an_impossible_date_says_why_and_what_to_write(typed: str, why: str):
    with pytest.raises(rules.FieldError) as err:
        rules.date(typed)
    assert why in err.value.message and "Écrivez une date du calendrier" in err.value.message


def test_messages_to_a_workbook_name_no_table_or_csv_file(tmp_path: Path):
    book = Workbook()
    for title in ("Structures", "organisations"):
        book.create_sheet(title).append(["Nom", "Type"])
    book.remove(book.active)
    book.save(tmp_path / "deux.xlsx")
    with pytest.raises(InvalidInputError) as err:
        readers.read_source(tmp_path / "deux.xlsx")
    texts = [str(p) for p in err.value.problems]
    others = Workbook()
    others.active.title = "Feuil1"
    others.save(tmp_path / "autre.xlsx")
    with pytest.raises(InvalidInputError) as err:  # no sheet of structures: one error
        readers.read_source(tmp_path / "autre.xlsx")
    texts += [str(p) for p in err.value.problems]
    assert "« Feuil1 »" in texts[-1]
    assert texts and not any(w in t for t in texts for w in ("organisations)", ".csv", "items"))
