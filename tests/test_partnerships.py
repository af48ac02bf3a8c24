"""Partnership lifecycle: propose, move, refuse what makes no sense, keep the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ITEMS, write
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import ConflictError, InvalidInputError, NotFoundError, TransitionError
from traits.model import PartnershipMode, PartnershipStatus
from traits.services import partnerships as ps
from traits.storage import Store


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
    with pytest.raises(InvalidInputError, match="statut « fini » inconnu"):
        ps.change_status(loaded, pid, "fini")


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
