"""Territories and their data: import, export, the sample, counts, vocabulary, territory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from traits import services
from traits.cli.common import (
    DbOption,
    FormatOption,
    TerritoryOption,
    echo_problems,
    open_store,
    print_rows,
    progress_bar,
    read_territory,
)
from traits.errors import InvalidInputError
from traits.fr import plural
from traits.model import LABELS_FR


def import_(
    path: Annotated[
        Path,
        typer.Argument(metavar="CHEMIN", help="Dossier de fichiers CSV, ou classeur .xlsx/.ods."),
    ],
    db: DbOption = None,
    territory: TerritoryOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Vérifier seulement, sans rien enregistrer.")
    ] = False,
) -> None:
    """Importer un territoire (tout ou rien : au moindre problème, rien n'est enregistré)."""
    from traits.model import Territory

    store = open_store(db, create=True)
    target = Territory(territory, territory) if territory else None
    report = services.import_territory(
        store, path, territory=target, dry_run=dry_run, progress=progress_bar()
    )
    if report.warnings:
        typer.echo(plural(len(report.warnings), "avertissement", "avertissements") + " :", err=True)
        echo_problems(report.warnings)
    if dry_run:
        typer.echo("Vérification terminée : aucun problème bloquant, rien n'a été enregistré.")
    else:
        typer.echo(report.summary())


def export(
    target: Annotated[
        Path,
        typer.Argument(metavar="CIBLE", help="Dossier où écrire les CSV, ou fichier .xlsx/.ods."),
    ],
    db: DbOption = None,
    territory: TerritoryOption = None,
) -> None:
    """Exporter au format d'échange (CSV UTF-8, point-virgule ; ou classeur)."""
    store = open_store(db)
    territory = read_territory(store, territory)
    written = services.export_territory(store, target, territory_id=territory)
    typer.echo(plural(len(written), "fichier écrit", "fichiers écrits") + f" dans {target}.")


def demo(db: DbOption = None) -> None:
    """Charger le territoire d'exemple (données fictives)."""
    report = services.load_demo(open_store(db, create=True), progress=progress_bar())
    typer.echo(report.summary())


def stats(
    db: DbOption = None,
    territory: TerritoryOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Afficher les effectifs : structures, diagnostics, besoins, offres, partenariats."""
    store = open_store(db)
    counts = services.stats(store, read_territory(store, territory))
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


def vocabulary(
    db: DbOption = None,
    territory: TerritoryOption = None,
    add: Annotated[
        Path | None,
        typer.Option(
            "--add",
            help="Fichier CSV à ajouter : colonnes Libellé, Catégorie, Synonymes, "
            "Sous-catégories voisines.",
        ),
    ] = None,
) -> None:
    """Lister les sous-catégories, ou en ajouter pour un territoire (--territory et --add)."""
    from traits.services import vocabulary as voc

    store = open_store(db)
    territory = read_territory(store, territory)
    if add is not None:
        if territory is None:
            raise InvalidInputError(
                "indiquez le territoire qui ajoute ces sous-catégories (--territory)."
            )
        n = voc.extend_vocabulary(store, territory, add)
        typer.echo(
            plural(n, "sous-catégorie ajoutée", "sous-catégories ajoutées")
            + f" ou remplacée{'s' if n > 1 else ''} pour « {territory} »."
        )
        return
    by_category: dict[str, list[str]] = {}
    for sub in voc.vocabulary(store, territory):
        by_category.setdefault(sub.category, []).append(sub.label)
    for category, labels in by_category.items():
        name = LABELS_FR.get(category, category)
        typer.echo(f"{name[:1].upper()}{name[1:]} ({len(labels)})")
        for label in labels:
            typer.echo(f"  {label}")


territory_app = typer.Typer(
    help="Territoires : créer un territoire prêt pour les diagnostics, lister.",
    no_args_is_help=True,
)


@territory_app.command("create")
def territory_create(
    name: Annotated[
        str, typer.Argument(metavar="NOM", help="Nom du territoire, ex. « Pays de Redon ».")
    ],
    db: DbOption = None,
    communes: Annotated[
        Path | None,
        typer.Option("--communes", help="Fichier texte : une commune (ou EPCI) par ligne."),
    ] = None,
    territory_id: Annotated[
        str | None, typer.Option("--id", help="Identifiant court (sinon tiré du nom).")
    ] = None,
    facilitator: Annotated[
        str | None, typer.Option("--facilitator", help="Animateur ou animatrice.")
    ] = None,
) -> None:
    """Créer un territoire prêt pour les diagnostics (la dernière ligne est son identifiant)."""
    from traits.services import territories

    names = services.territories.read_communes_file(communes) if communes else []
    for warning in territories.commune_warnings(names):
        typer.echo(f"attention – {warning.message}", err=True)
    created = territories.create_territory(
        open_store(db, create=True), territory_id, name, names, facilitator
    )
    typer.echo(
        f"Territoire « {created.name} » créé avec "
        + plural(len(created.communes), "commune", "communes")
        + ". Prochaine étape : traits import TABLEUR --territory "
        + created.territory_id
        + " (ou un premier diagnostic dans l'application)."
    )
    typer.echo(created.territory_id)


@territory_app.command("list")
def territory_list(db: DbOption = None, fmt: FormatOption = "table") -> None:
    """Lister les territoires."""
    rows = [
        {
            "territory_id": x.territory_id,
            "name": x.name,
            "facilitator": x.facilitator or "",
            "communes": len(x.communes),
        }
        for x in services.list_territories(open_store(db))
    ]
    print_rows(rows, fmt, ["territory_id", "name", "facilitator", "communes"])
