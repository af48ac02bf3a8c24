"""The answer to a right-of-access request the app hands out (issue 16 §4, issue 7): French,
readable by the person, with no internal identifier, English key, table or column name,
`true` or ISO date; the CLI keeps the machine JSON."""

from __future__ import annotations

import re

from traits import services
from traits.services import contacts, partnerships
from traits.services.person_document import person_document
from traits.storage import Store
from traits.storage import schema as t


def test_the_access_document_is_french_and_without_codes(store: Store):
    services.load_demo(store)
    with store.reading() as conn:
        person = conn.execute(
            t.contacts.select().where(t.contacts.c.email.is_not(None)).limit(1)
        ).first()
    part = partnerships.list_partnerships(store, territory_id="vitre")[0]
    partnerships.update_details(store, part.partnership_id, notes=f"Rappeler {person.name}")
    exported = contacts.export_person(store, person.email)
    assert exported["contacts"][0]["contact_id"] == person.contact_id  # the CLI's JSON, as is

    document = person_document(exported)
    assert person.name in document and person.email in document
    assert f"Rappeler {person.name}" in document
    assert re.search(r"\nPartenariat « [^\n]+ » : notes :\n", document)
    assert re.search(r"Consentement : (oui|non)\n", document)
    codes = [
        person.contact_id,
        person.org_id,
        part.partnership_id,
        "partnerships",
        "consent",
        "contact_id",
        "True",
        "true",
        "None",
    ]
    assert not [c for c in codes if re.search(rf"\b{re.escape(c)}\b", document)]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", document)  # dates in words
    assert re.search(r"Extraites le \d{1,2}(er)? \w+ 20\d\d à \d\d h \d\d\.", document)
