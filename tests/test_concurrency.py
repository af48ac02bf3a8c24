"""Two (or more) sessions saving the same record at once: one wins, the others are told.

Real threads on both backends; never a silent overwrite (optimistic locking).
"""

from __future__ import annotations

import threading

from traits import services
from traits.errors import ConflictError
from traits.services import diagnostics as ds
from traits.services import partnerships as ps
from traits.storage import Store

N = 8


def _race(action) -> tuple[list[object], list[Exception]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(N)
    results: list[object] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        barrier.wait()
        try:
            out = action(i)
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(out)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(N)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    return results, errors


def test_same_diagnostic_saved_by_several_sessions(backend_store: Store):
    services.load_demo(backend_store)
    did = ds.list_diagnostics(backend_store, "vitre")[0].diagnostic_id
    record = ds.get_diagnostic(backend_store, did)

    def save(i: int) -> int:
        mine = ds.get_diagnostic(backend_store, did)
        mine.diagnostic.notes = f"session {i}"
        return ds.save_diagnostic(
            backend_store, mine.diagnostic, mine.items, None, expected_version=record.version
        ).version

    wins, errors = _race(save)
    assert len(wins) == 1 and len(errors) == N - 1
    assert all(isinstance(e, ConflictError) and "rechargez" in str(e) for e in errors)
    final = ds.get_diagnostic(backend_store, did)
    assert final.version == record.version + 1
    assert final.diagnostic.notes.startswith("session ")


def test_same_partnership_moved_by_several_sessions(backend_store: Store):
    services.load_demo(backend_store)
    part = ps.list_partnerships(backend_store, status="proposed", territory_id="vitre")[0]

    def move(i: int) -> str:
        return ps.change_status(
            backend_store, part.partnership_id, "introduced", note=f"session {i}"
        ).status.value

    wins, errors = _race(move)
    assert wins == ["introduced"]
    assert len(errors) == N - 1
    assert all("déjà" in str(e) or "rechargez" in str(e) for e in errors)
    after = ps.get(backend_store, part.partnership_id)
    assert [e.to_status.value for e in after.history].count("introduced") == 1
