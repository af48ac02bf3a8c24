"""User text shown as text: the one way pages put stored or typed values into the page.

Streamlit renders as Markdown every string it is given (``st.markdown``, ``st.caption``,
``st.info``, ``st.toast``, ``st.subheader``, widget labels…). A description holding
``![x](http://…)`` would make every visitor's browser fetch that image, ``[lien](http://…)``
would be a live link. Pages therefore interpolate a stored or typed value only through
:func:`esc` (``tests/test_app_text.py`` checks every page statically and in AppTest).
"""

from __future__ import annotations

import re

#: Every ASCII punctuation character: CommonMark lets each be escaped with a backslash.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
#: Starts of what GFM turns into links after parsing, where backslashes no longer count:
#: ``http://``, ``www.`` and the ``@`` of an e-mail.
_AUTOLINK = re.compile(r"(?i)(?<=https:)|(?<=http:)|(?<=www)(?=\.)|(?<=@)")
#: Invisible, unbreakable: cuts those starts without changing what the reader sees.
WORD_JOINER = "\u2060"


def esc(text: object) -> str:
    """``text`` made inert in Markdown: no link, image, emphasis, heading, icon or HTML."""
    out = "" if text is None else str(text)
    out = _AUTOLINK.sub(WORD_JOINER, out)
    return _PUNCTUATION.sub(r"\\\1", out)


def shown(markdown: str) -> str:
    """What a reader sees of text made by :func:`esc` (for tests and logs): escapes removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


__all__ = ["WORD_JOINER", "esc", "shown"]


#: What an empty choice list shows (Streamlit's own says « Choose an option »): every
#: selectbox and multiselect of the app passes it as ``placeholder``.
CHOOSE = "Choisissez…"
