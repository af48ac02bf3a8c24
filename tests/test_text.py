"""French normalisation: what a facilitator types must reach the same words."""

from traits.text import STOP_WORDS, fold_accents, normalise, phrase_key, stem, tokens


def test_accents_case_and_elisions_are_removed():
    assert normalise("L'Entretien d’Espaces verts !") == "entretien espaces verts"
    assert fold_accents("Œuvre, été") == "OEuvre, ete"


def test_plural_and_accents_share_a_stem():
    assert tokens("Véhicules utilitaires") == tokens("vehicule utilitaire")
    assert stem("enveloppes") == stem("enveloppe")


def test_stop_words_and_interview_fillers_are_dropped():
    assert tokens("Nous cherchons un camion pour le samedi") == ["camion", "samed"]
    assert "pour" in STOP_WORDS


def test_phrases_keep_false_friends_apart():
    assert phrase_key("mises sous enveloppes") == phrase_key("mise sous enveloppe")
    assert phrase_key("collecte de fonds") != phrase_key("collecte de meubles")
    assert phrase_key("prêt d'honneur") != phrase_key("prêt de salle")


def test_empty_text():
    assert normalise(None) == "" and tokens("") == [] and tokens(None, stem=False) == []
