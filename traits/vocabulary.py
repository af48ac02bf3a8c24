"""The controlled vocabulary of subcategories: data a territory can extend, and text → subcategory.

The vocabulary ships as ``traits/data/subcategories.csv`` (read by
:mod:`traits.vocabulary_csv`; synonyms and related codes separated by ``|``). A territory adds or
overrides rows with :meth:`Vocabulary.extended`.

Free text is resolved to subcategories in layers, as a facilitator would:

1. phrase match: a synonym or label found as a run of stems in the text ("mises sous
   enveloppes" → ``mailing``); the longest phrase wins its words, so "collecte de fonds"
   does not also count as "collecte";
2. stem overlap: remaining words shared with a subcategory's vocabulary, weighted by how
   specific they are, with less weight than a phrase.

Evidence is combined with a noisy-OR so that scores stay in [0, 1].
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
from platformdirs import user_cache_dir

from traits.interchange.columns import CATEGORY_VALUES
from traits.rules import fold
from traits.text import STEMMER, normalise, phrase_key, tokens
from traits.vocabulary_csv import Subcategory, read_vocabulary_csv

__all__ = [
    "GENERIC_WORDS",
    "CATEGORY_COMPATIBILITY",
    "CATEGORY_ORDER",
    "CATEGORY_TABLE",
    "Subcategory",
    "Vocabulary",
    "category_codes",
    "category_compatibility",
]

CATEGORY_ORDER: tuple[str, ...] = (
    "skills",
    "equipment",
    "purchasing",
    "premises",
    "volunteering",
    "funding",
    "other",
)
_CATS = CATEGORY_ORDER

#: How well an offer of one category can answer a need of another (need, offer) → [0, 1].
#: Same category first; neighbouring ones possible (a skill given as volunteering or sold as
#: a service, equipment lent or bought second-hand...); an "other" need may meet anything.
CATEGORY_COMPATIBILITY: dict[tuple[str, str], float] = {
    **{(c, c): 1.0 for c in _CATS},
    **{("other", c): 0.8 for c in _CATS if c != "other"},
    **{(c, "other"): 0.6 for c in _CATS if c != "other"},
    ("skills", "volunteering"): 0.85,
    ("skills", "purchasing"): 0.7,
    ("skills", "funding"): 0.2,
    ("skills", "equipment"): 0.2,
    ("skills", "premises"): 0.2,
    ("volunteering", "skills"): 0.85,
    ("volunteering", "purchasing"): 0.4,
    ("volunteering", "funding"): 0.2,
    ("volunteering", "equipment"): 0.2,
    ("volunteering", "premises"): 0.2,
    ("purchasing", "skills"): 0.7,
    ("purchasing", "equipment"): 0.6,
    ("purchasing", "volunteering"): 0.5,
    ("purchasing", "premises"): 0.4,
    ("purchasing", "funding"): 0.1,
    ("equipment", "purchasing"): 0.7,
    ("equipment", "funding"): 0.4,
    ("equipment", "premises"): 0.3,
    ("equipment", "volunteering"): 0.2,
    ("equipment", "skills"): 0.2,
    ("premises", "equipment"): 0.4,
    ("premises", "purchasing"): 0.4,
    ("premises", "skills"): 0.1,
    ("premises", "volunteering"): 0.1,
    ("premises", "funding"): 0.2,
    ("funding", "equipment"): 0.5,
    ("funding", "volunteering"): 0.3,
    ("funding", "skills"): 0.3,
    ("funding", "purchasing"): 0.2,
    ("funding", "premises"): 0.2,
}


def category_compatibility(need_category: str, offer_category: str) -> float:
    """Compatibility in [0, 1] of a need's category with an offer's (0.1 when unlisted)."""
    return CATEGORY_COMPATIBILITY.get((need_category, offer_category), 0.1)


#: :data:`CATEGORY_COMPATIBILITY` as an array indexed by :func:`category_codes` (need, offer).
CATEGORY_TABLE: np.ndarray = np.array(
    [[category_compatibility(a, b) for b in _CATS] for a in _CATS], dtype=np.float64
)
_CATEGORY_POS = {c: i for i, c in enumerate(_CATS)}


def category_codes(categories: Iterable[str]) -> np.ndarray:
    """Integer codes of category names, rows of :data:`CATEGORY_TABLE` ("other" if unknown)."""
    other = _CATEGORY_POS["other"]
    return np.array([_CATEGORY_POS.get(c, other) for c in categories], dtype=np.int8)


#: Weight of one phrase match of n words (before dividing by its ambiguity).
_PHRASE_BASE = 0.6
_PHRASE_PER_WORD = 0.15
#: Weight of stem-overlap evidence relative to a phrase match.
_STEM_WEIGHT = 0.3
_MAX_PHRASE_WORDS = 8

#: Everyday words that say nothing of a subcategory on their own: they count inside a
#: synonym phrase ("fin de série", "grand format", "mise sous pli") but give no stem-overlap
#: evidence alone. Numbers and one- or two-letter stems never do either.
GENERIC_WORDS: frozenset[str] = frozenset(
    """
    an annee annees jour jours semaine mois heure heures soir matin midi temps fois date fin
    debut grand grande grands petit petite petits gros nouveau nouvelle nouveaux vieux haut
    bas premier premiere dernier mise mettre mis prise prendre faire donner avoir aller venir
    general generale gestion service services projet projets personne personnes gens groupe
    equipe lieu part partie activite activites structure structures entreprise entreprises
    association associations salarie salaries public publique centre plan aide aider soutien
    cas type sorte chose choses besoin place places point points niveau site local locaux
    travail travaux action actions solidaire solidaires social sociale sociaux territoire
    professionnel professionnelle professionnels pro libre bon bonne demande offre ligne
    collectif collective commun commune partage partagee partager disposition utile reste
    restes restant restante
    """.split()
)


class Vocabulary:
    """A set of subcategories with layered free-text resolution.

    Parameters
    ----------
    subcategories
        The subcategories; a later one replaces an earlier one with the same code.
    """

    def __init__(self, subcategories: Iterable[Subcategory]) -> None:
        by_code: dict[str, Subcategory] = {}
        for sub in subcategories:
            by_code[sub.code] = sub
        self._by_code = by_code
        self._by_name: dict[str, Subcategory] = {}
        for sub in by_code.values():
            self._by_name.setdefault(_name_key(sub.label), sub)
        for sub in by_code.values():  # codes win over labels
            self._by_name[_name_key(sub.code)] = sub
        self._build_index()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def default(cls) -> Vocabulary:
        """The vocabulary shipped with traits (``traits/data/subcategories.csv``), cached."""
        return _default_vocabulary()

    def extended(self, extra: Iterable[Subcategory]) -> Vocabulary:
        """A new vocabulary with ``extra`` added; a territory's row overrides the same code."""
        return Vocabulary([*self._by_code.values(), *extra])

    def _build_index(self) -> None:
        """The phrase and stem index: read from the user cache, or built and written there."""
        key = self._content_key()
        cached = _read_index(key)
        if cached is None:
            cached = self._index()
            _write_index(key, cached)
        phrases, self._max_words, stems = cached
        self._phrases = {k: tuple(v) for k, v in phrases.items()}
        self._stems = {k: (tuple(codes), float(idf)) for k, (codes, idf) in stems.items()}

    def _content_key(self) -> str:
        """Hash of what the index depends on: the rows (a territory's additions included),
        the generic words, the stemmer and the index layout."""
        h = hashlib.sha256(f"{_INDEX_LAYOUT}|{STEMMER}".encode())
        h.update("|".join(sorted(GENERIC_WORDS)).encode())
        for sub in self._by_code.values():
            row = (sub.code, sub.label, "|".join(sub.synonyms))
            h.update(("\x1f".join(row) + "\x1e").encode())
        return h.hexdigest()[:32]

    def _index(self) -> _Index:
        """Build the index: phrase keys → codes, longest phrase, stems → (codes, idf)."""
        phrase_codes: dict[str, set[str]] = defaultdict(set)
        stem_codes: dict[str, set[str]] = defaultdict(set)
        for sub in self._by_code.values():
            for phrase in (sub.label, *sub.synonyms):
                key = phrase_key(phrase)
                if key:
                    phrase_codes[key].add(sub.code)
                    for s in key.split():
                        if _counts_alone(s):
                            stem_codes[s].add(sub.code)
        phrases = {k: sorted(v) for k, v in phrase_codes.items()}
        max_words = min(_MAX_PHRASE_WORDS, max((len(k.split()) for k in phrases), default=1))
        n = max(len(self._by_code), 1)
        stems = {
            s: (sorted(codes), math.log((n + 1) / len(codes)) / math.log(n + 1))
            for s, codes in stem_codes.items()
        }
        return phrases, max_words, stems

    # -- lookup -------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Subcategory]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> list[str]:
        """Subcategory codes in vocabulary order."""
        return list(self._by_code)

    def get(self, code: str) -> Subcategory | None:
        """The subcategory with this exact code, or None."""
        return self._by_code.get(code)

    def resolve(self, text: str) -> Subcategory | None:
        """The subcategory named exactly by ``text``: its code or French label.

        Case, accents, spaces and punctuation are ignored; used to validate imports.
        """
        if not text or not text.strip():
            return None
        sub = self._by_code.get(text.strip())
        if sub is not None:
            return sub
        return self._by_name.get(_name_key(text))

    # -- free text ----------------------------------------------------------------------------

    def evidence(self, text: str | None) -> dict[str, float]:
        """Score in [0, 1] of every subcategory the text points to (layered, noisy-OR)."""
        if not text:
            return {}
        return dict(self._evidence_from_stems(tuple(tokens(text))))

    def _evidence_from_stems(self, toks: tuple[str, ...]) -> list[tuple[str, float]]:
        return _evidence(self, toks)

    def suggest(
        self, text: str, category: str | None = None, k: int = 3
    ) -> list[tuple[Subcategory, float]]:
        """The ``k`` most likely subcategories for a free text, best first, scores in [0, 1].

        When ``category`` is given (and is not ``other``), only its subcategories are proposed.
        """
        scores = self.evidence(text)
        cat = CATEGORY_VALUES.get(fold(category), category) if category else None
        out = []
        for code, score in scores.items():
            sub = self._by_code[code]
            if cat and cat != "other" and sub.category != cat:
                continue
            out.append((sub, round(float(score), 6)))
        out.sort(key=lambda p: (-p[1], p[0].code))
        return out[:k]


