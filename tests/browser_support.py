"""Helpers for the real-browser test (tests/test_browser.py): the Streamlit server and Playwright.

Chromium comes from the system (``apt-get install chromium``), never from ``playwright install``
(which downloads a browser and fails offline).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-features=Translate,MediaRouter",
]
#: Generous: a rerun of a page can take several seconds on a busy 2-core machine.
TIMEOUT_MS = 30_000
START_TIMEOUT_S = 60


def require_browser() -> None:
    """Skip when Chromium or Playwright is missing, except in CI (which installs both): fail."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium chromium-driver)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if missing:
        reason = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + ": .ci/run installs them")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_database(path: Path, accounts: dict[str, tuple[str, list[str]]] | None = None) -> None:
    """The sample territory, with the fast TF-IDF matcher (no sentence encoder), and
    ``accounts`` (username: (role, territories)) whose password is :data:`PASSWORD`."""
    from traits.services import access, data, matching
    from traits.storage import Store

    store = Store(path)
    try:
        data.load_demo(store)
        matching.save_settings(store, "vitre", use_semantic=False)
        with access.operator():
            for username, (role, territories) in (accounts or {}).items():
                access.add_user(store, username, role, PASSWORD, territories=territories)
    finally:
        store.dispose()


#: The password of the accounts made by :func:`prepare_database`.
PASSWORD = "un mot de passe de test"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:  # noqa: S310
            return bool(answer.read().decode().strip() == "ok")
    except OSError:
        return False


@contextlib.contextmanager
def streamlit_server(db: Path, log: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free port of the loopback; yields its URL."""
    port = free_port()
    env = {**os.environ, "TRAITS_DB": str(db)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole at the end
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"streamlit exited ({process.returncode}):\n{_tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {START_TIMEOUT_S} s:\n{_tail(log)}")
            time.sleep(0.5)
        yield url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):  # children left in the group
        os.killpg(process.pid, signal.SIGKILL)


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def fresh_screenshot_dir() -> Path:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


# -- driving the page ------------------------------------------------------------------------------


def expect(locator: Any, message: str | None = None) -> Any:
    """Playwright's ``expect``, waiting up to :data:`TIMEOUT_MS` by default."""
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=TIMEOUT_MS)
    return _expect(locator, message)


def wait_idle(page: Any) -> None:
    """Wait until Streamlit has finished the current run of the script (a wait on the expected
    text must come first: just after a click, the rerun may not have started yet)."""
    app = page.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]')
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=TIMEOUT_MS)


def check_no_exception(page: Any, where: str) -> None:
    """No Streamlit exception box, no traceback on the page."""
    wait_idle(page)
    exceptions = page.get_by_test_id("stException")
    if exceptions.count():
        pytest.fail(f"{where}: exception on the page:\n{exceptions.first.inner_text()}")
    expect(page.get_by_text("Traceback (most recent call last)")).to_have_count(0)


def screenshot(page: Any, name: str) -> Path:
    """A full-page screenshot: Streamlit scrolls inside its main block, so the window is made
    as tall as the content for the shot, then put back."""
    wait_idle(page)
    size = page.viewport_size
    height = page.evaluate(
        """() => Math.max(...['stMain', 'stAppViewContainer', 'stMainBlockContainer']
            .map(id => document.querySelector(`[data-testid="${id}"]`))
            .filter(Boolean).map(e => e.scrollHeight))"""
    )
    page.set_viewport_size(
        {"width": size["width"], "height": min(max(height, size["height"]), 12000)}
    )
    try:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(size)
    return path


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form and wait for the first page."""
    expect(page.get_by_label("Identifiant")).to_be_visible()
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Territoire", level=1)).to_be_visible()
    expect(page.get_by_text(f"Connecté·e : {username}")).to_be_visible()
    wait_idle(page)


def go(page: Any, title: str) -> None:
    """Open a page from the sidebar and wait for its title."""
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible(timeout=TIMEOUT_MS)
    wait_idle(page)


def type_in(field: Any, text: str) -> None:
    """Fill a text input and apply it (Streamlit commits on Enter)."""
    field.click()
    field.fill(text)
    field.press("Enter")
    expect(field).to_have_value(text)


def choose(page: Any, combobox: Any, option: str, search: str | None = None) -> None:
    """Pick an option of a Streamlit selectbox (typing narrows long, virtualised lists)."""
    combobox.click()
    if search:
        combobox.fill(search)
    page.get_by_role("option", name=option, exact=True).click()
    expect(combobox).to_have_value(option, timeout=TIMEOUT_MS)


def card(page: Any, text: str, button: str) -> Any:
    """The innermost block holding ``text`` and a ``button`` (a card of a list or a board)."""
    blocks = page.get_by_test_id("stVerticalBlock").filter(
        has_text=text, has=page.get_by_role("button", name=button)
    )
    return blocks.last


def metric(page: Any, label: str) -> Any:
    """The value of an ``st.metric``."""
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")
