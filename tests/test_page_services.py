"""What the pages used to compute themselves, now service functions (issue 12): the French
rows and decisions of the administration page, learning in words, the territory overview,
the downloads, and the interview form's values turned into records and back."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from traits import services
from traits.errors import InvalidInputError
from traits.model import LABELS_FR, Category, DiagnosticStatus, PartnershipStatus, Territory
from traits.services import (
    access,
    administration,
    downloads,
    home,
    interview,
    learning,
    matching,
    overview,
    reports,
)
from traits.services import vocabulary as voc
from traits.storage import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("demo") / "demo.sqlite")
    services.load_demo(store)
    return store


# -- administration ------------------------------------------------------------------------------


def _user(name: str, **kw: object) -> dict[str, object]:
    base = {"username": name, "display_name": None, "role": "facilitator",
            "territories": ["vitre", "redon"], "disabled": False, "locked_until": None}  # fmt: skip
    return base | kw


def test_an_account_row_says_role_and_state_in_french():
    names = {"vitre": "Pays de Vitré", "redon": "Pays de Redon"}
    assert administration.account_row(_user("cam"), names) == (
        "cam", "", "animateur·rice", "Pays de Vitré, Pays de Redon", "actif",
    )  # fmt: skip
    utc = dt.UTC
    locked = _user("lou", role="admin", locked_until=dt.datetime(2026, 3, 4, 14, 5, tzinfo=utc))
    assert administration.account_row(locked)[2:] == ("administrateur·rice", "vitre, redon",
                                                      "bloqué jusqu'à 15:05")  # fmt: skip
    gone = _user("max", display_name="Max Exemple", disabled=True, locked_until=dt.datetime.now())
    assert administration.account_row(gone)[1] == "Max Exemple"
    assert administration.account_row(gone)[-1] == "désactivé"
    assert len(administration.account_row(gone)) == len(administration.ACCOUNT_COLUMNS)


def test_only_other_active_accounts_may_be_disabled():
    users = [_user("admin"), _user("cam"), _user("old", disabled=True)]
    me = access.Principal("admin", access.Role.ADMIN, frozenset())
    assert administration.accounts_to_disable(users, me) == ["cam"]
    assert administration.accounts_to_disable(users, None) == ["admin", "cam"]
    assert administration.accounts_to_disable([], me) == []


def test_journal_and_stale_rows_speak_french_without_table_names(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")  # the server's clock, as the log writes it (naive)
    time.tzset()
    utc = dt.UTC
    entries = [
        {"at": dt.datetime(2026, 2, 1, 9, 3, 7), "actor": "cam", "operation": "insert",
         "table": "items", "rows": 3},
        {"at": dt.datetime(2026, 7, 1, 9, 3, 7, tzinfo=utc), "actor": "système:root",
         "operation": "delete", "table": "settings", "rows": 0},
        {"at": dt.datetime(2026, 7, 1, 23, 0, tzinfo=utc), "actor": "connexion:cam",
         "operation": "update", "table": "users", "rows": 1},
        {"at": dt.datetime(2026, 7, 1, 23, 0, tzinfo=utc), "actor": "système",
         "operation": "insert", "table": "organisations", "rows": 1200},
    ]  # fmt: skip
    try:
        rows = administration.journal_rows(entries)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert rows == [
        ("01/02/2026 à 10:03:07", "cam", "ajout", "Besoins et offres", "3 éléments"),
        ("01/07/2026 à 11:03:07", "sans compte (session « root » de l'ordinateur)",
         "suppression", "Réglages", "aucun (rien à changer)"),
        ("02/07/2026 à 01:00:00", "connexion de « cam »", "modification", "Comptes", "1 élément"),
        ("02/07/2026 à 01:00:00", "sans compte", "ajout", "Structures", "1\u202f200 éléments"),
    ]  # fmt: skip
    # every audited table has its words (a new table without them fails here)
    assert set(services.audit.AUDITED_TABLES) <= set(services.audit.TABLE_LABELS_FR)
    stale = [
        {"name": "A", "email": None, "org_name": "Atelier", "last_activity": None},
        {"name": "B", "email": "b@exemple.fr", "org_name": "Bois", "last_activity": dt.date(2022, 5, 9)},
    ]  # fmt: skip
    assert administration.stale_contact_rows(stale) == [
        ("A", "", "Atelier", "aucune"), ("B", "b@exemple.fr", "Bois", "09/05/2022"),
    ]  # fmt: skip


def test_an_erasure_is_told_place_by_place_with_french_plurals():
    one = administration.erasure_report({"contacts": 1, "masked": [], "review": [], "kept": 0})
    assert one == [("1 fiche contact effacée, 0 mention anonymisée.", [])]
    places = ["Diagnostic de « A » du 2 mars 2025 : notes", "Offre « B » de « C » : description"]
    done = {"contacts": 2, "masked": places, "review": ["Structure « D » : nom"], "kept": 2}
    many = administration.erasure_report(done)
    assert many[0] == ("2 fiches contact effacées, 2 mentions anonymisées :", places)
    assert many[1] == (administration.TO_REVIEW, ["Structure « D » : nom"])
    assert "2 mentions dans le journal des modifications" in many[2][0]


def test_the_first_account_of_a_base_is_an_administrator():
    assert administration.roles_for_new_account([]) == [access.Role.ADMIN]
    assert set(administration.roles_for_new_account([_user("cam")])) == set(access.Role)


def test_a_new_password_is_long_enough_and_typed_twice_the_same():
    short = "x" * (access.MIN_PASSWORD - 1)
    good = "x" * access.MIN_PASSWORD
    assert "trop court" in administration.new_password_problem(short, short)
    assert "diffèrent" in administration.new_password_problem(good, good + "y")
    assert administration.new_password_problem(good, good) is None


# -- learning ------------------------------------------------------------------------------------


def _status(state: str, gain: float | None) -> matching.LearningStatus:
    defaults = dict.fromkeys(matching.PART_LABELS_FR, 0.5)
    return matching.LearningStatus(state, 40, 20, 6, gain, dict.fromkeys(defaults, 0.7), defaults)


def test_learning_is_said_in_words_for_each_state():
    config = matching.default_config()
    active = learning.learning_message(40, _status("active", 0.1234), config)
    assert active.startswith("40 retours : le classement en tient compte")
    assert "+0,12" in active
    kept = learning.learning_message(40, _status("kept_defaults", -0.1), config)
    assert "réglages par défaut restent appliqués" in kept
    waiting = learning.learning_message(1, None, config)
    assert waiting.startswith("1 retour depuis la dernière remise à zéro")
    assert f"au moins {matching.MIN_LEARNING_NEEDS} besoins" in waiting


def test_the_matcher_is_fitted_only_once_there_is_enough_feedback(store: Store):
    def never():  # type: ignore[no-untyped-def]
        raise AssertionError("fitted without feedback")

    seen = learning.learning_overview(store, None, never)
    assert (seen.n_feedback, seen.status, seen.state) == (0, None, "waiting")
    assert seen.weight_rows() == []
    rows = learning.LearningOverview(40, _status("active", 0.2), seen.config).weight_rows()
    assert [r[0] for r in rows] == list(matching.PART_LABELS_FR.values())
    assert all(r[1:] == (0.5, 0.7) for r in rows)


# -- territory overview --------------------------------------------------------------------------


def test_the_overview_says_what_is_missing_and_counts_like_stats(demo: Store):
    assert overview.territory_line(Territory("t", "T")) == (
        "Animation : non renseignée — communes : non renseignées"
    )
    assert overview.territory_line(Territory("t", "T", ["Vitré", "Étrelles"], "Cam")) == (
        "Animation : Cam — communes : Vitré, Étrelles"
    )
    figures = dict(overview.key_figures(demo, "vitre"))
    counts = services.stats(demo, "vitre")
    assert figures["Besoins"] == counts["needs"] > 0
    assert figures["Partenariats concrétisés"] == counts["partnerships"]["realised"]


def test_things_to_do_are_french_sentences():
    follow = home.FollowUp("p", "A et B", PartnershipStatus.IN_DISCUSSION, dt.date(2026, 1, 1), 35)
    assert (
        overview.follow_up_line(follow) == "A et B : en discussion, sans nouvelle depuis 5 semaines"
    )
    today = home.FollowUp("p", "A et B", PartnershipStatus.PROPOSED, dt.date(2026, 1, 1), 0)
    assert overview.follow_up_line(today).endswith(", mis à jour aujourd'hui")
    need = home.WaitingNeed("n", "Un camion", "Atelier", dt.date(2025, 2, 4))
    assert overview.waiting_need_line(need) == "Un camion (Atelier, diagnostic du 4 février 2025)"
    assert overview.waiting_need_line(home.WaitingNeed("n", "X", "Y", None)) == "X (Y)"
    draft = home.DraftDiagnostic("d", "Atelier", dt.date(2025, 2, 1))
    assert overview.draft_line(draft) == "Atelier, entretien du 1er février 2025"


def test_vocabulary_rows_name_categories_in_french_with_six_words_at_most(demo: Store):
    rows = voc.vocabulary_rows(demo, "vitre")
    assert len(rows) == len(voc.vocabulary(demo, "vitre")) > 0
    french = {LABELS_FR[c] for c in Category}
    assert {r[0] for r in rows} <= french and not {r[0] for r in rows} & {c.value for c in Category}
    assert all(len(r[2].split(", ")) <= 6 for r in rows)


# -- downloads -----------------------------------------------------------------------------------


def test_downloads_are_the_files_the_exporters_write(demo: Store, tmp_path: Path):
    workbook = downloads.database_file(demo, "xlsx", "vitre")
    sheets = pd.read_excel(io.BytesIO(workbook), sheet_name=None)
    assert len(sheets["Structures"]) == services.stats(demo, "vitre")["organisations"]
    archive = zipfile.ZipFile(io.BytesIO(downloads.database_file(demo, "zip")))
    assert "organisations.csv" in archive.namelist()
    with pytest.raises(InvalidInputError):
        downloads.database_file(demo, "exe")
    territory = pd.read_excel(io.BytesIO(downloads.territory_workbook(demo, "vitre")), None)
    assert set(territory) == set(sheets)
    report = reports.build_report(demo, "vitre")
    assert downloads.report_file(report, "pdf").startswith(b"%PDF")


# -- the interview form --------------------------------------------------------------------------


def test_a_saved_diagnostic_resumed_and_saved_again_is_unchanged(demo: Store):
    summary = services.list_diagnostics(demo, "vitre")[0]
    record = services.get_diagnostic(demo, summary.diagnostic_id)
    values = interview.form_values(record)
    assert values["name"] == record.organisation.name and values["version"] == record.version
    org, diag, items, contacts, _ = interview.form_records(
        values, "vitre", record.diagnostic.status
    )
    again = services.save_diagnostic(
        demo, diag, items, contacts, organisation=org, expected_version=record.version
    )
    assert again.diagnostic == record.diagnostic
    assert again.items == record.items and again.contacts == record.contacts
    assert again.organisation.siret == record.organisation.siret


def test_an_item_needs_a_title_and_a_contact_keeps_consent_details_only_with_consent():
    with pytest.raises(InvalidInputError) as refused:
        interview.new_item({"title": "  "}, "need", None, None)
    assert refused.value.summary == interview.NO_TITLE
    item = interview.new_item({"title": "Un camion"}, "offer", "o1", "d1")
    assert (item["category"], item["org_id"], item["diagnostic_id"]) == ("other", "o1", "d1")
    typed = {"name": "Cam", "consent_date": None, "source": "salon", "scope": "tout"}
    day = dt.date(2025, 2, 4)
    without = interview.new_contact(typed, None, day)
    assert (without["consent"], without["consent_date"], without["consent_source"],
            without["consent_scope"]) == (False, None, None, None)  # fmt: skip
    given = interview.new_contact(typed | {"consent": True}, "o1", day)
    assert (given["consent_date"], given["consent_source"], given["org_id"]) == (day, "salon", "o1")


def test_form_records_build_a_new_organisation_and_a_draft():
    values = {"name": "Atelier", "kind": "company", "siret": "", "date": dt.date(2025, 2, 4),
              "items": [interview.new_item({"title": "Un camion"}, "need", None, None)]}  # fmt: skip
    org, diag, items, contacts, _ = interview.form_records(values, "vitre", "draft")
    assert (org.org_id, org.name, org.kind.value, org.siret) == ("", "Atelier", "company", None)
    assert org.territory_id == "vitre" and diag.status is DiagnosticStatus.DRAFT
    assert [i.title for i in items] == ["Un camion"] and contacts == []
