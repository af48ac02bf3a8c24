"""What this browser session works on: which database (the facilitator's own, or the sample
base while exploring it), which territory, which page (to tell a fresh visit from a rerun)."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from app_pages._signin import multiuser
from traits.services import Store, access, demo

TERRITORY_KEY = "territory_id"
PENDING_TERRITORY_KEY = "_pending_territory"
DEMO_KEY = "_demo_base"


@st.cache_resource(show_spinner=False)
def _open_store(db: str | None) -> Store:
    return Store(db)


@st.cache_resource(show_spinner=False)
def _open_demo(db: str | None) -> Store:
    return demo.open_demo(db)


def _main_db() -> str | None:
    return os.environ.get("TRAITS_DB") or None


def get_store() -> Store:
    """The session's database: ``TRAITS_DB``, or the sample base while exploring the sample."""
    if exploring_demo():
        return _open_demo(_main_db())
    return _open_store(_main_db())


def real_store() -> Store:
    """The facilitator's own database, whatever the session explores."""
    return _open_store(_main_db())


def demo_allowed() -> bool:
    """The sample is offered on a laptop only: not on a shared base, nor one with accounts."""
    return not multiuser() and not access.has_users(real_store())


def exploring_demo() -> bool:
    """Whether this session explores the sample territory (a base of its own)."""
    return bool(st.session_state.get(DEMO_KEY)) and demo_allowed()


def explore_demo() -> None:
    """Switch this session to the sample base (button callback)."""
    st.session_state[DEMO_KEY] = True
    st.session_state.pop(TERRITORY_KEY, None)


def leave_demo() -> None:
    """Back to the facilitator's own database (button callback)."""
    st.session_state[DEMO_KEY] = False
    st.session_state.pop(TERRITORY_KEY, None)


def remove_demo() -> None:
    """Delete the sample base and go back to the own database (button callback)."""
    store = _open_demo(_main_db()) if demo.demo_path(_main_db()) else None
    _open_demo.clear()
    demo.remove_demo(_main_db(), store)
    leave_demo()


def current_territory() -> str | None:
    """The territory chosen in the sidebar (``None`` when the database has none)."""
    return st.session_state.get(TERRITORY_KEY)


def choose_territory(territory_id: str) -> None:
    """Make a territory current from a page (applied at the start of the next run)."""
    st.session_state[PENDING_TERRITORY_KEY] = territory_id


def require_territory() -> str:
    """The current territory, or stop the page with a hint."""
    tid = current_territory()
    if tid is None:
        st.warning("Aucun territoire : créez-en un sur la page « Territoire ».")
        st.stop()
    return tid


def note_page(url_path: str) -> None:
    """Remember which page runs, so a page can tell a fresh visit from a rerun."""
    st.session_state["_page_changed"] = st.session_state.get("_page") != url_path
    st.session_state["_page"] = url_path


def seen_versions(name: str) -> dict[str, Any]:
    """The versions of records as this visit of the page first showed them (optimistic locking),
    with what the page needs to tell what changed since (the records as shown).

    Emptied on each fresh visit, so a change made by someone else meanwhile is refused
    only while the facilitator is looking at the old state.
    """
    if st.session_state.get("_page_changed") or name not in st.session_state:
        st.session_state[name] = {}
    return st.session_state[name]
