"""What the maps cost: render time of the pages that draw one, and the size of each map's spec.

The sample territory (Pays de Vitré) is opened headless with Streamlit's AppTest; each page
with a map is rendered once to warm up, then timed; the map's deck.gl spec (what the browser
receives) is measured in bytes, with its layers and the points, paths and labels they carry.

    python benchmarks/bench_maps.py [--repeat 3] [--app-root PATH]

``--app-root`` renders another checkout's app (with its ``traits`` first on PYTHONPATH), to
compare before and after a change.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [("territory", "Territoire (carte des structures)"), ("network", "Réseau (carte)")]


def decks(at: object) -> list[str]:
    """The deck.gl specs of the maps on the rendered page, as sent to the browser."""
    return [e.proto.json for e in at.get("deck_gl_json_chart")]  # type: ignore[attr-defined]


def describe(text: str) -> str:
    parts = []
    for layer in json.loads(text).get("layers", []):
        data = layer.get("data")
        count = len(data) if isinstance(data, list) else 0
        parts.append(f"{layer['@@type'].removesuffix('Layer')} {count}")
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--app-root", type=Path, default=ROOT)
    args = parser.parse_args()
    os.environ["TRAITS_DB"] = str(Path(tempfile.mkdtemp(prefix="traits-bench-maps-")) / "a.db")
    from streamlit.testing.v1 import AppTest

    from traits.services import demo, matching
    from traits.storage import Store

    for store in (Store(os.environ["TRAITS_DB"]), demo.open_demo(os.environ["TRAITS_DB"])):
        matching.save_settings(store, None, use_semantic=False)
        store.dispose()
    at = AppTest.from_file(str(args.app_root / "app.py"), default_timeout=300)
    at.run()
    next(b for b in at.button if b.label == "Explorer le territoire d'exemple").click().run()
    for page, title in PAGES:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - start)
        if at.exception:
            raise SystemExit(f"{page} : {at.exception[0].value}")
        for spec in decks(at):
            size = len(spec.encode())
            print(
                f"{title:<34} {statistics.median(times):5.2f} s  spec {size / 1000:7.1f} ko"
                f"  ({describe(spec)})"
            )


if __name__ == "__main__":
    main()
