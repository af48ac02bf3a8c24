"""Matching benchmarks: speed beside an exact brute force, quality and ablation tables.

    python benchmarks/bench_matching.py            # full sizes
    python benchmarks/bench_matching.py --quick    # smaller sizes

Synthetic territories are seeded (traits.matching.synthetic); quality is measured on the
development set and the labelled territories of tests/data/labelled.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

from traits.matching import MatchConfig, Matcher
from traits.matching.evaluation import ablation
from traits.matching.features import semantic_available
from traits.matching.synthetic import synthetic_territory

ROOT = Path(__file__).resolve().parents[1]
LABELLED = [Path("/work/shared/eval/devset"), *sorted((ROOT / "tests/data/labelled").glob("*/"))]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _brute_force_top(m: Matcher, needs: np.ndarray, k: int) -> dict[int, list[int]]:
    """Exact: every (need, offer of another organisation) pair scored, no blocking."""
    c = m.corpus_
    out: dict[int, list[int]] = {}
    for start in range(0, len(needs), 64):
        chunk = needs[start : start + 64]
        nn = np.repeat(chunk, len(c.offers))
        oo = np.tile(c.offers, len(chunk))
        keep = c.item_org[nn] != c.item_org[oo]
        s = m._score(m._compare(nn[keep], oo[keep]))
        for need in chunk:
            sel = s.need == need
            order = np.argsort(-s.score[sel], kind="stable")[:k]
            out[int(need)] = list(s.offer[sel][order])
    return out


def bench_territory(n_orgs: int, brute_needs: int) -> None:
    orgs, items = synthetic_territory(n_orgs, 5, random_state=1)
    t0 = time.perf_counter()
    m = Matcher(MatchConfig()).fit(orgs, items)
    res = m.match_all()
    t_fast = time.perf_counter() - t0
    c = m.corpus_
    sample = np.random.default_rng(0).choice(c.needs, min(brute_needs, len(c.needs)), replace=False)
    t0 = time.perf_counter()
    exact = _brute_force_top(m, sample, 5)
    t_brute = (time.perf_counter() - t0) * len(c.needs) / len(sample)
    ids = c.items["item_id"].to_numpy()
    recall = np.mean([
        len({ids[o] for o in exact[n]} & {x.offer_id for x in res[ids[n]]}) / max(len(exact[n]), 1)
        for n in sample
    ])
    print(f"whole territory: {n_orgs} orgs, {len(items)} items, {len(c.needs)} needs")
    print(f"  blocked match_all (fit included) {t_fast:6.2f} s | brute force (extrapolated from "
          f"{len(sample)} needs) {t_brute:7.2f} s | ratio {t_brute / t_fast:5.1f}x | top-5 recall vs exact {recall:.3f}")


def bench_index(n_orgs: int, n_queries: int) -> None:
    orgs, items = synthetic_territory(n_orgs, 5, random_state=2, spread_km=120, need_share=0.01)
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    m = Matcher(MatchConfig()).fit(orgs, items)
    t_build = time.perf_counter() - t0
    c = m.corpus_
    print(f"index: {n_orgs} orgs, {len(items)} items ({len(c.offers)} offers): built in {t_build:.1f} s, "
          f"peak RSS {_rss_mb():.0f} MB (before build {rss0:.0f} MB)")
    ids = c.items["item_id"].to_numpy()
    queries = np.random.default_rng(0).choice(c.needs, n_queries, replace=False)
    m.shortlist(ids[queries[0]])  # warm-up
    times, brute, agree = [], [], []
    for q in queries:
        t0 = time.perf_counter()
        fast = [x.offer_id for x in m.shortlist(ids[q])]
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ex = _brute_force_top(m, np.array([q]), 5)[int(q)]
        brute.append(time.perf_counter() - t0)
        agree.append(len(set(fast) & {ids[o] for o in ex}) / max(len(ex), 1))
    print(f"  one need's shortlist: median {1000 * np.median(times):.0f} ms (max {1000 * max(times):.0f}) | "
          f"brute force {1000 * np.median(brute):.0f} ms | ratio {np.median(brute) / np.median(times):.0f}x | "
          f"top-5 recall vs exact {np.mean(agree):.3f}")


def quality(semantic: bool) -> None:
    for folder in LABELLED:
        if not (folder / "relevance.csv").exists():
            continue
        table = ablation(folder, semantic=semantic)
        print(f"\n{folder.name}")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--no-quality", action="store_true", help="skip the quality tables")
    args = parser.parse_args()
    if args.quick:
        bench_territory(400, 100)
        bench_index(10_000, 5)
    else:
        bench_territory(2_000, 300)
        bench_index(100_000, 10)
    if not args.no_quality:
        quality(semantic=semantic_available("e5"))


if __name__ == "__main__":
    main()
