"""The controlled vocabulary: shipped data, territory extensions, free-text suggestions."""

import io

import pytest

from traits.errors import InvalidInputError, TraitsError
from traits.vocabulary import CATEGORIES, Subcategory, Vocabulary, read_vocabulary_csv

CANONICAL = set(CATEGORIES.values())


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
