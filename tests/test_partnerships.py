"""Partnership lifecycle: propose, move, refuse what makes no sense, keep the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BACKENDS, ITEMS, write
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import ConflictError, InvalidInputError, NotFoundError, TransitionError
from traits.model import PartnershipMode, PartnershipStatus
from traits.services import partnerships as ps
from traits.storage import Store
from traits.storage import partnerships as stored


@pytest.fixture
def loaded(store: Store, small: Path) -> Store:
    write(small, "items.csv", ITEMS + "o2,a,offer,skills,Aide,\nn2,b,need,purchasing,Repas,\n")
    services.import_territory(store, small)
    return store


def test_full_life_is_recorded(loaded: Store):
    part = ps.propose(loaded, "n1", "o1", author="Animatrice")
    assert part.status is PartnershipStatus.PROPOSED and (part.org_a, part.org_b) == ("a", "b")
    assert part.mode is PartnershipMode.PHILANTHROPY  # a company lends its van
    for status in ("introduced", "in_discussion", "realised"):
        part = ps.change_status(loaded, part.partnership_id, status, author="Animatrice")
    assert [e.to_status.value for e in part.history] == [
        "proposed",
        "introduced",
        "in_discussion",
        "realised",
    ]
    assert [e.from_status for e in part.history][1:] == [
        PartnershipStatus.PROPOSED,
        PartnershipStatus.INTRODUCED,
        PartnershipStatus.IN_DISCUSSION,
    ]
    assert all(e.author == "Animatrice" for e in part.history)


def test_nonsense_transitions_are_refused(loaded: Store):
    pid = ps.propose(loaded, "n1", "o1").partnership_id
    ps.change_status(loaded, pid, "in_discussion")  # recorded late: a step skipped is fine
    with pytest.raises(TransitionError, match="impossible"):
        ps.change_status(loaded, pid, "proposed")
    with pytest.raises(TransitionError, match="déjà"):
        ps.change_status(loaded, pid, "en discussion")
    ps.change_status(loaded, pid, "concrétisé")
    with pytest.raises(TransitionError, match="close"):
        ps.change_status(loaded, pid, "abandoned", reason="trop tard")
    with pytest.raises(InvalidInputError, match="statut « fini » inconnu") as refused:
        ps.change_status(loaded, pid, "fini")
    assert "« concrétisé »" in str(refused.value) and "realised" not in str(refused.value)


def test_abandon_needs_a_reason(loaded: Store):
    pid = ps.propose(loaded, "n1", "o1").partnership_id
    with pytest.raises(InvalidInputError, match="motif"):
        ps.change_status(loaded, pid, "abandoned")
    part = ps.change_status(loaded, pid, "abandoned", reason="besoin couvert autrement")
    assert part.abandon_reason == "besoin couvert autrement"
    assert part.history[-1].note == "besoin couvert autrement"


def test_pairs_refused(loaded: Store):
    with pytest.raises(InvalidInputError, match="deux structures différentes"):
        ps.propose(loaded, "n1", "o2")
    with pytest.raises(InvalidInputError, match="pas un besoin"):
        ps.propose(loaded, "o1", "o2")
    with pytest.raises(NotFoundError):
        ps.propose(loaded, "n1", "nope")
    ps.propose(loaded, "n1", "o1")
    with pytest.raises(ConflictError, match="existe déjà"):
        ps.propose(loaded, "n1", "o1")
    assert ("n1", "o1") in ps.excluded_pairs(loaded)


def test_stale_version_is_refused(loaded: Store):
    part = ps.propose(loaded, "n1", "o1")
    ps.change_status(loaded, part.partnership_id, "introduced", expected_version=1)
    with pytest.raises(ConflictError, match="rechargez"):
        ps.change_status(loaded, part.partnership_id, "in_discussion", expected_version=1)


def _version(store: Store, partnership_id: str) -> int:
    with store.reading() as conn:
        return stored.versions(conn)[partnership_id]


@pytest.fixture
def both(backend_store: Store, small: Path) -> Store:
    write(small, "items.csv", ITEMS + "o2,a,offer,skills,Aide,\n")
    services.import_territory(backend_store, small)
    return backend_store


@pytest.mark.parametrize("backend_store", BACKENDS, indirect=True)
@pytest.mark.parametrize(
    ("refusal", "details", "error"),
    [
        ("stale", {"mode": "philanthropy", "value_euros": 800.0}, ConflictError),
        ("closed", {"mode": "philanthropy", "value_euros": 800.0}, TransitionError),
        ("value", {"mode": "philanthropy", "value_hours": -3.0}, InvalidInputError),
    ],
)
def test_a_refused_move_leaves_mode_and_value_unchanged(
    both: Store, refusal: str, details: dict[str, object], error: type[Exception]
):
    """Moving to « concrétisé » with its mode and value is one change: all of it or nothing."""
    part = ps.propose(both, "n1", "o1")
    part = ps.update_details(
        both, part.partnership_id, mode="responsible_practices", value_euros=100.0
    )
    version = _version(both, part.partnership_id)
    if refusal == "stale":  # someone else moved it since the card was read
        ps.change_status(both, part.partnership_id, "introduced")
    elif refusal == "closed":
        ps.change_status(both, part.partnership_id, "abandoned", reason="Plus de besoin")
    before = ps.get(both, part.partnership_id)
    with pytest.raises(error):
        ps.change_status(
            both,
            part.partnership_id,
            "realised",
            details=details,
            expected_version=version if refusal == "stale" else None,
        )
    after = ps.get(both, part.partnership_id)
    assert (after.mode, after.value_euros, after.value_hours) == (
        PartnershipMode.RESPONSIBLE_PRACTICES,
        100.0,
        None,
    )
    assert (after.status, len(after.history)) == (before.status, len(before.history))
    assert _version(both, part.partnership_id) == version + (refusal != "value")


@pytest.mark.parametrize("backend_store", BACKENDS, indirect=True)
def test_a_move_writes_status_mode_and_value_as_one_version(both: Store):
    part = ps.propose(both, "n1", "o1")
    done = ps.change_status(
        both,
        part.partnership_id,
        "realised",
        details={"mode": "philanthropy", "value_euros": 800.0, "value_hours": 12.0},
        expected_version=_version(both, part.partnership_id),
    )
    assert done.status is PartnershipStatus.REALISED
    assert _version(both, part.partnership_id) == 2  # one change, one version
    assert (done.mode, done.value_euros, done.value_hours) == (
        PartnershipMode.PHILANTHROPY,
        800.0,
        12.0,
    )


def test_cli_status_saves_mode_and_value_with_the_status(tmp_path: Path, small: Path):
    runner = CliRunner()
    db = str(tmp_path / "cli.sqlite")
    assert runner.invoke(app, ["import", str(small), "--db", db]).exit_code == 0
    pid = (
        runner.invoke(app, ["partnership", "propose", "--db", db, "--need", "n1", "--offer", "o1"])
        .output.strip()
        .splitlines()[-1]
    )
    move = ["partnership", "status", pid, "realised", "--db", db]
    refused = runner.invoke(app, [*move, "--hours", "-2", "--mode", "economic_cooperation"])
    assert refused.exit_code != 0
    part = ps.get(Store(db), pid)
    assert part.status is PartnershipStatus.PROPOSED and part.value_hours is None
    done = runner.invoke(app, [*move, "--hours", "6", "--euros", "300"])
    assert done.exit_code == 0, done.output
    part = ps.get(Store(db), pid)
    assert (part.status, part.value_hours, part.value_euros) == (
        PartnershipStatus.REALISED,
        6.0,
        300.0,
    )


def test_cli_contract(tmp_path: Path, small: Path):
    runner = CliRunner()
    db = str(tmp_path / "cli.sqlite")
    write(small, "items.csv", ITEMS + "o2,a,offer,skills,Aide,\n")
    assert runner.invoke(app, ["import", str(small), "--db", db]).exit_code == 0
    result = runner.invoke(
        app, ["partnership", "propose", "--db", db, "--need", "n1", "--offer", "o1"]
    )
    assert result.exit_code == 0, result.output
    pid = result.output.strip().splitlines()[-1]
    assert pid.startswith("p_")
    refused = runner.invoke(
        app, ["partnership", "propose", "--db", db, "--need", "n1", "--offer", "o2"]
    )
    assert refused.exit_code != 0
    no_reason = runner.invoke(app, ["partnership", "status", pid, "abandoned", "--db", db])
    assert no_reason.exit_code != 0
    ok = runner.invoke(
        app,
        ["partnership", "status", pid, "introduced", "--db", db, "--note", "rencontre au forum"],
    )
    assert ok.exit_code == 0, ok.output
    listed = json.loads(
        runner.invoke(
            app, ["partnership", "list", "--db", db, "--format", "json", "--status", "introduced"]
        ).output
    )
    assert [p["partnership_id"] for p in listed] == [pid]
    csv_out = runner.invoke(app, ["partnership", "list", "--db", db, "--format", "csv"]).output
    assert csv_out.splitlines()[0].startswith("partnership_id,status")
    assert len(csv_out.splitlines()) == 2


def test_mode_and_value_are_recorded(loaded: Store):
    pid = ps.propose(loaded, "n1", "o1").partnership_id
    part = ps.update_details(loaded, pid, mode="mécénat", value_hours=12, value_euros=300)
    assert (part.mode, part.value_hours, part.value_euros) == (
        PartnershipMode.PHILANTHROPY,
        12.0,
        300.0,
    )
    with pytest.raises(InvalidInputError, match="positif"):
        ps.update_details(loaded, pid, value_euros=-5)
    with pytest.raises(InvalidInputError, match="rien à modifier"):
        ps.update_details(loaded, pid)
    with pytest.raises(ConflictError):
        ps.update_details(loaded, pid, value_hours=1, expected_version=1)
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["partnership", "update", pid, "--euros", "450", "--db", str(loaded.engine.url.database)],
    )
    assert out.exit_code == 0, out.output
    assert ps.get(loaded, pid).value_euros == 450.0


def test_history_of_a_partnership_missing_from_the_file_is_refused_not_dropped(
    loaded: Store, small: Path
):
    """A history row for a partnership stored in the base, but absent from the file's
    partnerships, is named with its row and what to do: never silently left out."""
    pid = ps.propose(loaded, "n1", "o1").partnership_id
    write(
        small,
        "partnership_events.csv",
        f"partnership_id,at,to_status\n{pid},2026-03-02,introduced\n",
    )
    with pytest.raises(InvalidInputError) as refused:
        services.import_territory(loaded, small)
    (problem,) = refused.value.problems
    # The same words whether the base holds it or not (no existence oracle across territories).
    assert problem.row == 2 and "introuvable dans l'onglet des partenariats" in problem.message
    assert "ajoutez-y sa ligne" in problem.message
    assert "ajoutez-y sa ligne" in problem.message
    assert ps.get(loaded, pid).status is PartnershipStatus.PROPOSED
