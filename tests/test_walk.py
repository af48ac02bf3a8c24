"""The whole path of a new territory, from a fresh clone, in a real browser (issue 16).

The repository is cloned into a temporary folder and the README's first set-up command is run
there exactly as written (read from README.md, so that this test follows the README): it
creates ``.venv``, installs ``traits`` into it and starts the app. Only the environment says
where the database is (``TRAITS_DB``, documented) and that Streamlit serves headless on a
free port of the loopback (``STREAMLIT_*`` variables, Streamlit's own configuration).

Chromium then walks what a new Pôle does: the first-run choice (a look at the sample
territory, then back to one's own, empty base), a territory created, two diagnostics typed in
the form, the piste proposed, the partnership realised with its mode and value, the Bilan of
this year and of 2019 (before any activity), the kit downloaded, and every page read for
codes, ids, English words and file paths. Screenshots of every step go to
``test-artifacts/screenshots/parcours-complet/``. The sample's people must never reach the
real base.

The clone is of the last commit (uncommitted changes are not walked). Without a git
repository (an unpacked archive), the test is skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sqlite3
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import browser_support as bs
import pytest
from browser_support import expect
from test_app_words import SAMPLE, _problems, _sample_ids
from test_docs import readme_setup_commands

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Creating .venv and installing traits with its dependencies (about 40 s from a local wheel
#: cache, a few minutes from the network), then starting the app.
INSTALL_AND_START_S = 900
TERRITORY = "Pays des Deux Rives"
FACILITATOR = "Nina Carvel"
NEED_ORG, OFFER_ORG = "Atelier Vélo des Deux Rives", "Menuiserie Kervadec"
NEED = "Une remorque pour livrer nos vélos réparés"
OFFER = "Prêt de notre remorque plateau le week-end"
PAIR = f"{NEED_ORG} ↔ {OFFER_ORG}"
#: The app's pages, by their titles in the menu, with their screenshot names (the names of
#: the kit guide's images, docs/kit-essaimage/images/, where it has one).
PAGES = {
    "Territoire": "territoire",
    "Diagnostics": "diagnostics",
    "Pistes": "pistes",
    "Mutualisations": "mutualisations",
    "Partenariats": "partenariats",
    "Réseau": "reseau",
    "Bilan": "bilan",
    "Kit d'essaimage": "kit",
    "Paramètres": "parametres",
    "Administration": "administration",
}
REAL_BASE_METRICS = {
    "Structures rencontrées": "2",
    "Rendez-vous diagnostics": "2",
    "Besoins exprimés": "1",
    "Offres recensées": "1",
    "Partenariats concrétisés": "1",
}


def _sample_people() -> set[str]:
    """The sample's people and organisations, as they would appear in a base."""
    import csv

    found: set[str] = set()
    for name, columns in [
        ("contacts.csv", ("name", "email", "phone")),
        ("organisations.csv", ("name",)),
    ]:
        with open(SAMPLE / name, encoding="utf-8-sig") as fh:
            found |= {row[c] for row in csv.DictReader(fh) for c in columns if row.get(c)}
    return found


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The README's first command run in a fresh clone; yields the app's URL and database."""
    bs.require_browser()
    if not (bs.ROOT / ".git").exists():
        pytest.skip("the walk from a fresh clone needs the git repository (no .git here)")
    tmp = tmp_path_factory.mktemp("walk")
    clone = tmp / "traits"
    subprocess.run(["git", "clone", "--quiet", str(bs.ROOT), str(clone)], check=True)  # noqa: S603,S607
    command = readme_setup_commands()[0]
    port = bs.free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["TRAITS_DB"] = str(tmp / "ma-base.sqlite")
    env["STREAMLIT_SERVER_PORT"] = str(port)
    for option, value in bs.STREAMLIT_TEST_OPTIONS.items():
        env["STREAMLIT_" + re.sub(r"(?<=[a-z])(?=[A-Z])|\.", "_", option).upper()] = value
    started = time.monotonic()
    with bs.serving(
        command,
        cwd=clone,
        env=env,
        log=tmp / "premiere-commande.log",
        port=port,
        start_timeout_s=INSTALL_AND_START_S,
    ) as url:
        print(f"README's first command: serving after {time.monotonic() - started:.0f} s")
        yield url, Path(env["TRAITS_DB"])


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with bs.chromium() as browser:
        yield browser


class Walk:
    """One facilitator's browser session, with its screenshots and the texts it has read."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page, self.shots, self.n = page, shots, 0
        self.texts: list[str] = []

    def read(self, where: str, name: str) -> list[str]:
        """Check the page (no exception; no code, id, English word or path shown), keep
        what it shows and take its screenshot."""
        bs.check_no_exception(self.page, where)
        texts = bs.shown_texts(self.page)
        problems = _problems(texts, _sample_ids())
        assert not problems, f"{where}:\n" + "\n".join(dict.fromkeys(problems))
        self.texts += texts
        self.n += 1
        bs.screenshot(self.page, self.shots, f"{self.n:02d}-{name}")
        return texts


