"""Offline gazetteer: the shipped Brittany file, name/postcode lookups, suggestions, distances."""

from __future__ import annotations

import csv
import inspect
from importlib import resources

import pytest

import traits.geo as geo
from traits.geo import (
    Gazetteer,
    Place,
    default_gazetteer,
    haversine_km,
    normalise_commune,
    normalise_postcode,
)

# Approximate town-centre coordinates, independent of the shipped file.
KNOWN = {
    "Fougères": (48.35, -1.20, "35115"),
    "Vitré": (48.12, -1.21, "35360"),
    "Auray": (47.67, -2.98, "56007"),
    "Morlaix": (48.58, -3.83, "29151"),
    "Rennes": (48.11, -1.68, "35238"),
    "Quimper": (48.00, -4.10, "29232"),
    "Saint-Brieuc": (48.51, -2.76, "22278"),
    "Brest": (48.39, -4.49, "29019"),
    "Lorient": (47.75, -3.37, "56121"),
    "Vannes": (47.66, -2.76, "56260"),
}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return default_gazetteer()


def _near(place: Place | None, lat: float, lon: float, km: float = 3.0) -> bool:
    assert place is not None
    return float(haversine_km(place.lat, place.lon, lat, lon)) < km


# --- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Fougères", "fougeres"),
        ("FOUGERES", "fougeres"),
        ("ST-MALO", "saint malo"),
        ("Saint  Malo", "saint malo"),
        ("St. Malo", "saint malo"),
        ("STE ANNE D'AURAY", "sainte anne d auray"),
        ("Sainte-Anne-d’Auray", "sainte anne d auray"),
        ("Plœuc-L'Hermitage", "ploeuc l hermitage"),
        ("Le Mans", "le mans"),
        ("Le Faouët", "le faouet"),
        ("Stival", "stival"),  # "st" is expanded only as a whole word
    ],
)
def test_normalise_commune(raw: str, key: str) -> None:
    assert normalise_commune(raw) == key


def test_normalise_commune_keeps_leading_article() -> None:
    assert normalise_commune("Le Faouët") != normalise_commune("Faouët")


def test_normalise_postcode() -> None:
    assert normalise_postcode("35 000") == "35000"
    assert normalise_postcode(35000) == "35000"
    assert normalise_postcode("") == ""


# --- the shipped file ---------------------------------------------------------------------------


