"""The coordinator's chapters of the kit, as the app shows them (one tab each).

Links between chapters (``[le guide](03-guide-entretien.md)``) cannot be followed inside a
Streamlit page; :func:`Chapter.parts` turns each into the target chapter's title in « »
and lists the targets, so the page can offer a button that opens that chapter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from traits.kit.booklet import CHAPTER_LINK as _LINK
from traits.kit.booklet import KIT, documents

_IMAGE = re.compile(r"^!\[(.*)\]\((.+?)\)\s*$", re.M)


@dataclass(frozen=True)
class Chapter:
    """One chapter: its file stem (``03-guide-entretien``), title and Markdown body."""

    slug: str
    title: str
    body: str

    def links(self) -> list[str]:
        """The chapters this one links to, in order of first mention."""
        seen: list[str] = []
        for _, slug in _LINK.findall(self.body):
            if slug not in seen and slug != self.slug:
                seen.append(slug)
        return seen

    def parts(self, titles: dict[str, str], kit: Path = KIT) -> list[tuple[str, str]]:
        """The body as ``("text", markdown)`` and ``("image", path)`` parts, links resolved.

        A link keeps its words and names the chapter: « le guide (chapitre « Guide
        d'entretien ») ».
        """

        def name(match: re.Match[str]) -> str:
            title = titles.get(match[2])
            return f"{match[1]} (chapitre « {title} »)" if title else match[1]

        text = _LINK.sub(name, self.body)
        pieces = _IMAGE.split(text)
        out: list[tuple[str, str]] = []
        for i in range(0, len(pieces), 3):
            if pieces[i].strip():
                out.append(("text", pieces[i]))
            if i + 2 < len(pieces):
                out.append(("image", str(kit / pieces[i + 2])))
                out.append(("caption", pieces[i + 1]))
        return out


def read_chapters(kit: Path = KIT) -> list[Chapter]:
    """The kit's chapters in order, each without its ``# `` title line."""
    chapters = []
    for path in documents(kit):
        text = path.read_text(encoding="utf-8")
        first, _, body = text.partition("\n")
        chapters.append(Chapter(path.stem, first.removeprefix("# ").strip(), body.strip()))
    return chapters
