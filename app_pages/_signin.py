"""Who uses this browser session: the sign-in form (password or the organisation's SSO), the
account checked again on each run, and the account lent to threads Streamlit starts."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext
from typing import TypeVar

import streamlit as st

from app_pages._errors import show_error
from app_pages._text import esc
from traits.errors import TraitsError
from traits.services import Store, access

T = TypeVar("T")
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