def test_file_columns_and_rows_are_sane() -> None:
    text = resources.files("traits").joinpath(geo.GAZETTEER_RESOURCE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == ["insee", "name", "postcode", "departement", "lat", "lon"]
    pairs = set()
    for row in rows:
        assert row["departement"] in {"22", "29", "35", "56"}
        assert row["insee"].startswith(row["departement"]) and len(row["insee"]) == 5
        assert len(row["postcode"]) == 5 and row["postcode"].isdigit()
        assert row["name"].strip() == row["name"] and row["name"]
        lat, lon = float(row["lat"]), float(row["lon"])
        assert 47.2 < lat < 49.0 and -5.2 < lon < -1.0, row  # Brittany, WGS84
        pairs.add((row["insee"], row["postcode"]))
    assert len(pairs) == len(rows), "duplicate (insee, postcode) rows"


def test_coverage_of_the_four_departements(gaz: Gazetteer) -> None:
    communes = gaz.communes()
    insees = {p.insee for p in communes}
    assert len(insees) == len(communes) >= 1200  # 1,206 communes on 1 January 2025
    per_dept = {d: sum(p.departement == d for p in communes) for d in ("22", "29", "35", "56")}
    # Official counts after the 2016-2019 mergers: 348, 277, 332, 249.
    assert per_dept["22"] >= 340
    assert per_dept["29"] >= 270
    assert per_dept["35"] >= 325
    assert per_dept["56"] >= 245


def test_default_gazetteer_is_loaded_once() -> None:
    assert default_gazetteer() is default_gazetteer()


# --- resolution ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_communes_resolve_near_their_centre(gaz: Gazetteer, name: str) -> None:
    lat, lon, insee = KNOWN[name]
    place = gaz.resolve(name)
    assert place is not None and place.insee == insee
    assert _near(place, lat, lon)


@pytest.mark.parametrize("typed", ["fougeres", "FOUGÈRES", "  Fougères ", "fougères"])
def test_case_and_accents_do_not_matter(gaz: Gazetteer, typed: str) -> None:
    place = gaz.resolve(typed)
    assert place is not None and place.insee == "35115"


@pytest.mark.parametrize("typed", ["ST MALO", "Saint Malo", "saint-malo", "St-Malo", "SAINT MALO"])
def test_saint_variants(gaz: Gazetteer, typed: str) -> None:
    place = gaz.resolve(typed)
    assert place is not None and place.insee == "35288"
    assert _near(place, 48.65, -2.01)


@pytest.mark.parametrize(
    ("typed", "postcode", "insee"),
    [
        ("Maen Roch", "35460", "35257"),
        ("Maen-Roch", "35460", "35257"),
        ("Lécousse", "35133", "35150"),
        ("Brech", "56400", "56023"),
        ("Crac'h", "56950", "56046"),
        ("Crach", "56950", "56046"),
        ("Lamballe-Armor", "22400", "22093"),
        ("Val-Couesnon", "35560", "35004"),
        ("Binic-Étables-sur-Mer", "22680", "22055"),
    ],
)
def test_communes_nouvelles_and_breton_spellings(
    gaz: Gazetteer, typed: str, postcode: str, insee: str
) -> None:
    by_name = gaz.resolve(typed)
    assert by_name is not None and by_name.insee == insee
    both = gaz.resolve(typed, postcode)
    assert both is not None and both.insee == insee and both.postcode == postcode


def test_postcode_only(gaz: Gazetteer) -> None:
    assert (p := gaz.resolve(postcode="35000")) is not None and p.name == "Rennes"
    assert (p := gaz.resolve(postcode="35 200")) is not None and p.name == "Rennes"
    assert (p := gaz.resolve(postcode=29200)) is not None and p.name == "Brest"
    assert (p := gaz.resolve(postcode="22300")) is not None and p.name == "Lannion"
    assert (p := gaz.resolve(postcode="56100")) is not None and p.name == "Lorient"
    shared = gaz.resolve(postcode="35133")  # a code shared by communes around Fougères
    assert shared is not None and shared.postcode == "35133" and shared.departement == "35"
    assert gaz.resolve(postcode="75001") is None


def test_postcode_disambiguates_homonyms(gaz: Gazetteer) -> None:
    assert gaz.resolve("Plouhinec") is None
    twins = gaz.ambiguous("plouhinec")
    assert {p.departement for p in twins} == {"29", "56"}
    finistere = gaz.resolve("Plouhinec", "29780")
    morbihan = gaz.resolve("Plouhinec", "56680")
    assert finistere is not None and finistere.insee == "29197"
    assert morbihan is not None and morbihan.insee == "56169"
    assert float(haversine_km(finistere.lat, finistere.lon, morbihan.lat, morbihan.lon)) > 50
    faouet = gaz.resolve("Le Faouet", "56320")
    assert faouet is not None and faouet.insee == "56057"


def test_wrong_postcode_for_a_unique_name_still_finds_the_commune(gaz: Gazetteer) -> None:
    place = gaz.resolve("Fougères", "35305")  # a CEDEX code, not in the file
    assert place is not None and place.insee == "35115"


def test_secondary_postcode_is_returned_when_given(gaz: Gazetteer) -> None:
    place = gaz.resolve("Rennes", "35200")
    assert place is not None and place.insee == "35238" and place.postcode == "35200"


def test_unknown_or_empty(gaz: Gazetteer) -> None:
    assert gaz.resolve("Fougere") is None
    assert gaz.resolve("Atlantis", "35000") is None  # an unknown name is not guessed from the code
    assert gaz.resolve() is None
    assert gaz.resolve("", None) is None
    assert gaz.ambiguous("Fougères") == []


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("Fougere", "Fougères"),
        ("Morlaiz", "Morlaix"),
        ("Plouarzell", "Plouarzel"),
        ("Lamballe", "Lamballe-Armor"),
    ],
)
def test_suggest_proposes_the_right_commune(gaz: Gazetteer, typo: str, expected: str) -> None:
    hints = gaz.suggest(typo)
    assert hints and hints[0].name == expected
    assert len(gaz.suggest(typo, k=2)) <= 2


