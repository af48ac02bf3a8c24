"""Time every page of the app and the main actions on a synthetic territory.

500 organisations and 2,500 needs and offers (``benchmarks/synthetic.py``) are imported into a
throwaway database; the app is then driven headless with Streamlit's AppTest. Each page is
rendered once to warm up (the matcher is fitted then), and timed on the following renders;
actions are timed from the click to the end of the rerun. Target: under 1 s each.

    python benchmarks/bench_app.py [--repeat 3] [--semantic]

It first times, in a new process, the sample territory right after installation (``traits
demo``): opening the app (its first page), then the first visit of Pistes, whose matcher is
fitted then (target: 3 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate  # noqa: E402

PAGES = [
    ("territory", "Territoire"),
    ("diagnostics", "Diagnostics"),
    ("pistes", "Pistes"),
    ("partnerships", "Partenariats"),
    ("network", "Réseau"),
    ("report", "Bilan"),
    ("kit", "Kit d'essaimage"),
    ("settings", "Paramètres"),
]
TARGET = 1.0
FIRST_VISIT_TARGET = 3.0


def first_visit_worker(db: str) -> None:
    """In a new process: the app's first page, then Pistes (the matcher fitted there).

    Prints the seconds of each step on one line, for :func:`bench_first_visit`.
    """
    start = time.perf_counter()
    os.environ["TRAITS_DB"] = db
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    opened = time.perf_counter()
    at.switch_page("app_pages/pistes.py")
    at.run()
    done = time.perf_counter()
    if at.exception:
        raise SystemExit(f"pistes : {at.exception[0].value}")
    if not [b for b in at.button if b.label == "Proposer ce partenariat"]:
        raise SystemExit("pistes : aucune piste affichée")
    print(f"FIRST-VISIT {opened - start:.3f} {done - opened:.3f}")


def bench_first_visit(tmp: Path, repeat: int) -> None:
    """A new process opens the app (first page), then Pistes, on a fresh sample base."""
    import subprocess

    opening, pistes = [], []
    for n in range(repeat):
        db = tmp / f"exemple-{n}.sqlite"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        subprocess.run(
            [sys.executable, "-m", "traits.cli", "demo", "--db", str(db)],
            check=True,
            capture_output=True,
            env=env,
        )
        out = subprocess.run(
            [sys.executable, __file__, "--first-visit-worker", str(db)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("FIRST-VISIT"))
        opening.append(float(line.split()[1]))
        pistes.append(float(line.split()[2]))
    median = statistics.median(pistes)
    flag = "ok" if median <= FIRST_VISIT_TARGET else "LENT"
    print(
        "Après « traits demo », dans un nouveau processus : ouverture de l'application "
        f"(première page) {statistics.median(opening):.2f} s, puis première visite de Pistes "
        f"{median:.2f} s (max {max(pistes):.2f}, objectif {FIRST_VISIT_TARGET:.0f} s)  {flag}"
    )


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return out


def line(name: str, times: list[float]) -> str:
    median = statistics.median(times)
    flag = "ok" if median < TARGET else "LENT"
    return f"{name:<42} {median:7.2f} s  (max {max(times):.2f})  {flag}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=500)
    parser.add_argument("--items", type=int, default=2500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--semantic", action="store_true", help="Use the sentence encoder.")
    parser.add_argument("--first-visit-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_visit_worker:
        first_visit_worker(args.first_visit_worker)
        return

    tmp = Path(tempfile.mkdtemp(prefix="traits-bench-app-"))
    bench_first_visit(tmp, args.repeat)
    os.environ["TRAITS_DB"] = str(tmp / "bench.sqlite")
    from streamlit.testing.v1 import AppTest

    from traits import services
    from traits.model import PartnershipStatus, Territory
    from traits.services import matching
    from traits.storage import Store

    store = Store(os.environ["TRAITS_DB"])
    start = time.perf_counter()
    services.import_territory(
        store,
        generate(tmp / "synthetic", args.orgs, args.items),
        territory=Territory("synthetique", "Territoire synthétique"),
    )
    matching.save_settings(store, None, use_semantic=args.semantic)
    print(
        f"Import de {args.orgs} structures et {args.items} besoins et offres : "
        f"{time.perf_counter() - start:.1f} s"
    )

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    start = time.perf_counter()
    at.run()
    print(f"Premier chargement de l'application : {time.perf_counter() - start:.1f} s")
    at.session_state["territory_id"] = "synthetique"

    def show(page: str) -> AppTest:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        if at.exception:
            raise SystemExit(f"{page} : {at.exception[0].value}")
        return at

    print("\nPages (après un premier affichage)")
    for page, title in PAGES:
        start = time.perf_counter()
        show(page)
        first = time.perf_counter() - start
        times = timed(lambda p=page: show(p), args.repeat)
        print(
            line(title, times) + (f"   premier affichage {first:.2f} s" if first > TARGET else "")
        )

    print("\nActions")
    show("diagnostics")
    counter = iter(range(10_000))

    def save_diagnostic() -> None:
        n = next(counter)
        at.button(key="ivb_reset").click().run()
        at.text_input(key="iv_name").input(f"Structure saisie {n}")
        at.text_input(key="iv_commune").input("Vitré")
        at.text_input(key="iv_new_need_title").input("Prêt d'un camion pour les collectes")
        at.button(key="ivb_add_need").click().run()
        start = time.perf_counter()
        at.button(key="ivb_save_complete").click().run()
        save_times.append(time.perf_counter() - start)
        assert not at.error, at.error[0].value

    save_times: list[float] = []
    for _ in range(args.repeat):
        save_diagnostic()
    print(line("Enregistrer un diagnostic (clic → page)", save_times))

    show("pistes")  # refits after the new diagnostics (not timed as an action)
    from traits.services.views import list_needs

    options = [need_id for need_id, _ in list_needs(store, "synthetique")[1 : args.repeat + 1]]

    def shortlist() -> None:
        at.selectbox(key="pistes_need").select(options.pop(0)).run()

    print(line("Liste de pistes d'un besoin", timed(shortlist, args.repeat)))

    def propose() -> None:
        [b for b in at.button if b.label == "Proposer ce partenariat"][0].click()
        at.run()

    print(line("Proposer un partenariat", timed(propose, args.repeat)))

    show("partnerships")

    def move() -> None:
        box = [s for s in at.selectbox if s.label == "Passer à"][0]
        box.select(PartnershipStatus.IN_DISCUSSION)
        [b for b in at.button if b.label == "Déplacer"][0].click()
        at.run()
        assert not at.error, at.error[0].value

    print(line("Déplacer une carte", timed(move, args.repeat)))

    show("pistes")
    start = time.perf_counter()
    at.segmented_control(key="pistes_scope").set_value("Tout le territoire").run()
    first = time.perf_counter() - start
    times = timed(lambda: show("pistes"), args.repeat)
    print(line("Pistes de tout le territoire (en cache)", times) + f"   calcul {first:.2f} s")
    store.dispose()


if __name__ == "__main__":
    main()
