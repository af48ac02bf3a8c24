"""Matching benchmarks: speed beside an exact brute force, quality and ablation tables.

    python benchmarks/bench_matching.py            # full sizes (a few minutes)
    python benchmarks/bench_matching.py --quick    # smaller sizes (under a minute)

Every time is printed beside an exact brute force run on the same data in the same run, so the
ratio survives a noisy machine. The brute force scores every (need, offer of another
organisation) pair with the matcher's own comparison and score (no blocking, no bound); on a
whole territory it is run on a seeded sample of needs and extrapolated to all of them.

The index is built in a fresh subprocess, so that its peak memory (``ru_maxrss``) is that of
the build alone: the figure before the build (interpreter, libraries, input tables) is printed
beside it. Synthetic territories are seeded (:mod:`traits.matching.synthetic`); quality is
measured on the development set and the labelled territories of tests/data/labelled.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from traits.matching import MatchConfig, Matcher
from traits.matching.evaluation import ablation, learning_gain
from traits.matching.features import semantic_available
from traits.matching.shortlist import top_k_per_group
from traits.matching.synthetic import synthetic_territory

ROOT = Path(__file__).resolve().parents[1]
LABELLED = [Path("/work/shared/eval/devset"), *sorted((ROOT / "tests/data/labelled").glob("*/"))]
K = 5
#: Pairs scored at once by the brute force.
BRUTE_PAIRS = 600_000


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def exact_top(m: Matcher, needs: np.ndarray, k: int = K) -> dict[int, list[int]]:
    """Brute force: every (need, offer of another organisation) pair scored in full."""
    c = m.corpus_
    out: dict[int, list[int]] = {int(n): [] for n in needs}
    per = max(1, BRUTE_PAIRS // max(len(c.offers), 1))
    for start in range(0, len(needs), per):
        chunk = needs[start : start + per]
        nn = np.repeat(chunk, len(c.offers))
        oo = np.tile(c.offers, len(chunk))
        keep = c.item_org[nn] != c.item_org[oo]
        s = m._score(m._compare(nn[keep], oo[keep]))
        for i in top_k_per_group(s.need, s.score, k):
            out[int(s.need[i])].append(int(s.offer[i]))
    return out


def _forget_reciprocity(m: Matcher) -> None:
    """Empty the matcher's reciprocity cache, so that the brute force pays for its own."""
    m._answer_keys = np.zeros(0, np.int64)
    m._answer_vals = np.zeros(0, bool)


def _recall(exact: dict[int, list[int]], fast: dict[int, list[str]], ids: np.ndarray) -> float:
    """Mean share of the exact top k found by the matcher's top k."""
    return float(
        np.mean(
            [len({ids[o] for o in ex} & set(fast[n])) / max(len(ex), 1) for n, ex in exact.items()]
        )
    )


def bench_territory(n_orgs: int, brute_needs: int) -> dict[str, object]:
    """Whole-territory ``match_all`` (fit included) beside the extrapolated brute force."""
    orgs, items = synthetic_territory(n_orgs, 5, random_state=1)
    t0 = time.perf_counter()
    m = Matcher(MatchConfig(top_k=K)).fit(orgs, items)
    t_fit = time.perf_counter() - t0
    res = m.match_all()
    t_match = time.perf_counter() - t0 - t_fit
    c = m.corpus_
    ids = c.items["item_id"].to_numpy()
    sample = np.sort(
        np.random.default_rng(0).choice(c.needs, min(brute_needs, len(c.needs)), replace=False)
    )
    _forget_reciprocity(m)
    t0 = time.perf_counter()
    exact = exact_top(m, sample)
    t_brute = (time.perf_counter() - t0) * len(c.needs) / len(sample)
    fast = {int(n): [x.offer_id for x in res[str(ids[n])]] for n in sample}
    return {
        "what": f"match_all, {n_orgs:,} orgs ({len(items):,} items, {len(c.needs):,} needs)",
        "fast": f"{t_fit + t_match:.2f} s (fit {t_fit:.2f} + match {t_match:.2f})",
        "exact": f"{t_brute:.1f} s (extrapolated from {len(sample)} needs)",
        "ratio": t_brute / (t_fit + t_match),
        "recall": _recall(exact, fast, ids),
        "target": "< 10 s",
        "ok": t_fit + t_match < 10,
    }


def _cached_char_rows(m: Matcher) -> None:
    """Give the corpus every item's char rows at once (for the brute force only).

    Above ``CHAR_CACHE_LIMIT`` items the corpus encodes char rows on demand; the brute force
    asks for all of them at every query, so they are encoded once here (each distinct text
    once), after the matcher's own queries have been timed.
    """
    c = m.corpus_
    texts, inverse = np.unique(np.asarray(c.texts, dtype=object), return_inverse=True)
    rows = sp.csr_matrix(c.char_model.transform(list(texts)))[inverse.ravel()]
    c.char_rows = lambda idx: rows[np.asarray(idx)]  # type: ignore[method-assign]


