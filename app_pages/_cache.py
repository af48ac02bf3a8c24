"""What the app keeps between runs and sessions: each territory's fitted matcher, and results
computed from it, each kept while the data it came from stays the same."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import streamlit as st

from traits.services import Store, matching, views

if TYPE_CHECKING:  # the matcher (scikit-learn) loads at the first fit, not with the app
    from traits.services.matching import Matcher

T = TypeVar("T")


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
