"""Bilan: the funder report over a period, with what its documents carry, and its downloads."""

from __future__ import annotations

import streamlit as st

from app_pages import _blocks, _errors, _session, _signin
from app_pages._text import esc
from traits.fr import fr_number, period_label
from traits.services import downloads, reports

MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown",
}
store = _session.get_store()
tid = _session.require_territory()
st.title("Bilan")
c1, c2 = st.columns(2)
hint = {"placeholder": "JJ/MM/AAAA", "help": "Laissez vide pour ne pas limiter la période."}
start_text = c1.text_input("Du", key="bilan_start", **hint)
end_text = c2.text_input("Au", key="bilan_end", **hint)
period = _errors.attempt(reports.period_dates, start_text, end_text)
if period is None:
    st.stop()
with _errors.guarded("le bilan"):
    report = reports.build_report(store, tid, *period)
    st.caption(f"{esc(report.territory_name)}, {period_label(report.start, report.end)}.")
    st.markdown(f"**{esc(report.headline())}**")
    figures = reports.key_figures(report)
    per_row = 4  # so that every label reads whole
    for start in range(0, len(figures), per_row):
        row = figures[start : start + per_row]
        for col, (name, value) in zip(st.columns(per_row)[: len(row)], row, strict=True):
            col.metric(name, fr_number(value))  # trusted: labels written by the code
    st.caption("  \n".join(esc(x) for x in reports.period_notes(report)))  # trusted: escaped
    _blocks.show(reports.detail_blocks(report))  # what every exported document carries

    d = st.columns(4)
    for col, fmt, label in (
        (d[0], "pdf", "PDF"),
        (d[1], "docx", "Word (.docx)"),
        (d[2], "md", "Markdown"),
        (d[3], "xlsx", "Tableur (.xlsx)"),
    ):
        col.download_button(  # trusted: format labels written here
            label,
            _signin.as_caller(lambda f=fmt: downloads.report_file(report, f)),
            file_name=reports.report_file_name(report, fmt),
            mime=MIME[fmt],
            on_click="ignore",
            icon=":material/download:",
            key=f"bilan_{fmt}",
        )
