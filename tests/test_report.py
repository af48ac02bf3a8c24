"""The funder report: counts and period rules, French sentences, value estimates, exports."""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import re
from pathlib import Path

import pytest
from factories import partnership

from traits import fr
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
    Territory,
)
from traits.report import wording
from traits.services import diagnostics as ds
from traits.services import reports as services
from traits.storage import Store
from traits.storage import repository as repo

SEED = 1789
S = PartnershipStatus
NBSP = "\u00a0"
THIN = "\u202f"
SCRIPT = "<script>alert('x')</script>"


def _partnership(pid, a, b, steps, **kwargs) -> Partnership:
    return partnership(pid, a, b, steps, hour=10, **kwargs)


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
        Organisation("morin", "Transports Morin", OrgKind.COMPANY, "t1", "SAS", size="50-249"),
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
    # n2, n3, n5 were recorded in 2022 diagnostics; the others have no date: counted apart.
    assert (rep.needs, rep.offers) == (3, 0)
    assert rep.undated == {"needs": 2, "offers": 4, "partnerships": 0, "realised": 0}
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
    # The EA had no dated activity yet (p4 starts in September): it is not counted.
    assert first_half.headline() == (
        "5 structures rencontrées, 2 rendez-vous diagnostics, 1 partenariat concrétisé, "
        "1 piste naissante."
    )
    autumn = r.build_report(
        world(), territory="t1", start=dt.date(2022, 11, 1), end=dt.date(2022, 12, 31)
    )
    # Nobody met in November or December; undated items never count in a period; p4, introduced
    # in October, had no step since: nothing happened to it in the period, it is not counted.
    assert (autumn.organisations, autumn.diagnostics, autumn.needs, autumn.offers) == (0, 0, 0, 0)
    assert all(n == 0 for n in autumn.partnerships.values())


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
    assert set(rep.items_by_category["needs"]) == {c.value for c in Category} | {"food"}


def test_one_french_sentence_per_realised_partnership():
    rep = r.build_report(world(), territory="t1")
    assert rep.realised == [
        f"Soutien financier «{NBSP}Fondation d'entreprise{NBSP}» – mécène : Banque du Coin ; "
        f"bénéficiaire : Recyclerie du Bocage (mécénat, 2{THIN}500{NBSP}€, décembre 2021).",
        f"Apport de compétences «{NBSP}Comptables bénévoles{NBSP}» – partenaire : Banque du "
        "Coin ; bénéficiaire : Recyclerie du Bocage (mécénat, 40 heures, mars 2022).",
        f"Achat «{NBSP}Entretien des espaces verts{NBSP}» – fournisseur : ESAT Les Ateliers "
        f"du Rocher ; client : Transports Morin (pratiques responsables, 10{THIN}000{NBSP}€, juin 2022).",
    ]


def test_plural_forms_and_french_numbers():
    assert (
        fr.plural(0, "partenariat concrétisé", "partenariats concrétisés")
        == "0 partenariat concrétisé"
    )
    assert (
        fr.plural(1, "partenariat concrétisé", "partenariats concrétisés")
        == "1 partenariat concrétisé"
    )
    assert fr.plural(10, "partenariat concrétisé", "partenariats concrétisés") == (
        "10 partenariats concrétisés"
    )
    assert fr.plural(1.5, "jour", "jours") == "1,5 jour"
    assert fr.fr_euros(12_500) == f"12{THIN}500{NBSP}€"
    assert fr.fr_euros(1_200.5) == f"1{THIN}200,50{NBSP}€"  # cents are kept, never rounded away
    assert fr.fr_short_date(dt.date(2025, 2, 4)) == "04/02/2025"
    assert fr.fr_percent(0.8333) == f"83{NBSP}%"
    assert fr.period_label(dt.date(2022, 1, 1), dt.date(2022, 12, 31)) == (
        "du 1er janvier 2022 au 31 décembre 2022"
    )


