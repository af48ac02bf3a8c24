"""The kit's printable booklet: the coordinator's chapters as one PDF, for one territory.

Every ``NN-*.md`` file of ``docs/kit-essaimage/`` becomes a chapter (in file-name order), after a
cover naming the territory, its Pôle and facilitator, and a table of contents with page numbers.
Markdown is parsed with markdown-it-py (tables enabled) and laid out by fpdf2's ``write_html``
with the DejaVu fonts; French typography (non-breaking spaces) is applied to every text before
layout, and ``![légende](images/x.png)`` lines become the screenshots with their caption.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from pathlib import Path

from fpdf import FPDF, FontFace, TextStyle
from markdown_it import MarkdownIt
from PIL import Image

from traits.errors import NotFoundError
from traits.kit.profile import KitProfile
from traits.kit.typography import french_spacing

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "docs" / "kit-essaimage"
#: The booklet's file name in a generated kit.
FILE_NAME = "livret-traits-d-unions.pdf"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = {
    "": "DejaVuSans.ttf",
    "B": "DejaVuSans-Bold.ttf",
    "I": "DejaVuSans-Oblique.ttf",
    "BI": "DejaVuSans-BoldOblique.ttf",
}
MONO = {"": "DejaVuSansMono.ttf", "B": "DejaVuSansMono-Bold.ttf"}

TITLE = "Traits d'Unions"
SUBTITLE = "Kit d'essaimage"
TAGLINE = (
    "Développer les partenariats entre structures de l'économie sociale et solidaire "
    "et entreprises engagées du territoire"
)
ACCENT = (0, 92, 120)
TOC_LINE_H = 7.0
#: Line height of the booklet's paragraphs and lists, in multiples of the font size.
LINE_HEIGHT = 1.3
TOC_TOP = 35.0


class Booklet(FPDF):
    """A4 pages with a running footer (chapter title and page number)."""

    chapter = ""

    def footer(self) -> None:  # noqa: D102 - fpdf2 hook
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, f"{SUBTITLE} · {self.chapter}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, str(self.page_no()), align="R")
        self.set_text_color(0)


def font_paths(font_dir: Path = FONT_DIR) -> dict[str, Path]:
    """The DejaVu font files, or a clear error when they are missing."""
    paths = {style: font_dir / name for style, name in FONTS.items()}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        raise NotFoundError(
            "police DejaVu introuvable : "
            + ", ".join(missing)
            + " (paquet fonts-dejavu-core sous Debian/Ubuntu)."
        )
    return paths


#: A link from one chapter to another: ``[words](03-guide-entretien.md)``.
CHAPTER_LINK = re.compile(r"\[([^\]]+)\]\((\d\d-[a-z0-9-]+)\.md(?:#[^)]*)?\)")


def documents(kit: Path = KIT) -> list[Path]:
    """The kit's chapters: ``NN-name.md`` files in order."""
    return sorted(p for p in kit.glob("*.md") if re.match(r"\d\d-", p.name))


