"""The one exception root of traits, and the problems it carries.

Messages for people are in French and say where (file, row, column) and what to do.
Only the CLI and the app pages turn these exceptions into output.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in user input, located as precisely as possible."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # "error" refuses the input, "warning" is only reported

    def location(self) -> str:
        """French location prefix, e.g. ``items.csv, ligne 4, colonne « category »``."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append(f"ligne {self.row}")
        if self.column:
            parts.append(f"colonne « {self.column} »")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where} : {self.message}" if where else self.message


class TraitsError(Exception):
    """Root of every error traits raises on purpose."""


class InvalidInputError(TraitsError, ValueError):
    """Input refused as a whole; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str, *, summary: str | None = None):
        if isinstance(problems, str):  # one sentence: it is the summary (nothing said twice)
            summary = summary or problems[:1].upper() + problems[1:]
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        self.summary = summary or (
            f"{len(errors)} problème{'s' if len(errors) > 1 else ''} : rien n'a été enregistré."
        )
        super().__init__("\n".join([self.summary, *[f"- {p}" for p in self.problems]]))

    def details(self) -> list[Problem]:
        """The problems to list under the summary: none when the summary is the only problem,
        said without a place."""
        if len(self.problems) == 1:
            (only,) = self.problems
            said = self.summary.casefold()
            if not only.location() and only.message.casefold() == said:
                return []
        return self.problems


class NotFoundError(TraitsError, LookupError):
    """A record asked for by its identifier does not exist."""


class TransitionError(TraitsError, ValueError):
    """A partnership status change that makes no sense."""


class ConflictError(TraitsError, RuntimeError):
    """A write refused because someone else changed the record first."""


class PermissionDeniedError(TraitsError, PermissionError):
    """The current user may not do this."""


class StorageError(TraitsError, RuntimeError):
    """The database cannot be opened, migrated or written."""


class MissingDatabaseError(StorageError):
    """A command that only reads or changes a base found none where it was told to look."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url