def first_run(walk: Walk) -> None:
    """The empty base's welcome, a look at the sample territory, back to one's own base."""
    page = walk.page
    expect(page.get_by_text("Bienvenue ! Votre base est vide.", exact=False)).to_be_visible()
    walk.read("first run", "premier-demarrage")
    page.get_by_role("button", name="Explorer le territoire d'exemple").first.click()
    expect(
        page.get_by_text("Vous explorez le territoire d'exemple", exact=False).first
    ).to_be_visible()
    expect(bs.metric(page, "Structures")).not_to_have_text("0")
    walk.read("sample territory", "territoire-d-exemple")
    page.get_by_role("button", name="Revenir à ma base").first.click()
    expect(page.get_by_text("Bienvenue ! Votre base est vide.", exact=False)).to_be_visible()
    bs.wait_idle(page)
    walk.texts.clear()  # from here on, only the real base is on screen


def create_territory(walk: Walk) -> None:
    page = walk.page
    page.get_by_label("Nom du territoire").fill(TERRITORY)
    page.get_by_label("Communes ou EPCI (une par ligne)").fill("Redon\nAllaire")
    page.get_by_label("Animateur ou animatrice").fill(FACILITATOR)
    page.get_by_role("button", name="Créer le territoire").click()
    expect(page.get_by_role("heading", name=TERRITORY)).to_be_visible()
    expect(page.get_by_text("Bienvenue ! Votre base est vide.", exact=False)).to_have_count(0)
    walk.read("territory created", "territoire-cree")


def diagnostics_and_piste(walk: Walk) -> None:
    page = walk.page
    bs.go(page, "Diagnostics")
    bs.interview(page, NEED_ORG, "structure de l'ESS", "Redon", "need", NEED)
    walk.read("need's diagnostic", "diagnostic-besoin")
    page.get_by_role("button", name="Nouvel entretien").click()
    expect(page.get_by_label("Nom de la structure")).to_have_value("")
    bs.wait_idle(page)
    bs.interview(page, OFFER_ORG, "entreprise", "Allaire", "offer", OFFER)
    walk.read("offer's diagnostic", "diagnostic-offre")

    bs.go(page, "Pistes")
    expect(page.get_by_label("Besoin")).to_have_value(f"{NEED} — {NEED_ORG}")
    piste = bs.card(page, OFFER, "Proposer ce partenariat")
    expect(piste).to_contain_text(OFFER_ORG)
    walk.read("pistes", "pistes-du-besoin")
    piste.get_by_role("button", name="Proposer ce partenariat").click()
    expect(page.get_by_text("Piste proposée : suivez-la dans « Partenariats ».")).to_be_visible()


def realise(walk: Walk) -> None:
    """The partnership followed to « concrétisé », with its mode and value."""
    page = walk.page
    bs.go(page, "Partenariats")
    bs.move(page, PAIR, "mise en lien")
    bs.move(page, PAIR, "en discussion")
    value = {"Mode": "mécénat", "Heures données": "12", "Montant en euros": "1500"}
    bs.move(page, PAIR, "concrétisé", value)
    done = page.get_by_test_id("stColumn").filter(
        has=page.get_by_role("heading", name="Concrétisé", exact=True)
    )
    expect(done.get_by_text(PAIR, exact=True)).to_be_visible()
    expect(done.get_by_text("Mode : mécénat", exact=True)).to_be_visible()
    walk.read("partnership realised", "partenariat-concretise")


