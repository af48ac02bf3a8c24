"""The funder report: counts and period rules, French sentences, value estimates, exports."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from traits import report as r
from traits.errors import InvalidInputError
from traits.interchange.validate import Parsed
from traits.model import (
    Category,
    Diagnostic,
    Direction,
    Item,
    Organisation,
    OrgKind,
    Partnership,
    PartnershipMode,
    PartnershipStatus,
    StatusChange,
    Territory,
)
from traits.services import reports as services
from traits.storage import Store
from traits.storage import repository as repo

SEED = 1789
S = PartnershipStatus
NBSP = "\u00a0"
THIN = "\u202f"
SCRIPT = "<script>alert('x')</script>"


def _partnership(pid, a, b, steps, **kwargs) -> Partnership:
    history, previous = [], None
    for status, day in steps:
        history.append(StatusChange(pid, dt.datetime.combine(day, dt.time(10)), status, previous))
        previous = status
    return Partnership(pid, a, b, steps[-1][0], created=steps[0][1], history=history, **kwargs)


def world(malicious: bool = False) -> Parsed:
    """One territory of six organisations (and one partner outside it), a year of activity."""
    d = dt.date
    orgs = [
        Organisation("esat", "ESAT Les Ateliers du Rocher", OrgKind.ESS, "t1", "ESAT"),
        Organisation("ea", "Les Mains Agiles", OrgKind.ESS, "t1", "EA"),
        Organisation(
            "asso",
            SCRIPT if malicious else "Recyclerie du Bocage",
            OrgKind.ESS,
            "t1",
            "association",
        ),
        Organisation("morin", "Transports Morin", OrgKind.COMPANY, "t1", "SAS"),
        Organisation("banque", "Banque du Coin", OrgKind.COMPANY, "t1", "SA"),
        Organisation("mairie", "Mairie d'Izé", OrgKind.PUBLIC, "t1", "commune"),
        Organisation("loin", "Octet Informatique", OrgKind.COMPANY, "t2", "SARL"),
    ]
    items = [
        Item("n1", "morin", Direction.NEED, Category.PURCHASING, "Entretien des abords"),
        Item("o1", "esat", Direction.OFFER, Category.PURCHASING, "Entretien des espaces verts"),
        Item(
            "n2",
            "asso",
            Direction.NEED,
            Category.SKILLS,
            "Aide à la comptabilité",
            diagnostic_id="d2",
        ),
        Item("o2", "banque", Direction.OFFER, Category.SKILLS, "Comptables bénévoles"),
        Item(
            "n3",
            "asso",
            Direction.NEED,
            Category.FUNDING,
            "Soutien au festival",
            diagnostic_id="d2",
        ),
        Item("o3", "banque", Direction.OFFER, Category.FUNDING, "Fondation d'entreprise"),
        Item("n4", "morin", Direction.NEED, Category.PURCHASING, "Ensachage"),
        Item("o4", "ea", Direction.OFFER, Category.PURCHASING, "Conditionnement"),
        Item("n5", "mairie", Direction.NEED, Category.PREMISES, "Salle", diagnostic_id="d3"),
        Item("o5", "loin", Direction.OFFER, Category.EQUIPMENT, "Ordinateurs"),
    ]
    diagnostics = [
        Diagnostic("d1", "esat", d(2021, 11, 20)),
        Diagnostic("d2", "asso", d(2022, 1, 12)),
        Diagnostic("d3", "mairie", d(2022, 3, 3)),
        Diagnostic("d4", "loin", d(2022, 3, 3)),  # outside the territory
    ]
    partnerships = [
        _partnership(
            "p1",
            "morin",
            "esat",
            [
                (S.PROPOSED, d(2022, 2, 1)),
                (S.IN_DISCUSSION, d(2022, 4, 1)),
                (S.REALISED, d(2022, 6, 15)),
            ],
            need_id="n1",
            offer_id="o1",
            mode=PartnershipMode.RESPONSIBLE_PRACTICES,
            categories=[Category.PURCHASING],
            value_euros=10_000.0,
        ),
        _partnership(
            "p2",
            "asso",
            "banque",
            [(S.PROPOSED, d(2022, 1, 20)), (S.REALISED, d(2022, 3, 1))],
            need_id="n2",
            offer_id="o2",
            mode=PartnershipMode.PHILANTHROPY,
            categories=[Category.SKILLS],
            value_hours=40.0,
        ),
        _partnership(
            "p3",
            "asso",
            "banque",
            [(S.PROPOSED, d(2021, 10, 1)), (S.REALISED, d(2021, 12, 1))],
            need_id="n3",
            offer_id="o3",
            mode=PartnershipMode.PHILANTHROPY,
            categories=[Category.FUNDING],
            value_euros=2_500.0,
        ),
        _partnership(
            "p4",
            "morin",
            "ea",
            [(S.PROPOSED, d(2022, 9, 1)), (S.INTRODUCED, d(2022, 10, 1))],
            need_id="n4",
            offer_id="o4",
        ),
        _partnership(
            "p5",
            "mairie",
            "loin",
            [(S.PROPOSED, d(2022, 3, 10)), (S.ABANDONED, d(2022, 5, 1))],
            need_id="n5",
            offer_id="o5",
            abandon_reason="plus besoin",
        ),
        _partnership("p6", "asso", "morin", [(S.PROPOSED, d(2023, 2, 1))]),
    ]
    return Parsed(
        territories=[Territory("t1", "Pays de Test"), Territory("t2", "Ailleurs")],
        organisations=orgs,
        diagnostics=diagnostics,
        items=items,
        partnerships=partnerships,
    )


def test_counts_without_a_period_cover_all_the_territory():
    rep = r.build_report(world(), territory="t1")
    assert (rep.organisations, rep.diagnostics, rep.needs, rep.offers) == (6, 3, 5, 4)
    assert rep.partnerships == {
        "proposed": 1,
        "introduced": 1,
        "in_discussion": 0,
        "realised": 3,
        "abandoned": 1,
    }
    assert rep.emerging == 2 and rep.realised_count == 3
    assert rep.territory_name == "Pays de Test"
    assert rep.headline() == (
        "6 structures rencontrées, 3 rendez-vous diagnostics, 3 partenariats concrétisés, "
        "2 pistes naissantes."
    )


def test_a_period_counts_what_happened_in_it_and_the_pistes_open_at_its_end():
    rep = r.build_report(
        world(), territory="t1", start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)
    )
    # d1 was in 2021; p3 realised in 2021 is left out; p6 did not exist yet.
    assert rep.diagnostics == 2
    assert rep.partnerships == {
        "proposed": 0,
        "introduced": 1,
        "in_discussion": 0,
        "realised": 2,
        "abandoned": 1,
    }
    # asso, mairie (diagnostics); morin, esat, banque, ea (partnership steps in 2022).
    assert rep.organisations == 6
    assert (rep.needs, rep.offers) == (5, 4)
    first_half = r.build_report(
        world(), territory="t1", start=dt.date(2022, 1, 1), end=dt.date(2022, 5, 31)
    )
    # p1 was in discussion on 31 May; p2 realised in March; p5 abandoned in May.
    assert first_half.partnerships == {
        "proposed": 0,
        "introduced": 0,
        "in_discussion": 1,
        "realised": 1,
        "abandoned": 1,
    }
    assert first_half.headline() == (
        "6 structures rencontrées, 2 rendez-vous diagnostics, 1 partenariat concrétisé, "
        "1 piste naissante."
    )
    # The EA had no dated activity yet, but its offer o4, recorded outside any diagnostic, has
    # no date: it counts in every period.
    assert first_half.organisations == 6
    assert (first_half.needs, first_half.offers) == (5, 4)
    autumn = r.build_report(
        world(), territory="t1", start=dt.date(2022, 11, 1), end=dt.date(2022, 12, 31)
    )
    # Morin, ESAT, Banque, EA: undated items; asso, mairie: their items are dated by diagnostics.
    assert (autumn.organisations, autumn.diagnostics, autumn.needs, autumn.offers) == (4, 0, 2, 4)
    assert autumn.partnerships == {
        "proposed": 0,
        "introduced": 1,
        "in_discussion": 0,
        "realised": 0,
        "abandoned": 0,
    }


def test_indicators():
    rep = r.build_report(world(), territory="t1")
    assert rep.conversion == {
        "among_decided": pytest.approx(3 / 4),
        "among_all": pytest.approx(3 / 6),
    }
    # p1: 134 days, p2: 40 days, p3: 61 days.
    assert rep.median_days_to_realise == 61
    assert rep.ess_company_share == 1.0
    assert rep.realised_by_mode == {
        "philanthropy": 2,
        "responsible_practices": 1,
        "economic_cooperation": 0,
        "societal_innovation": 0,
    }
    assert rep.realised_by_category["funding"] == 1 and rep.realised_by_category["skills"] == 1
    assert rep.items_by_category["needs"]["purchasing"] == 2
    assert rep.items_by_category["offers"]["equipment"] == 0  # o5 is outside the territory
    assert set(rep.items_by_category["needs"]) == {c.value for c in Category}


def test_one_french_sentence_per_realised_partnership():
    rep = r.build_report(world(), territory="t1")
    assert rep.realised == [
        "La Banque du Coin soutient financièrement la Recyclerie du Bocage : « Fondation "
        f"d'entreprise » (mécénat, 2{THIN}500{NBSP}€, décembre 2021).",
        "La Banque du Coin apporte ses compétences à la Recyclerie du Bocage : « Comptables "
        "bénévoles » (mécénat, 40 heures, mars 2022).",
        "L'ESAT Les Ateliers du Rocher assure « Entretien des espaces verts » pour Transports "
        f"Morin (pratiques responsables, 10{THIN}000{NBSP}€, juin 2022).",
    ]


def test_plural_forms_and_french_numbers():
    assert (
        r.plural(0, "partenariat concrétisé", "partenariats concrétisés")
        == "0 partenariat concrétisé"
    )
    assert (
        r.plural(1, "partenariat concrétisé", "partenariats concrétisés")
        == "1 partenariat concrétisé"
    )
    assert r.plural(10, "partenariat concrétisé", "partenariats concrétisés") == (
        "10 partenariats concrétisés"
    )
    assert r.plural(1.5, "jour", "jours") == "1,5 jour"
    assert r.fr_euros(12_500.4) == f"12{THIN}500{NBSP}€"
    assert r.fr_percent(0.8333) == f"83{NBSP}%"
    assert r.period_label(dt.date(2022, 1, 1), dt.date(2022, 12, 31)) == (
        "du 1er janvier 2022 au 31 décembre 2022"
    )


def test_articles_and_contractions_in_organisation_names():
    def org(name: str, form: str | None = None) -> Organisation:
        return Organisation("x", name, OrgKind.ESS, "t", form)

    assert r._of(org("Garage du Pont-Levis")) == "du Garage du Pont-Levis"
    assert r._to(org("Les Pépinières")) == "aux Pépinières"
    assert r._of(org("Octet Informatique")) == "d'Octet Informatique"
    assert r._bare(org("Les Mains Agiles", "EA")) == "l'entreprise adaptée Les Mains Agiles"
    assert r._bare(org("Les Ateliers du Rocher", "ESAT")) == "l'ESAT Les Ateliers du Rocher"
    assert r._of(org("Tiers-lieu La Traverse")) == "du Tiers-lieu La Traverse"


def test_value_estimates_follow_the_french_rules():
    rep = r.build_report(world(), territory="t1")
    oeth, sponsorship = rep.value_estimates
    # 10,000 € bought from the ESAT: 30 % of a labour cost of 50 % of the price.
    assert oeth.key == "oeth" and oeth.base_euros == 10_000
    assert oeth.estimate_euros == pytest.approx(0.30 * 0.5 * 10_000) == 1_500
    assert "L5212-10-1" in oeth.reference and "D5212-22" in oeth.reference
    assert "50" in oeth.limit and "75" in oeth.limit and "avant plafonnement" in oeth.limit
    assert [x.payer for x in oeth.lines] == ["Transports Morin"]
    # Skills (40 h × 40 €) and money (2,500 €): 60 % tax reduction.
    assert sponsorship.base_euros == pytest.approx(40 * 40 + 2_500)
    assert sponsorship.estimate_euros == pytest.approx(0.60 * (1_600 + 2_500))
    assert "238 bis" in sponsorship.reference
    assert f"20{THIN}000{NBSP}€" in sponsorship.limit and f"0,5{NBSP}%" in sponsorship.limit
    other = r.build_report(world(), territory="t1", labour_share=0.6, hourly_cost=50)
    assert other.value_estimates[0].estimate_euros == pytest.approx(0.30 * 0.6 * 10_000)
    assert other.value_estimates[1].estimate_euros == pytest.approx(0.60 * (40 * 50 + 2_500))
    assert r.VALUE_RULES["oeth"]["deduction_rate"] == 0.30
    assert r.VALUE_RULES["sponsorship"]["reduction_rate"] == 0.60


def test_json_has_the_funder_keys_and_every_status():
    data = json.loads(r.to_json(r.build_report(world(), territory="t1")))
    for key in (
        "organisations",
        "diagnostics",
        "needs",
        "offers",
        "partnerships",
        "realised_by_mode",
        "realised_by_category",
        "items_by_category",
        "conversion",
        "median_days_to_realise",
        "ess_company_share",
        "realised",
        "value_estimates",
    ):
        assert key in data, key
    assert set(data["partnerships"]) == {s.value for s in PartnershipStatus}
    assert data["value_estimates"]["oeth"]["estimate_euros"] == 1_500
    assert "Estimations indicatives" in data["value_estimates"]["notice"]
    assert set(data["items_by_category"]) == {"needs", "offers"}


def test_html_is_self_contained_and_escapes_user_text():
    rep = r.build_report(world(malicious=True), territory="t1")
    page = r.to_html(rep)
    assert SCRIPT not in page and "<script" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page and "src=" not in page
    assert 'lang="fr"' in page and "Chiffres clés" in page and 'class="bar"' in page
    markdown = r.to_markdown(rep)
    assert "<script" not in markdown and "&lt;script&gt;" in markdown


def test_markdown_has_the_headline_and_the_tables():
    text = r.to_markdown(r.build_report(world(), territory="t1"))
    assert text.startswith("# Bilan Traits d'Unions – Pays de Test")
    assert "3 partenariats concrétisés" in text and "| Rendez-vous diagnostics | 3 |" in text
    assert "## 3 partenariats concrétisés" in text
    assert "Estimations indicatives" in text


def test_docx_opens_with_python_docx(tmp_path: Path):
    docx = pytest.importorskip("docx")
    path = r.to_docx(r.build_report(world(malicious=True), territory="t1"), tmp_path / "bilan.docx")
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Bilan Traits d'Unions – Pays de Test" in text
    assert "6 structures rencontrées" in text
    assert SCRIPT in text  # plain text in Word, nothing to escape
    first = document.tables[0]
    assert first.rows[1].cells[0].text == "Structures rencontrées"
    assert first.rows[1].cells[1].text == "6"


def test_report_on_random_data_is_consistent():
    rng = random.Random(SEED)
    data = world()
    for i in range(40):
        a, b = rng.sample(["esat", "ea", "asso", "morin", "banque", "mairie"], 2)
        status = rng.choice(list(PartnershipStatus))
        day = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(365))
        steps = [(S.PROPOSED, day)]
        if status != S.PROPOSED:
            steps.append((status, day + dt.timedelta(days=rng.randrange(1, 90))))
        data.partnerships.append(_partnership(f"r{i}", a, b, steps))
    whole = r.build_report(data, territory="t1")
    assert sum(whole.partnerships.values()) == 46
    assert len(whole.realised) == whole.realised_count
    year = r.build_report(
        data, territory="t1", start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)
    )
    assert year.realised_count <= whole.realised_count
    assert len(year.realised) == year.realised_count


# --- services, through a real store ------------------------------------------------------------


@pytest.fixture
def filled(store: Store) -> Store:
    with store.transaction() as conn:
        repo.write_parsed(conn, world())
    return store


def test_service_report_names_partners_outside_the_territory(filled: Store):
    rep = services.build_report(filled, "t1")
    assert rep.organisations == 6 and rep.realised_count == 3
    assert rep.partnerships["abandoned"] == 1
    assert services.build_report(filled).organisations == 7


@pytest.mark.parametrize(
    "fmt,suffix", [("md", ".md"), ("html", ".html"), ("json", ".json"), ("docx", ".docx")]
)
def test_service_exports_every_format(filled: Store, tmp_path: Path, fmt: str, suffix: str):
    if fmt == "docx":
        pytest.importorskip("docx")
    path = services.export_report(
        filled, fmt, tmp_path / f"bilan{suffix}", "t1", dt.date(2022, 1, 1)
    )
    assert path.exists() and path.stat().st_size > 500


def test_service_refuses_unknown_format_and_reversed_period(filled: Store, tmp_path: Path):
    with pytest.raises(InvalidInputError, match="format de bilan « odt » inconnu"):
        services.export_report(filled, "odt", tmp_path / "bilan.odt")
    with pytest.raises(InvalidInputError, match="période inversée"):
        services.build_report(filled, "t1", dt.date(2023, 1, 1), dt.date(2022, 1, 1))


def test_service_graph_export_and_analyses(filled: Store, tmp_path: Path):
    import networkx as nx

    path = services.export_graph(filled, tmp_path / "reseau.graphml", "t1")
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_edges() == 6 and back.nodes["loin"]["territory"] == "t2"
    analyses = services.graph_analyses(filled, "t1")
    assert analyses["by_status"]["realised"] == 3
    assert analyses["conversion"]["among_decided"] == pytest.approx(3 / 4)
    assert [x["org_id"] for x in analyses["to_visit_again"]] == ["mairie"]
    assert analyses["brokers"][0]["org_id"] in {"morin", "asso"}
    assert analyses["brokers_sampled"] is None


# --- the sample territory -----------------------------------------------------------------------


def test_sample_territory_gives_the_2022_figures(tmp_path: Path):
    from traits.services.data import SAMPLE_DIR, load_demo

    if not SAMPLE_DIR.exists():
        pytest.skip("data/samples/vitre is not in this checkout")
    store = Store(tmp_path / "x.sqlite")
    load_demo(store)
    rep = services.build_report(store, "vitre")
    assert (rep.organisations, rep.diagnostics, rep.realised_count, rep.emerging) == (40, 24, 10, 6)
    assert rep.headline() == (
        "40 structures rencontrées, 24 rendez-vous diagnostics, 10 partenariats concrétisés, "
        "6 pistes naissantes."
    )
    assert len(rep.realised) == 10 and all(s.endswith("2022).") for s in rep.realised)
    year = services.build_report(store, "vitre", dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    assert (year.organisations, year.diagnostics, year.realised_count, year.emerging) == (
        40,
        24,
        10,
        6,
    )


def test_sample_folder_gives_the_2022_figures_without_the_store():
    """The same figures straight from the validated folder (no geocoding, no database)."""
    from traits.interchange import readers, validate
    from traits.services.data import SAMPLE_DIR

    if not SAMPLE_DIR.exists():
        pytest.skip("data/samples/vitre is not in this checkout")
    parsed = validate.validate(readers.read_source(SAMPLE_DIR))
    assert not parsed.errors
    for start, end in ((None, None), (dt.date(2022, 1, 1), dt.date(2022, 12, 31))):
        rep = r.build_report(parsed, territory="vitre", start=start, end=end)
        assert rep.headline() == (
            "40 structures rencontrées, 24 rendez-vous diagnostics, 10 partenariats concrétisés, "
            "6 pistes naissantes."
        )
    oeth = rep.value_estimates[0]
    assert {x.beneficiary for x in oeth.lines} == {
        "L'ESAT Les Ateliers du Haut-Pré",
        "L'entreprise adaptée Les Mains Agiles",
    }
