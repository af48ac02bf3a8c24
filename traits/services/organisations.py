"""Organisation services: create or update an organisation met, list and describe them.

Also the helpers every form service shares: the French labels of the form's fields, fresh
ids, and field rules applied with located problems.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy.engine import Connection

from traits import headcount, rules
from traits.errors import InvalidInputError, Problem
from traits.fr import plural
from traits.model import Organisation
from traits.rules import fold
from traits.services import access
from traits.storage import Store
from traits.storage import organisations as stored
from traits.storage import repository as repo
from traits.storage import schema as t
from traits.storage.territories import territory_exists

#: French labels of the form's fields; a problem's ``column`` is one of them.
FIELDS = {
    "name": "nom de la structure",
    "kind": "type de structure",
    "territory_id": "territoire",
    "siret": "SIRET",
    "commune": "commune",
    "postcode": "code postal",
    "date": "date de l'entretien",
    "items": "besoins et offres",
    "title": "intitulé",
    "contact_name": "nom du contact",
    "email": "courriel",
    "phone": "téléphone",
    "legal_form": "forme juridique",
    "size": "effectif",
    "description": "description",
    "facilitator": "animateur ou animatrice",
    "practices": "pratiques existantes",
    "motivations": "motivations",
    "obstacles": "freins",
    "notes": "notes",
    "quantity": "quantité ou fréquence",
    "subcategory": "sous-catégorie",
    "role": "fonction",
    "consent_date": "date du consentement",
    "consent_source": "origine du consentement",
    "consent_scope": "portée du consentement",
}
T = TypeVar("T")


def new_id(prefix: str) -> str:
    """A fresh identifier: ``d_``, ``i_``, ``c_`` or ``o_`` followed by 10 hex digits."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def apply_rule(
    problems: list[Problem],
    rule: Callable[[str], T],
    value: str | None,
    column: str,
    file: str | None = None,
    row: int | None = None,
) -> T | None:
    """The field rule's clean value, or None and a problem (nothing when the field is empty)."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return rule(text)
    except rules.FieldError as exc:
        problems.append(Problem(exc.message, file=file, row=row, column=column))
        return None


def too_long(
    table: str, obj: object, file: str | None = None, row: int | None = None
) -> list[Problem]:
    """One problem per text field the database or a workbook cannot hold (too long, or with a
    control character): the rule of the import, :func:`traits.rules.text_problem`."""
    labels = {**FIELDS, "name": FIELDS["contact_name"]} if table == t.contacts.name else FIELDS
    return [
        Problem(why, file=file, row=row, column=labels.get(c, c))
        for c, why in rules.text_problems(table, repo.record(obj))
    ]


# -- organisations -------------------------------------------------------------------------------


def check_organisation(conn: Connection, org: Organisation) -> tuple[Organisation, list[Problem]]:
    """The organisation cleaned and geocoded, and the problems found (errors and warnings)."""
    problems: list[Problem] = []
    name = (org.name or "").strip()
    if not name:
        problems.append(Problem("le nom de la structure est obligatoire.", column=FIELDS["name"]))
    territory_known = territory_exists(conn, org.territory_id)
    if not territory_known:
        problems.append(
            Problem(
                f"territoire « {org.territory_id} » introuvable : choisissez-en un dans la liste.",
                column=FIELDS["territory_id"],
            )
        )
    if territory_known:
        access.require_write(org.territory_id)
        access.require_owned(conn, "organisation", [org.org_id], org.territory_id)
    siret = apply_rule(problems, rules.siret, org.siret, FIELDS["siret"])
    postcode = apply_rule(problems, rules.postcode, org.postcode, FIELDS["postcode"])
    size = apply_rule(problems, headcount.headcount, org.size, FIELDS["size"])
    if size is not None and size[1]:
        problems.append(Problem(size[1], column=FIELDS["size"], severity="warning"))
    if siret is not None:
        other = stored.siret_holder(conn, siret, org.org_id)
        if other is not None:
            problems.append(
                Problem(
                    f"ce SIRET est déjà celui de « {other.name} » : reprenez cette structure "
                    "plutôt que d'en créer une autre."
                    if access.may_read(other.territory_id)
                    else "ce SIRET est déjà celui d'une structure d'un autre territoire : "
                    "vérifiez-le (ou laissez-le vide).",
                    column=FIELDS["siret"],
                )
            )
    clean = dataclasses.replace(
        org,
        org_id=org.org_id or new_id("o"),
        name=name,
        siret=siret,
        commune=(org.commune or "").strip() or None,
        postcode=postcode[0] if postcode else None,
        size=size[0] if size else None,
    )
    problems += too_long(t.organisations.name, clean)
    if (clean.lat is None or clean.lon is None) and (clean.commune or clean.postcode):
        from traits.geo import default_gazetteer

        gazetteer = default_gazetteer()
        place = gazetteer.resolve(clean.commune, clean.postcode)
        if place is None:
            problems.append(
                Problem(
                    gazetteer.unknown_message(clean.commune or clean.postcode or "")
                    + " La structure n'apparaîtra pas sur les cartes.",
                    column=FIELDS["commune"],
                    severity="warning",
                )
            )
        else:
            clean = dataclasses.replace(
                clean, lat=place.lat, lon=place.lon, postcode=clean.postcode or place.postcode
            )
    return clean, problems


def write_organisation(conn: Connection, org: Organisation) -> None:
    repo.upsert(conn, t.organisations, [repo.record(org)])


def raise_errors(problems: list[Problem], what: str) -> None:
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        n = len(errors)
        raise InvalidInputError(
            problems,
            summary=f"{what} non enregistré : "
            f"{plural(n, 'problème à corriger', 'problèmes à corriger')}.",
        )


def save_organisation(store: Store, org: Organisation) -> Organisation:
    """Create or update an organisation (id made when empty, geocoded from commune/postcode).

    Raises
    ------
    InvalidInputError
        Missing name, unknown territory, invalid or already used SIRET (``column`` names the field).
    """
    with store.transaction() as conn:
        clean, problems = check_organisation(conn, org)
        raise_errors(problems, "Structure")
        write_organisation(conn, clean)
    return clean


def list_organisations(store: Store, territory_id: str | None = None) -> list[Organisation]:
    """Organisations of a territory (or all), by name."""
    access.require_read(territory_id)
    with store.reading() as conn:
        orgs = repo.read_organisations(conn, territory_id)
    return sorted(orgs, key=lambda o: fold(o.name))


def describe_items(store: Store, item_ids: list[str]) -> dict[str, dict[str, object]]:
    """Title, category, organisation (id, name, kind, commune, lat, lon) of each item asked for."""
    if not item_ids:
        return {}
    allowed = access.readable_territories()
    with store.reading() as conn:
        return stored.item_details(conn, item_ids, allowed)


def display_names(
    store: Store, ids: Iterable[str], territory_id: str | None = None
) -> dict[str, str]:
    """What people read for these ids: organisations' names, needs' and offers' titles (of
    ``territory_id`` only, if given; ids of nothing readable are left out)."""
    access.require_read(territory_id)
    wanted = {i for i in ids if i}
    with store.reading() as conn:
        return {
            **stored.organisation_names(conn, wanted, territory_id),
            **stored.item_titles(conn, wanted, territory_id),
        }
