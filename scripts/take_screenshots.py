"""Take the screenshots of the kit (docs/kit-essaimage/images/) from the sample territory.

    python scripts/take_screenshots.py

Starts the app on a fresh database holding the sample territory, opens each page in a headless
Chromium (/usr/bin/chromium, through Playwright) and saves small PNGs. Run it again whenever a
page changes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "kit-essaimage" / "images"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: A button to click on a page before its screenshot, and the text that shows it is done.
CLICKS = {"kit": ("Préparer les fichiers du kit", "Tout le kit (archive zip)")}
#: Image name → the page's address in the app.
PAGES = {
    "territoire": "",
    "diagnostics": "diagnostics",
    "pistes": "pistes",
    "partenariats": "partenariats",
    "mutualisations": "mutualisations",
    "bilan": "bilan",
    "kit": "kit",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _shrink(path: Path, width: int = 1000) -> None:
    """Keep the PNG small: scale to ``width`` pixels and reduce to a 128-colour palette."""
    with Image.open(path) as image:
        image = image.convert("RGB")
        if image.width > width:
            image = image.resize((width, round(image.height * width / image.width)))
        image.quantize(colors=128).save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    """Take every screenshot, or only those named on the command line (``kit``…)."""
    wanted = argv if argv is not None else sys.argv[1:]
    pages = {k: v for k, v in PAGES.items() if not wanted or k in wanted}
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "exemple.sqlite"
        env = {**os.environ, "TRAITS_DB": str(db), "PYTHONPATH": str(ROOT)}
        subprocess.run(
            [sys.executable, "-m", "traits.cli", "demo", "--db", str(db)],
            check=True,
            env=env,
            capture_output=True,
        )
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "app.py"),
                "--server.headless=true",
                f"--server.port={port}",
                "--browser.gatherUsageStats=false",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1280, "height": 860})
                for name, address in pages.items():
                    for _ in range(60):  # the server takes a few seconds to start
                        try:
                            page.goto(f"http://127.0.0.1:{port}/{address}")
                            break
                        except Exception:  # noqa: BLE001 - not listening yet
                            time.sleep(1)
                    page.wait_for_selector("h1", timeout=60_000)
                    page.wait_for_timeout(1500)
                    page.wait_for_function(  # the page has finished running (score bars stay)
                        "!document.querySelector('[data-testid=\"stStatusWidget\"]')",
                        timeout=180_000,
                    )
                    page.wait_for_timeout(1500)
                    if name in CLICKS:
                        button, shown = CLICKS[name]
                        page.get_by_role("button", name=button).click()
                        page.get_by_text(shown).first.wait_for(timeout=180_000)
                        page.wait_for_timeout(1000)
                    path = IMAGES / f"{name}.png"
                    page.screenshot(path=str(path))
                    _shrink(path)
                    print(f"{path.relative_to(ROOT)} : {path.stat().st_size // 1024} Kio")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
