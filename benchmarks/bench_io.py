"""Import and export speed and peak memory on a synthetic territory.

Usage: python benchmarks/bench_io.py [--orgs 10000] [--items 50000]
Target (issue 2): 10,000 organisations and 50,000 items imported in < 30 s, < 1 GB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import generate  # noqa: E402

from traits import services  # noqa: E402
from traits.storage import Store  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = generate(tmp / "synthetic", args.orgs, args.items)
        store = Store(tmp / "bench.sqlite")
        rss0 = peak_rss_mb()
        t0 = time.perf_counter()
        report = services.import_territory(store, folder)
        t_import = time.perf_counter() - t0
        rss_import = peak_rss_mb()
        t0 = time.perf_counter()
        services.export_territory(store, tmp / "export")
        t_export = time.perf_counter() - t0
        t0 = time.perf_counter()
        services.export_territory(store, tmp / "export.xlsx")
        t_xlsx = time.perf_counter() - t0
        print(f"synthetic territory: {args.orgs} organisations, {args.items} items")
        print(f"written: {report.written}")
        print(f"import (CSV folder → SQLite): {t_import:6.2f} s")
        print(f"export (SQLite → CSV folder): {t_export:6.2f} s")
        print(f"export (SQLite → XLSX):       {t_xlsx:6.2f} s")
        print(
            f"peak RSS: {rss_import:.0f} MB after import (process baseline {rss0:.0f} MB), "
            f"{peak_rss_mb():.0f} MB at the end"
        )


if __name__ == "__main__":
    main()