def test_names_are_kept_as_typed_with_the_legal_form_they_lack():
    def org(name: str, form: str | None = None) -> Organisation:
        return Organisation("x", name, OrgKind.ESS, "t", form)

    assert wording.name_of(org("Garage  du Pont-Levis")) == "Garage du Pont-Levis"
    assert wording.name_of(org("Les Mains Agiles", "EA")) == "entreprise adaptée Les Mains Agiles"
    assert wording.name_of(org("ESAT du Rocher", "ESAT")) == "ESAT du Rocher"
    assert wording.name_of(None) == "structure hors territoire"


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

SAMPLE_HEADLINE = (
    "24 structures rencontrées, 24 rendez-vous diagnostics, 10 partenariats concrétisés, "
    "6 pistes naissantes."
)


def _sample() -> Parsed:
    from traits.interchange import readers, validate
    from traits.services.data import SAMPLE_DIR

    if not SAMPLE_DIR.exists():
        pytest.skip("data/samples/vitre is not in this checkout")
    parsed = validate.validate(readers.read_source(SAMPLE_DIR))
    assert not parsed.errors
    return parsed


def test_sample_folder_gives_the_2022_figures_without_the_store():
    """Every 2022 meeting of the sample is dated by a diagnostic or a partnership step; its 16
    other organisations (no diagnostic, no partnership) are said apart, never counted."""
    parsed = _sample()
    for start, end in ((None, None), (dt.date(2022, 1, 1), dt.date(2022, 12, 31))):
        rep = r.build_report(parsed, territory="vitre", start=start, end=end)
        assert rep.headline() == SAMPLE_HEADLINE
        assert rep.unmet == 16
    assert rep.undated == {"needs": 8, "offers": 13, "partnerships": 0, "realised": 0}
    assert (rep.needs, rep.offers) == (44, 40)
    oeth = rep.value_estimates[0]
    # Only Meubles Ferchaud (50-249 employees) is surely subject to the OETH; the hotel and
    # the printer (10-49) may employ fewer than 20 people: not estimated, and said.
    assert {x.beneficiary for x in oeth.lines} == {"Entreprise adaptée Les Mains Agiles"}
    assert len(oeth.excluded) == 2
    assert all("peut-être moins de 20 salariés" in x for x in oeth.excluded)


def test_sample_sentences_are_correct_french():
    rep = r.build_report(_sample(), territory="vitre")
    assert len(rep.realised) == 10 and all(s.endswith("2022).") for s in rep.realised)
    banque = next(s for s in rep.realised if "Armor-Vilaine" in s)
    assert banque.startswith("Soutien financier «")
    assert "mécène : Banque Armor-Vilaine, agence de Vitré ; bénéficiaire : " in banque
    food = next(s for s in rep.realised if "Invendus alimentaires" in s)
    assert food.startswith("Don alimentaire «\u00a0Invendus")
    assert "bénéficiaire : Épicerie solidaire La Courte Échelle (" in food
    assert "matériel" not in food
    for sentence in rep.realised:
        assert sentence.count("«") == sentence.count("»") == 1, sentence
        assert "  " not in sentence and " ." not in sentence and ".." not in sentence
        assert sentence[0].isupper()


NAMES = [
    "Les Compagnons du Bocage",
    "CCAS de Trélan",
    "Pôle ESS – Pays de Vitré",
    "L'Escale",
    "Au Panier d'Émeraude",
    "Octet",
    "Les Jardins, antenne de Redon",
]


@pytest.mark.parametrize("category", list(Category))
@pytest.mark.parametrize(
    "giver_name,taker_name", list(zip(NAMES, NAMES[1:] + NAMES[:1], strict=True))
)
def test_a_sentence_is_correct_whatever_the_names(category, giver_name, taker_name):
    """Probe kit3 #2: a name is never the subject of a verb (« Les Compagnons … assure ») nor
    put after a preposition that needs an article (« pour CCAS de … »): it only ever follows a
    colon, so plural names and names without their article read right."""
    giver = Organisation("g", giver_name, OrgKind.COMPANY, "t")
    taker = Organisation("t", taker_name, OrgKind.ESS, "t")
    offer = Item("o", "g", Direction.OFFER, category, "Une offre")
    need = Item("n", "t", Direction.NEED, category, "Un besoin")
    for p, items in [
        (Partnership("p", "t", "g", S.REALISED, offer_id="o", categories=[category]), {"o": offer}),
        (Partnership("p", "t", "g", S.REALISED, need_id="n"), {"n": need}),
        (Partnership("p", "t", "g", S.REALISED), {}),
    ]:
        sentence = r.realised_sentence(p, {"g": giver, "t": taker}, items)
        for name in (giver_name, taker_name):
            before = sentence.split(name)[0]
            assert before.endswith((" : ", " et ")), sentence
        assert not re.search(r"\b(assure|donne|fournit|met|soutient|apporte|ont)\b", sentence)


