"""The Streamlit app, run headless with AppTest: every page, and the facilitator's main path."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app_pages import _map
from app_pages._text import shown
from traits import services
from traits.model import LABELS_FR, TRANSITIONS, PartnershipMode, PartnershipStatus
from traits.services import demo, matching
from traits.storage import Store

APP = Path(__file__).resolve().parents[1] / "app.py"
#: Every page of the app (the modules of app_pages/ not starting with "_").
PAGES = sorted(
    p.stem
    for p in (Path(__file__).resolve().parents[1] / "app_pages").glob("*.py")
    if not p.stem.startswith("_")
)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    db = tmp_path / "app.sqlite"
    monkeypatch.setenv("TRAITS_DB", str(db))
    for store in (Store(db), demo.open_demo(str(db))):
        # fast, and the same on every machine
        matching.save_settings(store, None, use_semantic=False)
        store.dispose()
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def explore(at: AppTest) -> AppTest:
    """Explore the sample territory (its own base), as a first-time user would."""
    widget(at, "button", "Explorer le territoire d'exemple").click().run()
    assert not at.exception
    return at


@pytest.fixture
def sample(app: AppTest) -> AppTest:
    return explore(app)


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(at: AppTest, kind: str, label: str):  # type: ignore[no-untyped-def]
    found = [w for w in getattr(at, kind) if w.label == label]
    assert found, f"no {kind} « {label} »"
    return found[0]


def texts(at: AppTest, kind: str) -> list[str]:
    return [shown(str(e.value)) for e in getattr(at, kind)]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_first_start_offers_the_sample_apart_and_every_page_renders(app: AppTest):
    assert any("Votre base est vide" in t for t in texts(app, "info"))
    explore(app)
    assert app.session_state["territory_id"] == "vitre"
    assert not services.list_territories(Store(os.environ["TRAITS_DB"])), "no sample in the base"
    for page in PAGES:
        go(app, page)
        assert not app.error, (page, texts(app, "error"))
    go(app, "report")
    assert int(metrics(app)["Partenariats concrétisés"]) > 0
    go(app, "network")
    assert app.get("graphviz_chart")


def test_the_sample_can_be_removed_and_never_enters_the_own_base(sample: AppTest):
    app = sample
    path = demo.demo_path(os.environ["TRAITS_DB"])
    assert path is not None and path.exists()
    widget(app, "button", "Supprimer la base d'exemple").click().run()
    assert not app.exception and not path.exists()
    assert any("Votre base est vide" in t for t in texts(app, "info"))
    create_territory(app, "Pays de Test")
    assert not any("Votre base est vide" in t for t in texts(app, "info"))
    own = services.list_territories(Store(os.environ["TRAITS_DB"]))
    assert [t.name for t in own] == ["Pays de Test"]
    assert not path.exists()


def test_a_pool_becomes_a_partnership_of_all_its_organisations(sample: AppTest):
    app = sample
    go(app, "pooling")
    buttons = [b for b in app.button if b.label == "Suivre cette mutualisation"]
    assert buttons, "the sample territory has shared needs"
    buttons[0].click().run()
    assert any("Mutualisation ajoutée" in t for t in texts(app, "success"))
    store = demo.open_demo(os.environ["TRAITS_DB"])
    from traits.services import partnerships

    pooled = [p for p in partnerships.list_partnerships(store) if p.is_pooled]
    assert len(pooled) == 1 and len(pooled[0].org_ids) >= 2
    go(app, "partnerships")
    shown = " ".join(texts(app, "markdown") + texts(app, "caption"))
    assert pooled[0].label in shown


def create_territory(at: AppTest, name: str) -> None:
    widget(at, "text_input", "Nom du territoire").input(name)
    widget(at, "text_area", "Communes ou EPCI (une par ligne)").input("Vitré\nFougères")
    widget(at, "text_input", "Animateur ou animatrice").input("Solène")
    widget(at, "button", "Créer le territoire").click()
    at.run()
    assert not at.exception


def test_a_new_territory_is_named_never_identified(app: AppTest):
    """Its id is made from its name; a name too close to another's is said about the name."""
    go(app, "territory")
    assert [w.label for w in app.text_input] == ["Nom du territoire", "Animateur ou animatrice"]
    create_territory(app, "Pays de Test")
    go(app, "territory")
    assert [t.territory_id for t in services.list_territories(_own())] == ["pays-de-test"]
    widget(app, "expander", "Créer un territoire")  # still offered
    for name, said in (("Pays-de-Test !", "trop proche"), ("!!!", "lettres ou des chiffres")):
        create_territory(app, name)
        shown = " ".join(texts(app, "error") + texts(app, "markdown") + texts(app, "caption"))
        assert said in shown and "identifiant" not in shown.lower(), shown
    assert len(services.list_territories(_own())) == 1


def _own() -> Store:
    return Store(os.environ["TRAITS_DB"])


