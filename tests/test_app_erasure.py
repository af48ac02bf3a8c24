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
    write(
        folder, "territories.csv", "territory_id,name,communes\nploermel,Ploërmel test,Ploërmel\n"
    )
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


def test_the_admin_chooses_among_homonyms_by_territory_and_organisation(running, tmp_path):
    at, store = running
    other = tmp_path / "other"
    write(other, "territories.csv", "territory_id,name,communes\nvitre,Vitré test,Vitré\n")
    write(
        other,
        "organisations.csv",
        "org_id,name,kind,commune,postcode,territory\nv,ESAT du Pré,ess,Vitré,35500,vitre\n",
    )
    write(
        other,
        "contacts.csv",
        "contact_id,org_id,name,role,email,consent\n"
        "c9,v,Maëlle Kerjean-Tréhin,directrice,mkt@pre.example.org,oui\n",
    )
    services.import_territory(store, other)
    go(at, "administration")
    widget(at, "text_input", "Courriel, téléphone ou nom de la personne").input(
        "Maëlle Kerjean-Tréhin"
    )
    at.run()
    choice = widget(at, "radio", "Plusieurs personnes correspondent : laquelle ?")
    labels = list(choice.options)  # as shown
    assert any("ESAT du Pré" in x and "Vitré test" in x for x in labels)
    assert not any("c9" in x or "vitre" in x for x in labels)
    widget(at, "checkbox", "Je confirme l'effacement définitif").check()
    widget(at, "button", "Effacer").click().run()
    assert any("choisissez-la" in w.value for w in at.warning)  # nothing erased unchosen
    assert services.stats(store)["contacts"] == 2
    pick = next(n for n, x in enumerate(labels, 1) if "ESAT" in x)
    widget(at, "radio", "Plusieurs personnes correspondent : laquelle ?").set_value(pick).run()
    widget(at, "checkbox", "Je confirme l'effacement définitif").check()
    widget(at, "button", "Effacer").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("1 fiche contact effacée" in s.value for s in at.success)
    assert contacts.candidates(store, "Maëlle Kerjean-Tréhin")[0].startswith(
        "Maëlle Kerjean-Tréhin — « Ressourcerie du Lac »"
    )
