"""A partnership's mode and value (hours given, euros): the widgets, and the small form on the
partnership board that saves them (what the report's estimates use)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._errors import succeeded
from app_pages._text import CHOOSE
from traits.model import LABELS_FR, PartnershipMode
from traits.services import Store, partnerships


def inputs(partnership: Any, *, key: str) -> dict[str, Any]:
    """Widgets for a partnership's mode and value; returns the service's keyword arguments."""
    p = partnership
    modes = list(PartnershipMode)
    mode = st.selectbox(
        "Mode",
        modes,
        index=modes.index(p.mode) if p.mode else 0,
        format_func=LABELS_FR.get,
        key=f"mode_{key}",
        placeholder=CHOOSE,
    )
    hours = st.number_input(
        "Heures données", min_value=0.0, step=1.0, value=float(p.value_hours or 0),
        key=f"hours_{key}", format="%.0f",
    )  # fmt: skip
    euros = st.number_input(
        "Montant en euros", min_value=0.0, step=50.0, value=float(p.value_euros or 0),
        key=f"euros_{key}", format="%.0f",
    )  # fmt: skip
    return {"mode": mode, "value_hours": hours or None, "value_euros": euros or None}


def form(store: Store, partnership: Any, expected_version: int) -> None:
    """Mode and value of a partnership (what the report's estimates use)."""
    key = partnership.partnership_id
    with st.form(f"value_{key}", border=False):
        details = inputs(partnership, key=key)
        if st.form_submit_button("Enregistrer"):
            if succeeded(
                partnerships.update_details,
                store,
                key,
                **details,
                expected_version=expected_version,
            ):
                st.session_state["board_done"] = "Mode et valeur enregistrés."
                st.rerun()
