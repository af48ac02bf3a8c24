"""The Administration page (personal data, audit log, accounts) and the GDPR aids of the form."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from traits import services
from traits.services import access, matching
from traits.storage import Store

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
PASSWORD = "un mot de passe long"


def sample_contact() -> dict[str, str]:
    with (ROOT / "data" / "samples" / "vitre" / "contacts.csv").open(encoding="utf-8") as f:
        return next(row for row in csv.DictReader(f) if row["email"])


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def widget(at: AppTest, kind: str, label: str):  # type: ignore[no-untyped-def]
    found = [w for w in getattr(at, kind) if w.label == label]
    assert found, f"no {kind} « {label} »"
    return found[0]


def shown(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "success", "warning", "error", "json", "dataframe")
    return " ".join(str(e.value) for kind in kinds for e in getattr(at, kind))


@pytest.fixture
def laptop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Path]:
    db = tmp_path / "laptop.sqlite"
    monkeypatch.setenv("TRAITS_DB", str(db))
    store = Store(db)
    matching.save_settings(store, None, use_semantic=False)
    services.load_demo(store)  # a laptop base holding one territory and its contacts
    store.dispose()
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    return at, db


def contacts_count(db: Path) -> int:
    store = Store(db)
    try:
        return int(services.stats(store, "vitre")["contacts"])
    finally:
        store.dispose()


def test_on_a_laptop_the_admin_exports_and_erases_a_person(laptop):
    at, db = laptop
    person = sample_contact()
    before = contacts_count(db)
    go(at, "administration")
    assert [t.label for t in at.tabs] == ["Données personnelles", "Journal", "Comptes"]
    assert any("premier compte" in i.value for i in at.info)  # no accounts yet

    widget(at, "text_input", "Courriel, téléphone ou nom de la personne").input(person["email"])
    widget(at, "button", "Exporter").click().run()
    assert not at.exception and not at.error
    assert not at.json  # not the machine form: a French document, for the person
    (shown,) = [t.value for t in at.text if person["email"] in t.value]
    assert person["name"] in shown and "Consentement : " in shown
    assert "contact_id" not in shown and "true" not in shown
    assert at.get("download_button")

    widget(at, "checkbox", "Je confirme l'effacement définitif").check()
    widget(at, "button", "Effacer").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("1 fiche contact effacée" in s.value for s in at.success)
    assert contacts_count(db) == before - 1
    assert not [t for t in at.text if person["email"] in t.value]  # erased: not shown any more
    assert widget(at, "checkbox", "Je confirme l'effacement définitif").value is False

    log = next(d.value for d in at.dataframe if "auteur" in d.value.columns)
    assert list(log.columns) == ["date et heure", "auteur", "opération", "données", "nombre"]
    assert ("Contacts", "suppression") in set(zip(log["données"], log["opération"], strict=True))
    assert not [a for a in log["auteur"] if "système" in a or ":" in a], set(log["auteur"])
    authors = widget(at, "selectbox", "Auteur")
    assert not [o for o in authors.options if "système" in o], authors.options
    data = widget(at, "selectbox", "Données modifiées")
    assert "Structures" in data.options and "Réglages" in data.options
    data.select("territories").run()
    log = next(d.value for d in at.dataframe if "auteur" in d.value.columns)
    assert set(log["données"]) == {"Territoires"}


def test_the_first_account_needs_matching_passwords_and_then_asks_to_sign_in(laptop):
    at, _ = laptop
    go(at, "administration")
    assert widget(at, "selectbox", "Rôle").options == ["administrateur·rice"]
    widget(at, "text_input", "Identifiant").input("chef")
    widget(at, "text_input", "Mot de passe").input(PASSWORD)
    widget(at, "text_input", "Mot de passe (à nouveau)").input(PASSWORD + "x")
    widget(at, "button", "Créer le compte").click().run()
    assert any("diffèrent" in e.value for e in at.error)
    widget(at, "text_input", "Mot de passe (à nouveau)").input(PASSWORD)
    widget(at, "button", "Créer le compte").click().run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Se connecter"]  # a shared deployment now


def test_a_facilitator_cannot_use_the_administration_page(tmp_path, monkeypatch):
    db = tmp_path / "shared.sqlite"
    store = Store(db)
    services.load_demo(store)
    with access.operator():  # the server's operator sets the deployment up
        access.add_user(store, "chef.pole", "admin", PASSWORD)
        access.add_user(store, "anim.vitre", "facilitator", PASSWORD, territories=["vitre"])
    store.dispose()
    monkeypatch.setenv("TRAITS_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    widget(at, "text_input", "Identifiant").input("anim.vitre")
    widget(at, "text_input", "Mot de passe").input(PASSWORD)
    widget(at, "button", "Se connecter").click().run()
    assert not at.exception
    go(at, "administration")
    assert any("Réservé aux administrateur·rices" in w.value for w in at.warning)
    assert not at.tabs and not at.json and not at.dataframe and not at.text_input
    assert sample_contact()["name"] not in shown(at) and "chef.pole" not in shown(at)


def test_the_interview_form_shows_the_notice_and_the_sensitive_data_warning(laptop):
    at, _ = laptop
    go(at, "diagnostics")
    notice = next(e for e in at.expander if e.label == "Notice d'information à lire à la personne")
    assert "Vos données personnelles" in " ".join(m.value for m in notice.markdown)
    assert any("N'écrivez pas de données sensibles" in c.value for c in at.caption)
    assert widget(at, "text_input", "Origine du consentement").value == "entretien diagnostic"
    scope = widget(at, "text_input", "Portée du consentement").value
    assert scope == "mise en relation avec des partenaires du territoire"
    interview_day = widget(at, "text_input", "Date de l'entretien").value
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", interview_day)
    assert widget(at, "text_input", "Date du consentement").value == interview_day
    widget(at, "text_input", "Nom du contact").input("Anne Test")
    widget(
        at, "checkbox", "La personne accepte d'être mise en relation avec d'autres structures"
    ).check()
    widget(at, "button", "Ajouter ce contact").click().run()
    added = at.session_state["iv_contacts"][-1]
    assert added["consent"] and added["consent_source"] == "entretien diagnostic"
    assert added["consent_scope"] == scope and added["consent_date"] is not None
    assert any("Anne Test" in m.value and "accepte" in m.value for m in at.markdown)
    assert widget(at, "text_input", "Portée du consentement").value == scope  # ready for the next


def test_an_admin_sees_the_accounts_and_disables_one(tmp_path, monkeypatch):
    db = tmp_path / "shared.sqlite"
    store = Store(db)
    services.load_demo(store)
    with access.operator():  # the server's operator sets the deployment up
        access.add_user(store, "chef.pole", "admin", PASSWORD)
        access.add_user(store, "anim.vitre", "facilitator", PASSWORD, territories=["vitre"])
    monkeypatch.setenv("TRAITS_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    widget(at, "text_input", "Identifiant").input("chef.pole")
    widget(at, "text_input", "Mot de passe").input(PASSWORD)
    widget(at, "button", "Se connecter").click().run()
    go(at, "administration")
    accounts = next(d.value for d in at.dataframe if "identifiant" in d.value.columns)
    assert list(accounts["identifiant"]) == ["anim.vitre", "chef.pole"]
    assert widget(at, "selectbox", "Compte à désactiver").options == ["anim.vitre"]  # not oneself
    widget(at, "button", "Désactiver").click().run()
    assert any("Cochez" in w.value for w in at.warning)
    widget(at, "checkbox", "Je confirme la désactivation de ce compte").check()
    widget(at, "button", "Désactiver").click().run()
    assert any("désactivé" in s.value for s in at.success)
    with access.operator():
        assert [u["disabled"] for u in access.list_users(store)] == [True, False]


def test_the_audit_log_reads_newest_first_filtered_and_for_admins_only(tmp_path):
    import datetime as dt

    from traits.errors import PermissionDeniedError
    from traits.services import audit
    from traits.storage.audit import acting_as

    store = Store(tmp_path / "log.sqlite")
    with acting_as("solene"):
        services.load_demo(store)
    with acting_as("chef.pole"):
        access.add_user(store, "anim.vitre", "facilitator", PASSWORD, territories=["vitre"])
    with access.operator():  # the operator reads the log (the CLI); a facilitator may not
        entries = audit.list_audit(store)
        assert entries[0]["actor"] == "chef.pole" and entries[0]["table"] == "users"
        ids = [e["audit_id"] for e in entries]
        assert ids == sorted(ids, reverse=True)
        assert {e["actor"] for e in audit.list_audit(store, table="organisations")} == {"solene"}
        assert {e["table"] for e in audit.list_audit(store, actor="chef.pole")} == {"users"}
        assert len(audit.list_audit(store, limit=2)) == 2
        assert audit.list_audit(store, since=dt.date.today() + dt.timedelta(days=1)) == []
        assert audit.list_actors(store) == ["chef.pole", "solene"]
    principal = access.authenticate(store, "anim.vitre", PASSWORD)
    with access.signed_in(principal), pytest.raises(PermissionDeniedError):
        audit.list_audit(store)
