"""What every command shares: the --db and --territory options, the store, printing rows."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Annotated

import typer

from traits.errors import InvalidInputError, Problem
from traits.services import Store

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="TRAITS_DB",
        help="Fichier SQLite ou URL SQLAlchemy (postgresql+psycopg://…). "
        "Par défaut : un fichier dans le dossier de données de l'utilisateur.",
    ),
]


TerritoryOption = Annotated[
    str | None, typer.Option("--territory", "-t", help="Identifiant du territoire.")
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json ou csv.")]


def open_store(db: str | None) -> Store:
    """The store of the database named by --db (or TRAITS_DB, or the default file)."""
    return Store(db)


def echo_problems(problems: list[Problem], *, err: bool = True) -> None:
    """Print each problem on its own line, warnings apart from errors."""
    for problem in problems:
        prefix = "attention" if problem.severity == "warning" else "erreur"
        typer.echo(f"  {prefix} – {problem}", err=err)


def progress_bar() -> Callable[[float, str], None] | None:
    """A progress bar on stderr for long preparations (none when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(fraction: float, message: str) -> None:
        filled = int(20 * min(max(fraction, 0.0), 1.0))
        bar = "█" * filled + "·" * (20 - filled)
        typer.echo(f"\r{bar} {message}", err=True, nl=fraction >= 1.0)

    return show


def print_rows(rows: list[dict], fmt: str, columns: list[str]) -> None:
    """Print rows as an aligned table, JSON or CSV (``fmt``), columns in the given order."""
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv as _csv

        writer = _csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "table":
        widths = {c: max([len(c), *(len(str(r.get(c, ""))) for r in rows)]) for c in columns}
        typer.echo("  ".join(c.ljust(widths[c]) for c in columns))
        for row in rows:
            typer.echo("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))
    else:
        raise InvalidInputError(f"format « {fmt} » inconnu : table, json ou csv.")
