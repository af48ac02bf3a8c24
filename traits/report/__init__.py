"""The funder report (bilan d'activité), one module per job.

- :mod:`~traits.report.figures`: what a territory did over a period (``build_report``,
  ``Report``), counted by dates;
- :mod:`~traits.report.estimates`: value estimates under French rules (OETH, mécénat);
- :mod:`~traits.report.wording`: French wording (articles, one sentence per partnership);
- :mod:`~traits.report.blocks`: the content as format-free blocks, the key figures defined once;
- ``render_md``, ``render_html``, ``render_json``, ``render_docx``, ``render_pdf``,
  ``render_xlsx``: one renderer per format.

Pure functions: no storage, no user interface.
"""

from traits.report.blocks import (
    Bars,
    Block,
    Bullets,
    Heading,
    Paragraph,
    Table,
    bar_charts,
    cell_text,
    detail_blocks,
    indicator_lines,
    key_figure_blocks,
    key_figures,
    period_notes,
    report_blocks,
    title,
)
from traits.report.estimates import VALUE_RULES, ValueEstimate
from traits.report.figures import Report, ReportData, build_report
from traits.report.render_docx import to_docx, write_docx
from traits.report.render_html import to_html
from traits.report.render_json import to_json
from traits.report.render_md import to_markdown
from traits.report.render_pdf import PDF_FONTS, to_pdf, write_pdf
from traits.report.render_xlsx import to_xlsx
from traits.report.wording import realised_sentence

__all__ = [
    "PDF_FONTS",
    "VALUE_RULES",
    "Bars",
    "Block",
    "Bullets",
    "Heading",
    "Paragraph",
    "Table",
    "Report",
    "ReportData",
    "ValueEstimate",
    "bar_charts",
    "build_report",
    "cell_text",
    "detail_blocks",
    "indicator_lines",
    "key_figure_blocks",
    "key_figures",
    "period_notes",
    "realised_sentence",
    "report_blocks",
    "title",
    "to_docx",
    "to_html",
    "to_json",
    "to_markdown",
    "to_pdf",
    "to_xlsx",
    "write_docx",
    "write_pdf",
]
