"""The report as a PDF a Pôle can send (fpdf2, a Unicode font for the accents)."""

from __future__ import annotations

from pathlib import Path

from traits.errors import InvalidInputError
from traits.report.blocks import (
    Bars,
    Block,
    Bullets,
    Cell,
    Heading,
    Paragraph,
    Table,
    bar_width,
    cell_text,
    report_blocks,
    title,
)
from traits.report.figures import Report

#: Unicode TrueType fonts tried for the PDF (Debian's fonts-dejavu-core, then others).
PDF_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


def to_pdf(report: Report, path: str | Path) -> Path:
    """Write the whole report as a PDF a Pôle can send (fpdf2, a Unicode font for the accents)."""
    return write_pdf(report_blocks(report), title(report), path)


def write_pdf(blocks: list[Block], heading: str, path: str | Path) -> Path:
    """Write any list of report blocks under ``heading`` (the kit's summary uses it)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular = next((Path(f) for f in PDF_FONTS if Path(f).exists()), None)
    if regular is None:
        raise InvalidInputError(
            "aucune police Unicode trouvée pour le PDF (paquet Debian fonts-dejavu-core) : "
            "installez-la, ou choisissez le format docx."
        )
    bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
    pdf = FPDF(format="A4")
    pdf.set_title(heading)
    pdf.set_lang("fr")
    pdf.set_margins(18, 18, 18)
    pdf.add_font("body", "", str(regular))
    pdf.add_font("body", "B", str(bold if bold.exists() else regular))
    pdf.add_page()
    pdf.set_font("body", "B", 16)
    pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    head = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))

    def table(
        headers: list[str], rows: list[list[Cell]], widths: tuple[int, ...] | None = None
    ) -> None:
        pdf.set_font("body", "", 9)
        with pdf.table(headings_style=head, col_widths=widths, line_height=5) as t:
            lines: list[list[Cell]] = [list(headers), *rows]
            for line in lines:
                r = t.row()
                for text in line:
                    r.cell(cell_text(text))
        pdf.ln(3)

    for block in blocks:
        if isinstance(block, Heading):
            pdf.set_font("body", "B", 13 if block.level <= 2 else 11)
            pdf.ln(2)
            pdf.multi_cell(0, 7, block.text, new_x="LMARGIN", new_y="NEXT")
        elif isinstance(block, Paragraph):
            pdf.set_font("body", "", 10)
            pdf.multi_cell(0, 5, block.text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, Table):
            table(block.headers, block.rows)
        elif isinstance(block, Bars):
            pdf.set_font("body", "B", 10)
            pdf.multi_cell(0, 6, block.title, new_x="LMARGIN", new_y="NEXT")
            table(
                [block.label_header, "Nombre", ""],
                [
                    [name, v, "█" * round(bar_width(v, block.values) / 5)]
                    for name, v in block.values
                ],
                (3, 1, 3),
            )
        elif isinstance(block, Bullets):
            pdf.set_font("body", "", 10)
            for item in block.items:
                pdf.multi_cell(0, 5, f"• {item}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    path = Path(path)
    pdf.output(str(path))
    return path
