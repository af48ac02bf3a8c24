"""A process killed in the middle of an import or a save leaves the database as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from traits import services
from traits.services import partnerships as ps
from traits.storage import Store

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from traits import services
    from traits.storage import Store, repository

    db, source, ready, mode = sys.argv[1:5]
    original = repository.write_parsed if mode == "import" else repository.upsert

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)   # some rows are written inside the transaction...
        Path(ready).write_text("written")   # ...then we hang until the parent kills us
        time.sleep(60)
        return result

    store = Store(db)
    if mode == "import":
        repository.write_parsed = slow
        services.import_territory(store, source)
    else:
        from traits.services import partnerships
        import sqlalchemy as sa
        real = sa.engine.Connection.execute
        def hang(self, stmt, *a, **k):
            out = real(self, stmt, *a, **k)
            if getattr(stmt, "table", None) is not None and stmt.table.name == "partnership_events":
                Path(ready).write_text("written")
                time.sleep(60)
            return out
        sa.engine.Connection.execute = hang
        partnerships.change_status(store, source, "introduced", note="jamais enregistré")
    """
)


def _kill_when_ready(args: list[str], ready: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, *args], cwd=Path(__file__).parents[1])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert proc.poll() is None, "the child ended before writing"
            assert time.monotonic() < deadline, "the child never reached the write"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("mode", ["import", "save"])
def test_killed_process_leaves_the_database_as_it_was(tmp_path: Path, mode: str):
    db = tmp_path / "crash.sqlite"
    store = Store(db)
    services.load_demo(store)
    before = services.stats(store)
    proposed = ps.list_partnerships(store, status="proposed")[0]
    labelled = Path(__file__).parent / "data" / "labelled" / "morlaix"
    source = str(labelled) if mode == "import" else proposed.partnership_id
    _kill_when_ready([str(db), source, str(tmp_path / "ready"), mode], tmp_path / "ready")
    store.dispose()
    after_store = Store(db)
    assert services.stats(after_store) == before
    again = ps.get(after_store, proposed.partnership_id)
    assert again.status.value == "proposed" and len(again.history) == len(proposed.history)
    # and the database still takes writes
    ps.change_status(after_store, proposed.partnership_id, "introduced")
