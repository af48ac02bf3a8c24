"""Mutualisations against the pools a facilitator expects, on every labelled territory.

Each labelled folder (``tests/data/labelled/*``) has a ``pools.csv`` of the pools a facilitator
would propose and a ``pools_rejected.csv`` of tempting groupings they would refuse, both
written apart from the method. This script finds the pools of each folder (coordinates of
organisations without them are taken from their commune, as the import does) and prints:

* expected pools found: a found pool holds at least two of the expected pool's needs, from
  two organisations, and shares at least half of its needs with it (Jaccard ≥ 0.5);
* found pools a facilitator would reject: those that match a rejected grouping;
* other pools found: neither expected nor rejected (to be read by a facilitator);
* the detection time.

Run: ``python benchmarks/bench_pooling.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from traits.geo import default_gazetteer
from traits.matching.evaluation import read_labelled
from traits.pooling import find_pools
from traits.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "labelled"
JACCARD = 0.5


def _placed(orgs: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """Coordinates from the commune where the file gives none (as the import does)."""
    raw = pd.read_csv(folder / "organisations.csv", dtype=str).fillna("")
    commune = dict(zip(raw["org_id"], raw.get("commune", ""), strict=True))
    gazetteer = default_gazetteer()
    out = orgs.copy()
    for i, row in out.iterrows():
        if pd.isna(row["lat"]) or pd.isna(row["lon"]):
            place = gazetteer.resolve(commune.get(row["org_id"]) or None)
            if place is not None:
                out.at[i, "lat"], out.at[i, "lon"] = place.lat, place.lon
    return out


def _groups(path: Path) -> list[set[str]]:
    if not path.exists():
        return []
    frame = pd.read_csv(path, dtype=str).fillna("")
    return [set(filter(None, ids.split("|"))) for ids in frame["need_ids"]]


def _matches(found: set[str], expected: set[str]) -> bool:
    shared = found & expected
    return len(shared) >= 2 and len(shared) / len(found | expected) >= JACCARD


def main() -> None:
    vocabulary = Vocabulary.default()
    totals = [0, 0, 0, 0, 0]
    print(f"{'territory':10s} {'expected':>8s} {'found':>6s} {'rejected found':>15s} "
          f"{'other pools':>12s} {'seconds':>8s}")  # fmt: skip
    for folder in sorted(p for p in LABELLED.iterdir() if (p / "pools.csv").exists()):
        orgs, items, _ = read_labelled(folder)
        orgs = _placed(orgs, folder)
        start = time.perf_counter()
        pools = find_pools(orgs, items, vocabulary)
        seconds = time.perf_counter() - start
        expected = _groups(folder / "pools.csv")
        rejected = _groups(folder / "pools_rejected.csv")
        found_sets = [set(p.need_ids) for p in pools]
        hit = sum(any(_matches(f, e) for f in found_sets) for e in expected)
        bad = [f for f in found_sets if any(_matches(f, r) for r in rejected)]
        other = [
            p for p, f in zip(pools, found_sets, strict=True)
            if not any(_matches(f, e) for e in expected) and f not in bad
        ]  # fmt: skip
        print(f"{folder.name:10s} {len(expected):8d} {hit:6d} {len(bad):15d} {len(other):12d} "
              f"{seconds:8.2f}")  # fmt: skip
        for p in other:
            print(f"{'':10s}   other: {p.label} — {', '.join(p.need_ids)}")
        counts = (len(expected), hit, len(bad), len(other), 0)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    print(f"{'all':10s} {totals[0]:8d} {totals[1]:6d} {totals[2]:15d} {totals[3]:12d}")


if __name__ == "__main__":
    main()
