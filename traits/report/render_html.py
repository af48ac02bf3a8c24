"""The report as one self-contained HTML page (no script, no external resource)."""

from __future__ import annotations

import html

from traits.report.blocks import (
    Bars,
    Bullets,
    Heading,
    Paragraph,
    Table,
    bar_width,
    cell_text,
    report_blocks,
    title,
)
from traits.report.figures import Report

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1d2a33; line-height: 1.45; }
h1 { color: #6b2a6b; } h2 { color: #6b2a6b; border-bottom: 2px solid #e6d3e6; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f4eef4; }
.chart { margin: 0.5rem 0 1.5rem; }
.chart .row { display: flex; align-items: center; gap: 0.5rem; margin: 0.15rem 0; }
.chart .label { width: 14rem; }
.chart .track { flex: 1; background: #f1f1f1; }
.chart .bar { background: #8e3d8e; height: 1.1rem; }
.chart .value { width: 3rem; text-align: right; }
.headline { font-size: 1.2rem; font-weight: bold; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _bars(block: Bars) -> list[str]:
    parts = [f'<figure class="chart"><figcaption>{_e(block.title)}</figcaption>']
    for name, value in block.values:
        width = bar_width(value, block.values)
        parts.append(
            f'<div class="row"><span class="label">{_e(name)}</span>'
            f'<span class="track"><span class="bar" style="display:block;width:{width}%">'
            f'</span></span><span class="value">{_e(cell_text(value))}</span></div>'
        )
    return parts + ["</figure>"]


def to_html(report: Report) -> str:
    """The report as HTML."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="fr">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title(report))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title(report))}</h1>",
    ]
    for block in report_blocks(report):
        if isinstance(block, Heading):
            parts.append(f"<h{block.level}>{_e(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            css = ' class="headline"' if block.lead else ""
            parts.append(f"<p{css}>{_e(block.text)}</p>")
        elif isinstance(block, Table):
            parts.append("<table>")
            parts.append("<tr>" + "".join(f"<th>{_e(h)}</th>" for h in block.headers) + "</tr>")
            for row in block.rows:
                cells = "".join(f"<td>{_e(cell_text(c))}</td>" for c in row)
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</table>")
        elif isinstance(block, Bars):
            parts += _bars(block)
        elif isinstance(block, Bullets):
            parts.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in block.items) + "</ul>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"
