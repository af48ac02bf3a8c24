"""Backup and restore round trips, on both backends; a bad file changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from traits import services
from traits.errors import InvalidInputError
from traits.services import backup
from traits.services import partnerships as ps
from traits.storage import Store
from traits.storage import repository as repo


def _snapshot(store: Store) -> dict:
    with store.reading() as conn:
        data = repo.read_all(conn)
    return {
        k: sorted(map(repr, getattr(data, k)))
        for k in (
            "territories",
            "organisations",
            "diagnostics",
            "items",
            "contacts",
            "partnerships",
        )
    }


@pytest.mark.parametrize("suffix", [".sqlite", ".json.gz"])
def test_round_trip(backend_store: Store, tmp_path: Path, suffix: str):
    services.load_demo(backend_store)
    before = _snapshot(backend_store)
    saved = backup.backup(backend_store, tmp_path / f"sauvegarde{suffix}")
    pid = ps.list_partnerships(backend_store, status="proposed")[0].partnership_id
    ps.change_status(backend_store, pid, "abandoned", reason="test")
    assert _snapshot(backend_store) != before
    backup.restore(backend_store, saved)
    assert _snapshot(backend_store) == before
    # history ids keep counting after a restore
    ps.change_status(backend_store, pid, "introduced")
    assert ps.get(backend_store, pid).history[-1].to_status.value == "introduced"


def test_bad_backup_changes_nothing(store: Store, tmp_path: Path):
    services.load_demo(store)
    before = _snapshot(store)
    bad = tmp_path / "pas-une-sauvegarde.json.gz"
    bad.write_bytes(b"hello")
    with pytest.raises(InvalidInputError, match="sauvegarde"):
        backup.restore(store, bad)
    assert _snapshot(store) == before
