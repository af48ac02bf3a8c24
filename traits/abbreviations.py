"""The field's abbreviations, read in both directions.

Interviews are full of them: « formation SST », « un CACES 3 », « une PMSMP », « un VL ». Only
abbreviations that name what is needed or offered are listed (a training, a vehicle, a
scheme); those naming what an organisation is (ESAT, SCIC, ESS) would add the same generic
words to many texts and blur matching.
:func:`with_abbreviations` adds to a text the expansion of every abbreviation it contains,
and the abbreviation of every expansion it spells out, so that « formation SST » and
« sauveteur secouriste du travail » share words for TF-IDF and for the vocabulary. The list
lives in ``traits/data/abbreviations.csv`` (abbreviation, expansion).
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources

from traits.text import normalise

__all__ = ["abbreviations", "with_abbreviations"]


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """Abbreviation (upper case) → expansion, from the packaged list."""
    text = resources.files("traits").joinpath("data/abbreviations.csv").read_text("utf-8")
    return {row["abbreviation"]: row["expansion"] for row in csv.DictReader(text.splitlines())}


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], list[tuple[str, str]]]:
    table = abbreviations()
    # Upper case as written (« CA » is conseil d'administration, « ça » is not), plural « s »
    # and a trailing number (« CACES 3 ») allowed.
    word = re.compile(r"\b(" + "|".join(sorted(table, key=len, reverse=True)) + r")s?\b")
    # An expansion counts when its first words are written out (accents and case folded).
    spelled = [(" ".join(normalise(exp).split()[:4]), abbr) for abbr, exp in table.items()]
    return word, spelled


def with_abbreviations(text: str | None) -> str:
    """The text followed by the expansions and abbreviations it implies (or ``""``)."""
    if not text:
        return ""
    word, spelled = _patterns()
    table = abbreviations()
    extra = [table[m] for m in dict.fromkeys(word.findall(text))]
    folded = f" {normalise(text)} "
    extra += [abbr for key, abbr in spelled if f" {key} " in folded and abbr not in text]
    return text if not extra else f"{text} ({' ; '.join(extra)})"
