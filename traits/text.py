"""French text normalisation for matching: accents, elisions, stop words, stems, tokens.

Everything here is pure and deterministic. Stems come from the maintained Snowball French
stemmer (``snowballstemmer``), applied to the accented word and then folded, so that
"véhicules" and "vehicule" share the stem ``vehicul``. ``snowballstemmer`` runs the
compiled Snowball library when PyStemmer is installed (a dependency: about 30 times faster
on a territory's new words), its own pure-Python code otherwise; both give the same stems
(``tests/test_text.py`` compares them over the whole vocabulary).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

__all__ = [
    "STEMMER",
    "STOP_WORDS",
    "fold_accents",
    "normalise",
    "phrase_key",
    "stem",
    "tokens",
    "words",
]

#: Curated French stop words (folded): articles, pronouns, prepositions, auxiliaries and
#: the filler words of interviews ("nous cherchons", "besoin de"). Simple on purpose: no
#: negation handling, the words that decide a match are nouns.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a au aux avec ce ces cet cette c ca d dans de des du elle elles en et eux il ils je j
    l la le les leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ou par
    pas pour qu que qui s sa se sous ses son sur t ta te tes toi ton tu un une vos votre vous y
    est sont etre ete etait etaient sera seront ai as avons avez ont avoir eu fait faire
    font peut peuvent pouvoir doit doivent devoir faut souhaite souhaitons souhaitent
    cherche cherchons cherchent recherche recherchons besoin besoins propose proposons
    proposent offre offrons offrent pouvons disposons dispose disposent aimerions
    voudrions veut veulent
    tres plus moins aussi bien tout tous toute toutes autre autres certain certains
    quelque quelques chaque plusieurs sans non ni si comme afin ainsi alors donc car
    quand lorsque puis entre chez vers sous depuis pendant selon via etc ex exemple
    nos notre leur cela ceci celui celle ceux celles dont ou la ici
    """.split()
)

_ELISION = re.compile(r"\b(?:l|d|qu|j|n|s|c|m|t|jusqu|lorsqu|puisqu|quoiqu)['’`´]", re.IGNORECASE)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_WORD = re.compile(r"[0-9a-zà-öø-ÿœæ]+")

_stemmer = snowballstemmer.stemmer("french")


def _stemmer_name() -> str:
    """Which Snowball implementation stems, and its version (keys the caches built on stems)."""
    import importlib.metadata

    compiled = type(_stemmer).__module__.split(".")[0] == "Stemmer"
    package = "PyStemmer" if compiled else "snowballstemmer"
    try:
        return f"{package} {importlib.metadata.version(package)}"
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - vendored copy
        return f"{package} unknown"


#: The stemmer in use, as "package version".
STEMMER = _stemmer_name()


class _FoldTable(dict[int, str]):
    """``str.translate`` table of :func:`fold_accents`, filled one character at a time.

    Folding is per character (a decomposition's combining marks are dropped, whatever their
    order), so translating with this table gives the same text as decomposing the whole
    string, at the speed of ``str.translate``.
    """

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = _LIGATURES.get(ch)
        if folded is None:
            decomposed = unicodedata.normalize("NFKD", ch)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c))
        self[code] = folded
        return folded


_LIGATURES = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE"}
_FOLD = _FoldTable()


def fold_accents(text: str) -> str:
    """Remove diacritics and expand ligatures: ``"Œuvre été"`` → ``"OEuvre ete"``."""
    if text.isascii():
        return text
    return text.translate(_FOLD)


def _strip_elisions(text: str) -> str:
    return _ELISION.sub(" ", text)


def normalise(text: str | None) -> str:
    """Lowercase, fold accents, drop elisions and punctuation; words joined by single spaces.

    >>> normalise("L'entretien d'Espaces  verts !")
    'entretien espaces verts'
    """
    if not text:
        return ""
    low = _strip_elisions(text.lower())
    return " ".join(_NON_WORD.split(fold_accents(low))).strip()


def words(text: str | None, *, drop_stop_words: bool = True) -> list[str]:
    """Lowercase accented words (elisions removed), optionally without stop words."""
    if not text:
        return []
    low = _strip_elisions(text.lower())
    out = _WORD.findall(low)
    if drop_stop_words:
        out = [w for w in out if not _is_stop_word(w)]
    return out


@lru_cache(maxsize=200_000)
def _is_stop_word(word: str) -> bool:
    return fold_accents(word) in STOP_WORDS


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball French stem of one lowercase word, accents folded afterwards (cached)."""
    return fold_accents(_stemmer.stemWord(word))


def tokens(text: str | None, stem: bool = True) -> list[str]:  # noqa: A002 - public name
    """Content tokens of a French text: no stop words, folded, stemmed unless ``stem=False``.

    >>> tokens("Nous cherchons des véhicules utilitaires")
    ['vehicul', 'utilitair']
    """
    ws = words(text)
    if stem:
        return [_stem_token(w) for w in ws]
    return [_fold_word(w) for w in ws]


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return fold_accents(word)


def _stem_token(word: str) -> str:
    return stem(word) if not word.isdigit() else word


def phrase_key(text: str | None) -> str:
    """Key of a phrase for phrase matching: its content stems, space-joined.

    "Mises sous enveloppes" and "mise sous enveloppe" share the key ``"mis envelopp"``,
    while "collecte de fonds" (``"collect fond"``) stays apart from "collecte de meubles".
    """
    return " ".join(tokens(text))
