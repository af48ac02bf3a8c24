"""Diagnostic and territory services: drafts, complete interviews, conflicts, search, delete."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from traits import services
from traits.errors import ConflictError, InvalidInputError, NotFoundError
from traits.model import (
    Category,
    Contact,
    Diagnostic,
    DiagnosticStatus,
    Direction,
    Item,
    Organisation,
    OrgKind,
)
from traits.services import diagnostics as ds
from traits.services import partnerships as ps
from traits.services import reports, views
from traits.services import territories as ts
from traits.storage import Store

DAY = dt.date(2024, 3, 15)


@pytest.fixture
def territory(store: Store) -> str:
    return ts.create_territory(
        store, None, "Pays de Vitré", ["Vitré", "vitre", " "], "Solène"
    ).territory_id


def org(territory: str, name: str = "Recyclerie du Bocage", **kw) -> Organisation:
    return Organisation("", name, kw.pop("kind", OrgKind.ESS), territory, **kw)


def need(title: str = "Camion pour les collectes", **kw) -> Item:
    return Item("", "", Direction.NEED, kw.pop("category", Category.EQUIPMENT), title, **kw)


def offer(title: str = "Prêt d'un fourgon 12 m3", **kw) -> Item:
    return Item("", "", Direction.OFFER, kw.pop("category", Category.EQUIPMENT), title, **kw)


def draft(**kw) -> Diagnostic:
    return Diagnostic("", "", kw.pop("date", DAY), status=kw.pop("status", "draft"), **kw)


# -- territories ---------------------------------------------------------------------------------


def test_territory_gets_a_slug_and_clean_communes(store: Store, territory: str):
    assert territory == "pays-de-vitre"
    made = ts.get_territory(store, territory)
    assert made.communes == ["Vitré"] and made.facilitator == "Solène"


def test_duplicate_territory_is_refused_in_french(store: Store, territory: str):
    with pytest.raises(InvalidInputError) as err:
        ts.create_territory(store, None, "pays de VITRÉ", [], None)
    # no identifier typed (the app has none): the problem is the name's, said in words
    assert "trop proche" in str(err.value) and "Pays de Vitré" in str(err.value)
    assert err.value.problems[0].column == ts.TERRITORY_FIELDS["name"]
    with pytest.raises(InvalidInputError) as err:
        ts.create_territory(store, "autre-id", "Pays de Vitre", [], None)
    assert err.value.problems[0].column == ts.TERRITORY_FIELDS["name"]
    with pytest.raises(InvalidInputError, match="obligatoire"):
        ts.create_territory(store, None, "  ", [], None)
    assert [t.territory_id for t in ts.list_territories(store)] == ["pays-de-vitre"]


def test_unknown_territory_is_a_french_not_found(store: Store):
    with pytest.raises(NotFoundError, match="introuvable"):
        ts.get_territory(store, "nulle-part")


def test_checklist_follows_the_first_steps(store: Store, territory: str):
    assert [done for _, done in ts.onboarding_checklist(store, territory)] == [False] * 4
    a = ds.save_diagnostic(
        store, draft(status="complete"), [need()], [], organisation=org(territory)
    )
    b = ds.save_diagnostic(
        store,
        draft(status="complete"),
        [offer()],
        [],
        organisation=org(territory, "Transports Morin", kind=OrgKind.COMPANY),
    )
    steps = ts.onboarding_checklist(store, territory, min_items=1)
    assert [done for _, done in steps] == [True, True, False, False]
    assert "1 besoin et 1 offre" in steps[1][0]
    assert "5 besoins et 5 offres" in ts.onboarding_checklist(store, territory)[1][0]
    ts.record_milestone(store, territory, ts.PISTES_SEEN)
    ts.record_milestone(store, territory, ts.PISTES_SEEN)  # idempotent
    assert ts.onboarding_checklist(store, territory, min_items=1)[2][1]
    ps.propose(store, a.items[0].item_id, b.items[0].item_id)
    assert all(done for _, done in ts.onboarding_checklist(store, territory, min_items=1))


# -- diagnostics --------------------------------------------------------------------------------


def test_draft_may_be_partial_and_gets_ids_and_coordinates(store: Store, territory: str):
    saved = ds.save_diagnostic(
        store, draft(date=None), [], [], organisation=org(territory, commune="Vitré")
    )
    assert saved.diagnostic.status is DiagnosticStatus.DRAFT
    assert (
        saved.diagnostic.diagnostic_id.startswith("d_")
        and len(saved.diagnostic.diagnostic_id) == 12
    )
    assert saved.organisation.org_id.startswith("o_")
    assert saved.diagnostic.date == dt.date.today()
    assert saved.organisation.lat == pytest.approx(48.12, abs=0.05)
    assert saved.organisation.postcode == "35500"
    assert saved.version == 1


def test_complete_needs_organisation_date_and_an_item(store: Store, territory: str):
    with pytest.raises(InvalidInputError) as err:
        ds.save_diagnostic(store, draft(date=None, status="complete"), [need("")], [])
    columns = {p.column for p in err.value.problems}
    assert {ds.FIELDS["name"], ds.FIELDS["date"], ds.FIELDS["items"]} <= columns
    assert "brouillon" in str(err.value)
    assert services.stats(store, territory)["diagnostics"] == 0


def test_problems_name_field_and_line_and_nothing_is_written(store: Store, territory: str):
    bad = org(territory, siret="12345678200011")
    items = [need(), Item("", "", Direction.OFFER, Category.SKILLS, "", description="sans titre")]
    contacts = [Contact("", "", "", True, email="pas-un-courriel")]
    with pytest.raises(InvalidInputError) as err:
        ds.save_diagnostic(store, draft(status="complete"), items, contacts, organisation=bad)
    found = {(p.file, p.row, p.column) for p in err.value.problems}
    assert (None, None, "SIRET") in found
    assert ("offres", 1, ds.FIELDS["title"]) in found
    assert ("contacts", 1, ds.FIELDS["contact_name"]) in found
    assert ("contacts", 1, ds.FIELDS["email"]) in found
    assert "clé de contrôle" in str(err.value)
    counts = services.stats(store, territory)
    assert counts["organisations"] == counts["diagnostics"] == counts["needs"] == 0


def test_siret_already_used_is_refused(store: Store, territory: str):
    ds.save_organisation(store, org(territory, siret="123 456 782 00010"))
    with pytest.raises(InvalidInputError, match="déjà celui de « Recyclerie du Bocage »"):
        ds.save_organisation(store, org(territory, "Autre", siret="12345678200010"))


def test_unknown_commune_is_a_warning_not_an_error(store: Store, territory: str):
    saved = ds.save_diagnostic(
        store, draft(), [], [], organisation=org(territory, commune="Fougere")
    )
    assert saved.organisation.lat is None
    assert saved.warnings and "Fougères" in saved.warnings[0].message


def test_resume_a_draft_then_complete_it_with_consent(store: Store, territory: str):
    first = ds.save_diagnostic(store, draft(), [need()], [], organisation=org(territory))
    again = ds.get_diagnostic(store, first.diagnostic.diagnostic_id)
    assert [i.title for i in again.needs] == ["Camion pour les collectes"]
    diag = again.diagnostic
    diag.status, diag.motivations = DiagnosticStatus.COMPLETE, "Ouvrir l'atelier aux entreprises"
    contact = Contact("", "", "Jeanne Morel", True, email="jeanne@example.org")
    done = ds.save_diagnostic(
        store, diag, [*again.items, offer()], [contact], expected_version=again.version
    )
    assert done.version == 2 and done.diagnostic.status is DiagnosticStatus.COMPLETE
    assert [i.direction for i in done.items] == [Direction.NEED, Direction.OFFER] or len(
        done.items
    ) == 2
    assert done.needs[0].item_id == again.needs[0].item_id  # same need, not a copy
    (c,) = done.contacts
    assert c.contact_id.startswith("c_") and c.consent and c.consent_date == dt.date.today()
    assert all(i.item_id.startswith("i_") for i in done.items)
    # removing a need from the form deletes it
    shorter = ds.save_diagnostic(store, done.diagnostic, done.offers, None, expected_version=2)
    assert not shorter.needs and len(shorter.contacts) == 1


def test_concurrent_save_is_refused_with_reload_message(store: Store, territory: str):
    first = ds.save_diagnostic(store, draft(), [need()], [], organisation=org(territory))
    ds.save_diagnostic(store, first.diagnostic, first.items, [], expected_version=1)
    with pytest.raises(ConflictError, match="rechargez"):
        ds.save_diagnostic(store, first.diagnostic, [], [], expected_version=1)
    assert len(ds.get_diagnostic(store, first.diagnostic.diagnostic_id).items) == 1


def test_list_and_search_ignore_case_and_accents(store: Store, territory: str):
    ds.save_diagnostic(store, draft(), [need("Salle de réunion")], [], organisation=org(territory))
    ds.save_diagnostic(
        store,
        draft(date=DAY + dt.timedelta(days=1)),
        [offer()],
        [],
        organisation=org(territory, "Transports Morin", kind=OrgKind.COMPANY),
    )
    listed = ds.list_diagnostics(store, territory)
    assert [s.org_name for s in listed] == ["Transports Morin", "Recyclerie du Bocage"]
    assert [s.org_name for s in ds.list_diagnostics(store, territory, "REUNION")] == [
        "Recyclerie du Bocage"
    ]
    assert [s.org_name for s in ds.list_diagnostics(store, territory, "morin fourgon")] == [
        "Transports Morin"
    ]
    assert listed[1].describe() == "Recyclerie du Bocage — 1 besoin, 0 offre (brouillon)"


def test_delete_removes_the_diagnostic_and_its_items_only(store: Store, territory: str):
    saved = ds.save_diagnostic(
        store,
        draft(),
        [need(), need("Bénévoles")],
        [Contact("", "", "Jo", False)],
        organisation=org(territory),
    )
    assert ds.delete_diagnostic(store, saved.diagnostic.diagnostic_id) == 2
    counts = services.stats(store, territory)
    assert (
        counts["diagnostics"],
        counts["needs"],
        counts["organisations"],
        counts["contacts"],
    ) == (
        0,
        0,
        1,
        1,
    )
    with pytest.raises(NotFoundError, match="supprimé"):
        ds.delete_diagnostic(store, saved.diagnostic.diagnostic_id)


def test_suggest_subcategories_from_a_title(store: Store, territory: str):
    found = ds.suggest_subcategories(store, "prêt d'un camion", "equipment", territory)
    assert found and found[0][0].code == "vehicles"
    assert ds.suggest_subcategories(store, "ca") == []


# -- territory views ---------------------------------------------------------------------------


def test_board_gives_names_versions_and_moves(store: Store, territory: str):
    a = ds.save_diagnostic(
        store, draft(), [need()], [], organisation=org(territory, commune="Vitré")
    )
    b = ds.save_diagnostic(
        store,
        draft(),
        [offer()],
        [],
        organisation=org(territory, "Morin", kind=OrgKind.COMPANY, commune="Fougères"),
    )
    part = ps.propose(store, a.items[0].item_id, b.items[0].item_id)
    token = views.data_token(store, territory)
    (card,) = views.partnership_board(store, territory)["proposed"]
    assert (card.org_a_name, card.org_b_name, card.version) == ("Recyclerie du Bocage", "Morin", 1)
    assert card.need_title == "Camion pour les collectes" and card.moves[0] == "introduced"
    ps.change_status(store, part.partnership_id, "realised", expected_version=card.version)
    with pytest.raises(ConflictError, match="rechargez"):
        ps.change_status(
            store, part.partnership_id, "abandoned", reason="x", expected_version=card.version
        )
    assert views.data_token(store, territory) != token  # a realised pair is learnt from
    dot, nodes, edges = views.network_view(store, territory)
    assert "Recyclerie du Bocage" in dot and "#2e7d32" in dot and len(edges) == 1


def test_exports(store: Store, territory: str, tmp_path: Path):
    ds.save_diagnostic(store, draft(), [need()], [], organisation=org(territory))
    archive = ts.export_database(store, tmp_path / "base.zip")
    assert "organisations.csv" in zipfile.ZipFile(archive).namelist()
    assert ts.export_database(store, tmp_path / "base.xlsx", territory).stat().st_size > 0
    with pytest.raises(InvalidInputError, match="format"):
        ts.export_database(store, tmp_path / "base.txt")
    report = services_report(store, territory)
    book = reports.write_report(report, "xlsx", tmp_path / "bilan.xlsx")
    assert "Chiffres clés" in openpyxl.load_workbook(book).sheetnames


def services_report(store: Store, territory: str):
    from traits.services import reports

    return reports.build_report(store, territory)


# -- the interview form: every problem at once -----------------------------------------------------


def test_an_unreadable_date_is_said_with_every_other_problem_of_the_form(
    store: Store, territory: str
):
    """The form's own problems (a date it cannot read) come in the same refusal as the save's
    field rules, and no second « date obligatoire » for the same field."""
    from traits.services import interview

    values = {
        "name": "Atelier Test",
        "siret": "12345 ABC",
        "postcode": "56A00",
        "date": "31/02/2025",
        "items": [],
        "contacts": [
            {
                "contact_id": "",
                "org_id": "",
                "name": "Camille Test",
                "email": "x@",
                "consent": False,
            }
        ],
    }
    *records, found = interview.form_records(values, territory, "complete")
    org_, diag, items, contacts = records
    with pytest.raises(InvalidInputError) as refused:
        ds.save_diagnostic(store, diag, items, contacts, organisation=org_, problems=found)
    columns = [p.column for p in refused.value.problems]
    assert columns.count(ds.FIELDS["date"]) == 1
    assert {ds.FIELDS[f] for f in ("siret", "postcode", "date", "items", "email")} <= set(columns)
    assert "5 problèmes" in refused.value.summary
    assert not ds.list_organisations(store, territory)


def test_a_contact_is_checked_by_the_save_s_field_rules_when_added():
    from traits.services import interview

    typed = {"name": "Camille Test", "email": "pas-un-courriel", "phone": "abc"}
    with pytest.raises(InvalidInputError) as refused:
        interview.new_contact(typed, None, "04/02/2025")
    assert [p.column for p in refused.value.problems] == [ds.FIELDS["email"], ds.FIELDS["phone"]]
    assert "Courriel : adresse « pas-un-courriel »" in refused.value.summary
    assert "Téléphone : numéro de téléphone « abc »" in refused.value.summary
    kept = interview.new_contact({**typed, "email": " a@b.fr", "phone": "0299123456"}, None, "")
    assert (kept["email"], kept["phone"]) == (" a@b.fr", "0299123456")  # kept as typed


def test_the_next_step_counts_the_structures_of_a_mutualisation():
    from traits.model import Partnership, PartnershipMember, PartnershipStatus

    members = [PartnershipMember("p", org, f"n_{org}") for org in "abcdef"]
    pooled = Partnership("p", "a", "b", PartnershipStatus.PROPOSED, members=members)
    assert views.next_step(pooled) == "présenter la piste aux 6 structures (mise en lien)"
    pooled.status = PartnershipStatus.INTRODUCED
    assert views.next_step(pooled).startswith("relancer les 6 structures")
    pair = Partnership("q", "a", "b", PartnershipStatus.PROPOSED)
    assert views.next_step(pair) == "présenter la piste aux deux structures (mise en lien)"
