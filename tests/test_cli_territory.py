"""Every reading command refuses an unknown --territory in French, listing the territories by
name, and accepts the name as shown (outside probe, D3: « -t "Trégor test" » gave a zero
report titled « Trégor test », exit code 0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_report import world

from traits import cli
from traits.services.territories import resolve_territory
from traits.storage import Store
from traits.storage import repository as repo


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "t.sqlite"
    store = Store(path)
    with store.transaction() as conn:
        repo.write_parsed(conn, world())  # t1 « Pays de Test », t2 « Ailleurs »
    store.dispose()
    return str(path)


def _run(monkeypatch, capsys, args: list[str]) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["traits", *args])
    monkeypatch.delenv("TRAITS_DEBUG", raising=False)
    try:
        cli.main()
    except SystemExit as stop:
        out = capsys.readouterr()
        return stop.code or 0, out.out, out.err
    out = capsys.readouterr()
    return 0, out.out, out.err


READING = [
    ["report", "-f", "json"],
    ["graph", "-o", "{tmp}/g.graphml"],
    ["kit", "{tmp}/kit"],
    ["match"],
    ["pooling"],
    ["partnership", "list"],
    ["export", "{tmp}/out"],
    ["stats"],
    ["vocabulary"],
]


@pytest.mark.parametrize("command", READING, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("typed", ["Trégor", "pays", "t3"])
def test_an_unknown_territory_is_refused_with_the_known_names(
    command, typed, db, tmp_path, monkeypatch, capsys
):
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    code, out, err = _run(monkeypatch, capsys, [*args, "--db", db, "-t", typed])
    assert code != 0 and out == ""
    assert f"territoire « {typed} » inconnu" in err
    assert "« Ailleurs », « Pays de Test »" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("typed", ["t1", "Pays de Test", "pays de test", " PAYS  DE TEST "])
def test_a_territory_is_found_by_its_id_or_its_name(typed, db, monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, ["report", "-f", "json", "--db", db, "-t", typed])
    assert code == 0
    report = json.loads(out)
    assert report["territory"] == {"id": "t1", "name": "Pays de Test"}
    assert report["organisations"] == 6


def test_a_name_two_territories_share_is_ambiguous(db):
    from traits.errors import NotFoundError
    from traits.model import Territory

    store = Store(db)
    with store.transaction() as conn:
        from traits.storage import territories as stored

        stored.insert_territory(conn, Territory("t3", "Pays de test"))
    with pytest.raises(NotFoundError, match="ambigu"):
        resolve_territory(store, "pays de test")
    assert resolve_territory(store, "t3") == "t3"
    assert resolve_territory(store, None) is None


def test_a_territory_cannot_be_named_like_another_s_identifier(db, monkeypatch, capsys):
    """Re-probe N4: a territory named « t1 » beside the territory whose identifier is t1 made
    `-t t1` pick one of the two without a word."""
    args = ["territory", "create", "T1", "--id", "autre", "--db", db]
    code, _, err = _run(monkeypatch, capsys, args)
    assert code == 1
    assert "« T1 » est déjà l'identifiant du territoire « Pays de Test »" in err
    store = Store(db)
    assert [t.territory_id for t in store_territories(store)] == ["t1", "t2"]
    store.dispose()


def store_territories(store: Store) -> list:
    from traits.services import access

    with access.operator(), store.reading() as conn:
        return repo.read_territories(conn)
