"""Pistes and mutualisations: match needs with offers, find pools, evaluate the matcher."""

from __future__ import annotations

import json
from pathlib import Path
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


def match(
    db: DbOption = None,
    territory: TerritoryOption = None,
    need: Annotated[str | None, typer.Option("--need", help="Un besoin seulement.")] = None,
    org: Annotated[
        str | None, typer.Option("--org", help="Les besoins d'une structure seulement.")
    ] = None,
    top: Annotated[int | None, typer.Option("--top", "-k", help="Pistes par besoin.")] = None,
    fmt: FormatOption = "table",
    semantic: Annotated[
        bool | None,
        typer.Option(
            "--semantic/--no-semantic", help="Encodeur sémantique (par défaut : réglage)."
        ),
    ] = None,
) -> None:
    """Pistes : pour chaque besoin, les offres d'autres structures qui pourraient y répondre."""
    import dataclasses

    from traits.services import matching

    store = open_store(db)
    territory = read_territory(store, territory)
    config = matching.load_config(store, territory)
    if semantic is not None:
        config = dataclasses.replace(config, use_semantic=semantic)
    results = matching.match(
        store, territory_id=territory, need_id=need, org_id=org, top=top, config=config
    )
    if fmt == "json":
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    rows = [
        {
            "need_id": r["need_id"],
            "rank": rank,
            "offer_id": c["offer_id"],
            "org_id": c["org_id"],
            "score": f"{c['score']:.2f}",
            "reasons": " ".join(c["reasons"]),
        }
        for r in results
        for rank, c in enumerate(r["candidates"], start=1)
    ]
    columns = ["need_id", "rank", "offer_id", "org_id", "score", "reasons"]
    names = names_for(store, rows, territory) if fmt == "table" else None
    print_rows(rows, fmt, columns, names)


def pooling(
    db: DbOption = None,
    territory: TerritoryOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Mutualisations : les besoins que plusieurs structures partagent, et une réponse commune."""
    from traits.services import pooling as pooling_service

    store = open_store(db)
    territory = read_territory(store, territory)
    pools = pooling_service.find_pools(store, territory)
    if fmt == "json":
        typer.echo(json.dumps([p.as_json() for p in pools], ensure_ascii=False, indent=2))
        return
    rows = pooling_service.pool_rows(pools)
    if fmt == "table" and not rows:
        typer.echo(
            "Aucune mutualisation trouvée : il faut des besoins proches d'au moins deux structures."
        )
        return
    if fmt == "csv":
        print_rows(rows, fmt, pooling_service.POOL_COLUMNS)
        return
    columns = ["label", "organisations", "need_ids", "suggestion", "volume", "offer_id"]
    print_rows(rows, fmt, columns, names_for(store, rows, territory) if fmt == "table" else None)


def evaluate(
    labelled_dir: Annotated[
        Path,
        typer.Argument(
            metavar="DOSSIER", help="Dossier étiqueté (organisations, items, relevance)."
        ),
    ],
    semantic: Annotated[
        bool | None,
        typer.Option(
            "--semantic/--no-semantic", help="Encodeur sémantique (par défaut : si installé)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Mesurer l'appariement sur un jeu étiqueté : hit@5, MRR@10, nDCG@5."""
    import dataclasses

    from traits.services import matching

    config = matching.default_config()
    if semantic is not None:
        config = dataclasses.replace(config, use_semantic=semantic)
    metrics = matching.evaluate(labelled_dir, config)
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"{labelled_dir} : {metrics['needs']} besoins étiquetés "
        f"(encodeur sémantique : {'oui' if metrics['config']['use_semantic'] else 'non'})"
    )
    for key in ("hit@5", "mrr@10", "ndcg@5"):
        typer.echo(f"{key:<7} {metrics[key]:.3f}")