def interview(at: AppTest, name: str, kind: str, commune: str, direction: str, title: str) -> None:
    at.text_input(key="iv_name").input(name)
    at.selectbox(key="iv_kind").select(kind)
    at.text_input(key="iv_commune").input(commune)
    at.text_input(key=f"iv_new_{direction}_title").input(title)
    at.selectbox(key=f"iv_new_{direction}_category").select("equipment")
    at.run()
    suggestions = [p for p in at.get("button_group") if "Sous-catégorie" in p.label]
    assert suggestions and suggestions[0].options[0] == "Véhicules"
    at.get("button_group")[0].set_value("vehicles").run()
    at.button(key=f"ivb_add_{direction}").click().run()
    assert any(f"{title}** — matériel · Véhicules" in t for t in texts(at, "markdown"))
    at.button(key="ivb_save_complete").click().run()
    assert not at.exception and not at.error, texts(at, "error")
    assert texts(at, "success")[0].startswith(f"Diagnostic enregistré : {name}.")
    assert any(b.label == "Voir les pistes de cette structure" for b in at.button)
    at.button(key="ivb_reset").click().run()


def test_main_path_from_interview_to_report(app: AppTest):
    create_territory(app, "Pays de Test")
    assert app.session_state["territory_id"] == "pays-de-test"
    for page in PAGES:  # an empty territory: hints, no crash
        go(app, page)
    go(app, "pistes")
    assert not texts(app, "error")
    assert any("Pas encore de pistes" in t for t in texts(app, "info"))
    go(app, "territory")
    steps = [t for t in texts(app, "markdown") if t.startswith(":material/")]
    assert len(steps) == 4 and all(":material/radio_button_unchecked:" in t for t in steps)

    go(app, "diagnostics")
    interview(app, "Recyclerie du Bocage", "ess", "Vitré", "need", "Camion pour les collectes")
    interview(app, "Transports Morin", "company", "Fougères", "offer", "Prêt d'un fourgon 12 m3")
    go(app, "report")
    before = metrics(app)
    assert (
        before["Structures rencontrées"],
        before["Besoins exprimés"],
        before["Offres recensées"],
    ) == (
        "2",
        "1",
        "1",
    )
    assert before["Partenariats concrétisés"] == "0"

    go(app, "pistes")
    cards = texts(app, "markdown")
    assert any("Camion pour les collectes" in t and "Transports Morin" in t for t in cards)
    assert any(p.value > 0 for p in app.get("progress"))
    widget(app, "button", "Proposer ce partenariat").click()
    app.run()
    assert texts(app, "success") == ["Piste proposée : suivez-la dans « Partenariats »."]
    assert any(link.label == "Suivre ce partenariat" for link in app.get("page_link"))

    go(app, "territory")
    assert any("Partenariats à relancer" in t for t in texts(app, "markdown"))
    go(app, "partnerships")
    move = widget(app, "selectbox", "Passer à")
    move.select(PartnershipStatus.REALISED)
    app.run()
    realised_euros = [w for w in app.text_input if w.label == "Montant en euros"][-1]
    realised_euros.set_value("800 €")
    widget(app, "button", "Déplacer").click()
    app.run()
    assert not app.exception
    assert texts(app, "success") == ["Recyclerie du Bocage ↔ Transports Morin : concrétisé."]
    store = Store(os.environ["TRAITS_DB"])
    from traits.services import partnerships

    (done,) = partnerships.list_partnerships(store, status="realised", territory_id="pays-de-test")
    assert done.value_euros == 800.0 and done.mode is not None  # inferred when proposed

    go(app, "report")
    after = metrics(app)
    assert after["Partenariats concrétisés"] == "1" and after["Pistes naissantes"] == "0"
    assert any("Recyclerie du Bocage" in t for t in texts(app, "markdown"))
    go(app, "territory")
    steps = [t for t in texts(app, "markdown") if t.startswith(":material/")]
    assert [":material/check_circle:" in t for t in steps] == [True, False, True, True]
    assert "Recenser au moins 5 besoins et 5 offres" in steps[1]


def test_after_an_interview_its_pistes_are_one_click_away(sample: AppTest):
    app = sample
    go(app, "diagnostics")
    app.text_input(key="iv_name").input("Garage Solidaire Test")
    app.text_input(key="iv_commune").input("Vitré")
    app.text_input(key="iv_new_need_title").input("Un fourgon pour les livraisons du mardi")
    app.selectbox(key="iv_new_need_category").select("equipment")
    app.button(key="ivb_add_need").click().run()
    app.button(key="ivb_save_complete").click().run()
    widget(app, "button", "Voir les pistes de cette structure").click().run()
    assert not app.exception
    assert app.session_state["pistes_scope"] == "Par structure"
    shown = texts(app, "markdown")
    assert any("Un fourgon pour les livraisons du mardi" in t for t in shown)


