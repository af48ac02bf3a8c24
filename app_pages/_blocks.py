"""The report's format-free blocks on a page: the same content the exported documents carry
(:func:`traits.services.reports.detail_blocks`), drawn with Streamlit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages import _charts
from app_pages._text import esc
from traits.services import reports


def show(blocks: list[reports.Block]) -> None:
    """Draw each block: titles, paragraphs, tables (French numbers), bar charts, lists."""
    for block in blocks:
        if isinstance(block, reports.Heading):
            st.markdown(f"{'#' * (block.level + 2)} {esc(block.text)}")  # trusted: escaped
        elif isinstance(block, reports.Paragraph):
            st.markdown(esc(block.text))  # trusted: escaped
        elif isinstance(block, reports.Table):
            rows = [[reports.cell_text(c) for c in row] for row in block.rows]
            st.dataframe(pd.DataFrame(rows, columns=block.headers), hide_index=True)
        elif isinstance(block, reports.Bars):
            st.markdown(f"**{esc(block.title)}**")  # trusted: escaped
            if any(n for _, n in block.values):
                _charts.bars(st, block.values)
            else:
                st.caption("Aucun partenariat sur la période.")
        else:
            st.markdown("\n".join(f"- {esc(item)}" for item in block.items))  # trusted: escaped
