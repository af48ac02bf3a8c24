"""Where the app turns a service's refusal into French on the page: the one place pages show
a :class:`~traits.errors.TraitsError` (as a message, a table of problems, or next to a field)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from app_pages._text import esc
from traits.errors import InvalidInputError, Problem, TraitsError
from traits.fr import plural

T = TypeVar("T")
_log = logging.getLogger("traits.app")

#: What a page says on an error nobody foresaw: French, no code, no file path, what to do.
UNEXPECTED = (
    "Une erreur inattendue empêche d'afficher {what}. Rien n'a été modifié. Réessayez ; si "
    "elle revient, signalez-la à la personne qui administre l'outil en indiquant la page et "
    "l'heure (le détail technique est dans le journal du serveur)."
)


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


def form_sentence(problem: Problem) -> str:
    """A form's problem as a sentence naming its field as the form does (« Effectif : … »),
    not as a spreadsheet's column."""
    where = problem.column or ""
    if problem.row is not None:
        where = f"{where}, ligne {problem.row}" if where else f"ligne {problem.row}"
    text = f"{where} : {problem.message}" if where else problem.message
    return text[:1].upper() + text[1:]


#: At most this many problems listed under a refusal (the others are counted).
SHOWN_PROBLEMS = 100


def show_problems(problems: list[Problem]) -> None:
    """Problems as a static table: every message whole, its advice included, wrapped in its
    cell (an interactive table would cut it at the column's edge), file, line and column as
    the user typed them. Cells are Markdown in a static table: every one is escaped."""
    st.table(problems_frame(problems[:SHOWN_PROBLEMS]).map(esc), hide_index=True)
    if len(problems) > SHOWN_PROBLEMS:
        more = len(problems) - SHOWN_PROBLEMS
        st.caption(f"… et {plural(more, 'autre problème', 'autres problèmes')}.")


def show_error(exc: TraitsError) -> None:
    """A TraitsError as French messages; an InvalidInputError's problems listed under."""
    if isinstance(exc, InvalidInputError):
        st.error(esc(exc.summary))
        if exc.details():
            show_problems(exc.details())
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


@contextlib.contextmanager
def guarded(what: str) -> Iterator[None]:
    """Run a page's part: a TraitsError is shown in French; any other error too, without its
    traceback (logged on the server), so a page never shows file paths or English."""
    try:
        yield
    except TraitsError as exc:
        show_error(exc)
    except Exception:  # noqa: BLE001 - the one place the app turns an unforeseen error into French
        _log.exception("unexpected error while showing %s", what)
        st.error(esc(UNEXPECTED.format(what=what)))
