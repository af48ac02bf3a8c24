"""The report as a Word document (python-docx); charts become tables with bars."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def to_docx(report: Report, path: str | Path) -> Path:
    """Write the whole report as a Word document (python-docx); charts become tables with bars."""
    return write_docx(report_blocks(report), title(report), path)


def write_docx(blocks: list[Block], heading: str, path: str | Path) -> Path:
    """Write any list of report blocks under ``heading``."""
    from docx import Document  # optional dependency, imported when used

    document = Document()
    document.core_properties.title = heading
    document.core_properties.language = "fr-FR"
    document.add_heading(heading, level=1)
    add_blocks(document, blocks)
    path = Path(path)
    document.save(str(path))
    return path


def add_blocks(document: Any, blocks: list[Block], text: Callable[[str], str] = str) -> None:
    """Append report blocks to a python-docx ``document`` (the kit's results summary uses it);
    ``text`` transforms every written string (the kit's French spacing)."""
    bullet = document.styles["List Bullet"]  # looked up once: by name it is slow per paragraph

    def table(headers: list[str], rows: list[list[Cell]]) -> None:
        t = document.add_table(rows=1, cols=len(headers))
        t.style = "Table Grid"
        for cell, name in zip(t.rows[0].cells, headers, strict=True):
            cell.text = text(name)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = text(cell_text(value))
        document.add_paragraph()

    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(text(block.text), level=block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph(text(block.text))
        elif isinstance(block, Table):
            table(block.headers, block.rows)
        elif isinstance(block, Bars):
            document.add_paragraph().add_run(text(block.title)).bold = True
            table(
                [block.label_header, "Nombre", ""],
                [
                    [name, v, "█" * round(bar_width(v, block.values) / 5)]
                    for name, v in block.values
                ],
            )
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(text(item), style=bullet)