def test_unknown_message_is_french_and_helpful(gaz: Gazetteer) -> None:
    message = gaz.unknown_message("Fougere")
    assert message.startswith("Commune inconnue")
    assert "Vouliez-vous dire" in message and "Fougères (35300)" in message
    assert "Vouliez-vous dire" not in gaz.unknown_message("Zzzzqqq")


# --- a small hand-made gazetteer ------------------------------------------------------------------

SMALL = """insee,name,postcode,departement,lat,lon
35002,Ville-Haute,35100,35,48.1,-1.6
35001,Ville-Basse,35100,35,48.0,-1.5
22001,Saint-Pierre,22100,22,48.5,-2.0
56001,Saint-Pierre,56100,56,47.7,-3.0
"""


def test_small_gazetteer_follows_file_order_for_postcodes() -> None:
    small = Gazetteer.from_csv(SMALL)
    assert len(small) == 4
    first = small.resolve(postcode="35100")
    assert first is not None and first.name == "Ville-Haute"
    assert small.resolve("St Pierre") is None
    pierre = small.resolve("ST-PIERRE", "56100")
    assert pierre is not None and pierre.insee == "56001"
    assert [p.insee for p in small.ambiguous("saint pierre")] == ["22001", "56001"]
    assert small.by_insee("35001") == Place("35001", "Ville-Basse", "35100", "35", 48.0, -1.5)


# --- distances and hygiene ------------------------------------------------------------------------


def test_haversine_fougeres_vitre(gaz: Gazetteer) -> None:
    fougeres, vitre = gaz.resolve("Fougères"), gaz.resolve("Vitré")
    assert fougeres is not None and vitre is not None
    distance = float(haversine_km(fougeres.lat, fougeres.lon, vitre.lat, vitre.lon))
    assert distance == pytest.approx(26, abs=3)


def test_geo_does_not_import_streamlit() -> None:
    assert "streamlit" not in inspect.getsource(geo)


# -- former communes and EPCI (issue 13) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "insee"),
    [
        ("Mûr-de-Bretagne", "22158"),  # Guerlédan, 2017
        ("MUR DE BRETAGNE", "22158"),
        ("St Guen", "22158"),
        ("Tréméloir", "22251"),  # Pordic, 2016 (written from knowledge)
        ("Guipry", "35176"),  # Guipry-Messac, 2016
        ("Bieuzy", "56173"),  # Pluméliau-Bieuzy, 2019
        ("Saint-Étienne-en-Coglès", "35257"),  # Maen Roch, 2017
    ],
)
def test_former_communes_resolve_to_the_commune_nouvelle(typed: str, insee: str) -> None:
    gazetteer = default_gazetteer()
    place = gazetteer.resolve(typed)
    assert place is not None and place.insee == insee
    assert gazetteer.merged_into(typed) == gazetteer.by_insee(insee)


def test_current_communes_are_not_reported_as_merged() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer.merged_into("Guerlédan") is None
    assert gazetteer.merged_into("Pontivy") is None
    assert gazetteer.resolve("Mûr-de-Bretagne", "22530").name == "Guerlédan"


@pytest.mark.parametrize(
    "typed",
    ["Pontivy Communauté", "CC Pontivy Communauté", "communauté de communes Pontivy communauté"],
)
def test_epci_names_expand_to_their_communes(typed: str) -> None:
    gazetteer = default_gazetteer()
    found = gazetteer.epci(typed)
    assert found is not None
    name, members = found
    assert name == "CC Pontivy Communauté" and len(members) == 24
    assert {"Pontivy", "Cléguérec", "Rohan"} <= {p.name for p in members}
    assert gazetteer.within([typed], "Cléguérec") is True
    assert gazetteer.within([typed], "Vitré", "35500") is False
    assert gazetteer.within(["Commune inconnue"], "Vitré") is None


