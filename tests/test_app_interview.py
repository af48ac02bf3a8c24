"""The interview form between interviews: a finished one leaves an empty form, a resumed one
says so, a renaming is said, every problem of a save (or of a contact) comes at once; and a
refusal's problems are listed whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages._text import shown
from traits import services
from traits.services import matching
from traits.storage import Store

APP = Path(__file__).resolve().parents[1] / "app.py"


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Path]:
    db = tmp_path / "own.sqlite"
    monkeypatch.setenv("TRAITS_DB", str(db))
    store = Store(db)
    matching.save_settings(store, None, use_semantic=False)
    services.create_territory(store, None, "Pays de l'Étang-Vert", ["Ploërmel", "Mauron"], "Sam")
    store.dispose()
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/diagnostics.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at, db


def texts(at: AppTest, kind: str) -> list[str]:
    return [shown(str(e.value)) for e in getattr(at, kind)]


def fill(at: AppTest, name: str, commune: str, date: str, need: str) -> None:
    at.text_input(key="iv_name").input(name)
    at.text_input(key="iv_commune").input(commune)
    at.text_input(key="iv_date").input(date)
    at.text_input(key="iv_new_need_title").input(need)
    at.button(key="ivb_add_need").click().run()


def organisations(db: Path) -> list[tuple[str, int]]:
    """Each stored organisation's name and its number of needs."""
    store = Store(db)
    try:
        orgs = services.diagnostics.list_organisations(store, "pays-de-l-etang-vert")
        summaries = services.diagnostics.list_diagnostics(store, "pays-de-l-etang-vert")
        return sorted(
            (
                o.name,
                sum(
                    len(services.get_diagnostic(store, s.diagnostic_id).needs)
                    for s in summaries
                    if s.org_id == o.org_id
                ),
            )
            for o in orgs
        )
    finally:
        store.dispose()


def test_a_finished_interview_leaves_an_empty_form_for_the_next_one(app):
    at, db = app
    fill(at, "Coopérative L'Écluse Fleurie", "Ploërmel", "04/02/2025", "Un local de stockage")
    at.button(key="ivb_save_complete").click().run()
    assert not at.exception and not texts(at, "error"), texts(at, "error")
    (said,) = texts(at, "success")
    assert said.startswith("Diagnostic enregistré : Coopérative L'Écluse Fleurie.")
    assert any(b.label == "Voir les pistes de cette structure" for b in at.button)
    assert at.text_input(key="iv_name").value == "" and at.text_input(key="iv_commune").value == ""
    assert not [m for m in texts(at, "markdown") if "Un local de stockage" in m]
    assert not texts(at, "info")  # a new interview, not an edit
    fill(at, "Menuiserie Kerbénoît", "Mauron", "15/03/2025", "Des chutes de bois")
    at.button(key="ivb_save_complete").click().run()
    assert texts(at, "success")[0].startswith("Diagnostic enregistré : Menuiserie Kerbénoît.")
    assert organisations(db) == [("Coopérative L'Écluse Fleurie", 1), ("Menuiserie Kerbénoît", 1)]


def test_a_draft_stays_open_and_an_edit_says_whose_and_a_renaming(app):
    at, db = app
    fill(at, "Épicerie associative Les Œillets", "Ploërmel", "4 avril 2025", "Des bénévoles")
    at.button(key="ivb_save_draft").click().run()
    assert texts(at, "success") == ["Brouillon enregistré : Épicerie associative Les Œillets."]
    assert at.text_input(key="iv_name").value == "Épicerie associative Les Œillets"
    (notice,) = texts(at, "info")
    assert "« Épicerie associative Les Œillets »" in notice and "04/04/2025" in notice
    assert "brouillon" in notice
    assert not texts(at, "warning")
    at.text_input(key="iv_name").input("Épicerie Les Œillets").run()
    (warning,) = texts(at, "warning")
    assert "renommera la structure « Épicerie associative Les Œillets »" in warning
    at.button(key="ivb_save_complete").click().run()
    (said,) = texts(at, "success")
    assert "est renommée « Épicerie Les Œillets »" in said
    assert organisations(db) == [("Épicerie Les Œillets", 1)]


def test_every_problem_of_the_form_is_said_in_one_save(app):
    at, db = app
    fill(at, "Atelier Test", "Ploërmel", "31/02/2025", "Un fourgon")
    at.text_input(key="iv_siret").input("12345 ABC")
    at.text_input(key="iv_postcode").input("56A00")
    at.button(key="ivb_save_complete").click().run()
    errors = " ".join(texts(at, "error"))
    assert "4 problèmes" not in errors and "3 problèmes à corriger" in errors, errors
    for said in ("31/02/2025", "SIRET", "56A00"):
        assert said in errors, (said, errors)
    assert "obligatoire" not in errors
    assert organisations(db) == []


def test_a_contact_s_email_and_phone_are_checked_when_added(app):
    at, _ = app
    at.text_input(key="iv_ct_name").input("Camille Test")
    at.text_input(key="iv_ct_email").input("pas-un-courriel")
    at.text_input(key="iv_ct_phone").input("abc")
    at.button(key="ivb_ct_add").click().run()
    (error,) = texts(at, "error")
    assert "pas-un-courriel" in error and "« abc »" in error
    assert at.text_input(key="iv_ct_email").value == "pas-un-courriel"  # kept as typed
    assert not at.session_state["iv_contacts"]
    at.text_input(key="iv_ct_email").input("camille@exemple.fr")
    at.text_input(key="iv_ct_phone").input("02 99 12 34 56")
    at.button(key="ivb_ct_add").click().run()
    assert not texts(at, "error") and len(at.session_state["iv_contacts"]) == 1


def test_a_refusal_lists_each_problem_whole_with_its_advice(app):
    """Not cut at a column's edge: a static table, every message and place as typed."""
    at, _ = app
    at.file_uploader(key="import_files").upload("bad *file*.xlsx", b"not a workbook", "x").run()
    assert not at.exception
    (table,) = at.table
    frame = table.value
    assert list(frame.columns) == ["gravité", "fichier", "ligne", "colonne", "problème"]
    said = " ".join(shown(v) for v in frame["problème"])
    assert "Ouvrez-le dans votre tableur" in said, said  # the advice, whole
    assert any(shown(v) == "bad *file*.xlsx" for v in frame["fichier"])  # as typed, escaped


def test_a_field_s_problem_is_said_as_the_form_names_it(app):
    """Re-probe N7: « Colonne « effectif » : … » spoke of a spreadsheet under a form."""
    at, db = app
    fill(at, "Atelier Test", "Ploërmel", "04/02/2025", "Un fourgon")
    at.text_input(key="iv_size").input("beaucoup")
    at.button(key="ivb_save_complete").click().run()
    errors = texts(at, "error")
    assert any("« beaucoup »" in e for e in errors), errors
    assert not any("colonne" in e.lower() for e in errors), errors
    assert organisations(db) == []
