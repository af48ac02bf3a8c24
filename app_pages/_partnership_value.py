"""A partnership's mode and value (hours given, euros): the widgets, and the small form on the
partnership board that saves them (what the report's estimates use)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages._errors import show_error
from app_pages._text import CHOOSE, esc
from traits.errors import ConflictError, TraitsError
from traits.fr import fr_exact
from traits.model import LABELS_FR, PartnershipMode
from traits.services import Store, partnerships

#: The refused save to tell at the top of the board after its rerun: (partnership id, message).
CONFLICT_KEY = "board_conflict"
#: What the mode list shows while no mode is known.
UNKNOWN_MODE = "à préciser"


def _shown(value: float | None) -> str:
    """A recorded hours or amount as its text field shows it (empty for none)."""
    return "" if value is None else fr_exact(value)


def inputs(partnership: Any, *, key: str) -> dict[str, Any]:
    """Widgets for a partnership's mode and value; returns the service's keyword arguments."""
    p = partnership
    modes: list[PartnershipMode | None] = [None, *PartnershipMode]
    mode = st.selectbox(
        "Mode",
        modes,
        index=modes.index(p.mode),  # « à préciser » while none is known: never a guess
        format_func=lambda m: LABELS_FR[m] if m else UNKNOWN_MODE,
        key=f"mode_{key}",
        placeholder=CHOOSE,
    )
    # Typed text, read by the import's rules (« 12.000 » refused as ambiguous, never 12).
    hours = st.text_input(
        "Heures données", value=_shown(p.value_hours), key=f"hours_{key}",
        placeholder="20 h ou 1h30",
    )  # fmt: skip
    euros = st.text_input(
        "Montant en euros", value=_shown(p.value_euros), key=f"euros_{key}",
        placeholder="1 800,50 €",
    )  # fmt: skip
    return {
        "mode": mode or partnerships.NO_MODE,
        "value_hours": hours.strip() or None,
        "value_euros": euros.strip() or None,
    }


def save(store: Store, before: Any, action: Any, kept: str, **kwargs: Any) -> bool:
    """Run a write of partnership ``before`` (as this session showed it) at the version shown.

    When someone else changed it meanwhile, nothing is written: the message (kept for the top
    of the board, where the next run shows it) says what changed and that ``kept`` (the
    user's input) is still there to check and send again.
    """
    try:
        action(store, before.partnership_id, **kwargs)
    except ConflictError:
        after = partnerships.get(store, before.partnership_id)
        changes = " ; ".join(partnerships.changes_since(before, after))
        st.session_state[CONFLICT_KEY] = (
            before.partnership_id,
            "Ce partenariat vient d'être modifié par quelqu'un d'autre "
            f"({changes}). Rien n'a été enregistré : {kept}",
        )
        return False
    except TraitsError as exc:
        show_error(exc)
        return False
    return True


def conflict() -> str | None:
    """Show the save refused in the previous run, if any; the id of its partnership."""
    refused = st.session_state.pop(CONFLICT_KEY, None)
    if refused is None:
        return None
    st.error(esc(refused[1]))
    return refused[0]


def form(
    store: Store, partnership: Any, expected_version: int, shown: Any, seen: dict[str, Any]
) -> None:
    """Mode and value of a partnership (what the report's estimates use); ``shown`` is the
    partnership as first shown, at ``expected_version``; ``seen`` are the board's versions,
    the saved one forgotten so that the next change starts from it."""
    key = partnership.partnership_id
    with st.form(f"value_{key}", border=False):
        details = inputs(partnership, key=key)
        if st.form_submit_button("Enregistrer"):
            if save(
                store,
                shown,
                partnerships.update_details,
                "vos valeurs sont gardées ci-dessous dans « Mode et valeur » : vérifiez-les "
                "et cliquez de nouveau sur « Enregistrer ».",
                **details,
                expected_version=expected_version,
            ):
                seen.pop(key, None)
                st.session_state["board_done"] = "Mode et valeur enregistrés."
                st.rerun()
            elif CONFLICT_KEY in st.session_state:
                st.rerun()  # the message goes on top of the board, the card redrawn as it is