def test_form_problems_show_next_to_fields_and_drafts_resume(sample: AppTest):
    app = sample
    go(app, "diagnostics")
    app.button(key="ivb_save_complete").click().run()
    errors = texts(app, "error")
    assert "Le nom de la structure est obligatoire." in errors
    assert any("au moins un besoin ou une offre" in e for e in errors)
    app.text_input(key="iv_name").input("Atelier Vélo Test")
    app.text_input(key="iv_siret").input("12345678200011")
    app.button(key="ivb_save_draft").click().run()
    assert any("clé de contrôle" in e for e in texts(app, "error"))
    app.text_input(key="iv_siret").input("")
    app.text_area(key="iv_motivations").input("Trouver des bénévoles")
    app.button(key="ivb_save_draft").click().run()
    assert texts(app, "success") == ["Brouillon enregistré : Atelier Vélo Test."]

    app.button(key="ivb_reset").click().run()
    assert app.text_input(key="iv_name").value == ""
    app.text_input(key="diag_query").input("velo test").run()
    resume = [b for b in app.button if b.label == "Reprendre"]
    assert len(resume) == 1
    resume[0].click().run()
    assert app.text_input(key="iv_name").value == "Atelier Vélo Test"
    assert app.text_area(key="iv_motivations").value == "Trouver des bénévoles"

    delete = [b for b in app.button if b.label == "Supprimer"]
    delete[0].click().run()
    assert any("Supprimer le diagnostic" in w for w in texts(app, "warning"))
    widget(app, "button", "Oui, supprimer").click()
    app.run()
    assert not [b for b in app.button if b.label == "Reprendre"]


def test_import_problems_are_listed_row_by_row_and_nothing_is_written(sample: AppTest):
    app = sample
    go(app, "diagnostics")
    bad = b"org_id,name,kind\nx1,,ess\nx2,Entreprise Test,vaisseau\n"
    app.file_uploader(key="import_files").upload("organisations.csv", bad, "text/csv")
    app.run()
    assert not app.exception
    assert any("problème(s) à corriger" in e for e in texts(app, "error"))
    assert widget(app, "button", "Importer").disabled
    table = app.table[0].value  # a static table: each message whole, not cut at a column edge
    assert list(table.columns) == ["gravité", "fichier", "ligne", "colonne", "problème"]
    files = {f.replace("\\", "") for f in table["fichier"]}
    assert len(table) >= 2 and files == {"organisations.csv"}
    go(app, "report")
    assert metrics(app)["Structures rencontrées"] == "24"  # 16 never met: said apart


def test_import_preview_then_corrected_file_replaces_the_first(sample: AppTest):
    app = sample
    go(app, "diagnostics")
    bad = b"nom;type\nAtelier Test;vaisseau\n"
    uploader = app.file_uploader(key="import_files")
    uploader.upload("structures.csv", bad, "text/csv")
    app.run()
    assert widget(app, "button", "Importer").disabled
    good = "nom;type;commune\nAtelier Test;association;Vitré\n".encode()
    app.file_uploader(key="import_files").upload("structures.csv", good, "text/csv")
    app.run()
    assert not app.exception
    preview = app.dataframe[0].value
    assert list(preview["onglet"]) == ["structures"] and list(preview["créées"]) == [1]
    widget(app, "button", "Importer").click()
    app.run()
    assert not app.exception
    assert any("1 organisation" in s for s in texts(app, "success"))
    go(app, "report")
    assert metrics(app)["Structures rencontrées"] == "24"  # an imported list is not « met »


