"""The controlled vocabulary: shipped data, territory extensions, free-text suggestions."""

import io

import pytest

from traits.errors import InvalidInputError, TraitsError
from traits.interchange.columns import CATEGORY_VALUES
from traits.vocabulary import Subcategory, Vocabulary
from traits.vocabulary_csv import read_vocabulary_csv, subcategory_code

CANONICAL = set(CATEGORY_VALUES.values())


def test_default_vocabulary_covers_every_category_with_related_codes():
    v = Vocabulary.default()
    assert len(v) >= 40
    assert {s.category for s in v} == CANONICAL
    for s in v:
        assert s.synonyms, s.code
        assert all(v.get(r) is not None for r in s.related), s.code
    assert Vocabulary.default() is v  # cached


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("mise sous enveloppe de nos courriers", "mailing"),
        ("un camion pour déménager", "vehicles"),
        ("véhicule utilitaire à prêter", "vehicles"),
        ("taille de haies et tonte", "green_spaces"),
        ("collecte de fonds pour notre projet", "loans_fundraising"),
        ("prêt d'honneur", "loans_fundraising"),
        ("prêt de salle pour notre AG", "meeting_rooms"),
        ("refonte du site internet", "web"),
        ("un site de production", "workshop_space"),
        ("mécénat de compétences d'un comptable", "skilled_volunteering"),
    ],
)
def test_suggest_finds_the_subcategory(text, code):
    codes = [s.code for s, _ in Vocabulary.default().suggest(text, k=3)]
    assert code in codes


def test_suggest_scores_in_unit_interval_and_category_filter():
    v = Vocabulary.default()
    out = v.suggest("camion pour livrer des repas", category="equipment", k=5)
    assert out and all(s.category == "equipment" and 0 <= x <= 1 for s, x in out)
    assert v.suggest("", k=3) == []


def test_resolve_ignores_case_and_accents():
    v = Vocabulary.default()
    assert v.resolve("GREEN_SPACES").code == "green_spaces"
    assert v.resolve("entretien d'ESPACES verts").code == "green_spaces"
    assert v.resolve("nimporte quoi") is None


def test_territory_extension_overrides_by_code():
    v = Vocabulary.default()
    extra = Subcategory("boats", "equipment", "Bateaux", ("voilier", "annexe"), ("vehicles",))
    w = v.extended([extra, Subcategory("web", "skills", "Web local", ("appli",), ())])
    assert len(w) == len(v) + 1 and w.get("web").label == "Web local"
    assert w.suggest("prêter un voilier")[0][0].code == "boats"
    assert v.get("boats") is None


def test_invalid_csv_reports_every_problem_in_french():
    csv_text = "code;category;label;synonyms;related\nBad Code;skills;X;a|b;\nok;planets;;a;\n"
    with pytest.raises(InvalidInputError) as err:
        read_vocabulary_csv(io.StringIO(csv_text))
    msg = str(err.value)
    assert "ligne 2" in msg and "ligne 3" in msg and "catégorie" in msg and "libellé" in msg
    assert isinstance(err.value, TraitsError)


def test_csv_accepts_french_category_aliases_and_bom():
    data = "\ufeffcode,category,label,synonyms,related\nboats,matériel,Bateaux,voilier|annexe,\n"
    (sub,) = read_vocabulary_csv(io.BytesIO(data.encode("utf-8")))
    assert sub.category == "equipment" and sub.synonyms == ("voilier", "annexe")


# -- files typed by facilitators -----------------------------------------------------------------

FRENCH = (
    "Libelle;CATÉGORIE;Synonymes;Voisines\n"
    "Entretien de bateaux;Compétences;carénage|coque;"
    "Petits travaux, maintenance et réparations|location de voiliers\n"
    "Location de voiliers;matériel;voilier|dériveur;\n"
)


def test_french_headers_without_code_categories_and_neighbours_by_label():
    data = io.BytesIO(FRENCH.encode("cp1252"))
    boats, sails = read_vocabulary_csv(data, known=list(Vocabulary.default()))
    assert (boats.code, boats.category, boats.label) == (
        "entretien_de_bateaux",
        "skills",
        "Entretien de bateaux",
    )
    assert boats.synonyms == ("carénage", "coque")
    assert boats.related == ("maintenance_repairs", "location_de_voiliers")
    assert (sails.code, sails.category) == ("location_de_voiliers", "equipment")
    assert subcategory_code("Entretien de bateaux") == boats.code


def test_english_headers_with_codes_still_work():
    data = "code,category,label,synonyms,related\nboats,equipment,Bateaux,voilier,vehicles\n"
    (sub,) = read_vocabulary_csv(io.StringIO(data), known=list(Vocabulary.default()))
    assert (sub.code, sub.category, sub.related) == ("boats", "equipment", ("vehicles",))


def test_a_made_code_taken_by_another_subcategory_gets_a_number_a_known_label_keeps_its_code():
    known = list(Vocabulary.default())
    legal = Vocabulary.default().get("legal")
    data = f"Libellé;Catégorie\nLegal;compétences\n{legal.label};compétences\n"
    new, same = read_vocabulary_csv(io.StringIO(data), known=known)
    assert new.code == "legal_2" and same.code == "legal"
    assert subcategory_code("3D et impression") == "s_3d_et_impression"


def test_refusals_name_the_header_as_typed_and_list_french_categories():
    data = "Libelle;CATÉGORIE;Voisines\nVoile;planètes;\n;compétences;\nvoile;matériel;Inconnue\n"
    with pytest.raises(InvalidInputError) as err:
        read_vocabulary_csv(io.StringIO(data), known=list(Vocabulary.default()))
    msg = str(err.value)
    assert "ligne 2, colonne « CATÉGORIE » : catégorie « planètes » inconnue" in msg
    assert "compétences, matériel, achats, locaux, bénévolat, mécénat financier, autre" in msg
    assert "ligne 3, colonne « Libelle » : libellé vide" in msg
    assert "ligne 4, colonne « Libelle » : libellé « voile » déjà donné ligne 2" in msg
    assert (
        "ligne 4, colonne « Voisines » : sous-catégories voisines inconnues : « Inconnue »" in msg
    )
    for english in ("skills", "equipment", "category", "label", "related"):
        assert english not in msg


def test_a_missing_column_is_named_in_french():
    with pytest.raises(InvalidInputError) as err:
        read_vocabulary_csv(io.StringIO("Nom;Catégorie\nVoile;matériel\n"))
    assert "colonne « Libellé »" in str(err.value) and "category" not in str(err.value)