@pytest.mark.parametrize(
    "typed", ["Véhicules", "« Véhicules ».", '"Véhicules"', "«Véhicules»", " Véhicules ; "]
)
def test_titles_are_quoted_once_whatever_the_facilitator_typed(typed: str):
    assert wording.quoted(typed) == f"«{NBSP}Véhicules{NBSP}»"
    inner = wording.quoted("Le « Petit » marché")
    assert inner == f"«{NBSP}Le “Petit” marché{NBSP}»"


def test_quotes_inside_a_title_are_all_kept():
    """Probe kit3 #1: the title's own closing quote was taken for a typed one and dropped."""
    assert wording.quoted("Opération « Arrondi en caisse »") == (
        f"«{NBSP}Opération “Arrondi en caisse”{NBSP}»"
    )
    assert wording.quoted("« Opération « Arrondi » »") == f"«{NBSP}Opération “Arrondi”{NBSP}»"
    assert wording.quoted("« A » et « B »") == f"«{NBSP}“A” et “B”{NBSP}»"
    assert wording.quoted("« Arrondi en caisse") == f"«{NBSP}Arrondi en caisse{NBSP}»"


@pytest.mark.parametrize(
    "category,subcategory,title,words",
    [
        ("equipment", "vehicles", "Remorque", "Prêt «\u00a0Remorque\u00a0» – prêteur : Octet"),
        ("equipment", "tools", "Perceuses", "Prêt «\u00a0Perceuses"),
        ("equipment", "food_surplus", "Yaourts à date courte", "Don alimentaire «\u00a0Yaourts"),
        ("equipment", None, "Invendus de pain et de légumes chaque soir", "Don alimentaire"),
        ("equipment", "plants", "Graines de tomates", "Fourniture «\u00a0Graines"),
        ("equipment", "furniture", "Chaises", "Fourniture «\u00a0Chaises"),
        ("equipment", None, "Ce qu'il faut", "Aide en nature «\u00a0Ce"),
        ("premises", "parking", "Places de parking", "Mise à disposition «\u00a0Places"),
        ("premises", "land", "Jardin partagé", "Mise à disposition «\u00a0Jardin"),
    ],
)
def test_what_is_given_in_kind_is_named_by_its_own_title(category, subcategory, title, words):
    """The sentence names the item by its title, never by a generic noun that can be wrong
    (a trailer reported as « un véhicule », a garden or parking spaces as « des locaux »)."""
    giver = Organisation("g", "Octet", OrgKind.COMPANY, "t")
    taker = Organisation("t", "Clic & Lien", OrgKind.ESS, "t")
    offer = Item("o", "g", Direction.OFFER, Category(category), title, subcategory=subcategory)
    p = Partnership("p", "t", "g", S.REALISED, offer_id="o", categories=[Category(category)])
    sentence = r.realised_sentence(p, {"g": giver, "t": taker}, {"o": offer})
    assert words in sentence, sentence
    assert sentence.count(title) == 1, sentence
    for generic in ("véhicule", "matériel", "locaux", "denrées", "des plants", "matériaux"):
        assert generic not in sentence.replace(title, ""), sentence


