"""Erasure and export find a person in every free-text field of every table (issue 11, item 16).

The person is fictional. Each mention is written in a different form than the stored contact
(case, accents, civility, order, phone spacing), in tables the old hand-made list missed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import write

from traits import services
from traits.mentions import PersonFinder
from traits.services import contacts
from traits.services import partnerships as ps
from traits.storage import Store
from traits.storage import schema as t

EMAIL = "m.quemener@asso.example.org"
PHONE = "06 71 42 18 09"
#: (table, key column, key, column, text mentioning Maëlle Quéméner in some form)
MENTIONS = [
    ("items", "item_id", "n1", "title", "Camion pour MME MAELLE QUEMENER"),
    ("items", "item_id", "o1", "description", "Appeler le +33 (0)6.71.42.18.09 le soir"),
    ("diagnostics", "diagnostic_id", "d1", "notes", "Vu avec Mme Quemener, très motivée"),
    ("territories", "territory_id", "defaut", "facilitator", "quéméner maëlle"),
    ("organisations", "org_id", "a", "description", f"Écrire à {EMAIL.upper()}."),
    ("contacts", "contact_id", "c2", "role", "Remplace M. Quéméner pendant l'été"),
    ("partnerships", "partnership_id", None, "notes", "Idée de Maëlle-Quéméner ; tél 0671421809"),
]
UNRELATED = "Un petit camion, le moine et la quemenerie restent tels quels."


@pytest.fixture
def person(backend_store: Store, small: Path) -> Store:
    write(
        small,
        "contacts.csv",
        "contact_id,org_id,name,email,phone,consent,consent_date\n"
        f"c1,a,Maëlle Quéméner,{EMAIL},{PHONE},oui,2020-01-10\n"
        "c2,b,Marc Petit,m.petit@morin.example.org,,oui,2024-05-02\n",
    )
    write(small, "diagnostics.csv", "diagnostic_id,org_id,date,notes\nd1,a,2020-01-10,x\n")
    services.import_territory(backend_store, small)
    part = ps.propose(backend_store, "n1", "o1", author="M. QUÉMÉNER", note=UNRELATED)
    with backend_store.transaction() as conn:
        for table, key, value, column, text in MENTIONS:
            tab = t.metadata.tables[table]
            conn.execute(
                tab.update()
                .where(tab.c[key] == (value or part.partnership_id))
                .values({column: text})
            )
        conn.execute(
            t.settings.insert(),
            {"scope": "defaut", "key": "note", "value": {"contacts": ["Quéméner Maëlle"]}},
        )
    return backend_store


def test_export_finds_every_form_in_every_table(person: Store):
    found = {(m["table"], m["column"]) for m in contacts.export_person(person, EMAIL)["mentions"]}
    expected = {(table, column) for table, _, _, column, _ in MENTIONS}
    assert expected | {("partnership_events", "author"), ("settings", "value")} == found


def _all_text(store: Store) -> str:
    with store.reading() as conn:
        return "\n".join(
            repr(list(row))
            for table in t.metadata.sorted_tables
            for row in conn.execute(sa.select(table))
        )


def test_erase_masks_every_form_and_keeps_unrelated_text(person: Store):
    done = contacts.erase_person(person, EMAIL)
    assert (done["contacts"], len(done["masked"]), done["review"], done["kept"]) == (
        1,
        len(MENTIONS) + 2,
        [],
        0,
    )
    text = _all_text(person)
    folded = text.replace(UNRELATED, "").casefold()
    for trace in ("quemener", "quéméner", "maëlle", "maelle", "m.quemener", "71.42", "0671421809"):
        assert trace not in folded
    assert UNRELATED in text  # "petit", "moine", "quemenerie" untouched
    assert "Camion pour [personne effacée]" in text
    assert "Appeler le [personne effacée] le soir" in text
    assert "Remplace [personne effacée] pendant l'été" in text
    assert len(ps.list_partnerships(person)) == 1


def test_a_surname_that_is_a_common_word_needs_a_first_name_or_civility(person: Store):
    contacts.erase_person(person, "m.petit@morin.example.org")
    with person.reading() as conn:
        notes = conn.scalar(sa.select(t.partnership_events.c.note))
    assert notes == UNRELATED


def test_the_erased_bytes_leave_the_sqlite_file(tmp_path: Path, small: Path):
    store = Store(tmp_path / "base.sqlite")
    write(
        small,
        "contacts.csv",
        f"contact_id,org_id,name,email,phone,consent\nmaelle-q,a,Maëlle Quéméner,{EMAIL},"
        f"{PHONE},oui\n",
    )
    write(small, "diagnostics.csv", "diagnostic_id,org_id,date,notes\nd1,a,2020-01-10,x\n")
    services.import_territory(store, small)
    with store.transaction() as conn:
        conn.execute(t.diagnostics.update().values(notes="Rencontre avec Mme Quéméner"))
    contacts.erase_person(store, EMAIL)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("base.sqlite*"))
    for trace in ("Quéméner", "Maëlle", EMAIL, PHONE, "maelle-q"):
        assert trace.encode() not in raw, trace
    assert (
        not (tmp_path / "base.sqlite-wal").exists()
        or not (tmp_path / "base.sqlite-wal").stat().st_size
    )


def test_a_mention_left_in_the_append_only_log_is_reported(person: Store):
    from traits.storage.audit import acting_as

    with acting_as("Maëlle Quéméner"), person.transaction() as conn:
        conn.execute(t.items.update().where(t.items.c.item_id == "n1").values(quantity="2"))
    assert contacts.erase_person(person, EMAIL)["kept"] == 1


def test_purge_masks_mentions_too(person: Store):
    contacts.purge(person, contacts.parse_age("1d"), today=dt.date(2030, 1, 1))
    assert "quemener" not in _all_text(person).replace(UNRELATED, "").casefold()


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("HÉLÈNE LE GOFF-RIOU", "[x]"),
        ("helene le goff riou", "[x]"),
        ("Le Goff-Riou, Hélène", "[x]"),
        ("Madame Le Goff-Riou", "[x]"),
        ("Mme. Hélène Le Goff-Riou", "[x]"),
        ("H. Le Goff-Riou", "[x]"),
        ("h.legoffriou@ex.example.org.", "[x]."),
        ("0033 2 99 00 11 22", "[x]"),
        ("02-99-00-11-22", "[x]"),
        ("Riou et Hélène", "Riou et Hélène"),
        ("le goff riou", "le goff riou"),
        ("Hélène", "Hélène"),
        ("029900112233", "029900112233"),
    ],
)
def test_person_finder_forms(text: str, masked: str):
    finder = PersonFinder.for_people(
        [("Hélène Le Goff-Riou", "H.LeGoffRiou@ex.example.org", "+33 2 99 00 11 22")]
    )
    assert finder.mask(text, "[x]") == masked
    assert re.sub(r"\[x\]", "", finder.mask(f"avant {text} après", "[x]")).startswith("avant ")
