"""After an erasure, the running app shows and writes nothing of the person (probe access3, D1).

The app keeps each territory's fitted matcher between runs and sessions; the pistes it shows,
and the reasons a proposal writes into the partnership's history, must come from the masked
texts at the next run after the erasure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import write
from streamlit.testing.v1 import AppTest
from test_app import APP, go, texts, widget

from traits import services
from traits.services import contacts, matching
from traits.storage import Store
from traits.storage import schema as t

EMAIL = "maelle.kt@ressourcerie.example.org"


@pytest.fixture
def running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Store]:
    db = tmp_path / "app.sqlite"
    monkeypatch.setenv("TRAITS_DB", str(db))
    folder = tmp_path / "terr"
    write(folder, "territories.csv", "territory_id,name,communes\nploermel,Ploërmel test,Ploërmel\n")
    write(
        folder,
        "organisations.csv",
        "org_id,name,kind,commune,postcode,territory\n"
        "r,Ressourcerie du Lac,ess,Ploërmel,56800,ploermel\n"
        "s,Scierie du Pont,company,Josselin,56120,ploermel\n",
    )
    write(
        folder,
        "items.csv",
        "item_id,org_id,direction,category,title,description\n"
        "n,r,need,equipment,Chutes de bois,Chutes de bois pour l'atelier de M. Kerjean-Tréhin\n"
        "o,s,offer,equipment,Chutes de bois à donner,Demandez Mme Kerjean-Tréhin au dépôt\n",
    )
    write(
        folder,
        "contacts.csv",
        f"contact_id,org_id,name,email,consent\nc1,r,Maëlle Kerjean-Tréhin,{EMAIL},oui\n",
    )
    store = Store(db)
    matching.save_settings(store, None, use_semantic=False)
    services.import_territory(store, folder)
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    assert not at.exception
    return at, store


def test_pistes_and_a_proposal_after_an_erasure_hold_nothing_of_the_person(running):
    at, store = running
    go(at, "pistes")
    assert any("kerjean" in x.casefold() for x in texts(at, "markdown"))  # before: quoted
    contacts.erase_person(store, EMAIL)
    go(at, "pistes")
    assert not any("kerjean" in x.casefold() for x in texts(at, "markdown"))
    assert not any("effac" in x.casefold() for x in texts(at, "markdown"))
    widget(at, "button", "Proposer ce partenariat").click()
    at.run()
    assert not at.exception
    with store.reading() as conn:
        notes = conn.execute(sa.select(t.partnership_events.c.note)).scalars().all()
    assert notes and not any("kerjean" in (n or "").casefold() for n in notes)
