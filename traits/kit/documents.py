"""Word documents from one small source each, filled with a territory's profile.

A source (``sources/<dossier>/<nom>.md``) is a Markdown subset:

- ``# Titre`` (the document's title), ``## …`` and ``### …`` headings;
- paragraphs (consecutive lines keep their line breaks), ``**gras**`` inside them;
- ``- élément`` bullets and ``[ ] élément`` boxes to tick;
- ``| a | b |`` tables, the first row being the header; empty cells are room to write;
- ``> …`` notes (the legal warnings), ``---`` a page break;
- ``{pole}``, ``{territoire}``, ``{animateur}``, ``{contact}``, ``{communes}``, ``{date}``,
  ``{annee}``: filled from :class:`~traits.kit.profile.KitProfile`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt, RGBColor

from traits.errors import InvalidInputError
from traits.kit.profile import KitProfile, end_sentence
from traits.kit.typography import french_spacing

SOURCES = Path(__file__).with_name("sources")
#: A field, with the full stop that may follow it (dropped after a blank line of dots).
_FIELD = re.compile(r"\{([a-z_]+)\}(\.?)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
NOTE_GREY = RGBColor(0x55, 0x55, 0x55)


@dataclass(frozen=True)
class Source:
    """One template source: its folder (the kit's section) and its file name."""

    path: Path

    @property
    def folder(self) -> str:
        """The kit folder the document goes to (``entretiens``, ``conventions``…)."""
        return re.sub(r"^\d+-", "", self.path.parent.name)

    @property
    def output_name(self) -> str:
        """``<dossier>/<nom>.docx``."""
        return f"{self.folder}/{self.path.stem}.docx"

    @property
    def title(self) -> str:
        """The ``# `` title of the source."""
        first = self.path.read_text(encoding="utf-8").split("\n", 1)[0]
        return first.removeprefix("# ").strip()


def sources() -> list[Source]:
    """Every template source, in folder then file order."""
    return [Source(p) for p in sorted(SOURCES.glob("*/*.md"))]


def fill(text: str, profile: KitProfile) -> str:
    """The source with its ``{fields}`` replaced; an unknown field is an error, not a gap."""
    values = profile.fields()

    def value(match: re.Match[str]) -> str:
        if match[1] not in values:
            raise InvalidInputError(f"champ « {match[1]} » inconnu dans un modèle du kit.")
        return end_sentence(values[match[1]]) if match[2] else values[match[1]]

    return _FIELD.sub(value, text)


def _runs(paragraph, text: str, italic: bool = False) -> None:
    for i, part in enumerate(_BOLD.split(text)):
        if part:
            run = paragraph.add_run(part)
            run.bold = i % 2 == 1
            run.italic = italic
            if italic:
                run.font.color.rgb = NOTE_GREY


def _blocks(text: str) -> Iterator[tuple[str, list[str]]]:
    """The source's blocks as (kind, lines): title, h2, h3, para, bullet, box, table, note…"""
    para: list[str] = []
    table: list[str] = []

    def flush() -> Iterator[tuple[str, list[str]]]:
        if para:
            yield "para", ["\n".join(para)]
            para.clear()
        if table:
            yield "table", list(table)
            table.clear()

    for raw in text.splitlines():
        line = raw.strip()
        kind = None
        if line.startswith("|"):
            if para:
                yield from flush()
            if not re.fullmatch(r"\|[\s:|-]+\|", line):
                table.append(line)
            continue
        if table:
            yield from flush()
        for prefix, name in (
            ("# ", "title"),
            ("## ", "h2"),
            ("### ", "h3"),
            ("- ", "bullet"),
            ("[ ] ", "box"),
            ("> ", "note"),
        ):
            if line.startswith(prefix):
                kind = name
                line = line[len(prefix) :]
                break
        if not line or kind or line == "---":
            yield from flush()
        if line == "---":
            yield "break", []
        elif kind:
            yield kind, [line]
        elif line:
            para.append(line)
    yield from flush()


def _table(doc: DocxDocument, rows: list[str]) -> None:
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    width = max(len(r) for r in cells)
    table = doc.add_table(rows=len(cells), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(cells):
        for c in range(width):
            cell = table.cell(r, c)
            text = row[c] if c < len(row) else ""
            paragraph = cell.paragraphs[0]
            _runs(paragraph, f"**{text}**" if r == 0 and text else text)
            if not text:  # room to write by hand
                cell.add_paragraph("")
    doc.add_paragraph("")


def render(source: Source, profile: KitProfile) -> bytes:
    """The Word document of ``source`` for ``profile``, byte-identical for the same inputs."""
    return render_text(source.path.read_text(encoding="utf-8"), source.title, profile)


def render_text(markdown: str, title: str, profile: KitProfile) -> bytes:
    """The Word document of a source text (see the module docstring) for ``profile``."""
    text = french_spacing(fill(markdown, profile))
    doc = Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(1.8)
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10.5)
    header = section.header.paragraphs[0]
    header.text = french_spacing(f"{profile.pole_name} · Traits d'Unions · {profile.territory}")
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = NOTE_GREY
    for kind, lines in _blocks(text):
        if kind == "title":
            doc.add_heading(lines[0], level=1)
        elif kind in ("h2", "h3"):
            doc.add_heading(lines[0], level=int(kind[1]))
        elif kind == "bullet":
            _runs(doc.add_paragraph(style="List Bullet"), lines[0])
        elif kind == "box":
            _runs(doc.add_paragraph(), "☐ " + lines[0])
        elif kind == "note":
            _runs(doc.add_paragraph(), lines[0], italic=True)
        elif kind == "break":
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif kind == "table":
            _table(doc, lines)
        else:
            _runs(doc.add_paragraph(), lines[0])
    return save(doc, profile, title)


def save(doc: DocxDocument, profile: KitProfile, title: str) -> bytes:
    """``doc`` as bytes with fixed metadata and zip dates (the edition date)."""
    stamp = dt.datetime.combine(profile.edition, dt.time())
    props = doc.core_properties
    props.author = props.last_modified_by = profile.pole_name
    props.title = title
    props.created = props.modified = stamp
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue(), profile.edition)


def fixed_zip(data: bytes, day: dt.date) -> bytes:
    """The same zip archive with every entry dated ``day`` (so two builds compare equal)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(
                info.filename, date_time=(day.year, day.month, day.day, 0, 0, 0)
            )
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
