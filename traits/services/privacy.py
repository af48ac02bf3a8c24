"""The information notice to read to the people met (GDPR, art. 13), taken from the kit.

The kit document ``docs/kit-essaimage/06-donnees-personnelles.md`` is the one source of the
notice: the Pôle edits it there, the app shows the same text during the interview.
"""

from __future__ import annotations

import re
from pathlib import Path

PRIVACY_DOC = (
    Path(__file__).resolve().parents[2] / "docs" / "kit-essaimage" / "06-donnees-personnelles.md"
)
NOTICE_HEADING = "## La notice"


def information_notice(path: Path | None = None) -> str | None:
    """The notice (the quoted block of its section) as Markdown, or None if the doc is missing.

    Parameters
    ----------
    path : the kit document (default: :data:`PRIVACY_DOC`).
    """
    try:
        text = (path or PRIVACY_DOC).read_text(encoding="utf-8")
    except OSError:
        return None
    start = text.find(NOTICE_HEADING)
    if start < 0:
        return None
    section = text[start:].split("\n", 1)[-1].split("\n## ", 1)[0]
    block = re.search(r"(?:^>.*\n?)+", section, re.M)
    if block is None:
        return None
    lines = [re.sub(r"^> ?", "", line) for line in block.group(0).splitlines()]
    return "\n".join(lines).strip() or None


__all__ = ["PRIVACY_DOC", "information_notice"]
