"""Workbooks typed the way a facilitator types them after a few interviews (issue 13).

The rows below were written from imagined interviews in the Pontivy and Loudéac area, not
from the code's rules: names instead of identifiers, capitals and trailing spaces, dates in
four formats in one column, phone numbers and postcodes stored as numbers, former communes,
everyday French words, and the template's example row left in. Every value is checked after
export. All organisations and people are fictional.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from factories import workbook

from traits.errors import InvalidInputError
from traits.services import export_territory, import_territory, stats
from traits.services.territories import create_territory, get_territory
from traits.storage import Store

STRUCTURES = [
    ["Nom de la structure", "Type", "Forme juridique", "Commune", "CP", "Effectif", "Description"],
    ["Recyclerie du Pont-Neuf (exemple)", "structure ESS", "association", "Fougères", "35300",
     "10-49", "Association qui collecte, répare et revend"],
    ["Les Jardins du Blavet ", "association", "Association", "Mur de Bretagne", 22530, "10-49",
     "Chantier d'insertion en maraîchage bio, 14 salariés en parcours"],
    ["ESAT de Kerbrient", "ESAT", "ESAT", "ST GUEN", None, "50-249",
     "Blanchisserie, mise sous pli, entretien d'espaces verts"],
    ["MENUISERIE LE GALL", "entreprise", "SARL", "pontivy", 56300, "10-49",
     "Menuiserie bois, agencement de magasins"],
    ["Imprimerie Ty Print", "Entreprise", "SAS", "Loudéac", "22600", "1-9", None],
    ["Boulangerie des Remparts", "entreprise", "SARL", "Vitré", 35500, "1-9",
     "Rencontrée au salon, hors du territoire"],
]  # fmt: skip
ENTRETIENS = [
    ["Structure", "Date de l'entretien", "Animatrice", "Freins"],
    ["les jardins du blavet", dt.datetime(2025, 2, 4), "Animatrice du Pôle",
     "Pas de camion pour livrer les paniers"],
    ["ESAT de Kerbrient", "4 mars 2025", "Animatrice du Pôle", None],
    ["Menuiserie Le Gall", "12/03/25", "Animatrice du Pôle", "Peu de temps"],
    ["Imprimerie Ty Print ", "2025-03-20", "Animatrice du Pôle", None],
]  # fmt: skip
BESOINS = [
    ["Structure", "Sens", "Catégorie", "Intitulé", "Description"],
    ["LES JARDINS DU BLAVET", "Besoin", "Prêt de matériel", "Camion benne",
     "Un camion benne deux samedis par mois pour le compost"],
    ["ESAT de Kerbrient", "offre", "achats", "Mise sous pli et routage", None],
    ["Menuiserie Le Gall", "Offre", "mécénat de compétences", "Conseil en atelier bois",
     "Un compagnon une demi-journée par mois"],
    ["menuiserie le gall", "offre", "Matériel", "Chutes de bois", "Chutes de chêne et pin"],
    ["Imprimerie Ty Print", "besoin", "Achats", "Mise sous pli", "Envoi des vœux clients"],
]  # fmt: skip
CONTACTS = [
    ["Structure", "Prénom et nom", "Fonction", "Mail", "Téléphone", "Consentement"],
    ["Les Jardins du Blavet", "Nolwenn Fictive", "coordinatrice",
     "nolwenn@jardins-blavet.example.org ", 297001122, "Oui"],
    ["ESAT de Kerbrient", "Yann Exemplaire", "directeur", None, "06 12 34 56 78", "non"],
    ["Menuiserie Le Gall", "Soazig Inventée", "gérante", "contact@legall.example.fr", 612345678,
     "OUI"],
]  # fmt: skip
PARTENARIATS = [
    ["Structure qui a le besoin", "Besoin", "Structure qui offre", "Offre", "Statut", "Heures",
     "Montant", "Date de création"],
    ["Imprimerie Ty Print", "mise sous pli", "ESAT de Kerbrient", "Mise sous pli et routage",
     "concrétisé", None, "1 800,50 €", "4 février 2025"],
    ["les jardins du blavet", "Camion benne", "Menuiserie Le Gall", None, "en discussion", "20h",
     None, None],
    ["Les Jardins du Blavet", None, "MENUISERIE LE GALL", "chutes de bois", "signé", "1h30",
     "250 €", "04/03/2025"],
]  # fmt: skip


def _workbook(path: Path, **overrides: list[list[object]]) -> Path:
    sheets = {
        "Structures": STRUCTURES,
        "Entretiens": ENTRETIENS,
        "Besoins et offres": BESOINS,
        "Contacts": CONTACTS,
        "Partenariats": PARTENARIATS,
    }
    return workbook(path, sheets, **overrides)


@pytest.fixture
def territory(backend_store: Store) -> Store:
    create_territory(
        backend_store,
        "centre",
        "Centre Bretagne",
        ["Pontivy Communauté", "Loudéac Communauté - Bretagne Centre"],
        "Animatrice du Pôle",
    )
    return backend_store


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_messy_workbook_imports_and_every_value_survives_export(territory: Store, tmp_path: Path):
    store = territory
    assert len(get_territory(store, "centre").communes) > 40  # both EPCI expanded
    book = _workbook(tmp_path / "suivi 2025.xlsx")
    report = import_territory(store, book, territory=get_territory(store, "centre"))
    assert report.written["organisations"] == 5
    warnings = "\n".join(str(w) for w in report.warnings)
    assert "l'onglet « Structures »" in warnings and "exemple du modèle, ignoré" in warnings
    assert "« Vitré » n'est pas une commune du territoire" in warnings
    assert "lu comme 02 97 00 11 22 (zéro initial rétabli)" in warnings
    assert "sans date : daté du 04/02/2025" in warnings

    out = tmp_path / "export"
    export_territory(store, out, territory_id="centre")
    orgs = {o["name"]: o for o in _read(out, "organisations")}
    assert set(orgs) == {
        "Les Jardins du Blavet",
        "ESAT de Kerbrient",
        "MENUISERIE LE GALL",
        "Imprimerie Ty Print",
        "Boulangerie des Remparts",
    }
    jardins, esat = orgs["Les Jardins du Blavet"], orgs["ESAT de Kerbrient"]
    assert (jardins["kind"], jardins["commune"], jardins["postcode"]) == (
        "ess",
        "Mur de Bretagne",
        "22530",
    )
    assert (esat["kind"], esat["commune"], esat["postcode"]) == ("ess", "ST GUEN", "")
    # Former communes resolve to Guerlédan's town hall.
    assert (jardins["lat"], jardins["lon"]) == (esat["lat"], esat["lon"]) == ("48.202", "-2.987")
    assert orgs["MENUISERIE LE GALL"]["kind"] == "company"
    assert orgs["MENUISERIE LE GALL"]["postcode"] == "56300"
    assert orgs["Imprimerie Ty Print"]["description"] == ""
    assert all(o["territory"] == "centre" for o in orgs.values())
    ids = {name: o["org_id"] for name, o in orgs.items()}

    diags = {d["org_id"]: d["date"] for d in _read(out, "diagnostics")}
    assert diags == {
        ids["Les Jardins du Blavet"]: "2025-02-04",
        ids["ESAT de Kerbrient"]: "2025-03-04",
        ids["MENUISERIE LE GALL"]: "2025-03-12",
        ids["Imprimerie Ty Print"]: "2025-03-20",
    }

    items = {(i["org_id"], i["title"]): i for i in _read(out, "items")}
    camion = items[(ids["Les Jardins du Blavet"], "Camion benne")]
    assert (camion["direction"], camion["category"], camion["subcategory"]) == (
        "need",
        "equipment",
        "",
    )
    conseil = items[(ids["MENUISERIE LE GALL"], "Conseil en atelier bois")]
    assert (conseil["category"], conseil["subcategory"]) == ("volunteering", "skilled_volunteering")
    assert items[(ids["ESAT de Kerbrient"], "Mise sous pli et routage")]["category"] == "purchasing"
    assert items[(ids["MENUISERIE LE GALL"], "Chutes de bois")]["category"] == "equipment"
    assert len(items) == 5

    contacts = {c["name"]: c for c in _read(out, "contacts")}
    assert contacts["Nolwenn Fictive"]["phone"] == "02 97 00 11 22"
    assert contacts["Nolwenn Fictive"]["email"] == "nolwenn@jardins-blavet.example.org"
    assert contacts["Nolwenn Fictive"]["consent"] == "yes"
    assert contacts["Yann Exemplaire"]["consent"] == "no"
    assert contacts["Soazig Inventée"]["phone"] == "06 12 34 56 78"

    parts = {(p["org_a"], p["org_b"], p["status"]): p for p in _read(out, "partnerships")}
    pli = parts[(ids["Imprimerie Ty Print"], ids["ESAT de Kerbrient"], "realised")]
    assert (pli["value_euros"], pli["created"]) == ("1800.5", "2025-02-04")
    assert pli["need_id"] == items[(ids["Imprimerie Ty Print"], "Mise sous pli")]["item_id"]
    camion_p = parts[(ids["Les Jardins du Blavet"], ids["MENUISERIE LE GALL"], "in_discussion")]
    assert (camion_p["value_hours"], camion_p["created"], camion_p["offer_id"]) == (
        "20",
        "2025-02-04",
        "",
    )
    bois = parts[(ids["Les Jardins du Blavet"], ids["MENUISERIE LE GALL"], "realised")]
    assert (bois["value_hours"], bois["value_euros"], bois["created"]) == (
        "1.5",
        "250",
        "2025-03-04",
    )
    assert bois["need_id"] == ""
    events = _read(out, "partnership_events")
    assert sorted(e["at"][:10] for e in events) == ["2025-02-04", "2025-02-04", "2025-03-04"]

    # The same workbook again: same stable ids, nothing duplicated.
    import_territory(store, book, territory=get_territory(store, "centre"))
    counts = stats(store, "centre")
    assert (counts["organisations"], counts["diagnostics"], counts["contacts"]) == (5, 4, 3)
    assert counts["needs"] + counts["offers"] == 5


def _refused(store: Store, book: Path) -> list[str]:
    before = stats(store)
    with pytest.raises(InvalidInputError) as err:
        import_territory(store, book, territory=get_territory(store, "centre"))
    assert stats(store) == before  # every refusal leaves the database unchanged
    return [str(p) for p in err.value.problems if p.severity == "error"]


def test_x_for_consent_is_refused_saying_what_to_write(territory: Store, tmp_path: Path):
    rows = [list(r) for r in CONTACTS]
    rows[2][5] = "x"
    messages = _refused(territory, _workbook(tmp_path / "b.xlsx", Contacts=rows))
    assert messages == [
        "l'onglet « Contacts », ligne 3, colonne « Consentement » : « x » ne dit pas "
        "clairement oui ou non : écrivez « oui » (la personne accepte d'être contactée) ou « non »."
    ]


def test_unknown_and_ambiguous_names_name_sheet_row_column_and_closest(
    territory: Store, tmp_path: Path
):
    besoins = [list(r) for r in BESOINS]
    besoins[3][0] = "Menuiserie Le Gal"  # a letter missing
    structures = [list(r) for r in STRUCTURES] + [
        ["ESAT de Kerbrient", "ESAT", "ESAT", "Pontivy", "56300", "10-49", "Autre site"]
    ]
    messages = _refused(
        territory, _workbook(tmp_path / "c.xlsx", Besoins_et_offres=besoins, Structures=structures)
    )
    joined = "\n".join(messages)
    assert (
        "l'onglet « Besoins et offres », ligne 4, colonne « Structure » : structure "
        "« Menuiserie Le Gal » introuvable" in joined
    )
    assert "Noms proches : « MENUISERIE LE GALL »" in joined
    # A second ESAT de Kerbrient in another commune is another structure (format.md): the
    # references by that name are ambiguous and list both, with what to write to choose.
    assert not any("l'onglet « Structures »" in m for m in messages)
    assert (
        "l'onglet « Entretiens », ligne 3, colonne « Structure » : plusieurs structures "
        "s'appellent « ESAT de Kerbrient » : « ESAT de Kerbrient » (ST GUEN), « ESAT de "
        "Kerbrient » (Pontivy). Pour choisir, donnez à chacune un identifiant" in joined
    )
    assert not any("org_id" in m or "company" in m for m in messages)


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (6, "1 800,50 $", "n'est pas en euros"),
        (5, "inf", "n'est pas un nombre"),
        (7, "31/02/2025", "date « 31/02/2025 » impossible"),
        (4, "peut-être", "« concrétisé »"),
    ],
)
def test_bad_values_are_refused_with_french_expectations(
    territory: Store, tmp_path: Path, column: int, value: str, expected: str
):
    rows = [list(r) for r in PARTENARIATS]
    rows[1][column] = value
    messages = _refused(territory, _workbook(tmp_path / "d.xlsx", Partenariats=rows))
    assert len(messages) == 1 and expected in messages[0], messages
    assert messages[0].startswith("l'onglet « Partenariats », ligne 2, colonne « ")


def test_preview_tells_created_updated_ignored_and_writes_nothing(territory: Store, tmp_path: Path):
    from traits.services import preview_import

    store = territory
    book = _workbook(tmp_path / "suivi.xlsx")
    before = stats(store)
    plan = preview_import(store, book, territory=get_territory(store, "centre"))
    assert stats(store) == before
    assert plan.ready and plan.errors == []
    assert plan.rows["structures"] == (5, 0, 1)
    assert plan.rows["besoins et offres"] == (5, 0, 0)
    assert plan.rows["partenariats"] == (3, 0, 0)
    import_territory(store, book, territory=get_territory(store, "centre"))
    again = preview_import(store, book, territory=get_territory(store, "centre"))
    assert again.rows["structures"] == (0, 5, 1) and again.rows["contacts"] == (0, 3, 0)
    rows = [list(r) for r in CONTACTS]
    rows[1][5] = "OK"
    refused = preview_import(store, _workbook(tmp_path / "e.xlsx", Contacts=rows))
    assert not refused.ready and "« OK » ne dit pas clairement oui ou non" in str(refused.errors[0])
    assert refused.problems[0] is refused.errors[0]  # errors first


def test_a_real_name_starting_with_exemple_is_not_a_template_example(
    territory: Store, tmp_path: Path
):
    rows = [list(r) for r in STRUCTURES[:1]] + [
        ["Exemplaire Traiteur", "entreprise", "SARL", "Pontivy", "56300", "1-9", None],
        ["Atelier (exemple) du modèle", "association", None, "Pontivy", "56300", None, None],
    ]
    book = _workbook(
        tmp_path / "f.xlsx",
        Structures=rows,
        Entretiens=ENTRETIENS[:1],
        Besoins_et_offres=BESOINS[:1],
        Contacts=CONTACTS[:1],
        Partenariats=PARTENARIATS[:1],
    )
    report = import_territory(territory, book, territory=get_territory(territory, "centre"))
    assert report.written["organisations"] == 1
    assert any("ligne 3 : exemple du modèle, ignoré" in w.message for w in report.warnings)
