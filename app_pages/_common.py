"""What every page shares: the store, the current territory, the fitted matcher, error display,
scores in words. Presentation only: the work is done by :mod:`traits.services`."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from app_pages._text import esc
from traits.errors import InvalidInputError, Problem, TraitsError
from traits.services import Store, access, demo, matching, views
from traits.services.matching import Matcher

T = TypeVar("T")
TERRITORY_KEY = "territory_id"
PENDING_TERRITORY_KEY = "_pending_territory"


@st.cache_resource(show_spinner=False)
def _open_store(db: str | None) -> Store:
    return Store(db)


@st.cache_resource(show_spinner=False)
def _open_demo(db: str | None) -> Store:
    return demo.open_demo(db)


DEMO_KEY = "_demo_base"


PRINCIPAL_KEY = "_principal"


def _session_principal() -> tuple[bool, access.Principal | None]:
    """(inside a browser session?, its account): how the services know who calls, in every
    thread of the session (widget callbacks run before the page, hence before the gate)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return False, None
    return True, st.session_state.get(PRINCIPAL_KEY)


access.use_session_lookup(_session_principal)


def multiuser() -> bool:
    """A shared deployment (``TRAITS_MULTIUSER=1``): everyone signs in, no sample is loaded."""
    return os.environ.get("TRAITS_MULTIUSER", "").strip().lower() in ("1", "true", "oui", "yes")


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, AttributeError):
        return False
    except Exception:  # noqa: BLE001 - Streamlit raises its own error on unreadable secrets
        return False


def sign_in_gate(store: Store) -> bool:
    """Check the session's account again (each run), or ask to sign in when needed.

    The services find the account in the session themselves (see :func:`_session_principal`);
    a disabled, deleted or expired account is signed out here. A database without accounts
    (a laptop) needs no sign-in. Returns whether the page may run.
    """
    principal = st.session_state.get(PRINCIPAL_KEY)
    if principal is not None:
        try:
            principal = st.session_state[PRINCIPAL_KEY] = access.refresh(store, principal)
        except TraitsError as exc:
            principal = st.session_state[PRINCIPAL_KEY] = None
            st.warning(esc(f"{str(exc)[:1].upper()}{str(exc)[1:]}"))
    if principal is None and _sso_configured() and getattr(st.user, "is_logged_in", False):
        try:
            principal = access.principal_for_sso(store, str(st.user.email))
            st.session_state[PRINCIPAL_KEY] = principal
        except TraitsError as exc:
            show_error(exc)
            st.button("Se déconnecter", on_click=st.logout)
            return False
    if principal is not None:
        return True
    if not multiuser() and not access.has_users(store):
        return True  # a laptop: single user, no sign-in (the sidebar says so)
    st.title("Traits d'Unions")
    if not access.has_users(store):
        st.warning(
            "Aucun compte n'existe encore : l'administrateur en crée un avec "
            "« traits user add IDENTIFIANT --role admin »."
        )
        return False
    if _sso_configured():
        st.button(
            "Se connecter avec le compte de l'organisation", on_click=st.login, type="primary"
        )
        st.caption("ou avec un identifiant et un mot de passe :")
    with st.form("sign_in"):
        username = st.text_input("Identifiant")
        password = st.text_input("Mot de passe", type="password")
        submitted = st.form_submit_button("Se connecter", type="primary")
    if submitted:
        try:
            st.session_state[PRINCIPAL_KEY] = access.authenticate(store, username, password)
        except TraitsError as exc:
            show_error(exc)
        else:
            st.rerun()
    return False


def as_caller(action: Callable[[], T]) -> Callable[[], T]:
    """``action`` run as this session's account (download buttons run on another thread)."""
    principal = st.session_state.get(PRINCIPAL_KEY)

    def run() -> T:
        with access.signed_in(principal) if principal is not None else nullcontext():
            return action()

    return run


def sign_out() -> None:
    """Forget the session's account (button callback)."""
    st.session_state.pop(PRINCIPAL_KEY, None)


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


def note_page(url_path: str) -> None:
    """Remember which page runs, so a page can tell a fresh visit from a rerun."""
    st.session_state["_page_changed"] = st.session_state.get("_page") != url_path
    st.session_state["_page"] = url_path


def seen_versions(name: str) -> dict[str, int]:
    """The versions of records as this visit of the page first showed them (optimistic locking).

    Emptied on each fresh visit, so a change made by someone else meanwhile is refused
    only while the facilitator is looking at the old state.
    """
    if st.session_state.get("_page_changed") or name not in st.session_state:
        st.session_state[name] = {}
    return st.session_state[name]


