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


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """The system Chromium, headless, driven by Playwright (skips when either is missing)."""
    from playwright.sync_api import sync_playwright

    require_browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


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


#: Streamlit's options for a test server: loopback, no browser opened, no usage statistics.
STREAMLIT_TEST_OPTIONS = {
    "server.address": "127.0.0.1",
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "server.fileWatcherType": "none",
}


@contextlib.contextmanager
def streamlit_server(db: Path, log: Path) -> Iterator[str]:
    """``streamlit run app.py`` on a free port of the loopback; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    for option, value in STREAMLIT_TEST_OPTIONS.items():
        command += [f"--{option}", value]
    env = {**os.environ, "TRAITS_DB": str(db)}
    with serving(command, cwd=ROOT, env=env, log=log, port=port) as url:
        yield url


@contextlib.contextmanager
def serving(
    command: list[str] | str,
    *,
    cwd: Path,
    env: dict[str, str],
    log: Path,
    port: int,
    start_timeout_s: float = START_TIMEOUT_S,
) -> Iterator[str]:
    """Run ``command`` (a shell line when a string) until Streamlit answers on ``port``;
    yields its URL, and stops the command's whole process group at the end."""
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603
            command,
            cwd=cwd,
            env=env,
            shell=isinstance(command, str),  # noqa: S602 - a line of the README, run as written
            executable="/bin/bash" if isinstance(command, str) else None,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole at the end
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while not _healthy(url):
            if process.poll() is not None:
                pytest.fail(f"the server exited ({process.returncode}):\n{_tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {start_timeout_s:.0f} s:\n{_tail(log)}")
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


def fresh_screenshot_dir(walk: str) -> Path:
    """An empty ``test-artifacts/screenshots/<walk>/`` (each walk keeps its own folder)."""
    folder = SCREENSHOTS / walk
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


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


def screenshot(page: Any, folder: Path, name: str) -> Path:
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
        path = folder / f"{name}.png"
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
    """Fill a text input and apply it (Streamlit commits on Enter).

    A rerun started by the field before (Enter there) may redraw this one just after it was
    filled and put its old value back: then the field is filled again, as a person would.
    """
    for attempt in range(3):
        field.click()
        field.fill(text)
        field.press("Enter")
        try:
            expect(field).to_have_value(text, timeout=5000 if attempt < 2 else TIMEOUT_MS)
            return
        except AssertionError:  # Playwright's expect raises the built-in one
            if attempt == 2:
                raise
            wait_idle(field.page)


def choose(page: Any, combobox: Any, option: str, search: str | None = None) -> None:
    """Pick an option of a Streamlit selectbox (typing narrows long, virtualised lists)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):  # a click just after another select's rerun may only focus it
        combobox.click()
        if search:
            combobox.fill(search)
        try:
            wanted.wait_for(state="visible", timeout=3000 if attempt < 2 else TIMEOUT_MS)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wanted.click()
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


def interview(page: Any, org: str, kind: str, commune: str, direction: str, title: str) -> None:
    """A new structure's diagnostic with one need or one offer, saved as complete."""
    type_in(page.get_by_label("Nom de la structure"), org)
    choose(page, page.get_by_label("Type"), kind)
    type_in(page.get_by_label("Commune"), commune)
    label = "Intitulé du besoin" if direction == "need" else "Intitulé de l'offre"
    type_in(page.get_by_label(label), title)
    # both sections have a « Catégorie »: the widget's key (class st-key-…) tells them apart
    choose(
        page,
        page.locator(f".st-key-iv_new_{direction}_category").get_by_role("combobox"),
        "matériel",
    )
    add = "Ajouter ce besoin" if direction == "need" else "Ajouter cette offre"
    page.get_by_role("button", name=add).click()
    expect(page.get_by_text(f"{title} — matériel")).to_be_visible()
    page.get_by_role("button", name="Enregistrer le diagnostic terminé").click()
    expect(page.get_by_text(f"Diagnostic enregistré : {org}.")).to_be_visible()
    check_no_exception(page, f"diagnostic of {org}")


def move(page: Any, pair: str, step: str, value: dict[str, str] | None = None) -> None:
    """Move the board's card of ``pair`` to ``step``; ``value`` fills the fields the move asks
    for (label: value; a « Mode » is chosen, the other fields are typed)."""
    board_card = card(page, pair, "Déplacer")
    expect(board_card).to_be_visible()
    choose(page, board_card.get_by_role("combobox", name="Passer à"), step)
    for label, text in (value or {}).items():
        if label == "Mode":
            wait_idle(page)  # the move's own fields appear after the choice's rerun
            choose(page, board_card.get_by_role("combobox", name=label), text)
        else:
            # visible: the card's folded « Mode et valeur » form has the same labels
            type_in(board_card.get_by_label(label).filter(visible=True), text)
    board_card.get_by_role("button", name="Déplacer").click()
    expect(page.get_by_text(f"{pair} : {step}.")).to_be_visible()
    check_no_exception(page, f"Partenariats, move to {step}")


def set_date(page: Any, label: str, day: Any) -> None:
    """Type a date in a date field as a French person writes it (04/02/2025), then Enter."""
    type_in(page.get_by_label(label, exact=True), f"{day:%d/%m/%Y}")


_SHOWN_TEXTS = """() => {
  const out = [];
  const roots = document.querySelectorAll('[data-testid="stMain"], [data-testid="stSidebar"]');
  const pseudo = (el, which) => {
    const c = getComputedStyle(el, which).content;
    return c && c !== 'none' && c !== 'normal' ? c.replace(/^"|"$/g, '') : '';
  };
  for (const root of roots) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (el.closest('[data-testid="stIconMaterial"]')) continue;  // an icon's ligature name
      if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
      const style = getComputedStyle(el);
      for (const which of ['::before', '::after']) {
        const c = pseudo(el, which);
        if (c.trim()) out.push(c);
      }
      const invisible = 'rgba(0, 0, 0, 0)';
      if (style.webkitTextFillColor === invisible || style.color === invisible) continue;
      const own = [...el.childNodes].filter(n => n.nodeType === Node.TEXT_NODE)
        .map(n => n.textContent).join('').trim();
      if (own) out.push(own);
      if ((el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') && !el.value && el.placeholder)
        out.push(el.placeholder);
    }
  }
  return out;
}"""


def shown_texts(page: Any) -> list[str]:
    """Every text a person sees on the page and its menu: the elements' own texts, the texts
    written by style rules (``::before``/``::after``) and the placeholders of empty fields;
    not the hidden ones (nor a text made transparent), not the icons' ligature names."""
    wait_idle(page)
    return [str(t) for t in page.evaluate(_SHOWN_TEXTS)]
