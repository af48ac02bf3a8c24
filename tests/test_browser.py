"""The facilitator's main path in a real browser (Chromium driven by Playwright).

The app runs as ``streamlit run app.py`` on the sample territory; the test clicks and types
as a facilitator would: two interviews, a piste proposed, the partnership followed to
« concrétisé », and the Bilan's count of realised partnerships going from 10 to 11.
Screenshots of every page and of each step go to
``test-artifacts/screenshots/territoire-d-exemple/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import browser_support as bs
import pytest
from browser_support import expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PAGES = [
    "Territoire",
    "Diagnostics",
    "Pistes",
    "Partenariats",
    "Réseau",
    "Bilan",
    "Kit d'essaimage",
    "Paramètres",
]
SHOT_NAMES = [
    "territoire",
    "diagnostics",
    "pistes",
    "partenariats",
    "reseau",
    "bilan",
    "kit",
    "parametres",
]
NEED_ORG, OFFER_ORG = "Recyclerie des Trois Vallées", "Garage Solidaire Morel"
NEED, OFFER = "Un camion pour nos collectes du samedi", "Prêt de notre fourgon le week-end"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    bs.require_browser()
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "browser.sqlite"
    bs.prepare_database(db)
    with bs.streamlit_server(db, tmp / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with bs.chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A new browser session (a new Streamlit session) on the app."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        page = context.new_page()
        page.set_default_timeout(bs.TIMEOUT_MS)
        page.goto(app_url)
        yield page
    finally:
        context.close()


def test_main_path_in_a_real_browser(page: Page) -> None:
    shots = bs.fresh_screenshot_dir("territoire-d-exemple")
    expect(page.get_by_role("heading", name="Territoire", level=1)).to_be_visible()

    # Every page renders, in French, without an exception box.
    for n, (title, name) in enumerate(zip(PAGES, SHOT_NAMES, strict=True), start=1):
        bs.go(page, title)
        bs.check_no_exception(page, title)
        bs.screenshot(page, shots, f"{n:02d}-{name}")
        if title == "Bilan":
            expect(bs.metric(page, "Partenariats concrétisés")).to_have_text("10")

    # Two interviews: a structure with a need, another with a matching offer.
    bs.go(page, "Diagnostics")
    expect(page.get_by_role("tab", name="Entretien")).to_have_attribute("aria-selected", "true")
    bs.interview(page, NEED_ORG, "structure de l'ESS", "Vitré", "need", NEED)
    bs.screenshot(page, shots, "09-diagnostic-besoin-enregistre")
    page.get_by_role("button", name="Nouvel entretien").click()
    expect(page.get_by_text("Nouvel entretien", exact=True).first).to_be_visible()
    bs.wait_idle(page)
    bs.interview(page, OFFER_ORG, "entreprise", "Fougères", "offer", OFFER)
    bs.screenshot(page, shots, "10-diagnostic-offre-enregistre")

    # Pistes: the need's shortlist holds the offer; propose it.
    bs.go(page, "Pistes")
    # Pistes opens on what matters: the newest need no partnership answers yet.
    expect(page.get_by_label("Besoin")).to_have_value(f"{NEED} — {NEED_ORG}")
    piste = bs.card(page, OFFER, "Proposer ce partenariat")
    expect(piste).to_be_visible()
    expect(piste).to_contain_text(OFFER_ORG)
    bs.check_no_exception(page, "Pistes")
    bs.screenshot(page, shots, "11-pistes-liste-courte")
    piste.get_by_role("button", name="Proposer ce partenariat").click()
    expect(page.get_by_text("Piste proposée : suivez-la dans « Partenariats ».")).to_be_visible()
    bs.screenshot(page, shots, "12-piste-proposee")

    # Partenariats: the card moves step by step to « concrétisé ».
    bs.go(page, "Partenariats")
    pair = f"{NEED_ORG} ↔ {OFFER_ORG}"
    for step in ("mise en lien", "en discussion", "concrétisé"):
        bs.move(page, pair, step)
    done = page.get_by_test_id("stColumn").filter(
        has=page.get_by_role("heading", name="Concrétisé", exact=True)
    )
    expect(done.get_by_text(pair, exact=True)).to_be_visible()
    expect(done.get_by_text("11 partenariats", exact=True)).to_be_visible()
    expect(done.get_by_role("button", name="Déplacer")).to_have_count(0)  # final: no move left
    bs.screenshot(page, shots, "13-partenariat-concretise")

    # Bilan: one more realised partnership.
    bs.go(page, "Bilan")
    expect(bs.metric(page, "Partenariats concrétisés")).to_have_text("11")
    expect(page.get_by_text(NEED_ORG).first).to_be_visible()
    bs.check_no_exception(page, "Bilan")
    bs.screenshot(page, shots, "14-bilan-apres")


def test_new_interview_empties_the_form_in_the_browser(page: Page) -> None:
    """Runs after the main path (same server); writes nothing."""
    bs.go(page, "Diagnostics")
    known = "Garage du Pont-Levis"
    bs.choose(page, page.get_by_label("Structure déjà connue"), known, search="Pont-Levis")
    expect(page.get_by_label("Nom de la structure")).to_have_value(known)
    expect(page.get_by_label("Code postal")).not_to_have_value("")
    title = page.get_by_label("Intitulé du besoin")
    bs.type_in(title, "Des palettes")
    page.get_by_role("button", name="Ajouter ce besoin").click()
    expect(page.get_by_text("Des palettes — compétences")).to_be_visible()
    page.get_by_role("button", name="Nouvel entretien").click()
    expect(page.get_by_text("Des palettes — compétences")).to_have_count(0)
    bs.wait_idle(page)
    for label in ("Nom de la structure", "Code postal", "Commune", "Intitulé du besoin"):
        expect(page.get_by_label(label), label).to_have_value("", timeout=5000)


def test_maps_draw_communes_and_epci_in_the_browser(page: Page) -> None:
    """The maps draw the outlines offline, under their source (screenshots to look at)."""
    shots = bs.SCREENSHOTS / "territoire-d-exemple"  # beside the main path's
    shots.mkdir(parents=True, exist_ok=True)
    bs.go(page, "Territoire")
    page.get_by_text("Carte des structures").click()
    expect(page.get_by_text("Contours : IGN Admin Express COG 2018")).to_be_visible()
    expect(page.get_by_test_id("stDeckGlJsonChart").locator("canvas").first).to_be_visible()
    page.wait_for_timeout(1500)  # deck.gl draws after the element appears
    bs.check_no_exception(page, "Territoire, carte")
    bs.screenshot(page, shots, "15-territoire-carte")
    bs.go(page, "Réseau")
    page.get_by_role("tab", name="Carte").click()
    expect(page.get_by_text("intercommunalité du territoire")).to_be_visible()
    page.wait_for_timeout(1500)
    bs.check_no_exception(page, "Réseau, carte")
    bs.screenshot(page, shots, "16-reseau-carte")


def test_a_corrected_workbook_replaces_the_rejected_one_in_the_browser(
    page: Page, tmp_path: Path
) -> None:
    """Probe « sheets » 7: a corrected file dropped beside the rejected one is the one read;
    no temporary path is shown. Writes nothing (« Annuler »)."""
    from openpyxl import Workbook

    def book(name: str, kind: str) -> Path:
        workbook = Workbook()
        workbook.active.title = "Structures"
        workbook.active.append(["Nom", "Type", "Commune"])
        workbook.active.append(["Atelier d'Essai", kind, "Vitré"])
        workbook.save(tmp_path / name)
        return tmp_path / name

    bs.go(page, "Diagnostics")
    page.get_by_role("tab", name="Import / export").click()
    files = page.locator('input[type="file"]')
    files.set_input_files(str(book("suivi.xlsx", "vaisseau")))
    expect(page.get_by_text("problème(s) à corriger", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Importer")).to_be_disabled()
    files.set_input_files(str(book("suivi corrigé.xlsx", "association")))
    expect(page.get_by_text("Remplacé par un fichier déposé ensuite")).to_be_visible()
    expect(page.get_by_role("button", name="Importer")).to_be_enabled()
    bs.check_no_exception(page, "Import")
    shown = " ".join(bs.shown_texts(page))
    assert "suivi.xlsx" in shown and "/tmp" not in shown and "traits-import" not in shown
    assert "organisations.csv" not in shown
    page.get_by_role("button", name="Annuler").click()
    expect(page.get_by_text("Import annulé : rien n'a été enregistré.")).to_be_visible()


# -- a shared deployment with accounts ------------------------------------------------------------

ACCOUNTS = {
    "coord.region": ("coordinator", []),
    "anim.vitre": ("facilitator", ["vitre"]),
}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A second server, on a database with accounts (so everyone signs in)."""
    bs.require_browser()
    tmp = tmp_path_factory.mktemp("shared")
    db = tmp / "shared.sqlite"
    bs.prepare_database(db, ACCOUNTS)
    with bs.streamlit_server(db, tmp / "streamlit.log") as url:
        yield url, db


