"""What an erasure reaches, and what it must leave alone (outside test "access3", D0, D0b, D1).

Two fictional territories share a common name: « Paul Martin » of the Ploërmel joinery and
« Paul Martin » of a Vitré ESAT are two people. A structure is named after someone
(« Ressourcerie Louise Michel Test ») while a Louise Michel works elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import write
from typer.testing import CliRunner

from traits import services
from traits.cli import app
from traits.errors import InvalidInputError, PermissionDeniedError
from traits.services import access, contacts, erasure, views
from traits.storage import Store, personal
from traits.storage import schema as t

PM_A = "p.martin@menuiserie.example.org"
PM_B = "paul.martin@hautpre.example.org"
LM = "l.michel@menuiserie.example.org"


def _territory(folder: Path, tid: str, name: str, orgs: str, contacts_: str, diags: str) -> Path:
    write(folder, "territories.csv", f"territory_id,name,communes\n{tid},{name},Ploërmel\n")
    write(folder, "organisations.csv", "org_id,name,kind,commune,postcode,territory\n" + orgs)
    write(folder, "contacts.csv", "contact_id,org_id,name,role,email,consent\n" + contacts_)
    write(folder, "diagnostics.csv", "diagnostic_id,org_id,date,notes\n" + diags)
    write(
        folder,
        "items.csv",
        "item_id,org_id,direction,category,title,description\n"
        + {
            "ploermel": "na,ra,need,equipment,Livres sur Louise Michel,Voir Mme Michel\n"
            "nb,ra,need,equipment,Étagères pour Mme Michel,Des étagères\n"
            "oa,ma,offer,equipment,Étagères en chêne,Étagères données\n",
            "vitre": "nv,ev,need,equipment,Camion,Demander à Paul Martin\n",
        }[tid],
    )
    return folder


@pytest.fixture
def two(backend_store: Store, tmp_path: Path) -> Store:
    a = _territory(
        tmp_path / "a",
        "ploermel",
        "Pays de Ploërmel test",
        "ma,Menuiserie du Lac,company,Ploërmel,56800,ploermel\n"
        "ra,Ressourcerie Louise Michel Test,ess,Ploërmel,56800,ploermel\n",
        f"cp03,ma,Paul Martin,gérant,{PM_A},oui\ncp09,ma,Louise Michel,comptable,{LM},oui\n",
        "dpa,ma,2025-03-09,Vu avec Paul Martin et Louise Michel.\n",
    )
    b = _territory(
        tmp_path / "b",
        "vitre",
        "Pays de Vitré test",
        "ev,ESAT du Haut-Pré,ess,Vitré,35500,vitre\n",
        f"cv_pm,ev,Paul Martin,directeur,{PM_B},oui\n",
        f"dpb,ev,2025-01-02,Paul Martin (directeur) ; copie à {PM_A}\n",
    )
    services.import_territory(backend_store, a)
    services.import_territory(backend_store, b)
    return backend_store


def _cell(store: Store, table: sa.Table, column: str, key: str) -> str:
    pk = next(iter(table.primary_key.columns))
    with store.reading() as conn:
        return conn.execute(sa.select(table.c[column]).where(pk == key)).scalar_one()


def test_a_homonym_in_another_territory_is_left_alone(two: Store):
    done = contacts.erase_person(two, PM_A)
    assert done["contacts"] == 1
    # the Vitré Paul Martin keeps his record, and the note naming him is untouched, except
    # the Ploërmel Paul Martin's e-mail, which identifies him wherever it is written
    assert _cell(two, t.contacts, "name", "cv_pm") == "Paul Martin"
    assert _cell(two, t.diagnostics, "notes", "dpb") == "Paul Martin (directeur) ; copie à " + (
        contacts.ERASED
    )
    assert _cell(two, t.items, "description", "nv") == "Demander à Paul Martin"
    assert _cell(two, t.diagnostics, "notes", "dpa") == (
        f"Vu avec {contacts.ERASED} et Louise Michel."
    )


def test_the_access_export_lists_no_one_else(two: Store):
    data = contacts.export_person(two, PM_A)
    assert [c["contact_id"] for c in data["contacts"]] == ["cp03"]
    # his notes in Ploërmel, and his e-mail written in Vitré; not the Vitré Paul Martin's record
    assert sorted((m["table"], m["id"]) for m in data["mentions"]) == [
        ("diagnostics", "dpa"),
        ("diagnostics", "dpb"),
    ]


def test_a_name_several_people_bear_is_asked_about_not_erased(two: Store):
    with pytest.raises(InvalidInputError) as refused:
        contacts.erase_person(two, "MARTIN Paul")
    message = str(refused.value)
    assert "plusieurs personnes" in message
    assert (
        "1. Paul Martin, gérant — « Menuiserie du Lac », territoire « Pays de Ploërmel test »"
        in (message)
    )
    assert (
        "2. Paul Martin, directeur — « ESAT du Haut-Pré », territoire « Pays de Vitré test »"
        in (message)
    )
    assert "cp03" not in message and "cv_pm" not in message and "ploermel" not in message
    assert services.stats(two)["contacts"] == 3  # nothing erased
    assert contacts.candidates(two, "paul martin")[1].startswith("Paul Martin, directeur")
    contacts.erase_person(two, "Paul Martin", choice=2)
    assert _cell(two, t.contacts, "name", "cp03") == "Paul Martin"
    with two.reading() as conn:
        assert (
            conn.execute(sa.select(t.contacts).where(t.contacts.c.contact_id == "cv_pm")).first()
            is None
        )
    assert _cell(two, t.items, "description", "nv") == f"Demander à {contacts.ERASED}"


def test_the_command_lists_the_people_and_takes_a_number(two: Store, monkeypatch, capsys):
    if two.engine.dialect.name != "sqlite":
        pytest.skip("the command line is exercised once, on the SQLite file")
    from traits import cli

    db = str(two.engine.url.database)
    monkeypatch.setattr("sys.argv", ["traits", "contact", "erase", "Paul Martin", "--db", db])
    with pytest.raises(SystemExit) as stop:
        cli.main()
    asked = capsys.readouterr().err
    assert stop.value.code != 0 and "1. Paul Martin, gérant — « Menuiserie du Lac »" in asked
    assert "2. Paul Martin, directeur — « ESAT du Haut-Pré »" in asked
    assert "--choix" in asked and "cp03" not in asked
    done = CliRunner().invoke(app, ["contact", "erase", "Paul Martin", "--choix", "1", "--db", db])
    assert done.exit_code == 0, done.output
    assert "  - Diagnostic de « Menuiserie du Lac » du 9 mars 2025 : notes" in done.output
    assert _cell(two, t.contacts, "name", "cv_pm") == "Paul Martin"


def test_names_of_structures_and_plain_names_in_titles_are_listed_never_rewritten(two: Store):
    done = contacts.erase_person(two, LM)
    assert _cell(two, t.organisations, "name", "ra") == "Ressourcerie Louise Michel Test"
    assert _cell(two, t.items, "title", "na") == "Livres sur Louise Michel"
    # a civility is a person's, in a title too; a description is masked in every form
    assert _cell(two, t.items, "title", "nb") == f"Étagères pour {contacts.ERASED}"
    assert _cell(two, t.items, "description", "na") == f"Voir {contacts.ERASED}"
    assert sorted(done["review"]) == [
        "Besoin « Livres sur Louise Michel » de « Ressourcerie Louise Michel Test » : titre",
        "Structure « Ressourcerie Louise Michel Test » : nom",
    ]
    assert sorted(done["masked"]) == [
        "Besoin « Livres sur Louise Michel » de « Ressourcerie Louise Michel Test » : description",
        # told by the title as the erasure leaves it, never quoting the person again
        "Besoin « Étagères pour [personne effacée] » de « Ressourcerie Louise Michel Test » : "
        "titre",
        "Diagnostic de « Menuiserie du Lac » du 9 mars 2025 : notes",
    ]


def test_every_text_column_is_classified():
    """A column added later must say whether an erasure masks, lists or ignores it."""
    classified = set(erasure.FIELDS) | erasure.IGNORED
    for table in t.metadata.sorted_tables:
        if table.name in erasure.UNTOUCHED:
            continue
        for column in personal.text_columns(table):
            assert (table.name, column.name) in classified, (table.name, column.name)


def test_a_facilitator_may_not_erase(two: Store):
    with access.signed_in(access.Principal("anim", access.Role.FACILITATOR, frozenset({"vitre"}))):
        with pytest.raises(PermissionDeniedError):
            contacts.candidates(two, PM_A)


def test_an_erasure_changes_what_the_app_keeps_fitted(two: Store):
    """The app keeps each territory's fitted matcher while this token holds (D1)."""
    before = views.data_token(two, "ploermel"), views.links_token(two, "ploermel")
    contacts.erase_person(two, LM)
    assert (views.data_token(two, "ploermel"), views.links_token(two, "ploermel")) != before


