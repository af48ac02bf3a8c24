"""Partnership graph, network analyses and funder report on a synthetic region.

Usage: python benchmarks/bench_report.py [--orgs 10000] [--partnerships 20000] [--seed 0]
Target: 10,000 organisations and 20,000 partnerships (with histories) in < 10 s, < 1 GB.

Domain objects are built directly (no database), so only the graph and report code is timed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import time
from collections.abc import Callable
from typing import Any

from traits import graph as g
from traits import report as r
from traits.interchange.validate import Parsed
from traits.model import (
    Category,
    Diagnostic,
    Direction,
    Item,
    Organisation,
    OrgKind,
    Partnership,
    PartnershipMode,
    PartnershipStatus,
    StatusChange,
    Territory,
)
from traits.services.reports import BETWEENNESS_SAMPLE

S = PartnershipStatus
PATHS = [
    ([S.PROPOSED], 3),
    ([S.PROPOSED, S.INTRODUCED], 2),
    ([S.PROPOSED, S.INTRODUCED, S.IN_DISCUSSION], 2),
    ([S.PROPOSED, S.INTRODUCED, S.IN_DISCUSSION, S.REALISED], 4),
    ([S.PROPOSED, S.REALISED], 1),
    ([S.PROPOSED, S.INTRODUCED, S.ABANDONED], 2),
]
FORMS = {
    OrgKind.ESS: ["association", "association", "ESAT", "EA", "ACI", "SCOP", "SCIC"],
    OrgKind.COMPANY: ["SAS", "SARL", "SA"],
    OrgKind.PUBLIC: ["commune"],
}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def region(n_orgs: int, n_partnerships: int, seed: int = 0) -> Parsed:
    """A seeded synthetic region: 12 territories, diagnostics, needs, offers, partnerships."""
    rng = random.Random(seed)
    territories = [Territory(f"t{i}", f"Pays {i}") for i in range(12)]
    kinds = [OrgKind.ESS, OrgKind.COMPANY, OrgKind.COMPANY, OrgKind.PUBLIC]
    orgs = []
    for i in range(n_orgs):
        kind = rng.choice(kinds)
        orgs.append(
            Organisation(
                f"o{i}",
                f"Structure {i}",
                kind,
                f"t{i % len(territories)}",
                rng.choice(FORMS[kind]),
                lat=47.5 + rng.random() * 1.5,
                lon=-4.5 + rng.random() * 3.5,
            )
        )
    day0 = dt.date(2022, 1, 1)
    diagnostics = [
        Diagnostic(f"d{i}", f"o{i}", day0 + dt.timedelta(days=rng.randrange(365)))
        for i in range(n_orgs)
        if rng.random() < 0.6
    ]
    items, partnerships = [], []
    paths, weights = zip(*PATHS, strict=True)
    modes, categories = list(PartnershipMode), list(Category)
    for j in range(n_partnerships):
        # a few hubs (preferential attachment-like) make brokers and clusters meaningful
        a = int(rng.paretovariate(1.2)) % n_orgs if rng.random() < 0.3 else rng.randrange(n_orgs)
        b = rng.randrange(n_orgs)
        if a == b:
            b = (b + 1) % n_orgs
        category = rng.choice(categories)
        items.append(Item(f"n{j}", f"o{a}", Direction.NEED, category, f"Besoin {j}"))
        items.append(Item(f"f{j}", f"o{b}", Direction.OFFER, category, f"Offre {j}"))
        pid = f"p{j}"
        path = rng.choices(paths, weights)[0]
        day = dt.datetime.combine(day0 + dt.timedelta(days=rng.randrange(365)), dt.time(9))
        history, previous = [], None
        for status in path:
            history.append(StatusChange(pid, day, status, previous))
            previous = status
            day += dt.timedelta(days=rng.randrange(3, 60))
        partnerships.append(
            Partnership(
                pid,
                f"o{a}",
                f"o{b}",
                path[-1],
                need_id=f"n{j}",
                offer_id=f"f{j}",
                mode=rng.choice(modes),
                categories=[category],
                value_euros=float(rng.randrange(500, 20_000)) if rng.random() < 0.3 else None,
                value_hours=float(rng.randrange(4, 80)) if rng.random() < 0.2 else None,
                created=history[0].at.date(),
                history=history,
            )
        )
    return Parsed(
        territories=territories,
        organisations=orgs,
        diagnostics=diagnostics,
        items=items,
        partnerships=partnerships,
    )


def timed(label: str, fn: Callable[[], Any], times: dict[str, float]) -> Any:
    t0 = time.perf_counter()
    out = fn()
    times[label] = time.perf_counter() - t0
    print(f"  {label:<42} {times[label]:7.2f} s   (mémoire max {peak_rss_mb():6.0f} Mo)")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--partnerships", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    t0 = time.perf_counter()
    data = region(args.orgs, args.partnerships, args.seed)
    print(
        f"Région synthétique : {len(data.organisations)} organisations, "
        f"{len(data.partnerships)} partenariats ({sum(len(p.history) for p in data.partnerships)} "
        f"étapes), {len(data.items)} besoins et offres, {len(data.diagnostics)} diagnostics "
        f"— générée en {time.perf_counter() - t0:.2f} s (non compté)."
    )
    times: dict[str, float] = {}
    graph = timed(
        "graphe (build_graph)",
        lambda: g.build_graph(data.organisations, data.partnerships, data.diagnostics),
        times,
    )
    timed(
        "comptes par statut, mode, catégorie",
        lambda: [g.counts_by(graph, a) for a in ("status", "mode", "categories")],
        times,
    )
    timed(
        "conversion et délai médian",
        lambda: (
            g.conversion(data.partnerships),
            g.conversion(data.partnerships, among="all"),
            g.median_days_to_realise(data.partnerships),
        ),
        times,
    )
    timed("structures à relancer", lambda: g.to_visit_again(graph), times)
    top = timed(
        f"intermédiaires (betweenness, {BETWEENNESS_SAMPLE} pivots)",
        lambda: g.brokers(graph, 5, sample=BETWEENNESS_SAMPLE, seed=args.seed),
        times,
    )
    found = timed("communautés (Louvain)", lambda: g.clusters(graph, seed=args.seed), times)
    timed("part ESS–entreprise", lambda: g.ess_company_share(graph), times)
    report = timed("bilan (build_report, toute la région)", lambda: r.build_report(data), times)
    timed(
        "bilan d'un territoire sur 2022",
        lambda: r.build_report(
            data, territory="t0", start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)
        ),
        times,
    )
    md = timed("rendu Markdown", lambda: r.to_markdown(report), times)
    page = timed("rendu HTML", lambda: r.to_html(report), times)
    total = sum(times.values())
    print()
    print(f"  {report.headline()}")
    print(
        f"  Markdown {len(md) / 1e6:.1f} Mo, HTML {len(page) / 1e6:.1f} Mo; "
        f"{len(found)} communautés, intermédiaire principal {top[0][0] if top else '—'}."
    )
    print(
        f"  Betweenness estimée sur {BETWEENNESS_SAMPLE} pivots tirés avec seed={args.seed} "
        f"(networkx k=) : l'exacte, O(n·m), prendrait plusieurs minutes à cette taille."
    )
    print()
    print(
        f"Total : {total:.2f} s (objectif < 10 s) — mémoire max {peak_rss_mb():.0f} Mo "
        f"(objectif < 1024 Mo)."
    )
    ok = total < 10 and peak_rss_mb() < 1024
    print("Objectif atteint." if ok else "Objectif NON atteint.")


if __name__ == "__main__":
    main()
