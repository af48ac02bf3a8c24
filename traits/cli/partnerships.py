"""Following partnerships: propose a piste or a mutualisation, change status, details, list."""

from __future__ import annotations

from typing import Annotated

import typer

from traits.cli.common import (
    DbOption,
    FormatOption,
    TerritoryOption,
    names_for,
    open_store,
    print_rows,
    read_territory,
)

partnership_app = typer.Typer(
    help="Suivre les partenariats : proposer une piste, changer son statut, lister.",
    no_args_is_help=True,
)


def _partnership_rows(parts: list) -> list[dict]:
    return [
        {
            "partnership_id": p.partnership_id,
            "status": p.status.value,
            "org_a": p.org_a,
            "org_b": p.org_b,
            "need_id": p.need_id or "",
            "offer_id": p.offer_id or "",
            "mode": p.mode.value if p.mode else "",
            "categories": "|".join(c.value for c in p.categories),
            "created": p.created.isoformat() if p.created else "",
            "updated": p.history[-1].at.isoformat() if p.history else "",
            "abandon_reason": p.abandon_reason or "",
            "label": p.label or "",
            "members": "|".join(p.org_ids) if p.is_pooled else "",
        }
        for p in parts
    ]


@partnership_app.command("propose")
def partnership_propose(
    need: Annotated[str, typer.Option("--need", help="Identifiant du besoin.")],
    offer: Annotated[str, typer.Option("--offer", help="Identifiant de l'offre.")],
    db: DbOption = None,
    mode: Annotated[str | None, typer.Option("--mode", help="Mode (typologie du Rameau).")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    author: Annotated[str | None, typer.Option("--author", envvar="TRAITS_AUTHOR")] = None,
) -> None:
    """Proposer une piste : le besoin d'une structure et l'offre d'une autre.

    La dernière ligne affichée est l'identifiant du nouveau partenariat.
    """
    from traits.services import organisations, partnerships

    store = open_store(db)
    part = partnerships.propose(store, need, offer, mode=mode, author=author, note=note)
    names = organisations.display_names(store, [part.org_a, part.org_b])
    a, b = (f"{names[o]} ({o})" if o in names else o for o in (part.org_a, part.org_b))
    typer.echo(f"Piste proposée : {a} ↔ {b}.")
    typer.echo(part.partnership_id)


@partnership_app.command("pool")
def partnership_pool(
    need: Annotated[
        list[str], typer.Option("--need", help="Un besoin de la mutualisation (option répétée).")
    ],
    db: DbOption = None,
    offer: Annotated[
        str | None, typer.Option("--offer", help="Une offre qui servirait tout le groupe.")
    ] = None,
    label: Annotated[str | None, typer.Option("--label", help="Nom de la mutualisation.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    author: Annotated[str | None, typer.Option("--author", envvar="TRAITS_AUTHOR")] = None,
) -> None:
    """Suivre une mutualisation : un partenariat qui réunit plusieurs structures.

    La dernière ligne affichée est l'identifiant du nouveau partenariat.
    """
    from traits.services import pooling as pooling_service

    part = pooling_service.propose_pool(
        open_store(db), need, offer_id=offer, label=label, author=author, note=note
    )
    typer.echo(f"Mutualisation proposée : {part.label} ({len(part.org_ids)} structures).")
    typer.echo(part.partnership_id)


@partnership_app.command("status")
def partnership_status(
    partnership_id: Annotated[
        str, typer.Argument(metavar="PARTENARIAT", help="Identifiant du partenariat.")
    ],
    status: Annotated[
        str,
        typer.Argument(
            metavar="STATUT",
            help="« piste proposée », « mise en lien », « en discussion », « concrétisé » "
            "ou « abandonné ».",
        ),
    ],
    db: DbOption = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Motif (obligatoire pour « abandonné »).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    author: Annotated[str | None, typer.Option("--author", envvar="TRAITS_AUTHOR")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="Mode (typologie du Rameau).")] = None,
    hours: Annotated[str | None, typer.Option("--hours", help="Heures données (20 h, 1h30).")] = (
        None
    ),
    euros: Annotated[str | None, typer.Option("--euros", help="Montant en euros (1 800,50).")] = (
        None
    ),
) -> None:
    """Changer le statut d'un partenariat (l'historique garde chaque changement).

    Avec --mode, --hours ou --euros, le mode et la valeur sont enregistrés avec le statut :
    tout ou rien.
    """
    from traits.model import LABELS_FR
    from traits.services import partnerships

    part = partnerships.change_status(
        open_store(db),
        partnership_id,
        status,
        reason=reason,
        note=note,
        author=author,
        details=partnerships.Details(mode=mode, value_hours=hours, value_euros=euros),
    )
    typer.echo(f"{part.partnership_id} : {LABELS_FR[part.status]}.")


@partnership_app.command("update")
def partnership_update(
    partnership_id: Annotated[
        str, typer.Argument(metavar="PARTENARIAT", help="Identifiant du partenariat.")
    ],
    db: DbOption = None,
    mode: Annotated[str | None, typer.Option("--mode", help="Mode (typologie du Rameau).")] = None,
    hours: Annotated[str | None, typer.Option("--hours", help="Heures données (20 h, 1h30).")] = (
        None
    ),
    euros: Annotated[str | None, typer.Option("--euros", help="Montant en euros (1 800,50).")] = (
        None
    ),
    quantity: Annotated[str | None, typer.Option("--quantity", help="Volume.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unité du volume.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Préciser le mode et la valeur d'un partenariat (heures, euros, volumes)."""
    from traits.services import partnerships

    part = partnerships.update_details(
        open_store(db),
        partnership_id,
        mode=mode,
        value_hours=hours,
        value_euros=euros,
        value_quantity=quantity,
        value_unit=unit,
        notes=note,
    )
    typer.echo(f"{part.partnership_id} mis à jour.")


@partnership_app.command("list")
def partnership_list(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option("--status", help="Filtrer par statut.")] = None,
    territory: TerritoryOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Lister les partenariats (une mutualisation : son nom et toutes ses structures)."""
    from traits.services import partnerships

    store = open_store(db)
    territory = read_territory(store, territory)
    parts = partnerships.list_partnerships(store, status=status, territory_id=territory)
    rows = _partnership_rows(parts)
    columns = [
        "partnership_id",
        "status",
        "label",
        "org_a",
        "org_b",
        "members",
        "need_id",
        "offer_id",
        "mode",
        "categories",
        "created",
        "updated",
        "abandon_reason",
    ]
    print_rows(rows, fmt, columns, names_for(store, rows, territory) if fmt == "table" else None)