@pytest.mark.parametrize(
    "quantity,unit,said",
    [
        (4.5, "tonnes en 2022", "4,5 tonnes en 2022"),
        (1200.5, "kg", f"1{THIN}200,5 kg"),
        (20000, "sachets par an", f"20{THIN}000 sachets par an"),
        (2.25, "m³", "2,25 m³"),
        (3, None, "quantité : 3"),
    ],
)
def test_the_quantity_recorded_is_in_the_sentence(quantity, unit, said):
    """Probe kit3 #5: the quantity the kit asks to record was never said."""
    giver = Organisation("g", "Octet", OrgKind.COMPANY, "t")
    taker = Organisation("t", "Clic & Lien", OrgKind.ESS, "t")
    offer = Item("o", "g", Direction.OFFER, Category.EQUIPMENT, "Invendus", subcategory="tools")
    p = Partnership(
        "p", "t", "g", S.REALISED, offer_id="o", value_quantity=quantity, value_unit=unit
    )
    sentence = r.realised_sentence(p, {"g": giver, "t": taker}, {"o": offer})
    assert f"({said})." in sentence or f"({said}," in sentence, sentence
    bare = Partnership("p", "t", "g", S.REALISED, offer_id="o")
    assert "quantité" not in r.realised_sentence(bare, {"g": giver, "t": taker}, {"o": offer})


def test_food_given_is_its_own_kind_in_every_count():
    """Probe kit3 #4: food given was counted as « matériel »."""
    rep = r.build_report(_sample(), territory="vitre")
    assert rep.realised_by_category["food"] == 1
    assert rep.realised_by_category["equipment"] == 2
    assert rep.items_by_category["offers"]["food"] >= 1
    for render in (r.to_markdown, r.to_html):
        out = render(rep)
        text = out.decode() if isinstance(out, bytes) else out
        assert "dons alimentaires" in text and "matériel | 3" not in text
    out = r.to_json(rep)
    assert '"food": 1' in (out.decode() if isinstance(out, bytes) else out)


# --- honest counting by period -------------------------------------------------------------------