def _new_draft(browser: Browser, url: str, username: str, org: str) -> Page:
    """Sign in as ``username`` and save a new structure's draft through the interview form
    (the save button runs as a Streamlit callback, before the page's script)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(bs.TIMEOUT_MS)
    page.goto(url)
    bs.sign_in(page, username)
    bs.go(page, "Diagnostics")
    bs.type_in(page.get_by_label("Nom de la structure"), org)
    page.get_by_role("button", name="Enregistrer comme brouillon").click()
    return page


def _written_since(db: Path, first_audit_id: int) -> tuple[set[str], list[tuple[int, str, str]]]:
    """Organisation names, and (id, actor, table) of the audit rows after ``first_audit_id``."""
    import sqlalchemy as sa

    from traits.services import access
    from traits.storage import Store
    from traits.storage import schema as t

    store = Store(db)
    try:
        with access.operator(), store.reading() as conn:
            names = set(conn.scalars(sa.select(t.organisations.c.name)))
            log = [
                (r.audit_id, r.actor, r.table_name)
                for r in conn.execute(
                    sa.select(
                        t.audit_log.c.audit_id, t.audit_log.c.actor, t.audit_log.c.table_name
                    ).where(t.audit_log.c.audit_id > first_audit_id)
                )
            ]
    finally:
        store.dispose()
    return names, log


def test_form_callbacks_act_as_the_signed_in_account(browser: Browser, shared) -> None:
    """Issue 11, item 1: the coordinator (read-only) is refused through the form's callback,
    nothing is written; a facilitator's save is logged under their name, never the system's."""
    url, db = shared
    _, before = _written_since(db, 0)
    start = max(audit_id for audit_id, _, _ in before)

    page = _new_draft(browser, url, "coord.region", "Structure Intruse")
    expect(
        page.get_by_text(
            "La coordination régionale consulte les territoires mais ne les modifie pas."
        )
    ).to_be_visible()
    bs.check_no_exception(page, "coordinator's refused save")
    page.context.close()

    page = _new_draft(browser, url, "anim.vitre", "Structure Invitée")
    expect(page.get_by_text("Brouillon enregistré : Structure Invitée.")).to_be_visible()
    bs.check_no_exception(page, "facilitator's draft")
    page.context.close()

    names, log = _written_since(db, start)
    assert "Structure Intruse" not in names and "Structure Invitée" in names
    assert {actor for _, actor, table in log if table == "organisations"} == {"anim.vitre"}
    assert not [actor for _, actor, _ in log if actor.startswith("système")], log
    assert not [table for _, actor, table in log if actor == "coord.region"], log
