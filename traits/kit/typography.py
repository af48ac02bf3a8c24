"""French typography for what the kit prints: non-breaking spaces around « » ; : ! ?.

Applied by the renderers (booklet, plaquette, Word templates), never by hand in the sources,
so that no printed line starts with », ?, ;, ! or :.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"

# A space (or none) before ; : ! ? » becomes a non-breaking space, except after a start of
# line or another punctuation (« !? »), and not inside URLs or times (http://, 10:30).
_BEFORE = re.compile(r"(?<=[\w\)\]»*…%€.])[ \t\n]*([;!?»])|(?<=[\w\)\]»*…%€.])[ \t\n]+(:)(?!//)")
# A « already followed by a non-breaking space (the report's narrow one) is left alone.
_AFTER = re.compile(r"«(?![\u00a0\u202f])[ \t\n]*")


def french_spacing(text: str) -> str:
    """``text`` with non-breaking spaces where French typography wants them.

    >>> french_spacing("Objet : « Mise en lien » ; merci !") == (
    ...     "Objet\u00a0: «\u00a0Mise en lien\u00a0»\u00a0; merci\u00a0!")
    True
    """
    text = _AFTER.sub("«" + NBSP, text)
    return _BEFORE.sub(lambda m: NBSP + (m[1] or m[2]), text)