def split_chapter(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A document's title (its ``# `` heading) and its sections as (marker, markdown).

    Sections start at ``## `` and ``### `` headings (so that a heading is never left alone at
    the foot of a page); the marker is ``##``, ``###``, or empty for the text before the
    first heading.

    Text before the first ``## `` is a section with an empty title. Headings inside fenced
    code blocks are ignored.
    """
    title, sections = "", [("", [])]
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        if not fenced and line.startswith(("## ", "### ")):
            sections.append((line.split(" ", 1)[0], [line]))
            continue
        sections[-1][1].append(line)
    return title, [(t, "\n".join(lines)) for t, lines in sections if "\n".join(lines).strip()]


_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def to_html(markdown: str) -> str:
    """Markdown to the simple HTML fpdf2 renders (links to other kit files made plain)."""
    html = _md.render(markdown)
    # Links between kit documents mean nothing on paper: keep their text only.
    html = re.sub(r'<a href="(?![a-z]+://)[^"]*">(.*?)</a>', r"\1", html)
    # fpdf2 wants <code> inside <pre> on its own; table cells must not hold <p>.
    html = html.replace("<pre><code>", "<pre>").replace("</code></pre>", "</pre>")
    html = re.sub(r'<pre><code class="[^"]*">', "<pre>", html)
    html = re.sub(r"<table>(.*?)</table>", _table, html, flags=re.S)
    # Each run of text in a heading opens an outline entry: keep headings as plain text.
    html = re.sub(
        r"<(h[1-6])>(.*?)</\1>",
        lambda m: f"<{m[1]}>{re.sub(r'<[^>]+>', '', m[2])}</{m[1]}>",
        html,
        flags=re.S,
    )
    html = html.replace("<hr />", "")
    # Readable line spacing; no blank line between blocks (fpdf2 prints the newlines).
    for tag in ("p", "ul", "ol"):
        html = html.replace(f"<{tag}>", f'<{tag} line-height="{LINE_HEIGHT}">')
    if "<pre>" not in html:
        html = re.sub(r">\s*\n\s*<", "><", html)
    return html


_CELL = re.compile(r"<(td|th)(?:\s[^>]*)?>(.*?)</\1>", re.S)


def _table(match: re.Match[str]) -> str:
    """A table fpdf2 can lay out: plain-text cells, left-aligned, columns sized by content.

    fpdf2 cells hold one run of text, so inline tags (code, strong, em) are dropped; the widths
    of the first row's cells set the columns, in proportion to their longest text.
    """
    rows = re.findall(r"<tr>(.*?)</tr>", match[1], flags=re.S)
    cells = [
        [(tag, re.sub(r"<[^>]+>", "", text).strip()) for tag, text in _CELL.findall(row)]
        for row in rows
    ]
    columns = max(len(r) for r in cells)
    longest = [max((len(r[i][1]) for r in cells if i < len(r)), default=0) for i in range(columns)]
    words = [
        max((len(w) for r in cells if i < len(r) for w in r[i][1].split()), default=0)
        for i in range(columns)
    ]
    weights = [max(min(n, 80), 2 * w) + 10 for n, w in zip(longest, words, strict=True)]
    widths = [round(100 * w / sum(weights), 1) for w in weights]
    out = ["<table>"]
    for r, row in enumerate(cells):
        out.append("<tr>")
        for i, (tag, text) in enumerate(row):
            width = f' width="{widths[i]}%"' if r == 0 else ""
            out.append(f'<{tag} align="left"{width}>{text}</{tag}>')
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _tag_styles() -> dict[str, TextStyle | FontFace]:
    """Heading and block styles (fpdf2 counts ``b_margin`` in multiples of the font size)."""
    return {
        "h1": TextStyle(
            font_family="DejaVu",
            font_style="B",
            font_size_pt=20,
            color=ACCENT,
            t_margin=2,
            b_margin=0.6,
        ),
        "h2": TextStyle(
            font_family="DejaVu",
            font_style="B",
            font_size_pt=15,
            color=ACCENT,
            t_margin=6,
            b_margin=0.4,
        ),
        "h3": TextStyle(
            font_family="DejaVu",
            font_style="B",
            font_size_pt=12,
            color=(40, 40, 40),
            t_margin=5,
            b_margin=0.3,
        ),
        "h4": TextStyle(font_family="DejaVu", font_style="B", font_size_pt=11, t_margin=4),
        "code": FontFace(family="DejaVuMono", size_pt=8.5, color=(60, 60, 60)),
        "pre": TextStyle(
            font_family="DejaVuMono",
            font_size_pt=8,
            color=(40, 40, 40),
            t_margin=2,
            b_margin=0.5,
            l_margin=4,
        ),
        "blockquote": TextStyle(
            font_family="DejaVu",
            font_style="",
            font_size_pt=9.5,
            color=(60, 60, 60),
            t_margin=2,
            b_margin=0.5,
            l_margin=8,
        ),
    }


def new_pdf(profile: KitProfile, title: str) -> Booklet:
    """An A4 document with the DejaVu fonts and fixed metadata (dated ``profile.edition``)."""
    pdf = Booklet(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_title(title)
    pdf.set_author(profile.pole_name)
    pdf.set_creator(TITLE)
    pdf.set_creation_date(dt.datetime.combine(profile.edition, dt.time(), dt.UTC))
    pdf.set_lang("fr")
    fonts = font_paths()
    for style, file in fonts.items():
        pdf.add_font("DejaVu", style, str(file))
    for style, name in MONO.items():
        mono = FONT_DIR / name
        pdf.add_font("DejaVuMono", style, str(mono if mono.exists() else fonts[style]))
    return pdf


def banner(pdf: Booklet, height: float, lines: list[tuple[str, float, float]]) -> None:
    """A new page whose top ``height`` mm is a coloured band holding ``lines`` in white.

    Each line is (text, font size, line height); the first is bold.
    """
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, height, style="F")
    pdf.set_text_color(255)
    pdf.set_xy(pdf.l_margin, height / 3.5)
    for i, (text, size, line_height) in enumerate(lines):
        pdf.set_font("DejaVu", "B" if i == 0 else "", size)
        pdf.multi_cell(0, line_height, french_spacing(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_fill_color(255)


def _title_page(pdf: Booklet, profile: KitProfile) -> None:
    banner(pdf, 95, [(TITLE, 34, 16), (SUBTITLE, 22, 14), (profile.territory, 16, 9)])
    pdf.set_xy(pdf.l_margin, 110)
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(0, 7, french_spacing(TAGLINE), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    fields = profile.fields()
    pdf.set_font("DejaVu", "", 11)
    for label, value in (
        ("Pôle", fields["pole"]),
        ("Territoire", fields["territoire"]),
        ("Animation", fields["animateur"]),
        ("Contact", fields["contact"]),
    ):
        pdf.multi_cell(0, 7, french_spacing(f"{label} : {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        0,
        6,
        french_spacing(
            "Pour la personne qui coordonne la démarche : la méthode, la première année, le "
            "guide d'entretien, la mise en lien et le suivi des partenariats, les données "
            "personnelles, l'application pas à pas, une foire aux questions et un glossaire."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_y(-48)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(110)
    pdf.multi_cell(
        0,
        5,
        french_spacing(
            "Document de travail, rédigé à partir des rapports d'activité publics de Pôles ESS "
            "bretons et de la CRESS Bretagne : ce n'est pas une publication officielle de la "
            "CRESS ni d'un Pôle ESS. Structures et personnes des exemples : fictives. "
            "Informations juridiques générales, à vérifier avant usage.\n"
            f"Édition du {profile.edition.strftime('%d/%m/%Y')}."
        ),
    )
    pdf.set_text_color(0)


def _toc_pages(entries: int, pdf: Booklet) -> int:
    """Pages the table of contents needs for ``entries`` one-line entries.

    The entries are the chapters (``<h1>``, outline level 0) and their sections (``<h2>``,
    level 1): ``write_html`` opens an outline section for every heading, and the table of
    contents keeps those two levels.
    """
    first = math.floor((pdf.h - pdf.b_margin - TOC_TOP) / TOC_LINE_H)
    others = math.floor((pdf.h - pdf.b_margin - pdf.t_margin) / TOC_LINE_H)
    return 1 if entries <= first else 1 + math.ceil((entries - first) / others)


def _render_toc(pdf: Booklet, outline: list) -> None:
    pdf.chapter = "Sommaire"
    pdf.set_font("DejaVu", "B", 20)
    pdf.set_text_color(*ACCENT)
    pdf.set_y(pdf.t_margin)
    pdf.cell(0, 12, "Sommaire", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.set_y(TOC_TOP)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for section in [s for s in outline if s.level <= 1]:
        if pdf.get_y() + TOC_LINE_H > pdf.h - pdf.b_margin:
            pdf.add_page()
            pdf.set_y(pdf.t_margin)
        level = section.level
        pdf.set_font("DejaVu", "B" if level == 0 else "", 11 if level == 0 else 9.5)
        indent = 8 * level
        page = str(section.page_number)
        room = width - indent - pdf.get_string_width(page) - 6
        name = section.name
        while pdf.get_string_width(name) > room and len(name) > 4:
            name = name[:-2].rstrip() + "…"
        link = pdf.add_link(page=section.page_number)
        pdf.set_x(pdf.l_margin + indent)
        pdf.cell(room, TOC_LINE_H, name, link=link)
        dots = width - indent - room - pdf.get_string_width(page)
        pdf.set_text_color(150)
        pdf.cell(dots, TOC_LINE_H, "", link=link)
        pdf.set_text_color(0)
        pdf.cell(
            pdf.get_string_width(page),
            TOC_LINE_H,
            page,
            align="R",
            link=link,
            new_x="LMARGIN",
            new_y="NEXT",
        )


_IMAGE = re.compile(r"^!\[(.*)\]\((.+?)\)\s*$", re.M)


def _write_markdown(pdf: Booklet, body: str, kit: Path, styles: dict, numbers: dict) -> None:
    """Lay out ``body``: text through ``write_html``, image lines as pictures with a caption.

    A link to another chapter becomes its words and the chapter's number (``numbers``).
    """
    body = CHAPTER_LINK.sub(
        lambda m: f"{m[1]} (chapitre {numbers[m[2]]})" if m[2] in numbers else m[1], body
    )
    parts = _IMAGE.split(body)
    for i in range(0, len(parts), 3):
        if parts[i].strip():
            pdf.set_font("DejaVu", "", 10)
            pdf.write_html(
                to_html(french_spacing(parts[i])),
                tag_styles=styles,
                font_family="DejaVu",
                table_line_separators=True,
                ul_bullet_char="•",
                li_prefix_color=ACCENT,
            )
        if i + 2 < len(parts):
            _picture(pdf, kit / parts[i + 2], parts[i + 1])


def _picture(pdf: Booklet, path: Path, caption: str) -> None:
    """A screenshot across the text width (kept whole on one page), then its caption."""
    if not path.exists():
        raise NotFoundError(f"capture d'écran du kit introuvable : {path.name}.")
    width = pdf.w - pdf.l_margin - pdf.r_margin
    with Image.open(path) as image:
        height = width * image.height / image.width
    if pdf.get_y() + height + 10 > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y() + 2
    pdf.image(str(path), x=pdf.l_margin, y=top, w=width)
    pdf.set_draw_color(190)
    pdf.rect(pdf.l_margin, top, width, height)
    pdf.set_draw_color(0)
    pdf.set_y(pdf.get_y() + height + 3)
    pdf.set_font("DejaVu", "I", 8.5)
    pdf.set_text_color(90)
    pdf.multi_cell(0, 4.5, french_spacing(caption), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(2)


def build(profile: KitProfile, kit: Path = KIT) -> bytes:
    """The booklet of ``profile``'s territory, as PDF bytes (identical for the same inputs)."""
    chapters = []
    numbers = {path.stem: n for n, path in enumerate(documents(kit), start=1)}
    for path in documents(kit):
        title, sections = split_chapter(path.read_text(encoding="utf-8"))
        chapters.append((title or path.stem, sections))
    if not chapters:
        raise NotFoundError("aucun chapitre du kit trouvé : le dossier du kit est incomplet.")

    pdf = new_pdf(profile, f"{TITLE} – {SUBTITLE} – {profile.territory}")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_font("DejaVu", "", 10)

    _title_page(pdf, profile)
    pdf.add_page()
    entries = sum(1 + sum(1 for m, _ in sections if m == "##") for _, sections in chapters)
    pdf.chapter = "Sommaire"
    pdf.insert_toc_placeholder(_render_toc, pages=_toc_pages(entries, pdf))

    styles = _tag_styles()
    for number, (title, sections) in enumerate(chapters, start=1):
        pdf.chapter = title
        if number > 1:  # the first chapter starts on the page left after the contents
            pdf.add_page()
        pdf.write_html(
            to_html(french_spacing(f"# {number}. {title}")),
            tag_styles=styles,
            font_family="DejaVu",
        )
        for marker, body in sections:
            if marker and pdf.get_y() > pdf.h - 60:
                pdf.add_page()
            _write_markdown(pdf, body, kit, styles, numbers)
    buffer = io.BytesIO()
    pdf.output(buffer)
    return buffer.getvalue()
