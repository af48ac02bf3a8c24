"""The ``traits`` command: a thin shell over the service layer.

This is the one place (with the app pages) where exceptions become messages for people.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from traits import services
from traits.errors import InvalidInputError, Problem, TraitsError
from traits.storage import Store

app = typer.Typer(
    help="Traits d'Unions : diagnostics, pistes de partenariats et suivi, en ligne de commande.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

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


def _store(db: str | None) -> Store:
    return Store(db)


def _echo_problems(problems: list[Problem], *, err: bool = True) -> None:
    for problem in problems:
        prefix = "attention" if problem.severity == "warning" else "erreur"
        typer.echo(f"  {prefix} – {problem}", err=err)


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Dossier de fichiers CSV, ou classeur .xlsx/.ods.")],
    db: DbOption = None,
    territory: TerritoryOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Vérifier seulement, sans rien enregistrer.")
    ] = False,
) -> None:
    """Importer un territoire (tout ou rien : au moindre problème, rien n'est enregistré)."""
    from traits.model import Territory

    store = _store(db)
    target = Territory(territory, territory) if territory else None
    report = services.import_territory(store, path, territory=target, dry_run=dry_run)
    if report.warnings:
        typer.echo(f"{len(report.warnings)} avertissement(s) :", err=True)
        _echo_problems(report.warnings)
    if dry_run:
        typer.echo("Vérification terminée : aucun problème bloquant, rien n'a été enregistré.")
    else:
        typer.echo(report.summary())


@app.command("export")
def export(
    target: Annotated[
        Path, typer.Argument(help="Dossier où écrire les CSV, ou fichier .xlsx/.ods.")
    ],
    db: DbOption = None,
    territory: TerritoryOption = None,
) -> None:
    """Exporter au format d'échange (CSV UTF-8, point-virgule ; ou classeur)."""
    written = services.export_territory(_store(db), target, territory_id=territory)
    typer.echo(f"{len(written)} fichier(s) écrit(s) dans {target}.")


@app.command("demo")
def demo(db: DbOption = None) -> None:
    """Charger le territoire d'exemple (données fictives)."""
    report = services.load_demo(_store(db))
    typer.echo(report.summary())


@app.command("stats")
def stats(
    db: DbOption = None,
    territory: TerritoryOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Afficher les effectifs : structures, diagnostics, besoins, offres, partenariats."""
    counts = services.stats(_store(db), territory)
    if as_json:
        typer.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    labels = {
        "territories": "territoires",
        "organisations": "structures",
        "diagnostics": "diagnostics",
        "needs": "besoins",
        "offers": "offres",
        "contacts": "contacts",
    }
    for key, label in labels.items():
        typer.echo(f"{label:<14} {counts[key]:>7}")
    from traits.model import LABELS_FR, PartnershipStatus

    typer.echo("partenariats")
    for status, n in counts["partnerships"].items():
        typer.echo(f"  {LABELS_FR[PartnershipStatus(status)]:<14} {n:>5}")


@app.command("vocabulary")
def vocabulary() -> None:
    """Lister les sous-catégories (code, catégorie, libellé)."""
    from traits.vocabulary import Vocabulary

    for sub in Vocabulary.default():
        typer.echo(f"{sub.code:<28} {sub.category:<13} {sub.label}")


def main() -> None:
    """Entry point: run the app, turning every error into a French message (no traceback)."""
    debug = bool(os.environ.get("TRAITS_DEBUG"))
    try:
        app(standalone_mode=False)
    except InvalidInputError as exc:
        typer.echo(exc.summary, err=True)
        _echo_problems(exc.problems)
        sys.exit(1)
    except TraitsError as exc:
        typer.echo(f"Erreur : {exc}", err=True)
        sys.exit(1)
    except typer.Abort:
        typer.echo("Abandon.", err=True)
        sys.exit(1)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if debug:
            raise
        typer.echo(
            f"Erreur inattendue ({type(exc).__name__}: {exc}). Relancez avec TRAITS_DEBUG=1 "
            "pour le détail, et signalez-la à l'équipe traits.",
            err=True,
        )
        sys.exit(3)


if __name__ == "__main__":  # pragma: no cover
    main()
