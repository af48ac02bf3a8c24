"""Roles checked in the service layer: each forbidden call is refused, through every service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import InvalidInputError, PermissionDeniedError
from traits.model import Territory
from traits.services import access, backup, contacts, matching, reports
from traits.services import partnerships as ps
from traits.services.access import Principal, Role, signed_in
from traits.storage import Store

LATER = dt.datetime.now() + dt.timedelta(hours=1)
VITRE = Principal("anim.vitre", Role.FACILITATOR, frozenset({"vitre"}), LATER)
COORD = Principal("coord", Role.COORDINATOR, frozenset(), LATER)


@pytest.fixture
def two(store: Store, small: Path, tmp_path: Path) -> Store:
    services.load_demo(store)
    services.import_territory(store, small, territory=Territory("redon", "Pays de Redon"))
    return store


def test_facilitator_reads_and_writes_only_their_territory(two: Store, tmp_path: Path):
    with signed_in(VITRE):
        assert [t.territory_id for t in services.list_territories(two)] == ["vitre"]
        assert services.stats(two, "vitre")["organisations"] == 40
        ps.propose(two, "n_hautpre_informatique", "of_clic_initiation")
        forbidden = [
            lambda: services.stats(two, "redon"),
            lambda: services.stats(two),
            lambda: services.export_territory(two, tmp_path / "x", territory_id="redon"),
            lambda: services.export_territory(two, tmp_path / "x"),
            lambda: ps.propose(two, "n1", "o1"),
            lambda: ps.list_partnerships(two, territory_id="redon"),
            lambda: matching.fit_matcher(two, "redon"),
            lambda: matching.record_feedback(two, "n1", "o1", True),
            lambda: matching.save_settings(two, "redon", top_k=3),
            lambda: reports.build_report(two, "redon"),
            lambda: reports.build_report(two),
            lambda: services.import_territory(two, tmp_path / "small"),
            lambda: contacts.export_person(two, "x@example.org"),
            lambda: backup.backup(two, tmp_path / "b.sqlite"),
            lambda: access.add_user(two, "intrus", "admin", "motdepasse-long"),
        ]
        for call in forbidden:
            with pytest.raises(PermissionDeniedError):
                call()


def test_coordinator_reads_everything_writes_nothing(two: Store):
    with signed_in(COORD):
        assert len(services.list_territories(two)) == 2
        both = reports.build_report(two).to_dict()
        assert both["organisations"] + both["unmet"] >= 42  # every organisation of both
        with pytest.raises(PermissionDeniedError, match="coordination"):
            ps.propose(two, "n_hautpre_informatique", "of_clic_initiation")
        pid = ps.list_partnerships(two, territory_id="vitre")[0].partnership_id
        with pytest.raises(PermissionDeniedError):
            ps.change_status(two, pid, "abandoned", reason="x")
        with pytest.raises(PermissionDeniedError):
            matching.reset_learning(two, "vitre")


def test_expired_session_is_refused(two: Store):
    old = Principal(
        "anim.vitre",
        Role.FACILITATOR,
        frozenset({"vitre"}),
        dt.datetime.now() - dt.timedelta(minutes=1),
    )
    with signed_in(old), pytest.raises(PermissionDeniedError, match="expiré"):
        services.stats(two, "vitre")


def test_passwords_and_lockout(two: Store):
    access.add_user(two, "anim.vitre", "facilitator", "un mot de passe long", territories=["vitre"])
    with pytest.raises(InvalidInputError, match="trop court"):
        access.add_user(two, "court", "admin", "court")
    with pytest.raises(InvalidInputError, match="au moins un territoire"):
        access.add_user(two, "sans", "facilitator", "un mot de passe long")
    p = access.authenticate(two, "anim.vitre", "un mot de passe long")
    assert p.role is Role.FACILITATOR and p.territories == {"vitre"} and not p.expired()
    now = dt.datetime.now()
    for _ in range(access.MAX_FAILED_LOGINS):
        with pytest.raises(PermissionDeniedError, match="incorrect"):
            access.authenticate(two, "anim.vitre", "faux", now=now)
    with pytest.raises(PermissionDeniedError, match="bloqué"):
        access.authenticate(two, "anim.vitre", "un mot de passe long", now=now)
    later = now + dt.timedelta(minutes=access.LOCK_MINUTES + 1)
    assert access.authenticate(two, "anim.vitre", "un mot de passe long", now=later)
    access.disable_user(two, "anim.vitre")
    with pytest.raises(PermissionDeniedError):
        access.authenticate(two, "anim.vitre", "un mot de passe long", now=later)
    assert "argon2id" in str(
        two.engine.connect().exec_driver_sql("select password_hash from users").scalar()
    )


def test_user_cli(tmp_path: Path):
    runner = CliRunner()
    db = str(tmp_path / "u.sqlite")
    runner.invoke(app, ["demo", "--db", db])
    added = runner.invoke(
        app,
        [
            "user",
            "add",
            "anim",
            "--role",
            "facilitator",
            "-t",
            "vitre",
            "--db",
            db,
            "--password-stdin",
        ],
        input="un mot de passe long\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["user", "list", "--db", db, "--format", "csv"]).output
    assert "anim,,facilitator,vitre,False" in listed and "argon" not in listed
    assert runner.invoke(app, ["user", "disable", "anim", "--db", db]).exit_code == 0