def test_an_erasure_empties_the_text_caches_and_the_stored_derivatives(two: Store):
    """Stems, evidence and vectors kept by text, and stored shortlists, held the old texts."""
    from traits.matching import textcache
    from traits.services import matching

    matching.match(two, territory_id="ploermel")  # stores the shortlists
    with two.reading() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.shortlists)).scalar()
    kept = [c for c in textcache._ALL if c._store]
    assert any("Mme Michel" in text for c in kept for text in c._store)
    contacts.erase_person(two, LM)
    assert not any(c._store for c in textcache._ALL)
    with two.reading() as conn:
        assert not conn.execute(sa.select(sa.func.count()).select_from(t.shortlists)).scalar()
    reasons = json.dumps(matching.match(two, territory_id="ploermel"), ensure_ascii=False)
    assert "michel" not in reasons.casefold().replace("livres sur louise michel", "")


def test_the_erasure_mark_is_not_a_word_the_matcher_reads():
    """Two texts that mentioned erased people share nothing because of it (D6)."""
    import pandas as pd

    from traits.matching.config import MatchConfig
    from traits.matching.pipeline import Matcher

    orgs = pd.DataFrame(
        [("r", "Recyclerie", "ess", 48.0, -2.0), ("s", "Scierie", "company", 48.0, -2.1)],
        columns=["org_id", "name", "kind", "lat", "lon"],
    )

    def ranked(mark: str) -> list[tuple[str, float, tuple[str, ...]]]:
        items = pd.DataFrame(
            [
                ("n", "r", "need", "equipment", "Chutes de bois", f"Pour l'atelier{mark}"),
                ("o", "s", "offer", "equipment", "Chutes de pin", f"Demandez{mark} au dépôt"),
                ("p", "s", "offer", "equipment", "Sciure", "Sacs de sciure"),
            ],
            columns=["item_id", "org_id", "direction", "category", "title", "description"],
        )
        matcher = Matcher(MatchConfig(use_semantic=False)).fit(orgs, items)
        return [(c.offer_id, round(c.score, 6), tuple(c.reasons)) for c in matcher.shortlist("n")]

    marked = ranked(" " + contacts.ERASED)
    assert marked == ranked("")
    assert "effac" not in json.dumps(marked, ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("A.-S. d'Arvor-Le Bihan", "[x]"),
        ("A.S. d'Arvor-Le Bihan", "[x]"),
        ("A-S d'Arvor-Le Bihan", "[x]"),
        ("Anne Sophie DArvor-Le Bihan", "[x]"),
        ("Mme d’Arvor Le Bihan", "[x]"),
        ("Anne-Sophie d'A.-Le Bihan", "[x]"),
        ("Le Bihan et Sophie", "Le Bihan et Sophie"),
        ("A.-S. Le Bihan", "A.-S. Le Bihan"),
        ("as de l'arvor", "as de l'arvor"),
    ],
)
def test_compound_first_names_and_particles(text: str, masked: str):
    from traits.mentions import PersonFinder

    finder = PersonFinder.for_people([("Anne-Sophie d'Arvor-Le Bihan", None, None)])
    assert finder.mask(text, "[x]") == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Maëlle K.-Tréhin", "[x]"),
        ("Mme K.-Tréhin", "[x]"),
        ("Maëlle Kerjean-T.", "[x]"),
        ("M. Kerjean Tréhin", "[x]"),
        ("K.-Tréhin", "K.-Tréhin"),
        ("Maëlle K.-T.", "Maëlle K.-T."),
        ("Tréhin", "Tréhin"),
    ],
)
def test_an_initial_in_a_compound_surname(text: str, masked: str):
    from traits.mentions import PersonFinder

    finder = PersonFinder.for_people([("Maëlle Kerjean-Tréhin", None, None)])
    assert finder.mask(text, "[x]") == masked
