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


def test_compiled_and_pure_python_stemmers_agree_on_the_vocabulary():
    """PyStemmer (used when installed) stems every vocabulary word as snowballstemmer's own code."""
    import re

    import pytest
    from snowballstemmer.french_stemmer import FrenchStemmer

    from traits.text import STEMMER
    from traits.vocabulary import Vocabulary

    Stemmer = pytest.importorskip("Stemmer")
    compiled, pure = Stemmer.Stemmer("french"), FrenchStemmer()
    vocabulary = Vocabulary.default()
    subs = [vocabulary.get(code) for code in vocabulary.codes]
    text = " ".join(f"{s.label} {' '.join(s.synonyms)}" for s in subs if s is not None)
    words = sorted(set(re.findall(r"[a-zà-öø-ÿœæ]+", text.lower())))
    assert len(words) > 1_000
    assert [compiled.stemWord(w) for w in words] == [pure.stemWord(w) for w in words]
    assert STEMMER.startswith("PyStemmer ")
