"""Account names are unique whatever their case (issue 11): « anim.p », « ANIM.P » and
« Anim.P » are one account, at creation, at sign-in and with single sign-on; accounts made
apart before the rule are reported, never merged nor guessed between."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import InvalidInputError, PermissionDeniedError
from traits.services import access
from traits.storage import Store
from traits.storage import accounts as stored

PASSWORD = "un mot de passe long"


@pytest.fixture
def store(backend_store: Store) -> Store:
    services.load_demo(backend_store)
    with access.operator():
        access.add_user(backend_store, "anim.p", "facilitator", PASSWORD, territories=["vitre"])
    return backend_store


@pytest.mark.parametrize("other", ["ANIM.P", "Anim.P", "anim.p"])
def test_a_name_differing_only_by_case_or_form_is_refused(store: Store, other: str):
    with access.operator(), pytest.raises(InvalidInputError) as refused:
        access.add_user(store, other, "coordinator", "AutreMotDePasse-9")
    assert "« anim.p » existe déjà" in str(refused.value)
    with access.operator():
        assert [u["username"] for u in access.list_users(store)] == ["anim.p"]


def test_the_account_key_ignores_case_and_unicode_forms():
    assert stored.account_key("ＡＮＩＭ.Ｐ") == stored.account_key("Anim.P") == "anim.p"


def test_sign_in_and_single_sign_on_find_the_account_whatever_the_case(store: Store):
    assert access.authenticate(store, "Anim.P", PASSWORD).username == "anim.p"
    with access.operator():
        access.add_user(store, "Gwen@Pole.example.org", "coordinator", None)
    assert access.principal_for_sso(store, "gwen@pole.example.org").username == (
        "Gwen@Pole.example.org"
    )


def _old_double(store: Store) -> None:
    """An account made before names were unique, straight in the table."""
    with access.operator(), store.transaction() as conn:
        stored.insert_user(
            conn,
            {
                "username": "ANIM.P",
                "role": "coordinator",
                "territories": [],
                "disabled": False,
                "failed_attempts": 0,
                "password_hash": None,
                "created": dt.datetime.now(),
            },
        )


def test_old_doubles_are_reported_and_never_guessed_between(store: Store, tmp_path: Path):
    _old_double(store)
    with access.operator():
        assert access.duplicate_accounts(store) == [["ANIM.P", "anim.p"]]
        said = access.duplicates_warning(access.duplicate_accounts(store))
    assert "« ANIM.P » et « anim.p »" in said and "désactivez" in said
    assert access.authenticate(store, "anim.p", PASSWORD).username == "anim.p"  # exact name
    with pytest.raises(PermissionDeniedError):
        access.authenticate(store, "Anim.p", PASSWORD)  # two candidates: no guess


def test_user_list_reports_old_doubles(tmp_path: Path):
    db = tmp_path / "doubles.sqlite"
    store = Store(db)
    services.load_demo(store)
    with access.operator():
        access.add_user(store, "anim.p", "facilitator", PASSWORD, territories=["vitre"])
    _old_double(store)
    store.dispose()
    listed = CliRunner().invoke(app, ["user", "list", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "ne se distinguent que par les majuscules" in listed.stderr
