"""What every command shares: the --db and --territory options, the store, printing rows."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Mapping
from typing import Annotated

import typer

from traits.errors import InvalidInputError, MissingDatabaseError, Problem
from traits.services import DB_ENV, Store

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
    str | None,
    typer.Option("--territory", "-t", help="Territoire : son identifiant ou son nom."),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json ou csv.")]


def open_store(db: str | None, *, create: bool = False) -> Store:
    """The store of the database named by --db (or TRAITS_DB, or the default file).

    Only the commands that make a base (``import``, ``demo``, ``territory create``,
    ``user add``, ``restore``) pass ``create=True``; every other one stops with a French
    message when the base it was pointed at does not exist, instead of reading (or backing
    up) a new, empty one.
    """
    try:
        return Store(db, create=create)
    except MissingDatabaseError as exc:
        raise MissingDatabaseError(_missing_base_message(db, exc.url), url=exc.url) from exc


def _missing_base_message(db: str | None, url: str) -> str:
    """Which base was looked for, why there, and what to do: in plain French."""
    where = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    if not db:
        origin = "la base par défaut, faute d'option --db et de variable TRAITS_DB"
    elif os.environ.get(DB_ENV) == db:
        origin = "la base indiquée par la variable TRAITS_DB"
    else:
        origin = "la base indiquée par l'option --db"
    return (
        f"aucune base traits trouvée à l'emplacement {where} ({origin}). Cette commande lit "
        "une base existante et n'en crée pas de nouvelle, vide. Donnez le chemin de la base "
        "du Pôle avec --db (le même qu'aux commandes précédentes), ou une fois pour toutes "
        "avec la variable TRAITS_DB ; si le Pôle n'a pas encore de base, créez-la d'abord "
        "avec « traits territory create », « traits import » ou « traits demo »."
    )


def read_territory(store: Store, territory: str | None) -> str | None:
    """The territory a reading command works on (``--territory``), by its identifier or its
    name; an unknown one is a French error listing the territories of the base."""
    from traits.services.territories import resolve_territory

    return resolve_territory(store, territory)


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


#: Columns of ids (``|``-joined when several): the table format writes each one's name or
#: title beside it, « Hôtel des Tisserands (o_hotel_tisserands) ».
_NAMED = ("org_a", "org_b", "org_id", "org_ids", "members", "need_id", "need_ids", "offer_id")


def names_for(store: Store, rows: list[dict], territory: str | None = None) -> dict[str, str]:
    """The names and titles of the ids in the rows' id columns (for :func:`print_rows`)."""
    from traits.services import organisations

    ids = {i for r in rows for c in _NAMED for i in str(r.get(c) or "").split("|") if i}
    return organisations.display_names(store, ids, territory)


def print_rows(
    rows: list[dict], fmt: str, columns: list[str], names: Mapping[str, str] | None = None
) -> None:
    """Print rows as an aligned table, JSON or CSV (``fmt``), columns in the given order;
    ``names`` (from :func:`names_for`) are written beside the ids in the table format."""
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        import csv as _csv

        writer = _csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    elif fmt == "table":
        heads = {c: TABLE_HEADINGS.get(c, c) for c in columns}
        cells = [{c: table_value(c, r.get(c, ""), names) for c in columns} for r in rows]
        widths = {c: max([len(heads[c]), *(len(r[c]) for r in cells)]) for c in columns}
        typer.echo("  ".join(heads[c].ljust(widths[c]) for c in columns).rstrip())
        for row in cells:
            typer.echo("  ".join(row[c].ljust(widths[c]) for c in columns).rstrip())
    else:
        raise InvalidInputError(f"format « {fmt} » inconnu : table, json ou csv.")


#: French headings of the table format (JSON and CSV keep the stable English keys).
TABLE_HEADINGS = {
    "need_id": "besoin",
    "rank": "rang",
    "offer_id": "offre",
    "org_id": "structure",
    "score": "score",
    "reasons": "raisons",
    "label": "mutualisation",
    "organisations": "structures",
    "need_ids": "besoins",
    "suggestion": "réponse commune",
    "volume": "volume",
    "territory_id": "territoire",
    "name": "nom",
    "facilitator": "animateur·rice",
    "communes": "communes",
    "partnership_id": "partenariat",
    "status": "statut",
    "org_a": "structure A",
    "org_b": "structure B",
    "members": "membres de la mutualisation",
    "mode": "mode",
    "categories": "catégories",
    "created": "créé le",
    "updated": "mis à jour le",
    "abandon_reason": "raison de l'abandon",
    "username": "identifiant",
    "display_name": "nom affiché",
    "role": "rôle",
    "territories": "territoires",
    "disabled": "désactivé",
    "locked_until": "bloqué jusqu'au",
}

#: Columns whose values are codes of enumerations, shown by their French labels.
_LABELLED = ("status", "mode", "categories", "role")
_DATED = ("created", "updated", "locked_until")


@functools.cache
def _labels() -> dict[str, str]:
    """French labels of every enumerated code and role, built once (not per cell)."""
    from traits.model import LABELS_FR
    from traits.services.access import ROLE_LABELS

    return {**LABELS_FR, **{str(role): label for role, label in ROLE_LABELS.items()}}


def table_value(column: str, value: object, names: Mapping[str, str] | None = None) -> str:
    """A cell as the table format shows it: French labels, dates and decimal commas, the
    names of ids beside them."""
    import datetime as dt

    from traits.fr import fr_short_date

    text = "" if value is None else str(value)
    if column in _LABELLED and text:
        labels = _labels()
        return ", ".join(labels.get(code, code) for code in text.split("|"))
    if column in _DATED and text:
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        day = fr_short_date(when.date())
        return day if when.time() == dt.time() else f"{day} à {when:%H:%M}"
    if column == "disabled" and isinstance(value, bool):
        return "oui" if value else "non"
    if column == "score":
        return text.replace(".", ",")
    if column in _NAMED and names:
        return ", ".join(f"{names[i]} ({i})" if i in names else i for i in text.split("|") if i)
    if "_ids" in column or column == "territories":
        return text.replace("|", ", ")
    return text