def _sheet(rows: list[list[str]]) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Structures"
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_preview_reads_a_title_line_and_a_totals_row_and_says_so(sample: AppTest):
    """Probe « sheets3 » 4: the preview takes the sheet as laid out, as the CLI import does."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = [["Pôle ESS – suivi 2025"], [], ["Nom", "Type", "Commune"],
            ["Atelier Test", "Association loi 1901", "Vitré"], ["Total", None, None]]  # fmt: skip
    app = go(sample, "diagnostics")
    app.file_uploader(key="import_files").set_value([("suivi.xlsx", _sheet(rows), xlsx)]).run()
    assert not app.exception and not app.error, texts(app, "error")
    said = " ".join(app.table[0].value["problème"]).replace("\\", "")
    assert "en-têtes lus ligne 3" in said and "ligne 5 ignorée : ligne de total" in said
    assert list(app.dataframe[0].value["créées"]) == [1]
    assert not widget(app, "button", "Importer").disabled


def test_a_corrected_workbook_dropped_beside_the_rejected_one_replaces_it(sample: AppTest):
    """Probe « sheets » 7: both files stay in the uploader; the last one is read, the first is
    named as replaced, and no temporary path or file name of the format is shown."""
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    bad = ("suivi.xlsx", _sheet([["Nom", "Type"], ["Atelier Test", "vaisseau"]]), xlsx)
    good = ("suivi corrigé.xlsx", _sheet([["Nom", "Type"], ["Atelier Test", "association"]]), xlsx)
    app = go(sample, "diagnostics")
    app.file_uploader(key="import_files").set_value([bad]).run()
    assert widget(app, "button", "Importer").disabled
    app.file_uploader(key="import_files").set_value([bad, good]).run()
    assert not app.exception and not app.error, texts(app, "error")
    assert any("suivi.xlsx" in t and "ignoré" in t for t in texts(app, "info"))
    assert list(app.dataframe[0].value["créées"]) == [1]
    shown_text = " ".join(
        [t for kind in ("info", "warning", "markdown", "caption") for t in texts(app, kind)]
        + [str(d.value.to_dict()) for d in app.dataframe]
    )
    assert not re.search(r"/tmp|traits-import|organisations\.csv|items\.csv", shown_text)
    widget(app, "button", "Importer").click().run()
    assert not app.exception
    assert any("1 organisation" in s for s in texts(app, "success"))
    # a CSV file whose name is no sheet is named, with what to call it, and nothing is read
    app.file_uploader(key="import_files").set_value([("liste.csv", b"nom;type\n", "text/csv")])
    app.run()
    (error,) = texts(app, "error")
    assert "liste.csv" in error and "Structures.csv" in error and "organisations" not in error


def test_every_chart_reads_its_labels_whole(sample: AppTest):
    """Bars run across, their labels on the vertical axis and never cut (« pratiques respon… »)."""
    import json

    app = sample
    seen = 0
    for page in ("report", "network", "territory", "partnerships", "pistes"):
        go(app, page)
        for chart in app.get("vega_lite_chart"):
            spec = json.loads(chart.proto.spec)
            label_axis = spec["encoding"]["y"]
            assert label_axis["type"] in ("nominal", "ordinal"), (page, spec["encoding"])
            assert spec["encoding"]["x"]["type"] == "quantitative", page
            assert label_axis.get("axis", {}).get("labelLimit") == 0, (page, label_axis)
            seen += 1
    assert seen >= 3  # the Bilan's two charts and the Réseau's


def test_abandon_needs_a_reason_and_a_stale_card_is_refused(sample: AppTest):
    app = sample
    go(app, "partnerships")
    move = widget(app, "selectbox", "Passer à")
    move.select(PartnershipStatus.ABANDONED)
    app.run()
    widget(app, "button", "Déplacer").click()
    app.run()
    assert "Indiquez le motif de l'abandon." in texts(app, "error")

    # someone else moves the same partnership meanwhile: the card's version is stale
    from traits.services import partnerships

    widget(app, "text_input", "Motif de l'abandon (obligatoire)").input("Plus de besoin")
    partnerships.change_status(_store(), move.key.removeprefix("to_"), "introduced")
    widget(app, "button", "Déplacer").click()
    app.run()
    assert any("modifié par quelqu'un d'autre" in e for e in texts(app, "error"))
    assert widget(app, "text_input", "Motif de l'abandon (obligatoire)").value == "Plus de besoin"


@pytest.mark.parametrize("failure", ["stale", "status write"])
def test_a_failed_move_to_realised_saves_neither_value_nor_status(
    sample: AppTest, monkeypatch: pytest.MonkeyPatch, failure: str
):
    """The board's move writes mode, value and status together, or nothing at all."""
    from traits.errors import ConflictError
    from traits.services import partnerships
    from traits.storage import partnerships as stored

    app = sample
    go(app, "partnerships")
    move = widget(app, "selectbox", "Passer à")
    pid = move.key.removeprefix("to_")
    before = partnerships.get(_store(), pid)
    move.select(PartnershipStatus.REALISED)
    app.run()
    [w for w in app.text_input if w.key == f"euros_done_{pid}"][0].set_value("4 321")
    if failure == "stale":
        partnerships.change_status(_store(), pid, "introduced")  # someone else, meanwhile
    else:  # the status change fails after the value was written: nothing may stay

        def refused(*args: object, **kwargs: object) -> None:
            raise ConflictError("ce partenariat vient d'être modifié : rechargez-le.")

        monkeypatch.setattr(stored, "add_event", refused)
    widget(app, "button", "Déplacer").click()
    app.run()
    assert any("vient d'être modifié" in e for e in texts(app, "error"))
    after = partnerships.get(_store(), pid)
    assert (after.mode, after.value_euros) == (before.mode, before.value_euros)
    assert after.value_euros != 4321.0
    if failure != "stale":
        assert after.status is before.status


def test_a_move_to_realised_refuses_an_amount_with_an_ambiguous_dot(sample: AppTest):
    """« 12.000 » typed in the board's amount is refused as the import refuses it (probe
    sheets3, defect 1): never stored as 12 €; « 12 000 » is then accepted."""
    from traits.services import partnerships

    app = sample
    go(app, "partnerships")
    move = widget(app, "selectbox", "Passer à")
    pid = move.key.removeprefix("to_")
    move.select(PartnershipStatus.REALISED)
    app.run()
    [w for w in app.text_input if w.key == f"euros_done_{pid}"][0].set_value("12.000")
    widget(app, "button", "Déplacer").click()
    app.run()
    assert texts(app, "error") == ["1 problème : rien n'a été enregistré."]
    said = [str(v) for t in app.table for v in t.value["problème"]]
    assert any("12 000 ou 12" in t for t in said), said
    assert partnerships.get(_store(), pid).value_euros != 12.0


def _store() -> Store:
    """The sample base the ``sample`` fixture explores."""
    return demo.open_demo(os.environ["TRAITS_DB"])


