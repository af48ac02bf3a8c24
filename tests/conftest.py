"""Shared fixtures: a fresh store per test, the shared labelled set, small territory folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from traits.storage import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRAITS_SHARED", ROOT.parent / "shared"))
DEVSET = SHARED / "eval" / "devset"
SAMPLE = ROOT / "data" / "samples" / "vitre"


#: Tests that take seconds (measured with ``--durations``), by module or module::test (every
#: parametrisation). Kept here rather than as decorators so that the list is read in one place.
SLOW_TESTS = {
    "test_notebooks.py",
    "test_matching_golden.py",
    "test_kit.py::test_kit_generation_is_deterministic",
    "test_kit.py::test_no_generated_document_puts_a_full_stop_after_dots",
    "test_kit.py::test_cli_kit_writes_the_whole_kit_booklet_first",
    "test_kit.py::test_without_french_spacing_lines_would_start_with_punctuation",
    "test_kit.py::test_cli_and_kit_page_give_the_same_files",
    "test_access.py::test_refused_sign_ins_do_not_tell_which_usernames_exist",
    "test_report.py::test_the_bilan_page_shows_the_same_key_figures_and_says_what_is_apart",
    "test_app_text.py::test_no_page_renders_user_text_as_image_or_link",
    "test_app.py::test_import_preview_then_corrected_file_replaces_the_first",
    "test_cli_errors.py::test_os_errors_are_french_with_exit_1",
    "test_crash.py",
    "test_startup.py::test_a_stored_shortlist_is_read_without_scikit_learn",
    "test_app.py::test_a_facilitator_sees_only_their_territory_in_the_app",
    "test_app.py::test_accounts_sign_in_and_see_their_territories_only",
    "test_app.py::test_settings_page_shows_learning_at_work",
    "test_app.py::test_main_path_from_interview_to_report",
    "test_app.py::test_form_problems_show_next_to_fields_and_drafts_resume",
    "test_app.py::test_abandon_needs_a_reason_and_a_stale_card_is_refused",
    "test_app.py::test_import_problems_are_listed_row_by_row_and_nothing_is_written",
    "test_app.py::test_first_start_offers_the_sample_apart_and_every_page_renders",
    "test_app.py::test_a_pool_becomes_a_partnership_of_all_its_organisations",
    "test_app_words.py",
    "test_hostile_files.py::test_neutralising_a_cell_is_undone_exactly_by_the_readers",
    "test_hostile_files.py::test_long_text_survives_export_then_import",
    "test_hostile_files.py::test_xlsx_cell_count_bounds_the_grid_pandas_reads",
    "test_hostile_files.py::test_ods_cell_count_is_the_grid_pandas_reads",
    "test_layers.py::test_the_core_never_imports_streamlit",
    "test_app.py::test_settings_page_saves_matcher_settings_and_vocabulary",
    "test_admin.py::test_on_a_laptop_the_admin_exports_and_erases_a_person",
    "test_admin.py::test_a_facilitator_cannot_use_the_administration_page",
    "test_admin.py::test_the_first_account_needs_matching_passwords_and_then_asks_to_sign_in",
    "test_admin.py::test_an_admin_sees_the_accounts_and_disables_one",
    "test_access.py::test_passwords_and_lockout",
    "test_access.py::test_user_cli",
    "test_access.py::test_facilitator_reads_and_writes_only_their_territory",
    "test_matching.py::test_feedback_learner_passes_sklearn_checks",
    "test_matching.py::test_candidate_recall_against_brute_force_is_at_least_95_percent",
    "test_matching.py::test_learning_improves_on_simulated_feedback",
    "test_matching.py::test_synthetic_territory_never_own_org_and_excluded_pairs_absent",
    "test_matching.py::test_scores_always_in_unit_interval",
    "test_matching_quality.py::test_semantic_matching_reaches_its_floor",
    "test_matching_quality.py::test_learning_from_feedback_recovers_from_untuned_weights_and_keeps_tuned_ones",
    "test_match_service.py::test_learning_status_says_what_learning_does",
    "test_match_service.py::test_embeddings_are_stored_once",
    "test_match_service.py::test_output_follows_the_interchange_contract",
    "test_match_service.py::test_feedback_is_recorded_and_reset",
    "test_match_service.py::test_a_proposed_candidate_leaves_the_shortlists",
    "test_match_service.py::test_cli_match_and_evaluate",
    "test_kit.py::test_make_templates_rebuilds_the_workbooks",
    "test_security.py::test_pip_audit_finds_no_known_vulnerability",
    "test_security.py::test_bandit_finds_nothing_of_medium_severity_or_more",
    "test_readers.py::test_any_text_in_any_encoding_gives_a_table_or_a_clear_error",
    "test_geo.py::test_file_columns_and_rows_are_sane",
    "test_import_export.py::test_sample_territory_round_trip_is_lossless",
    "test_backup_refused.py::test_foreign_and_truncated_sqlite_files_are_refused",
    "test_cli.py::test_pdf_report",
    "test_partnerships.py::test_cli_contract",
    "test_kit_annex.py::test_annex_commands_pasted_in_order_all_succeed",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark slow tests: ``python -m pytest -m "not slow"`` is the quick loop.

    Slow are the tests of ``SLOW_TESTS``, PostgreSQL tests and browser tests (every test of a
    module that drives Chromium through ``browser_support`` is marked ``browser``).
    """
    used = set()
    for item in items:
        module = Path(str(item.fspath)).name
        test = f"{module}::{item.name.split('[')[0]}"
        for key in (module, test):
            if key in SLOW_TESTS:
                item.add_marker(pytest.mark.slow)
                used.add(key)
        names = vars(item.module) if getattr(item, "module", None) else {}
        if any(getattr(v, "__name__", "") == "browser_support" for v in names.values()):
            item.add_marker(pytest.mark.browser)
        if "postgresql" in item.keywords or "browser" in item.keywords:
            item.add_marker(pytest.mark.slow)
    collected = {Path(str(item.fspath)).name for item in items}
    stale = sorted(k for k in SLOW_TESTS - used if k.split("::")[0] in collected)
    if stale and not config.getoption("keyword") and len(collected) > 1:
        import warnings

        warnings.warn(f"SLOW_TESTS names tests that no longer exist: {stale}", stacklevel=1)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "test.sqlite")


