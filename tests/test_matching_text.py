"""The fast text paths of matching give exactly what the plain definitions give."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from traits.text import fold_accents


def _fold_whole_string(text: str) -> str:
    """The definition: ligatures expanded, the whole text decomposed, combining marks dropped."""
    for a, b in (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE")):
        text = text.replace(a, b)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@settings(deadline=None)
@given(st.text(max_size=40))
def test_fold_accents_by_character_table_equals_whole_string_decomposition(text):
    assert fold_accents(text) == _fold_whole_string(text)


def test_fold_accents_on_french():
    assert fold_accents("Œuvre été à Châteaugiron, e\u0301") == "OEuvre ete a Chateaugiron, e"