def test_settings_page_saves_matcher_settings_and_vocabulary(sample: AppTest):
    app = sample
    go(app, "settings")
    # the sample's realised and abandoned partnerships are feedback, too little to learn from
    assert any(
        "retours depuis la dernière remise à zéro" in s and "à partir de 30 retours" in s
        for s in texts(app, "info")
    ), texts(app, "info")
    widget(app, "number_input", "Pistes par besoin").set_value(7)
    widget(app, "button", "Enregistrer les réglages").click()
    app.run()
    assert any("Réglages enregistrés" in s for s in texts(app, "success"))
    assert matching.load_config(_store(), "vitre").top_k == 7
    widget(app, "text_input", "Libellé").input("Entretien de bateaux")
    widget(app, "button", "Ajouter").click()
    app.run()
    assert "1 sous-catégorie ajoutée." in texts(app, "success")
    widget(app, "checkbox", "Je veux oublier l'apprentissage passé").check()
    app.run()
    widget(app, "button", "Réinitialiser l'apprentissage").click()
    app.run()
    assert any("réinitialisé" in s for s in texts(app, "success"))


def test_settings_page_shows_learning_at_work(sample: AppTest):
    app = sample
    # simulated facilitators who only want partners within 8 km
    store = _store()
    matcher = matching.fit_matcher(store, "vitre")
    for need, cands in matcher.match_all(k=10).items():
        for c in cands:
            near = c.distance_km is not None and c.distance_km < 8
            matching.record_feedback(store, need, c.offer_id, near)
    store.dispose()
    go(app, "settings")
    assert any("le classement en tient compte" in s for s in texts(app, "success"))
    tables = [d.value for d in app.dataframe if "poids appris" in d.value.columns]
    assert len(tables) == 1
    learnt = tables[0].set_index("élément")
    assert (learnt["poids appris"] != learnt["poids par défaut"]).any()


def test_accounts_sign_in_and_see_their_territories_only(app: AppTest):
    from traits.services import access

    store = Store(os.environ["TRAITS_DB"])
    services.load_demo(store)
    access.add_user(store, "solene", "facilitator", "mot-de-passe-long", territories=["vitre"])
    go(app, "territory")
    with access.operator():  # accounts exist now: setting up is the operator's job
        access.add_user(store, "admin", "admin", "mot-de-passe-admin")
    app.run()
    assert [t.label for t in app.text_input] == ["Identifiant", "Mot de passe"]
    widget(app, "text_input", "Identifiant").input("solene")
    widget(app, "text_input", "Mot de passe").input("mauvais-mot-de-passe")
    widget(app, "button", "Se connecter").click()
    app.run()
    assert any(e.startswith("Identifiant ou mot de passe incorrect.") for e in texts(app, "error"))
    widget(app, "text_input", "Mot de passe").input("mot-de-passe-long")
    widget(app, "button", "Se connecter").click()
    app.run()
    assert not app.exception and app.session_state["territory_id"] == "vitre"
    go(app, "report")
    assert int(metrics(app)["Partenariats concrétisés"]) > 0
    widget(app, "button", "Se déconnecter").click()
    app.run()
    assert "Identifiant" in [t.label for t in app.text_input]