def index_worker(n_orgs: int, n_queries: int, n_brute: int) -> dict[str, object]:
    """Build the index of a large territory, then time one need's shortlist (in a subprocess)."""
    orgs, items = synthetic_territory(n_orgs, 5, random_state=2, spread_km=120, need_share=0.01)
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    m = Matcher(MatchConfig(top_k=K)).fit(orgs, items)
    t_build = time.perf_counter() - t0
    rss_peak = _rss_mb()
    c = m.corpus_
    ids = c.items["item_id"].to_numpy()
    queries = np.random.default_rng(0).choice(c.needs, min(n_queries, len(c.needs)), replace=False)
    m.shortlist(ids[queries[0]])  # warm-up
    times, fast = [], {}
    for q in queries:
        t0 = time.perf_counter()
        fast[int(q)] = [x.offer_id for x in m.shortlist(ids[q], k=K)]
        times.append(time.perf_counter() - t0)
    _cached_char_rows(m)
    _forget_reciprocity(m)
    brute, exact = [], {}
    for q in queries[:n_brute]:
        t0 = time.perf_counter()
        exact.update(exact_top(m, np.array([q])))
        brute.append(time.perf_counter() - t0)
    return {
        "n_orgs": n_orgs,
        "n_items": len(items),
        "n_offers": len(c.offers),
        "build_s": t_build,
        "rss_before_mb": rss_before,
        "rss_peak_mb": rss_peak,
        "query_ms": 1000 * float(np.median(times)),
        "query_max_ms": 1000 * float(np.max(times)),
        "n_queries": len(times),
        "brute_ms": 1000 * float(np.median(brute)),
        "n_brute": len(brute),
        "recall": _recall(exact, fast, ids),
    }


def bench_index(n_orgs: int, n_queries: int, n_brute: int) -> list[dict[str, object]]:
    """Index build (time, peak memory) and one need's shortlist, in a fresh process."""
    cmd = [sys.executable, __file__, "--index-worker", str(n_orgs), str(n_queries), str(n_brute)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        {
            "what": f"index build, {r['n_orgs']:,} orgs ({r['n_items']:,} items)",
            "fast": f"{r['build_s']:.1f} s, peak RSS {r['rss_peak_mb']:,.0f} MB",
            "exact": f"(RSS before build {r['rss_before_mb']:,.0f} MB)",
            "ratio": None,
            "recall": None,
            "target": "< 60 s, < 2 GB",
            "ok": r["build_s"] < 60 and r["rss_peak_mb"] < 2048,
        },
        {
            "what": f"one need's shortlist, {r['n_offers']:,} offers",
            "fast": f"{r['query_ms']:.0f} ms median of {r['n_queries']} "
            f"(max {r['query_max_ms']:.0f})",
            "exact": f"{r['brute_ms']:,.0f} ms median of {r['n_brute']}",
            "ratio": r["brute_ms"] / r["query_ms"],
            "recall": r["recall"],
            "target": "< 100 ms",
            "ok": r["query_ms"] < 100,
        },
    ]


def print_table(rows: list[dict[str, object]]) -> None:
    head = ("measure", "matcher", "exact brute force", "ratio", "top-5 recall", "target", "")
    cells = [
        (
            str(r["what"]),
            str(r["fast"]),
            str(r["exact"]),
            "" if r["ratio"] is None else f"{r['ratio']:.0f}x",
            "" if r["recall"] is None else f"{r['recall']:.3f}",
            str(r["target"]),
            "ok" if r["ok"] else "MISSED",
        )
        for r in rows
    ]
    widths = [max(len(x[i]) for x in [head, *cells]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    for row in [head, None, *cells]:
        if row is None:
            print(line)
            continue
        print("  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())
    print(line)
    print("Semantic encoder off (TF-IDF path); brute force = every pair scored in full.")


def quality(semantic: bool) -> None:
    for folder in LABELLED:
        if not (folder / "relevance.csv").exists():
            continue
        table = ablation(folder, semantic=semantic)
        print(f"\n{folder.name}")
        print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        gain = learning_gain(folder, semantic=semantic)
        print("learning from simulated feedback (held-out needs, 5 folds):")
        print(gain.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--no-quality", action="store_true", help="skip the quality tables")
    parser.add_argument("--index-worker", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.index_worker:
        print(json.dumps(index_worker(*args.index_worker)))
        return
    t0 = time.perf_counter()
    if args.quick:
        rows = [bench_territory(400, 100), *bench_index(10_000, 20, 5)]
    else:
        rows = [bench_territory(2_000, 300), *bench_index(100_000, 50, 10)]
    print_table(rows)
    if not args.no_quality:
        quality(semantic=semantic_available("e5"))
    print(f"\nbenchmark run in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