def bilan(walk: Walk, year: int, name: str) -> list[str]:
    """The Bilan (the page open) from 1 January to 31 December of ``year``; the texts it shows."""
    page = walk.page
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    bs.set_date(page, "Du", start)
    # « depuis le … », or « du … au … » when an end is still set from an earlier visit
    expect(page.get_by_text(f"1er janvier {year}", exact=False)).to_be_visible()
    bs.set_date(page, "Au", end)
    period = f"{TERRITORY}, du 1er janvier {year} au 31 décembre {year}."
    expect(page.get_by_text(period, exact=True)).to_be_visible()
    return walk.read(f"Bilan {year}", name)


def kit(walk: Walk) -> None:
    """The kit's archive: downloaded, non-empty, French names, no path inside."""
    page = walk.page
    bs.go(page, "Kit d'essaimage")
    page.get_by_role("button", name="Préparer les fichiers du kit").click()
    button = page.get_by_role("button", name="Tout le kit (archive zip)")
    expect(button).to_be_visible(timeout=180_000)  # the booklet takes a while on a busy machine
    walk.read("kit", "kit-telecharge")
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert re.fullmatch(r"[a-z0-9-]+\.zip", download.suggested_filename)
    data = Path(download.path()).read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert len(names) > 5 and archive.testzip() is None
    for name in names:
        # relative, lower-case French words joined by hyphens, in at most one folder
        assert re.fullmatch(r"(?:[a-z0-9-]+/)?[a-z0-9-]+\.(?:pdf|docx|xlsx|ods|md)", name), name
        assert archive.getinfo(name).file_size > 0, name
        if name.endswith(".docx"):
            text = zipfile.ZipFile(io.BytesIO(archive.read(name))).read("word/document.xml")
            assert TERRITORY.encode() in text, name
            # the places of this machine a file path would start with (found, not written in)
            for path in (str(bs.ROOT), tempfile.gettempdir(), str(Path.home()), "C:\\"):
                assert path.encode() not in text, (name, path)


def test_the_whole_path_from_a_fresh_clone(browser: Browser, fresh_clone) -> None:
    url, db = fresh_clone
    started = time.monotonic()
    shots = bs.fresh_screenshot_dir("parcours-complet")
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="fr-FR", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(bs.TIMEOUT_MS)
    page.goto(url)
    walk = Walk(page, shots)
    try:
        first_run(walk)
        create_territory(walk)
        diagnostics_and_piste(walk)
        realise(walk)

        bs.go(page, "Bilan")
        this_year = bilan(walk, dt.date.today().year, f"bilan-{dt.date.today().year}")
        for label, value in REAL_BASE_METRICS.items():
            expect(bs.metric(page, label), label).to_have_text(value)
        sentence = next(t for t in this_year if OFFER in t)
        assert "mécénat" in sentence and re.search(r"12 heures", sentence), sentence
        assert re.search(r"1\N{NARROW NO-BREAK SPACE}500\N{NO-BREAK SPACE}€", sentence), sentence

        before = bilan(walk, 2019, "bilan-2019")
        for value in page.get_by_test_id("stMetricValue").all_inner_texts():
            assert value == "0", before
        # the page carries the exported report's blocks: the realised list says it is empty
        expect(page.get_by_role("heading", name="Partenariats concrétisés")).to_be_visible()
        expect(page.get_by_text("Aucun sur la période.", exact=True).first).to_be_visible()
        assert "Aucune activité datée dans la période : tous les chiffres sont à zéro." in before
        assert not [t for t in before if NEED_ORG in t or OFFER in t or "1 500" in t], before

        kit(walk)
        for title, name in PAGES.items():  # every page, once all of it has happened
            bs.go(page, title)
            walk.read(title, name)
    finally:
        context.close()
    print(f"the walk in the browser: {time.monotonic() - started:.0f} s")

    _real_base_holds_no_sample_person(walk.texts, db)


def _real_base_holds_no_sample_person(texts: list[str], db: Path) -> None:
    """Neither the pages of the real base nor the base itself name anyone of the sample; the
    sample base beside it does (so that the check can fail)."""
    people = _sample_people()
    shown = "\n".join(texts)
    assert not [p for p in people if p in shown]

    def dump(path: Path) -> str:
        with sqlite3.connect(path) as conn:
            return "\n".join(conn.iterdump())

    real = dump(db)
    assert NEED_ORG in real and FACILITATOR in real
    assert not sorted(p for p in people if p in real)
    sample = db.with_name(db.stem + "-exemple.sqlite")
    assert sample.exists(), "the sample territory was explored: its base is beside the real one"
    assert sum(p in dump(sample) for p in people) > len(people) // 2