#: Index as cached: phrase keys → codes, longest phrase in words, stems → (codes, idf).
_Index = tuple[dict[str, list[str]], int, dict[str, tuple[list[str], float]]]
#: Changes whenever the index's layout or the way it is built changes.
_INDEX_LAYOUT = "vocabulary-index-1"


def _index_path(key: str) -> Path:
    return Path(user_cache_dir("traits", appauthor=False)) / f"vocabulary-{key}.json"


def _read_index(key: str) -> _Index | None:
    """The cached index, or None when it is absent or unreadable (then it is rebuilt)."""
    try:
        data = json.loads(_index_path(key).read_text("utf-8"))
        if data.get("key") != key:
            return None
        phrases, max_words, stems = data["phrases"], int(data["max_words"]), data["stems"]
        if not isinstance(phrases, dict) or not isinstance(stems, dict):
            return None
        return phrases, max_words, {k: (list(v[0]), float(v[1])) for k, v in stems.items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def _write_index(key: str, index: _Index) -> None:
    """Write the index atomically (a temporary file renamed); a failure only costs speed."""
    phrases, max_words, stems = index
    path = _index_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vocabulary-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                payload = {"key": key, "phrases": phrases, "max_words": max_words, "stems": stems}
                json.dump(payload, fh, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


@lru_cache(maxsize=1)
def _generic_stems() -> frozenset[str]:
    return frozenset(phrase_key(w) for w in GENERIC_WORDS) - {""}


def _counts_alone(stem_: str) -> bool:
    """Whether a stem gives stem-overlap evidence on its own (see :data:`GENERIC_WORDS`)."""
    return len(stem_) > 2 and not stem_.isdigit() and stem_ not in _generic_stems()


def _name_key(text: str) -> str:
    """Comparison key of a code or label: folded, no punctuation, no one-letter words."""
    return " ".join(w for w in normalise(text.replace("_", " ")).split() if len(w) > 1)


def _phrase_matches(vocab: Vocabulary, toks: tuple[str, ...]) -> list[tuple[str, tuple[int, int]]]:
    """Phrase keys found in ``toks``, longest first; a phrase inside a longer match is dropped."""
    found: list[tuple[str, tuple[int, int]]] = []
    covered = [False] * len(toks)
    for n in range(min(vocab._max_words, len(toks)), 0, -1):
        for i in range(len(toks) - n + 1):
            key = " ".join(toks[i : i + n])
            if key in vocab._phrases and not all(covered[i : i + n]):
                found.append((key, (i, i + n)))
        for _key, (a, b) in found:
            if b - a == n:
                for j in range(a, b):
                    covered[j] = True
    return found


def _evidence(vocab: Vocabulary, toks: tuple[str, ...]) -> list[tuple[str, float]]:
    miss: dict[str, float] = defaultdict(lambda: 1.0)  # product of (1 - evidence)
    matches = _phrase_matches(vocab, toks)
    covered: set[int] = set()
    for key, (a, b) in matches:
        codes = vocab._phrases[key]
        n = b - a
        w = min(0.95, _PHRASE_BASE + _PHRASE_PER_WORD * (n - 1)) / math.sqrt(len(codes))
        for code in codes:
            miss[code] *= 1.0 - w
        covered.update(range(a, b))
    seen = set()
    for i, s in enumerate(toks):
        if i in covered or s in seen or s not in vocab._stems:
            continue
        seen.add(s)
        codes, idf = vocab._stems[s]
        w = _STEM_WEIGHT * idf
        for code in codes:
            miss[code] *= 1.0 - w
    return [(code, 1.0 - m) for code, m in miss.items() if m < 1.0]


@lru_cache(maxsize=1)
def _default_vocabulary() -> Vocabulary:
    ref = resources.files("traits").joinpath("data/subcategories.csv")
    with ref.open("rb") as fh:
        return Vocabulary(read_vocabulary_csv(io.BytesIO(fh.read())))
