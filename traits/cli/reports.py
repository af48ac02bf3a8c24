"""What goes out to funders and new territories: the report, the graph, the kit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from traits.cli.common import DbOption, TerritoryOption, open_store, read_territory
from traits.errors import InvalidInputError
from traits.fr import plural


def _date(value: str | None, option: str) -> dt.date | None:
    from traits.services.reports import period_date

    return period_date(value, option)


def report(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json, md, html, docx, pdf ou xlsx.")
    ] = "md",
    db: DbOption = None,
    territory: TerritoryOption = None,
    start: Annotated[str | None, typer.Option("--from", help="Début de période (inclus).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Fin de période (incluse).")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Fichier à écrire (sinon : écran).")
    ] = None,
) -> None:
    """Bilan d'activité pour les financeurs : structures rencontrées, diagnostics, partenariats."""
    from traits.services import reports

    store = open_store(db)
    territory = read_territory(store, territory)
    start_d, end_d = _date(start, "--from"), _date(end, "--to")
    name = reports.report_format(fmt)
    if output is not None:
        path = reports.export_report(store, name, output, territory, start_d, end_d)
        typer.echo(f"Bilan écrit dans {path}.")
        return
    if name in ("docx", "pdf", "xlsx"):
        raise InvalidInputError(f"le format {name} s'écrit dans un fichier : ajoutez --output.")
    built = reports.build_report(store, territory, start_d, end_d)
    typer.echo(reports.render_report(built, name))


def graph(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Fichier .graphml, .gexf ou .json.")
    ],
    db: DbOption = None,
    territory: TerritoryOption = None,
) -> None:
    """Exporter le réseau des partenariats (GraphML, GEXF pour Gephi, ou JSON node-link)."""
    from traits.services import reports

    store = open_store(db)
    path = reports.export_graph(store, output, read_territory(store, territory))
    typer.echo(f"Réseau écrit dans {path}.")


def kit(
    output: Annotated[
        Path,
        typer.Argument(metavar="DOSSIER", help="Dossier à créer pour le kit (nouveau ou vide)."),
    ],
    db: DbOption = None,
    territory: TerritoryOption = None,
    pole: Annotated[str, typer.Option("--pole", help="Nom du Pôle ESS imprimé sur le kit.")] = "",
    contact: Annotated[
        str, typer.Option("--contact", help="Courriel ou téléphone du Pôle imprimé sur le kit.")
    ] = "",
    year: Annotated[
        int | None, typer.Option("--year", help="Année de la synthèse des résultats.")
    ] = None,
) -> None:
    """Écrire le kit d'essaimage d'un territoire : livret, modèles Word, plaquette, tableurs."""
    from traits.services.kit import write_kit

    store = open_store(db)
    territory = read_territory(store, territory)
    written = write_kit(store, output, territory, pole=pole, contact=contact, year=year)
    typer.echo(f"Kit écrit dans {output} : " + plural(len(written), "fichier", "fichiers") + ".")
