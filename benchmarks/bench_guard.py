"""What the access guard costs each database block (``traits.services.access._guard``).

Every ``Store.reading()`` / ``Store.transaction()`` block first checks who calls: nobody on a
database without accounts (one query: is there any account?), or a signed-in account (one
query by primary key: is it still enabled, with the same rights?). This times empty read
blocks with and without the guard, on the sample territory in a throwaway SQLite file.

    python benchmarks/bench_guard.py [--blocks 3000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from traits.services import access, data  # noqa: E402
from traits.storage import Store, db  # noqa: E402


def _per_block(store: Store, blocks: int) -> float:
    """Median over 5 runs of the time of one empty read block, in microseconds."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(blocks):
            with store.reading():
                pass
        runs.append((time.perf_counter() - start) / blocks * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "guard.sqlite")
        data.load_demo(store)
        guards = list(db._GUARDS)
        db._GUARDS.clear()
        bare = _per_block(store, args.blocks)
        db._GUARDS.extend(guards)
        laptop = _per_block(store, args.blocks)
        access.add_user(store, "chef", "admin")
        chef = access.Principal(
            "chef", access.Role.ADMIN, frozenset(), dt.datetime.now() + dt.timedelta(hours=1)
        )
        with access.signed_in(chef):
            signed = _per_block(store, args.blocks)
        store.dispose()
    print(f"empty read block, no guard:            {bare:7.0f} µs")
    print(f"guard, database without accounts:      {laptop:7.0f} µs (+{laptop - bare:.0f})")
    print(f"guard, signed-in account re-checked:   {signed:7.0f} µs (+{signed - bare:.0f})")


if __name__ == "__main__":
    main()
