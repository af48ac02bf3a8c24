"""Finding a person in free text: their name in any case or accent form, their e-mail, their phone.

The rule (documented in docs/security.md, "Personal data and the audit log"):

- the full name, first name(s) then surname or surname then first name(s), whatever the case,
  the accents (``Hélène`` = ``helene``), and the spaces, hyphens or apostrophes between parts;
- the first initial then the surname (``H. Lemoine``), or the initials of a compound first
  name (``A.-S. d'Arvor``, ``A.S. d'Arvor``);
- the first name(s) then the surname with one part of a compound surname as its initial
  (``Maëlle K.-Tréhin``);
- an elided particle with or without its apostrophe (``d'Arvor``, ``DArvor``);
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

#: What an erasure writes in place of a mention: never content (see :func:`without_erasure_marks`).
ERASED = "[personne effacée]"

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


def _pieces(words: Iterable[str]) -> list[str]:
    """The folded parts of a name, split at spaces, hyphens and apostrophes."""
    return [p for w in words for p in re.split(r"[\-'’‐‑]+", fold(w)[0]) if p]


def _joined(pieces: list[str]) -> str:
    """The parts as a pattern; an elided particle (``d'``, ``l'``) may lose its apostrophe."""
    out = ""
    for i, piece in enumerate(pieces):
        if i:
            out += _JOIN.replace("+", "*") if len(pieces[i - 1]) == 1 else _JOIN
        out += piece
    return out


def _parts(words: Iterable[str]) -> str:
    return _joined([re.escape(p) for p in _pieces(words)])


def _abridged(surname: list[str]) -> list[str]:
    """A compound surname with one of its longer parts as an initial (``K.-Tréhin``)."""
    pieces = [re.escape(p) for p in _pieces(surname)]
    if len(pieces) < 2:
        return []
    return [
        _joined([*pieces[:i], piece[0] + r"\.", *pieces[i + 1 :]])
        for i, piece in enumerate(pieces)
        if len(piece) > 2
    ]


def _initials(first: list[str]) -> str:
    """The first initial (``A.``), or the initials of a compound first name (``A.-S.``)."""
    letters = [re.escape(p[0]) for p in _pieces(first)]
    forms = [letters[0] + r"\."]
    if len(letters) > 1:
        forms.append(r"(?:\.\s*-?\s*|-)".join(letters) + r"\.?")
    return "(?:" + "|".join(forms) + ")"


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


def _name_patterns(name: str, plain: bool = True) -> list[str]:
    """The patterns of a name; without ``plain``, only the forms that can only be a person
    (civility, initials), not the plain full name a place or a structure may bear."""
    words = name.split()
    if len(words) == 1:  # a single word: only with a civility
        return [_CIVILITY + _parts(words)] if len(words[0]) > 1 else []
    patterns = []
    for first, surname in _splits(name):
        f, s, short = _parts(first), _parts(surname), _abridged(surname)
        forms = "(?:" + "|".join([s, *short]) + ")"
        patterns += [
            rf"{_CIVILITY}{f}{_JOIN}{forms}",
            rf"{_initials(first)}\s*{s}",
            rf"{_CIVILITY}{forms}",
            *(rf"{f}{_JOIN}{a}" for a in short),
        ]
        if plain:
            patterns += [rf"{f}{_JOIN}{s}", rf"{s}[\s,]+{f}"]
    return patterns


def phone_key(phone: str | None) -> str | None:
    """The digits of a phone number, French numbers in their national form (``0612…``);
    None when too short to be one."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 6:
        return None
    if digits.startswith("0033"):
        return "0" + digits[4:]
    if digits.startswith("33") and len(digits) == 11 and (phone or "").strip().startswith("+"):
        return "0" + digits[2:]
    return digits


def name_key(name: str) -> tuple[str, ...]:
    """A name's parts, folded and sorted: ``MARTIN Paul`` and ``Paul Martin`` are one key."""
    return tuple(sorted(_pieces(name.split())))


def _phone_pattern(phone: str) -> str | None:
    digits = phone_key(phone)
    if digits is None:
        return None
    if len(digits) == 10 and digits.startswith("0"):
        prefix = r"(?:(?:\+|00)\s*33\s*(?:\(\s*0\s*\)\s*)?|0)" + _PHONE_SEP
        return prefix + _PHONE_SEP.join(digits[1:])
    return r"\+?\s*" + _PHONE_SEP.join(digits)


@dataclass(frozen=True)
class PersonFinder:
    """Finds and masks the mentions of one or more people (see the module's rule)."""

    pattern: re.Pattern[str] | None

    @classmethod
    def for_people(cls, people: Iterable[Person], *, names: str = "all") -> PersonFinder:
        """A finder for these ``(name, email, phone)`` triples.

        ``names``: ``"all"`` the forms of the rule; ``"personal"`` the forms only a person
        bears (civility, initials), not the plain full name (« Ressourcerie Louise Michel »);
        ``"none"`` only the e-mails and phones, which identify the person wherever written.
        """
        found: list[str] = []
        contacts: list[str] = []  # e-mails and phones first: an e-mail may contain the name
        for name, email, phone in people:
            if names != "none" and name and name.strip():
                patterns = _name_patterns(name, plain=names == "all")
                found += [rf"(?<!\w){p}(?!\w)" for p in patterns]
            if email and email.strip():
                contacts.append(rf"(?<![\w.+\-]){re.escape(fold(email.strip())[0])}(?![\w\-]|\.\w)")
            digits = _phone_pattern(phone) if phone else None
            if digits:
                contacts.append(rf"(?<![\d+]){digits}(?!\d)")
        alternatives = contacts + found
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


_MARKS = re.compile(r"\s*" + re.escape(ERASED))


def without_erasure_marks(text: str) -> str:
    """``text`` without the marks an erasure left: the one place the matcher drops them
    (a mark is not content: two texts that mentioned erased people share nothing)."""
    return _MARKS.sub("", text) if ERASED in text else text


__all__ = [
    "CIVILITIES",
    "ERASED",
    "PersonFinder",
    "fold",
    "name_key",
    "phone_key",
    "without_erasure_marks",
]