def require_territory() -> str:
    """The current territory, or stop the page with a hint."""
    tid = current_territory()
    if tid is None:
        st.warning("Aucun territoire : créez-en un sur la page « Territoire ».")
        st.stop()
    return tid


# -- errors ---------------------------------------------------------------------------------------


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table with French headers (fichier, ligne, colonne, problème)."""
    return pd.DataFrame(
        [
            {
                "gravité": "erreur" if p.severity == "error" else "attention",
                "fichier": p.file or "",
                "ligne": "" if p.row is None else str(p.row),
                "colonne": p.column or "",
                "problème": p.message,
            }
            for p in problems
        ],
        columns=["gravité", "fichier", "ligne", "colonne", "problème"],
    )


def show_error(exc: TraitsError) -> None:
    """A TraitsError as French messages; an InvalidInputError's problems as a table."""
    if isinstance(exc, InvalidInputError):
        st.error(esc(exc.summary))
        st.dataframe(problems_frame(exc.problems), hide_index=True, width="stretch")
    else:
        st.error(esc(f"{str(exc)[:1].upper()}{str(exc)[1:]}"))


def attempt(action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run a service call; on a TraitsError show it and return ``None``."""
    try:
        return action(*args, **kwargs)
    except TraitsError as exc:
        show_error(exc)
        return None


def succeeded(action: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Run a service call for its effect; on a TraitsError show it and return ``False``."""
    try:
        action(*args, **kwargs)
    except TraitsError as exc:
        show_error(exc)
        return False
    return True


def field_problems(problems: Iterable[Problem], column: str, file: str | None = None) -> None:
    """Show, next to a field, the problems that name it."""
    for p in problems:
        if p.column == column and p.file == file:
            shown = p.message if p.row is None else f"ligne {p.row} : {p.message}"
            (st.error if p.severity == "error" else st.warning)(esc(shown[:1].upper() + shown[1:]))


# -- scores ----------------------------------------------------------------------------------------


def score_words(score: float) -> str:
    """A score in words: « très pertinent » (≥ 0,7), « pertinent » (≥ 0,5), « à étudier »."""
    if score >= 0.7:
        return "très pertinent"
    if score >= 0.5:
        return "pertinent"
    return "à étudier"


def score_bar(score: float) -> None:
    """A score as a bar with its words."""
    st.progress(min(1.0, max(0.0, float(score))), text=score_words(score))


# -- the fitted matcher ---------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _matchers() -> tuple[dict[tuple[str, str | None], tuple[Any, Any]], threading.Lock]:
    return {}, threading.Lock()


def fitted_matcher(store: Store, territory_id: str | None) -> Matcher:
    """The territory's matcher, refitted only when its data, feedback or settings changed."""
    held, lock = _matchers()
    key = (store.url, territory_id)
    token = views.data_token(store, territory_id)
    with lock:
        found = held.get(key)
        if found is not None and found[0] == token:
            return found[1]
        bar = st.progress(0.0, text="Préparation des pistes…")
        try:
            matcher = matching.fit_matcher(
                store, territory_id, progress=lambda f, m: bar.progress(min(1.0, f), text=m)
            )
        finally:
            bar.empty()
        held[key] = (token, matcher)
        return matcher


def cached_per_token(
    store: Store, territory_id: str | None, name: str, compute: Callable[[], T], token: Any
) -> T:
    """A result kept while ``token`` stays the same (e.g. territory-wide pistes)."""
    held, lock = _matchers()
    key = (store.url, territory_id, name)
    found = held.get(key)  # type: ignore[call-overload]
    if found is not None and found[0] == token:
        return found[1]
    value = compute()
    with lock:
        held[key] = (token, value)  # type: ignore[index]
    return value


def partnership_value_inputs(partnership: Any, *, key: str) -> dict[str, Any]:
    """Widgets for a partnership's mode and value; returns the service's keyword arguments."""
    from traits.model import LABELS_FR, PartnershipMode

    p = partnership
    modes = list(PartnershipMode)
    mode = st.selectbox(
        "Mode",
        modes,
        index=modes.index(p.mode) if p.mode else 0,
        format_func=LABELS_FR.get,
        key=f"mode_{key}",
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


def partnership_value_form(store: Store, partnership: Any, expected_version: int) -> None:
    """Mode and value of a partnership (what the report's estimates use)."""
    from traits.services import partnerships

    key = partnership.partnership_id
    with st.form(f"value_{key}", border=False):
        details = partnership_value_inputs(partnership, key=key)
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
