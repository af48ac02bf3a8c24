"""The field's abbreviations are read in both directions."""

from __future__ import annotations

import pytest

from traits.abbreviations import abbreviations, with_abbreviations


@pytest.mark.parametrize(
    ("text", "added"),
    [
        ("Former nos encadrants au SST", "sauveteur secouriste du travail"),
        ("Un CACES 3 pour nos caristes", "chariot élévateur"),
        ("Accueillir des PMSMP", "immersion"),
        ("Prêt d'un VL le mardi", "véhicule léger"),
        ("Formation sauveteur secouriste du travail", "SST"),
        ("Nos ressources humaines", "RH"),
    ],
)
def test_an_abbreviation_brings_its_expansion_and_back(text, added):
    assert added in with_abbreviations(text)


def test_lower_case_words_are_not_read_as_abbreviations():
    assert with_abbreviations("ça marche, ai-je dit") == "ça marche, ai-je dit"


def test_the_jargon_of_the_issue_is_known():
    for abbr in ("CACES", "SST", "PRAP", "PMSMP", "DUERP", "RQTH", "OETH", "GMS", "VL", "PL"):
        assert abbr in abbreviations()