def test_shared_deployment_asks_to_sign_in_and_loads_no_sample(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("TRAITS_DB", str(tmp_path / "shared.sqlite"))
    monkeypatch.setenv("TRAITS_MULTIUSER", "1")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    assert any("Aucun compte" in shown(w.value) for w in at.warning)
    from traits import services
    from traits.storage import Store

    assert services.list_territories(Store(tmp_path / "shared.sqlite")) == []


def test_a_facilitator_sees_only_their_territory_in_the_app(tmp_path, monkeypatch):
    import datetime as dt

    from conftest import ITEMS, ORGS, write
    from streamlit.testing.v1 import AppTest

    from traits import services
    from traits.model import Territory
    from traits.services import access
    from traits.storage import Store

    db = tmp_path / "two.sqlite"
    store = Store(db)
    services.load_demo(store)
    folder = tmp_path / "redon"
    write(folder, "organisations.csv", ORGS)
    write(folder, "items.csv", ITEMS)
    services.import_territory(store, folder, territory=Territory("redon", "Pays de Redon"))
    access.add_user(
        store, "anim.vitre", "facilitator", "un mot de passe long", territories=["vitre"]
    )
    monkeypatch.setenv("TRAITS_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert at.text_input  # the sign-in form, since accounts exist
    at.text_input[0].input("anim.vitre")
    at.text_input[1].input("un mot de passe long")
    at.button[0].click().run()
    assert not at.exception
    options = at.sidebar.selectbox[0].options
    assert options == ["Pays de Vitré"]
    for page in (
        "app_pages/pistes.py",
        "app_pages/partnerships.py",
        "app_pages/report.py",
        "app_pages/network.py",
        "app_pages/diagnostics.py",
    ):
        at.switch_page(page).run()
        assert not at.exception
        visible = " ".join(shown(str(e.value)) for e in at.markdown) + " ".join(
            shown(str(e.value)) for e in at.caption
        )
        assert "Recyclerie du Bocage" not in visible and "Transports Morin" not in visible
    # and an expired session is sent back to the sign-in form
    principal = at.session_state["_principal"]
    at.session_state["_principal"] = access.Principal(
        principal.username,
        principal.role,
        principal.territories,
        dt.datetime.now() - dt.timedelta(seconds=1),
    )
    at.run()
    assert any("expiré" in shown(w.value) for w in at.warning)


def test_a_disabled_account_is_signed_out_at_its_next_rerun(tmp_path, monkeypatch):
    """Issue 11, item 2: not when the session expires, at the next click."""
    from streamlit.testing.v1 import AppTest

    from traits import services
    from traits.services import access
    from traits.storage import Store

    db = tmp_path / "shared.sqlite"
    store = Store(db)
    services.load_demo(store)
    with access.operator():
        access.add_user(
            store, "anim.vitre", "facilitator", "un mot de passe long", territories=["vitre"]
        )
    monkeypatch.setenv("TRAITS_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.text_input[0].input("anim.vitre")
    at.text_input[1].input("un mot de passe long")
    at.button[0].click().run()
    assert not at.exception and at.session_state["_principal"] is not None
    with access.operator():
        access.disable_user(store, "anim.vitre")
    at.run()
    assert not at.exception
    assert any("désactivé" in shown(w.value) for w in at.warning)
    assert [t.label for t in at.text_input] == ["Identifiant", "Mot de passe"]


@pytest.mark.parametrize("page", ["territory", "network"])
def test_maps_draw_communes_and_epci_with_names_and_no_tile_server(sample: AppTest, page: str):
    go(sample, page)
    (chart,) = sample.get("deck_gl_json_chart")
    text = chart.proto.json
    spec = json.loads(text)
    assert "http" not in text and "mapProvider" not in spec  # no base map, nothing fetched
    layers = {}
    for layer in spec["layers"]:
        colour = layer.get("getColor") or layer.get("getFillColor")
        layers[(layer["@@type"], str(colour))] = layer.get("data") or []
    shaded = {d["name"] for d in layers[("PolygonLayer", str(_map.TERRITORY_FILL))]}
    assert {"Vitré", "Janzé", "Châteaugiron"} <= shaded and "Rennes" not in shaded
    outlined = {d["name"] for d in layers[("PathLayer", str(_map.COMMUNE_LINE))]}
    assert "Rennes" in outlined and not outlined & shaded
    ours = {d["name"] for d in layers[("PathLayer", str(_map.TERRITORY_EPCI_LINE))]}
    assert len(ours) == 3 and any("Vitré Communauté" in n for n in ours)
    assert "Rennes Métropole" in {d["name"] for d in layers[("PathLayer", str(_map.EPCI_LINE))]}
    labels = {
        d["commune"] for (kind, _), data in layers.items() if kind == "TextLayer" for d in data
    }
    assert {"Vitré", "Janzé"} <= labels
    # What a tooltip may show: names, never a code.
    names = [str(d.get("name", "")) for data in layers.values() for d in data]
    assert names and not [n for n in names if re.search(r"\d{5}", n)]
    assert any("Contours : IGN Admin Express COG 2018" in c for c in texts(sample, "caption"))


def _sample_diagnostics() -> list:
    from traits.services import diagnostics

    store = demo.open_demo(os.environ["TRAITS_DB"])
    try:
        return diagnostics.list_diagnostics(store, "vitre")
    finally:
        store.dispose()


def test_dates_are_typed_in_french_and_read_by_the_import_rule(sample: AppTest):
    """No English calendar: dates are text fields; a wrong one is refused where it was typed."""
    app = sample
    go(app, "diagnostics")
    assert not app.get("date_input")
    field = app.text_input(key="iv_date")
    assert field.label == "Date de l'entretien" and field.placeholder == "JJ/MM/AAAA"
    app.text_input(key="iv_name").input("Jardin Daté Test")
    app.text_input(key="iv_new_need_title").input("Une tondeuse")
    app.run()
    app.button(key="ivb_add_need").click().run()
    field = app.text_input(key="iv_date").input("31/02/2026")
    app.button(key="ivb_save_draft").click().run()
    errors = " ".join(texts(app, "error"))
    assert "« 31/02/2026 » impossible" in errors and not texts(app, "success")
    assert not [d for d in _sample_diagnostics() if d.org_name == "Jardin Daté Test"]

    app.text_input(key="iv_ct_name").input("Contact Fictif")
    app.checkbox(key="iv_ct_consent").check()
    app.text_input(key="iv_ct_consent_date").input("le 3")
    app.button(key="ivb_ct_add").click().run()
    assert any("Date du consentement" in e and "« le 3 »" in e for e in texts(app, "error"))
    assert not app.session_state["iv_contacts"]
    app.text_input(key="iv_ct_consent_date").input("5 mars 2026")
    app.button(key="ivb_ct_add").click().run()
    assert app.session_state["iv_contacts"][-1]["consent_date"] == dt.date(2026, 3, 5)

    app.text_input(key="iv_date").input("4 février 2026")
    app.button(key="ivb_save_draft").click().run()
    assert texts(app, "success") == ["Brouillon enregistré : Jardin Daté Test."]
    (saved,) = [d for d in _sample_diagnostics() if d.org_name == "Jardin Daté Test"]
    assert saved.date == dt.date(2026, 2, 4)
    assert app.text_input(key="iv_date").value == "04/02/2026"  # as saved, French

    go(app, "report")
    app.text_input(key="bilan_start").input("32/01/2024").run()
    assert any("Du : date « 32/01/2024 »" in e for e in texts(app, "error")), texts(app, "error")
    assert not app.metric  # no figures for a period that was not understood
    app.text_input(key="bilan_start").input("1er janvier 2024").run()
    assert app.metric and not texts(app, "error")
    app.text_input(key="bilan_end").input("31/12/2023").run()
    # one sentence that says what to do; no « rien n'a été enregistré », no empty problem grid
    assert texts(app, "error") == [
        "Période inversée : le début (01/01/2024) est après la fin (31/12/2023) ; "
        "échangez les deux dates."
    ]
    assert not app.dataframe and not app.metric


@pytest.mark.parametrize("meanwhile", ["moved", "valued"])
def test_a_stale_value_save_is_refused_aloud_and_keeps_what_was_typed(
    sample: AppTest, meanwhile: str
):
    """Issue 7: a card moved (or valued) by another session meanwhile; this session's
    « Mode et valeur » save is refused at the top of the board, saying what changed, its
    typed values kept, and saved once sent again."""
    from traits.services import partnerships

    app = sample
    go(app, "partnerships")
    pid = widget(app, "selectbox", "Passer à").key.removeprefix("to_")
    before = partnerships.get(_store(), pid)
    if meanwhile == "moved":
        step = min(TRANSITIONS[before.status] - {PartnershipStatus.ABANDONED})
        partnerships.change_status(_store(), pid, step)
    else:
        partnerships.update_details(_store(), pid, value_hours=7)
    other = partnerships.get(_store(), pid)
    [w for w in app.text_input if w.key == f"euros_{pid}"][0].set_value("2 000")
    [w for w in app.text_input if w.key == f"hours_{pid}"][0].set_value("30 h")
    [b for b in app.button if b.label == "Enregistrer" and b.form_id == f"value_{pid}"][0].click()
    app.run()
    assert not app.exception
    told = [m for m in texts(app, "error") if "modifié par quelqu'un d'autre" in m]
    folded = [shown(str(e.value)) for x in app.expander for e in x.error]
    assert len(told) == 1 and told[0] not in folded  # on top, not in a folded card
    if meanwhile == "moved":
        assert f"étape : {LABELS_FR[before.status]} → {LABELS_FR[other.status]}" in told[0]
    else:
        assert "heures données" in told[0]
    assert "Rien n'a été enregistré" in told[0]
    after = partnerships.get(_store(), pid)
    assert (after.value_euros, after.value_hours) == (other.value_euros, other.value_hours)
    kept = {w.key: w.value for w in app.text_input}
    assert (kept[f"euros_{pid}"], kept[f"hours_{pid}"]) == ("2 000", "30 h")
    [b for b in app.button if b.label == "Enregistrer" and b.form_id == f"value_{pid}"][0].click()
    app.run()
    assert "Mode et valeur enregistrés." in texts(app, "success")
    saved = partnerships.get(_store(), pid)
    assert (saved.value_euros, saved.value_hours) == (2000.0, 30.0)


@pytest.mark.parametrize(
    ("page", "key"), [("diagnostics", "import_files"), ("settings", "voc_file")]
)
def test_a_wrong_file_type_is_refused_in_french_naming_the_file(
    sample: AppTest, page: str, key: str
):
    """Issue 16: not Streamlit's « text/plain files are not allowed. »: the uploaders take
    any file (no ``type=`` filter, whose refusal is English) and our code says it in French."""
    app = sample
    go(app, page)
    uploader = app.file_uploader(key=key)
    assert not uploader.proto.type  # the English refusal comes from this filter
    uploader.upload("notes.txt", b"des notes", "text/plain").run()
    assert not app.exception
    said = [e for e in texts(app, "error") if "n'est pas accepté" in e]
    assert said == [
        "Ce type de fichier n'est pas accepté : « notes.txt ». Déposez des fichiers .csv, "
        ".xlsx ou .ods (retirez celui-ci avec ×)."
    ]
    assert not [b for b in app.button if b.label in ("Importer", "Ajouter ce fichier")]


def test_pistes_all_set_aside_says_so_not_add_needs_and_offers(sample: AppTest):
    """Issue 16: once every piste of a need is proposed or set aside, the empty list says
    that, not « ajoutez des besoins et des offres »."""
    from traits.services import partnerships, views
    from traits.storage import repository as repo

    app = sample
    go(app, "pistes")
    need = views.list_needs(_store(), "vitre")[0][0]
    app.session_state["pistes_need"] = need
    app.run()
    [b for b in app.button if b.label == "Proposer ce partenariat"][0].click().run()
    with _store().reading() as conn:
        offers = [i.item_id for i in repo.read_items(conn, "vitre") if i.direction == "offer"]
    for offer in offers:  # the others set aside, as « Pas pertinent » does
        if (need, offer) not in partnerships.excluded_pairs(_store()):
            matching.record_feedback(_store(), need, offer, False)
    app.run()
    said = texts(app, "info")
    assert any(
        "Plus de nouvelle piste pour ce besoin : 1 piste déjà proposée" in s for s in said
    ), (
        said,
        [b.label for b in app.button],
        app.session_state["pistes_need"],
        need,
        texts(app, "success"),
        [e.value for e in app.exception],
        texts(app, "markdown")[-3:],
        texts(app, "caption")[-3:],
    )
    assert not any("ajoutez des besoins et des offres" in s for s in said)


def test_the_network_draws_every_member_of_a_mutualisation(sample: AppTest):
    """Réseau › Graphe shows the pool as a node linked to each member, as the analyses do."""
    from traits.services import organisations, partnerships, pooling

    store = demo.open_demo(os.environ["TRAITS_DB"])
    pool = max(pooling.find_pools(store, "vitre"), key=lambda p: len(p.org_ids))
    assert len(pool.org_ids) >= 3
    part = pooling.propose_pool(store, pool.need_ids, offer_id=pool.offer_id, label=pool.label)
    partnerships.change_status(store, part.partnership_id, "introduced")
    names = organisations.display_names(store, part.org_ids)
    go(sample, "network")
    dot = sample.get("graphviz_chart")[0].proto.spec
    labels = dict(re.findall(r'^  (n\d+) \[label="([^"]*)"', dot, re.M))
    (hub,) = [node for node, label in labels.items() if label == pool.label]
    linked = re.findall(rf"^  (?:{hub} -- (n\d+)|(n\d+) -- {hub}) ", dot, re.M)
    assert sorted(labels[a or b] for a, b in linked) == sorted(names[o] for o in part.org_ids)
    go(sample, "partnerships")  # its card counts its structures
    n = len(part.org_ids)
    assert f"Prochaine étape : relancer les {n} structures pour ouvrir la discussion" in texts(
        sample, "caption"
    )


def test_no_mode_is_chosen_for_the_facilitator(sample: AppTest):
    """Moving a mutualisation to « concrétisé » leaves its mode « à préciser » (the report
    counts it as not given, never as mécénat); « à préciser » also clears a mode set before."""
    from traits.services import partnerships, pooling, reports

    store = demo.open_demo(os.environ["TRAITS_DB"])
    pool = pooling.find_pools(store, "vitre")[0]
    part = pooling.propose_pool(store, pool.need_ids, label=pool.label)
    pid = part.partnership_id
    before = reports.build_report(store, "vitre").realised_by_mode
    go(sample, "partnerships")
    sample.selectbox(key=f"to_{pid}").select(PartnershipStatus.REALISED).run()
    mode = sample.selectbox(key=f"mode_done_{pid}")
    assert mode.value is None and mode.options[0] == "à préciser"
    sample.button(key=f"move_{pid}").click().run()
    assert not sample.exception and partnerships.get(store, pid).mode is None
    after = reports.build_report(store, "vitre").realised_by_mode
    assert after["unspecified"] == before.get("unspecified", 0) + 1
    assert after["philanthropy"] == before["philanthropy"]

    modes = [None, *PartnershipMode]
    for chosen in (PartnershipMode.PHILANTHROPY, None):  # a mode, then « à préciser » again
        sample.selectbox(key=f"mode_{pid}").select_index(modes.index(chosen))
        [b for b in sample.get("form_submit_button") if b.form_id == f"value_{pid}"][0].click()
        sample.run()
        assert not sample.error, texts(sample, "error")
        assert partnerships.get(store, pid).mode is chosen


def test_a_pool_card_lists_its_needs_and_follows_only_those_kept(sample: AppTest):
    """The card names each need under its structure; a need unticked is left out of the
    partnership, and fewer than two structures kept is refused with nothing written."""
    from traits.services import organisations, partnerships, pooling

    store = demo.open_demo(os.environ["TRAITS_DB"])
    pools = pooling.find_pools(store, "vitre")
    n, pool = max(enumerate(pools), key=lambda np_: len(np_[1].org_ids))
    assert len(pool.org_ids) >= 3
    titles = organisations.display_names(store, pool.need_ids)
    go(sample, "pooling")
    boxes = {b.key: b for b in sample.checkbox if b.key.startswith("pool_need_")}
    for need_id in pool.need_ids:
        assert shown(boxes[f"pool_need_{need_id}"].label) == titles[need_id]
        assert boxes[f"pool_need_{need_id}"].value is True
    left_out = pool.need_ids[-1]
    boxes[f"pool_need_{left_out}"].uncheck()
    sample.button(key=f"pool_{n}").click().run()
    assert not sample.exception and not sample.error
    (part,) = [p for p in partnerships.list_partnerships(store) if p.is_pooled]
    needs = [m.need_id for m in part.members if m.need_id]
    assert needs == [x for x in pool.need_ids if x != left_out]

    # Another pool: keep the needs of one structure only.
    go(sample, "pooling")
    n, other = next(
        (i, p) for i, p in enumerate(pooling.find_pools(store, "vitre")) if p.label != pool.label
    )
    for need_id, org_id in zip(other.need_ids, other.need_org_ids, strict=True):
        if org_id != other.org_ids[0]:
            sample.checkbox(key=f"pool_need_{need_id}").uncheck()
    sample.button(key=f"pool_{n}").click().run()
    assert any("au moins deux structures" in e for e in texts(sample, "error"))
    assert len([p for p in partnerships.list_partnerships(store) if p.is_pooled]) == 1
