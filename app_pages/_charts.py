"""Bar charts whose labels read whole: horizontal bars, the label axis never cut.

Streamlit's own charts cut axis labels at 200 pixels (« pratiques respon… »); every chart of
the app goes through :func:`bars` instead.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

#: No Vega menu on charts (« Download as PNG », « Copy Vega-Lite spec »: English, no setting).
NO_MENU = {"embedOptions": {"actions": False}}


def bar_spec(values: list[tuple[str, int]], measure: str = "nombre") -> alt.Chart:
    """Horizontal bars in the given order, one per ``(label, count)``, labels never cut."""
    frame = pd.DataFrame(values, columns=["libellé", measure])
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(
                "libellé:N",
                sort=None,  # the caller's order (the pipeline's), not the alphabet's
                title=None,
                axis=alt.Axis(labelLimit=0),
            ),
            x=alt.X(f"{measure}:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
            tooltip=["libellé", measure],
        )
        .properties(height=alt.Step(28), usermeta=NO_MENU)
    )


def bars(where: Any, values: list[tuple[str, int]], measure: str = "nombre") -> None:
    """Draw :func:`bar_spec` in ``where`` (the page or a column)."""
    where.altair_chart(bar_spec(values, measure), width="stretch")