@pytest.fixture
def devset() -> Path:
    if not DEVSET.exists():
        pytest.skip("shared/eval/devset is not beside the checkout")
    return DEVSET


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


ORGS = """org_id,name,kind,legal_form,siret,commune,postcode
a,Recyclerie du Bocage,ess,association,,Vitré,35500
b,Transports Morin,company,SAS,12345678200010,Fougères,35300
"""
ITEMS = """item_id,org_id,direction,category,title,description
n1,a,need,equipment,Camion,Un camion pour les collectes du samedi
o1,b,offer,equipment,Fourgon,Fourgon 12 m3 prêté le week-end
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "small"
    write(folder, "organisations.csv", ORGS)
    write(folder, "items.csv", ITEMS)
    return folder


#: Admin URL of a PostgreSQL server for the integration tests (set by .ci/run).
PG_URL = os.environ.get("TRAITS_TEST_PG_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


@pytest.fixture
def pg_store():
    """A fresh, migrated store in a new PostgreSQL database (dropped afterwards)."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TRAITS_TEST_PG_URL is not set: .ci/run starts PostgreSQL for CI")
        pytest.skip("TRAITS_TEST_PG_URL not set (see .ci/run)")
    import uuid

    import sqlalchemy as sa

    name = f"traits_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_URL).set(database=name)
    store = Store(url.render_as_string(hide_password=False))
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend_store(request, tmp_path: Path):
    """A fresh, migrated store on each backend (PostgreSQL: a new database per test)."""
    if request.param == "sqlite":
        return Store(tmp_path / "backend.sqlite")
    return request.getfixturevalue("pg_store")