def test_every_breton_epci_member_is_a_gazetteer_commune() -> None:
    import csv
    from importlib import resources

    text = resources.files("traits").joinpath("data/epci_bretagne.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len({r["epci"] for r in rows}) >= 55
    gazetteer = default_gazetteer()
    assert all(gazetteer.by_insee(r["insee"]) is not None for r in rows)


#: Island communes that belong to no EPCI (communes isolées, allowed by law).
ISLANDS = {"22016", "29155", "29083"}  # Île-de-Bréhat, Ouessant, Île-de-Sein


def _data(name: str) -> list[dict[str, str]]:
    import csv
    from importlib import resources

    text = resources.files("traits").joinpath(f"data/{name}").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_every_gazetteer_commune_is_in_the_epci_of_its_commune_nouvelle() -> None:
    """The EPCI table lists exactly the communes the commune table places in each EPCI: every
    commune of the gazetteer is in one EPCI (islands apart), and a former commune the gazetteer
    still holds (Pléven, Saint-Launeuc, merged in 2025) in the EPCI of the commune it joined."""
    epci_of: dict[str, set[str]] = {}
    for row in _data("epci_bretagne.csv"):
        epci_of.setdefault(row["insee"], set()).add(row["epci"])
    gazetteer = default_gazetteer()
    codes = {p.insee for p in gazetteer.communes()}
    assert {c for c in codes if len(epci_of.get(c, ())) != 1} == ISLANDS
    for row in _data("communes_anciennes_bretagne.csv"):
        joined = epci_of[row["insee"]]
        if row["former_insee"] in codes:  # still a commune of the gazetteer
            assert epci_of[row["former_insee"]] == joined, row
        place = gazetteer.resolve(row["former_name"])  # typed by its former name
        if place is not None and place.insee not in ISLANDS:
            assert epci_of[place.insee] == joined, row
    # and each EPCI, expanded by name, is the set of communes placed in it
    for code, name in {(r["epci"], r["epci_name"]) for r in _data("epci_bretagne.csv")}:
        members = {c for c, epcis in epci_of.items() if code in epcis}
        assert gazetteer.codes([name]) == members, name


def test_former_communes_are_inside_the_territory_of_their_epci() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer.within(["Dinan Agglomération"], "Pléven") is True
    assert gazetteer.within(["Loudéac Communauté - Bretagne Centre"], "Saint-Launeuc") is True
    # Pluméliau-Bieuzy (2019) is in Baud Communauté, not in Pontivy Communauté (24 communes).
    assert gazetteer.within(["Baud Communauté"], "Plumeliau") is True
    assert gazetteer.within(["Baud Communauté"], "Bieuzy") is True
    assert gazetteer.within(["Pontivy Communauté"], "Pluméliau-Bieuzy") is False


def test_territory_create_expands_epci_and_keeps_communes_as_typed(store) -> None:
    from traits.services.territories import commune_warnings, create_territory

    territory = create_territory(
        store, None, "Centre Bretagne", ["Pontivy Communauté", "Mur de Bretagne"], None
    )
    assert "Cléguérec" in territory.communes and "Mur de Bretagne" in territory.communes
    assert "Pontivy Communauté" not in territory.communes
    assert commune_warnings(["Pontivy Communauté", "Mûr-de-Bretagne"]) == []
    assert len(commune_warnings(["Pontivy Communaute", "Fougere"])) == 1  # the typo only


def test_cli_territory_create_accepts_an_epci(tmp_path) -> None:
    from typer.testing import CliRunner

    from traits.cli import app

    communes = tmp_path / "communes.txt"
    communes.write_text("Pontivy Communauté\nMûr-de-Bretagne\nPloërmell\n", encoding="utf-8")
    out = CliRunner().invoke(
        app,
        [
            "territory",
            "create",
            "Centre",
            "--communes",
            str(communes),
            "--db",
            str(tmp_path / "t.db"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert "Pontivy Communauté" not in out.output and "Mûr-de-Bretagne" not in out.output
    assert "Ploërmell" in out.output  # the misspelt one is still flagged
