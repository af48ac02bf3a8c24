"""Finding a person in free text: their name in any case or accent form, their e-mail, their phone.

The rule (documented in docs/security.md, "Personal data and the audit log"):

- the full name, first name(s) then surname or surname then first name(s), whatever the case,
  the accents (``Hélène`` = ``helene``), and the spaces, hyphens or apostrophes between parts;
- the first initial then the surname (``H. Lemoine``);
- a civility then the surname, with or without the first name (``Mme Lemoine``,
  ``Monsieur Jean-Paul Le Gall``);
- the e-mail, whatever its case;
- the phone digits whatever the spacing, dots or dashes, national (``06 12…``) or international
  (``+33 6 12…``, ``+33 (0)6…``, ``0033 6…``) form.

A surname alone, or a first name alone, is never matched: many surnames are also common words
(Petit, Boulanger, Marchand) and erasing them would damage unrelated text.

Matching runs on a folded copy of the text (accents removed, lower case) whose every
character remembers its place in the original, so a replacement keeps the rest of the text
exactly as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from traits.text import fold_accents

#: Civilities that make a surname alone specific enough to be the person (folded forms).
CIVILITIES = (
    "monsieur",
    "madame",
    "mademoiselle",
    "mme",
    "mlle",
    "mr",
    "m",
    "docteur",
    "dr",
    "maitre",
    "me",
)
_JOIN = r"[\s\-'’‐‑]+"  # between the parts of a compound name
_CIVILITY = r"(?:" + "|".join(CIVILITIES) + r")(?:\.\s*|\s+)"
_PHONE_SEP = r"[\s.\-/]*"
#: A person as (name, e-mail, phone), each possibly missing.
Person = tuple[str | None, str | None, str | None]


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` without accents, in lower case, and for each folded character its original index."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = fold_accents(ch).casefold()
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


def _parts(words: Iterable[str]) -> str:
    pieces = [p for w in words for p in re.split(r"[\-'’‐‑]+", fold(w)[0]) if p]
    return _JOIN.join(re.escape(p) for p in pieces)


def _splits(name: str) -> list[tuple[list[str], list[str]]]:
    """The possible (first names, surname) readings of a name.

    Words in capitals are the surname (``LEMOINE Marie``, ``Marie LE GALL``); otherwise every
    cut is tried (``Anne Marie Kerhervé``: Kerhervé or Marie Kerhervé may be the surname).
    """
    words = name.split()
    upper = [w for w in words if len(re.sub(r"\W", "", w)) > 1 and w.isupper()]
    if upper and len(upper) < len(words):
        return [([w for w in words if w not in upper], upper)]
    return [(words[:k], words[k:]) for k in range(1, len(words))]


def _name_patterns(name: str) -> list[str]:
    words = name.split()
    if len(words) == 1:  # a single word: only with a civility
        return [_CIVILITY + _parts(words)] if len(words[0]) > 1 else []
    patterns = []
    for first, surname in _splits(name):
        f, s = _parts(first), _parts(surname)
        initial = re.escape(fold(first[0])[0][:1])
        patterns += [
            rf"(?:{_CIVILITY})?{f}{_JOIN}{s}",
            rf"{s}[\s,]+{f}",
            rf"{initial}\.\s*{s}",
            rf"{_CIVILITY}{s}",
        ]
    return patterns


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return None
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and len(digits) == 11 and phone.strip().startswith("+"):
        digits = "0" + digits[2:]
    if len(digits) == 10 and digits.startswith("0"):
        prefix = r"(?:(?:\+|00)\s*33\s*(?:\(\s*0\s*\)\s*)?|0)" + _PHONE_SEP
        return prefix + _PHONE_SEP.join(digits[1:])
    return r"\+?\s*" + _PHONE_SEP.join(digits)


@dataclass(frozen=True)
class PersonFinder:
    """Finds and masks the mentions of one or more people (see the module's rule)."""

    pattern: re.Pattern[str] | None

    @classmethod
    def for_people(cls, people: Iterable[Person]) -> PersonFinder:
        """A finder for these ``(name, email, phone)`` triples."""
        names: list[str] = []
        contacts: list[str] = []  # e-mails and phones first: an e-mail may contain the name
        for name, email, phone in people:
            if name and name.strip():
                names += [rf"(?<!\w){p}(?!\w)" for p in _name_patterns(name)]
            if email and email.strip():
                contacts.append(rf"(?<![\w.+\-]){re.escape(fold(email.strip())[0])}(?![\w\-]|\.\w)")
            digits = _phone_pattern(phone) if phone else None
            if digits:
                contacts.append(rf"(?<![\d+]){digits}(?!\d)")
        alternatives = contacts + names
        if not alternatives:
            return cls(None)
        return cls(re.compile("|".join(f"(?:{a})" for a in alternatives)))

    def spans(self, text: str | None) -> list[tuple[int, int]]:
        """The (start, end) of every mention in ``text``, in order, overlaps merged."""
        if not text or self.pattern is None:
            return []
        folded, origin = fold(text)
        spans: list[tuple[int, int]] = []
        for m in self.pattern.finditer(folded):
            if m.end() == m.start():
                continue
            start, end = origin[m.start()], origin[m.end() - 1] + 1
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        return spans

    def mask(self, text: str, marker: str) -> str:
        """``text`` with every mention replaced by ``marker``."""
        out, last = [], 0
        for start, end in self.spans(text):
            out += [text[last:start], marker]
            last = end
        return "".join(out) + text[last:]


__all__ = ["CIVILITIES", "PersonFinder", "fold"]