def test_a_base_loaded_today_reports_zeros_for_2019_and_one_interview_counts_one(
    backend_store: Store,
):
    """Issue 16: the sample loaded into a new base gave 16 structures in 2019 and 18 after one
    interview in 2026; undated entries are now said apart, never counted in a period."""
    from traits.services.data import SAMPLE_DIR, load_demo

    if not SAMPLE_DIR.exists():
        pytest.skip("data/samples/vitre is not in this checkout")
    load_demo(backend_store)
    old = services.build_report(backend_store, "vitre", dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert all(n == 0 for _, n in r.key_figures(old))
    notes = r.period_notes(old)
    assert notes[0].startswith("Aucune activité datée dans la période")
    assert "8 besoins sans date, non comptés dans la période." in notes
    assert "13 offres sans date, non comptées dans la période." in notes
    assert any(n.startswith("16 structures enregistrées sans rencontre datée") for n in notes)
    ds.save_diagnostic(
        backend_store,
        Diagnostic("", "", dt.date(2026, 3, 2)),
        [Item("", "", Direction.NEED, Category.SKILLS, "Aide pour la paie")],
        [],
        organisation=Organisation("", "Atelier Couture du Bocage", OrgKind.ESS, "vitre"),
    )
    year = services.build_report(backend_store, "vitre", dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert (year.organisations, year.diagnostics, year.needs, year.offers) == (1, 1, 1, 0)
    assert year.realised_count == 0


def test_an_undated_partnership_is_counted_apart_or_dated_by_its_diagnostic():
    data = world()
    undated = Partnership("u1", "morin", "banque", S.REALISED, mode=PartnershipMode.PHILANTHROPY)
    by_diagnostic = Partnership("u2", "asso", "banque", S.REALISED, need_id="n2")
    data.partnerships += [undated, by_diagnostic]
    year = r.build_report(
        data, territory="t1", start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)
    )
    # u2's need was recorded in d2 (12 January 2022): it counts in 2022, not in 2021.
    assert year.realised_count == 3 and year.undated["partnerships"] == 1
    assert "1 partenariat sans date, non compté dans la période." in r.period_notes(year)
    before = r.build_report(
        data, territory="t1", start=dt.date(2021, 1, 1), end=dt.date(2021, 12, 31)
    )
    assert before.realised_count == 1  # p3 only
    whole = r.build_report(data, territory="t1")
    assert whole.realised_count == 5  # without a period, everything counts


@pytest.mark.parametrize(
    "size,estimated",
    [
        ("50-249", True),
        ("250+", True),
        ("35", True),
        ("10-49", False),
        ("1-9", False),
        (None, False),
    ],
)
def test_no_oeth_estimate_for_a_buyer_not_known_to_employ_20(size, estimated):
    data = world()
    data.organisations[3].size = size  # Transports Morin buys from the ESAT (p1)
    oeth = r.build_report(data, territory="t1").value_estimates[0]
    assert bool(oeth.lines) is estimated
    assert bool(oeth.excluded) is not estimated
    if not estimated:
        assert oeth.estimate_euros == 0
        assert "Transports Morin" in oeth.excluded[0] and "20 salariés" in oeth.excluded[0]
        assert oeth.excluded[0] in r.to_markdown(r.build_report(data, territory="t1"))


# --- every format says the same figures ----------------------------------------------------------


def _figures_md(path: Path) -> dict[str, str]:
    rows = re.findall(r"^\| ([^|]+?) \| ([^|]+?) \|$", path.read_text(encoding="utf-8"), re.M)
    return dict(rows)


def _figures_html(path: Path) -> dict[str, str]:
    text = html.unescape(path.read_text(encoding="utf-8"))
    return dict(re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", text))


def _figures_json(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        "Structures rencontrées": str(data["organisations"]),
        "Rendez-vous diagnostics": str(data["diagnostics"]),
        "Besoins exprimés": str(data["needs"]),
        "Offres recensées": str(data["offers"]),
        "Partenariats concrétisés": str(data["partnerships"]["realised"]),
        "Pistes naissantes": str(data["emerging"]),
        "Partenariats abandonnés": str(data["partnerships"]["abandoned"]),
    }


def _figures_docx(path: Path) -> dict[str, str]:
    docx = pytest.importorskip("docx")
    table = docx.Document(str(path)).tables[0]
    return {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}


def _figures_pdf(path: Path) -> dict[str, str]:
    pypdf = pytest.importorskip("pypdf")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
    names = [name for name, _ in r.key_figures(r.build_report(world(), territory="t1"))]
    found = {}
    for name in names:
        match = re.search(re.escape(name) + r"\s+(\d+)", text)
        found[name] = match[1] if match else "?"
    return found


def _figures_xlsx(path: Path) -> dict[str, str]:
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(path)["Chiffres clés"]
    return {
        str(a): str(b)
        for a, b, *_ in sheet.iter_rows(min_row=1, values_only=True)
        if a and b is not None and isinstance(b, int)
    }


def _all_text(fmt: str, path: Path) -> str:
    """Every word a reader of the file sees."""
    if fmt == "docx":
        import docx

        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    if fmt == "pdf":
        import pypdf

        return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path)
        rows = (row for ws in book.worksheets for row in ws.iter_rows(values_only=True))
        return "\n".join(str(c) for row in rows for c in row if c is not None)
    return html.unescape(path.read_text("utf-8"))


READERS = {
    "markdown": _figures_md,
    "html": _figures_html,
    "json": _figures_json,
    "docx": _figures_docx,
    "pdf": _figures_pdf,
    "xlsx": _figures_xlsx,
}


@pytest.mark.parametrize("fmt", list(READERS))
def test_every_format_reads_back_the_same_key_figures(filled: Store, tmp_path: Path, fmt: str):
    if fmt == "pdf" and not any(Path(f).exists() for f in r.PDF_FONTS):
        pytest.skip("no Unicode font for the PDF on this machine")
    start, end = dt.date(2022, 1, 1), dt.date(2022, 5, 31)
    suffix = services.REPORT_FORMATS[fmt]
    path = services.export_report(filled, fmt, tmp_path / f"bilan{suffix}", "t1", start, end)
    expected = {
        name: str(n) for name, n in r.key_figures(services.build_report(filled, "t1", start, end))
    }
    assert expected["Structures rencontrées"] == "5"
    found = READERS[fmt](path)
    assert {k: found.get(k) for k in expected} == expected
    note = "2 besoins sans date, non comptés dans la période."
    if fmt == "json":
        assert json.loads(path.read_text("utf-8"))["undated"]["needs"] == 2
    else:
        assert note in " ".join(_all_text(fmt, path).split())


def test_xlsx_neutralises_formulas_but_keeps_numbers(tmp_path: Path):
    import openpyxl

    from traits.interchange.writers import neutralise

    data = world()
    data.organisations[4].name = '=HYPERLINK("http://x")'
    data.organisations[2].name = "\t=1+1"
    path = r.to_xlsx(r.build_report(data, territory="t1"), tmp_path / "b.xlsx")
    book = openpyxl.load_workbook(path)
    texts = [
        c
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for c in row
        if isinstance(c, str)
    ]
    assert texts and not any(t.startswith(("=", "+", "@", "\t", "\r")) for t in texts)
    assert any(t.startswith("'=HYPERLINK") for t in texts)
    numbers = [
        row[1]
        for row in book["Chiffres clés"].iter_rows(values_only=True)
        if isinstance(row[1], int)
    ]
    assert numbers[0] == 6
    assert neutralise("-5") == "-5" and neutralise("-1,5") == "-1,5"
    assert neutralise("\r=1") == "'\r=1" and neutralise("-A") == "'-A"


def test_the_kit_summary_blocks_are_the_key_figures(filled: Store):
    blocks = services.key_figure_blocks(filled, "t1", dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    table = next(b for b in blocks if isinstance(b, r.blocks.Table))
    assert table.rows[0] == ["Structures rencontrées", 6]


def test_the_bilan_page_shows_the_same_key_figures_and_says_what_is_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The Bilan page reads key_figures and period_notes: a year before any activity shows
    zeros and says why, the same as every file format."""
    from streamlit.testing.v1 import AppTest

    from traits.services import matching
    from traits.services.data import SAMPLE_DIR, load_demo

    if not SAMPLE_DIR.exists():
        pytest.skip("data/samples/vitre is not in this checkout")
    db = tmp_path / "app.sqlite"
    monkeypatch.setenv("TRAITS_DB", str(db))
    store = Store(db)
    load_demo(store)
    matching.save_settings(store, None, use_semantic=False)
    expected = services.build_report(store, "vitre", dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    store.dispose()
    app = AppTest.from_file(str(Path(__file__).parents[1] / "app.py"), default_timeout=60)
    app.run()
    app.session_state["territory_id"] = "vitre"
    app.switch_page("app_pages/report.py")
    app.run()
    app.text_input(key="bilan_start").set_value("01/01/2019")
    app.text_input(key="bilan_end").set_value("31 décembre 2019")
    app.run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    assert shown == {name: fr.fr_number(n) for name, n in r.key_figures(expected)}
    assert set(shown.values()) == {"0"}
    captions = " ".join(str(c.value).replace("\\", "") for c in app.caption)
    assert all(note in captions for note in r.period_notes(expected))
    assert "Aucune activité datée" in captions


def test_a_pooled_partnership_counts_every_member_and_has_its_sentence():
    from traits.model import PartnershipMember

    data = world()
    members = [
        PartnershipMember("m1", "asso", "n2"),
        PartnershipMember("m1", "mairie", "n5"),
        PartnershipMember("m1", "ea", None),
    ]
    pooled = _partnership(
        "m1",
        "asso",
        "ea",
        [(S.PROPOSED, dt.date(2023, 3, 1)), (S.REALISED, dt.date(2023, 4, 1))],
        offer_id="o4",
        label="Comptabilité partagée",
        members=members,
    )
    data.partnerships.append(pooled)
    year = r.build_report(
        data, territory="t1", start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31)
    )
    # p6 (asso, morin) and the pool (asso, mairie, ea): four organisations met in 2023.
    assert year.organisations == 4 and year.realised_count == 1
    assert year.realised == [
        f"Mutualisation «{NBSP}Comptabilité partagée{NBSP}» – partenaire : entreprise adaptée "
        "Les Mains Agiles ; bénéficiaires : Recyclerie du Bocage et Mairie d'Izé (avril 2023)."
    ]


@pytest.mark.parametrize(
    "typed,band",
    [
        ("10-49", (10, 49)),
        ("20 à 49", (20, 49)),
        ("50 - 249", (50, 249)),
        ("250+", (250, None)),
        ("250 et plus", (250, None)),
        ("plus de 19", (20, None)),
        ("moins de 20", (0, 19)),
        ("35 salariés", (35, 35)),
        (f"1{NBSP}200", (1200, 1200)),
        ("PME", None),
        ("", None),
    ],
)
def test_headcounts_are_read_as_typed(typed: str, band):
    from traits.report.estimates import headcount_range, oeth_exclusion

    assert headcount_range(typed) == band
    buyer = Organisation("b", "Transports Morin", OrgKind.COMPANY, "t", size=typed)
    subject = band is not None and band[0] >= 20
    assert (oeth_exclusion(buyer) is None) is subject


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_the_kit_summary_is_written_from_the_key_figure_blocks(
    filled: Store, tmp_path: Path, suffix: str
):
    if suffix == ".pdf" and not any(Path(f).exists() for f in r.PDF_FONTS):
        pytest.skip("no Unicode font for the PDF on this machine")
    blocks = services.key_figure_blocks(filled, "t1", dt.date(2022, 1, 1), dt.date(2022, 5, 31))
    path = services.write_blocks(blocks, "Synthèse 2022", tmp_path / f"synthese{suffix}")
    text = " ".join(_all_text(suffix[1:], path).split())
    assert "Synthèse 2022" in text and "5 structures rencontrées" in text
    assert "Taux de concrétisation" not in text  # the short form only
    with pytest.raises(InvalidInputError, match=r"\.docx ou \.pdf"):
        services.write_blocks(blocks, "Synthèse", tmp_path / "synthese.odt")


@pytest.mark.parametrize(
    ("start", "end", "rate"),
    [
        (  # before any activity: no piste at all
            dt.date(2019, 1, 1),
            dt.date(2019, 12, 31),
            "Taux de concrétisation : non calculable, aucune piste sur la période.",
        ),
        (  # a piste, none decided yet
            dt.date(2022, 9, 1),
            dt.date(2022, 10, 31),
            "Taux de concrétisation : aucune piste tranchée (concrétisée ou abandonnée) sur la "
            "période ; 0\N{NO-BREAK SPACE}% de l'ensemble des pistes.",
        ),
    ],
)
def test_a_rate_without_pistes_is_said_in_words(start, end, rate):
    """Found by the browser walk's Bilan of 2019: « non calculable des pistes tranchées (0 sur
    0 piste concrétisée ou abandonnée), non calculable de l'ensemble des pistes »."""
    from traits.report.blocks import indicator_lines

    assert indicator_lines(r.build_report(world(), territory="t1", start=start, end=end))[0] == rate


@pytest.mark.parametrize(("found", "words"), [(0, "0 piste de mutualisation repérée"),
                                              (1, "1 piste de mutualisation repérée"),
                                              (3, "3 pistes de mutualisation repérées")])  # fmt: skip
def test_pools_found_agree_with_their_number(found, words):
    """Found by the walk: « 0 piste de mutualisation repérées »."""
    import dataclasses

    from traits.report.blocks import indicator_lines

    rep = dataclasses.replace(r.build_report(world(), territory="t1"), pools_found=found)
    assert f"; {words} aujourd'hui parmi les besoins du territoire." in indicator_lines(rep)[-1]


def test_the_sponsorship_estimate_never_assumes_the_beneficiary_issues_tax_receipts():
    """Probe kit3 #9: the report assumed every beneficiary (an ESAT too) could issue tax
    receipts; the base does not record it, so the estimate says it holds only if so."""
    rep = r.build_report(_sample(), territory="vitre")
    sponsorship = next(e for e in rep.value_estimates if e.key == "sponsorship")
    assert sponsorship.lines
    assert all(
        "si le bénéficiaire peut délivrer des reçus fiscaux" in x.basis for x in sponsorship.lines
    )
    assert not any("intérêt général" in h for h in sponsorship.hypotheses)
    text = r.to_markdown(rep)
    text = text.decode() if isinstance(text, bytes) else text
    assert "n'est possible que si le bénéficiaire peut délivrer des reçus fiscaux" in text
    assert "le bénéficiaire est un organisme d'intérêt général éligible" not in text
