"""GDPR: a person's data exported, erased (mentions anonymised), old contacts purged."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import write
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import InvalidInputError, NotFoundError
from traits.services import contacts
from traits.services import partnerships as ps
from traits.storage import Store

EMAIL = "a.kerhervé@asso.example.org"


@pytest.fixture
def people(store: Store, small: Path) -> Store:
    write(
        small,
        "contacts.csv",
        "contact_id,org_id,name,email,consent,consent_date\n"
        f"c1,a,Anne Kerhervé,{EMAIL},oui,2020-01-10\n"
        "c2,b,Bruno Le Gall,b.legall@morin.example.org,oui,2024-05-02\n",
    )
    write(
        small,
        "diagnostics.csv",
        "diagnostic_id,org_id,date,notes\n"
        "d1,a,2020-01-10,Rencontre avec Anne Kerhervé (présidente) ; joindre anne par mail.\n",
    )
    services.import_territory(store, small)
    part = ps.propose(store, "n1", "o1", author="Anne Kerhervé", note="Idée d'Anne Kerhervé")
    ps.change_status(store, part.partnership_id, "realised", note=f"écrire à {EMAIL}")
    return store


def test_export_lists_the_record_and_every_mention(people: Store):
    data = contacts.export_person(people, EMAIL.upper())
    assert [c["contact_id"] for c in data["contacts"]] == ["c1"]
    where = {(m["table"], m["column"]) for m in data["mentions"]}
    assert {
        ("diagnostics", "notes"),
        ("partnership_events", "author"),
        ("partnership_events", "note"),
    } <= where
    json.dumps(data)  # JSON-ready


def test_erase_removes_the_person_and_keeps_the_figures(people: Store):
    before = services.stats(people)
    done = contacts.erase_person(people, EMAIL)
    assert done["contacts"] == 1 and len(done["masked"]) >= 3
    after = services.stats(people)
    assert after["contacts"] == before["contacts"] - 1
    assert after["partnerships"] == before["partnerships"]
    assert after["organisations"] == before["organisations"]
    with pytest.raises(NotFoundError):
        contacts.export_person(people, EMAIL)
    part = ps.list_partnerships(people)[0]
    text = " ".join(f"{e.author} {e.note}" for e in part.history)
    assert "Kerhervé" not in text and EMAIL not in text and contacts.ERASED in text
    assert part.status.value == "realised"


def test_purge_erases_only_the_inactive(people: Store):
    stale = contacts.stale_contacts(people, contacts.parse_age("3y"), today=dt.date(2026, 1, 1))
    # c1's organisation had a partnership step today, so only a 0-day horizon catches it.
    assert [s["contact_id"] for s in stale] == []
    erased = contacts.purge(people, contacts.parse_age("1d"), today=dt.date(2030, 1, 1))
    assert {s["contact_id"] for s in erased} == {"c1", "c2"}
    assert services.stats(people)["contacts"] == 0


def test_parse_age():
    assert contacts.parse_age("3y").days == 3 * 365
    assert contacts.parse_age("18m").days == 18 * 30
    assert contacts.parse_age("3 ans").days == 3 * 365
    assert contacts.parse_age("18 mois").days == 18 * 30
    assert contacts.parse_age("90 jours").days == 90
    with pytest.raises(InvalidInputError, match="illisible"):
        contacts.parse_age("trois ans")


def test_cli(people: Store, tmp_path: Path):
    runner = CliRunner()
    db = str(people.engine.url.database)
    out = runner.invoke(app, ["contact", "export", EMAIL, "--db", db])
    assert out.exit_code == 0 and json.loads(out.output)["contacts"][0]["name"] == "Anne Kerhervé"
    listed = runner.invoke(app, ["contact", "purge", "--older-than", "1d", "--dry-run", "--db", db])
    assert "à effacer" in listed.output and services.stats(people)["contacts"] == 2
    erased = runner.invoke(app, ["contact", "erase", EMAIL, "--db", db])
    assert erased.exit_code == 0 and "1 fiche contact effacée" in erased.output


def test_purge_decides_who_is_stale_in_the_erasing_transaction(people: Store, monkeypatch):
    """A contact whose organisation becomes active just before the erasure starts (another
    session's diagnostic) is not erased on the strength of an older reading."""
    from traits.model import Contact, Diagnostic, DiagnosticStatus
    from traits.services import diagnostics

    bruno = Contact("c2", "b", "Bruno Le Gall", True, email="b.legall@morin.example.org")
    later = dt.date.today() + dt.timedelta(days=180)  # both contacts idle by then
    stale = contacts.stale_contacts(people, contacts.parse_age("1d"), today=later)
    assert sorted(s["contact_id"] for s in stale) == ["c1", "c2"]
    transaction = people.transaction
    landed: list[bool] = []

    def concurrent_write_first():  # type: ignore[no-untyped-def]
        if not landed:
            landed.append(True)
            draft = Diagnostic("d_new", "b", later, status=DiagnosticStatus.DRAFT)
            diagnostics.save_diagnostic(people, draft, [], [bruno])
        return transaction()

    monkeypatch.setattr(people, "transaction", concurrent_write_first)
    erased = contacts.purge(people, contacts.parse_age("1d"), today=later)
    assert landed and [s["contact_id"] for s in erased] == ["c1"]
    assert services.stats(people)["contacts"] == 1
