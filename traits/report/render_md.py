"""The report as Markdown (bar charts drawn with block characters)."""

from __future__ import annotations

from traits.report.blocks import (
    Bars,
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


def _md(text: str, cell: bool = False) -> str:
    """User text safe in Markdown: no raw HTML, no table break."""
    text = text.replace("\\", "\\\\").replace("<", "&lt;").replace(">", "&gt;")
    if cell:
        text = text.replace("|", "\\|").replace("\n", " ")
    return text


def _table(headers: list[str], rows: list[list[Cell]]) -> list[str]:
    lines = ["| " + " | ".join(_md(h, True) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(_md(cell_text(c), True) for c in row) + " |" for row in rows]
    return lines + [""]


def to_markdown(report: Report) -> str:
    """The report as Markdown."""
    lines = [f"# {_md(title(report))}", ""]
    for block in report_blocks(report):
        if isinstance(block, Heading):
            lines += [f"{'#' * block.level} {_md(block.text)}", ""]
        elif isinstance(block, Paragraph):
            lines += [_md(block.text), ""]
        elif isinstance(block, Table):
            lines += _table(block.headers, block.rows)
        elif isinstance(block, Bars):
            lines += [f"**{_md(block.title)}**", ""]
            lines += _table(
                [block.label_header, "Nombre", ""],
                [
                    [name, v, "█" * round(bar_width(v, block.values) / 5)]
                    for name, v in block.values
                ],
            )
        elif isinstance(block, Bullets):
            lines += [f"- {_md(item)}" for item in block.items] + [""]
    return "\n".join(lines).rstrip() + "\n"
