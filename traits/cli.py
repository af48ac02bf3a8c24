"""The ``traits`` command: a thin shell over the service layer.

This is the one place (with the app pages) where exceptions become messages for people.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from traits import services
from traits.errors import InvalidInputError, Problem, TraitsError
from traits.fr import plural
from traits.services import Store

app = typer.Typer(
    help="Traits d'Unions : diagnostics, pistes de partenariats et suivi, en ligne de commande.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def _as_operator(ctx: typer.Context) -> None:
    # The command line is the server operator's tool: whoever runs it holds the database
    # already, so the services ask no account (see traits.services.access.operator).
    from traits.services import access

    ctx.with_resource(access.operator())


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


def _progress_bar() -> Callable[[float, str], None] | None:
    """A progress bar on stderr for long preparations (none when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        return None

    def show(fraction: float, message: str) -> None:
        filled = int(20 * min(max(fraction, 0.0), 1.0))
        bar = "█" * filled + "·" * (20 - filled)
        typer.echo(f"\r{bar} {message}", err=True, nl=fraction >= 1.0)

    return show


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
    report = services.import_territory(
        store, path, territory=target, dry_run=dry_run, progress=_progress_bar()
    )
    if report.warnings:
        typer.echo(plural(len(report.warnings), "avertissement", "avertissements") + " :", err=True)
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
    typer.echo(plural(len(written), "fichier écrit", "fichiers écrits") + f" dans {target}.")


@app.command("demo")
def demo(db: DbOption = None) -> None:
    """Charger le territoire d'exemple (données fictives)."""
    report = services.load_demo(_store(db), progress=_progress_bar())
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
def vocabulary(
    db: DbOption = None,
    territory: TerritoryOption = None,
    add: Annotated[
        Path | None,
        typer.Option("--add", help="CSV (code, category, label, synonyms, related) à ajouter."),
    ] = None,
) -> None:
    """Lister les sous-catégories, ou en ajouter pour un territoire (--territory et --add)."""
    from traits.services import vocabulary as voc

    store = _store(db)
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
    for sub in voc.vocabulary(store, territory):
        typer.echo(f"{sub.code:<28} {sub.category:<13} {sub.label}")


FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json ou csv.")]

territory_app = typer.Typer(
    help="Territoires : créer un territoire prêt pour les diagnostics, lister.",
    no_args_is_help=True,
)
app.add_typer(territory_app, name="territory")


@territory_app.command("create")
def territory_create(
    name: Annotated[str, typer.Argument(help="Nom du territoire, ex. « Pays de Redon ».")],
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
    created = territories.create_territory(_store(db), territory_id, name, names, facilitator)
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
        for x in services.list_territories(_store(db))
    ]
    _print_rows(rows, fmt, ["territory_id", "name", "facilitator", "communes"])


partnership_app = typer.Typer(
    help="Suivre les partenariats : proposer une piste, changer son statut, lister.",
    no_args_is_help=True,
)
app.add_typer(partnership_app, name="partnership")


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
        }
        for p in parts
    ]


def _print_rows(rows: list[dict], fmt: str, columns: list[str]) -> None:
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
    from traits.services import partnerships

    part = partnerships.propose(_store(db), need, offer, mode=mode, author=author, note=note)
    typer.echo(f"Piste proposée : {part.org_a} ↔ {part.org_b}.")
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
        _store(db), need, offer_id=offer, label=label, author=author, note=note
    )
    typer.echo(f"Mutualisation proposée : {part.label} ({len(part.org_ids)} structures).")
    typer.echo(part.partnership_id)


@partnership_app.command("status")
def partnership_status(
    partnership_id: Annotated[str, typer.Argument(help="Identifiant du partenariat.")],
    status: Annotated[
        str,
        typer.Argument(help="proposed, introduced, in_discussion, realised ou abandoned."),
    ],
    db: DbOption = None,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Motif (obligatoire pour abandoned).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
    author: Annotated[str | None, typer.Option("--author", envvar="TRAITS_AUTHOR")] = None,
) -> None:
    """Changer le statut d'un partenariat (l'historique garde chaque changement)."""
    from traits.model import LABELS_FR
    from traits.services import partnerships

    part = partnerships.change_status(
        _store(db), partnership_id, status, reason=reason, note=note, author=author
    )
    typer.echo(f"{part.partnership_id} : {LABELS_FR[part.status]}.")


@partnership_app.command("update")
def partnership_update(
    partnership_id: Annotated[str, typer.Argument(help="Identifiant du partenariat.")],
    db: DbOption = None,
    mode: Annotated[str | None, typer.Option("--mode", help="Mode (typologie du Rameau).")] = None,
    hours: Annotated[float | None, typer.Option("--hours", help="Heures données.")] = None,
    euros: Annotated[float | None, typer.Option("--euros", help="Montant en euros.")] = None,
    quantity: Annotated[float | None, typer.Option("--quantity", help="Volume.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unité du volume.")] = None,
    note: Annotated[str | None, typer.Option("--note")] = None,
) -> None:
    """Préciser le mode et la valeur d'un partenariat (heures, euros, volumes)."""
    from traits.services import partnerships

    part = partnerships.update_details(
        _store(db),
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
    """Lister les partenariats."""
    from traits.services import partnerships

    parts = partnerships.list_partnerships(_store(db), status=status, territory_id=territory)
    rows = _partnership_rows(parts)
    columns = [
        "partnership_id",
        "status",
        "org_a",
        "org_b",
        "need_id",
        "offer_id",
        "mode",
        "categories",
        "created",
        "updated",
        "abandon_reason",
    ]
    _print_rows(rows, fmt, columns)


def _date(value: str | None, option: str) -> dt.date | None:
    from traits.services.reports import period_date

    return period_date(value, option)


@app.command("report")
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

    store = _store(db)
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


@app.command("graph")
def graph(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Fichier .graphml, .gexf ou .json.")
    ],
    db: DbOption = None,
    territory: TerritoryOption = None,
) -> None:
    """Exporter le réseau des partenariats (GraphML, GEXF pour Gephi, ou JSON node-link)."""
    from traits.services import reports

    path = reports.export_graph(_store(db), output, territory)
    typer.echo(f"Réseau écrit dans {path}.")


@app.command("match")
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

    store = _store(db)
    config = matching.load_config(store, territory)
    if semantic is not None:
        config = dataclasses.replace(config, use_semantic=semantic)
    matcher = matching.fit_matcher(store, territory, config)
    results = matching.match(
        store, territory_id=territory, need_id=need, org_id=org, top=top, matcher=matcher
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
    _print_rows(rows, fmt, ["need_id", "rank", "offer_id", "org_id", "score", "reasons"])


@app.command("pooling")
def pooling(
    db: DbOption = None,
    territory: TerritoryOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Mutualisations : les besoins que plusieurs structures partagent, et une réponse commune."""
    from traits.services import pooling as pooling_service

    pools = pooling_service.find_pools(_store(db), territory)
    if fmt == "json":
        typer.echo(json.dumps([p.as_json() for p in pools], ensure_ascii=False, indent=2))
        return
    rows = pooling_service.pool_rows(pools)
    if fmt == "table" and not rows:
        typer.echo(
            "Aucune mutualisation trouvée : il faut des besoins proches "
            "d'au moins deux structures."
        )
        return
    columns = ["label", "organisations", "need_ids", "suggestion", "volume", "offer_id"]
    _print_rows(rows, fmt, columns)


@app.command("evaluate")
def evaluate(
    labelled_dir: Annotated[
        Path, typer.Argument(help="Dossier étiqueté (organisations, items, relevance).")
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


contact_app = typer.Typer(
    help="Données personnelles (RGPD) : exporter, effacer, purger les contacts.",
    no_args_is_help=True,
)
app.add_typer(contact_app, name="contact")


@contact_app.command("export")
def contact_export(
    email: Annotated[str, typer.Argument(help="Adresse e-mail de la personne.")],
    db: DbOption = None,
) -> None:
    """Tout ce qui est enregistré sur une personne, en JSON (droit d'accès)."""
    from traits.services import contacts

    typer.echo(json.dumps(contacts.export_person(_store(db), email), ensure_ascii=False, indent=2))


@contact_app.command("erase")
def contact_erase(
    email: Annotated[str, typer.Argument(help="Adresse e-mail de la personne.")],
    db: DbOption = None,
) -> None:
    """Effacer une personne et anonymiser ses mentions (droit à l'effacement)."""
    from traits.services import contacts

    done = contacts.erase_person(_store(db), email)
    typer.echo(
        plural(done["contacts"], "fiche contact effacée", "fiches contact effacées")
        + ", "
        + plural(done["mentions"], "mention anonymisée", "mentions anonymisées")
        + "."
    )
    if done["kept"]:
        typer.echo(contacts.KEPT_IN_LOG.format(n=plural(done["kept"], "mention", "mentions")))


@contact_app.command("purge")
def contact_purge(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Sans activité depuis : 3y, 18m, 90d.")
    ],
    db: DbOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Lister seulement, sans effacer.")
    ] = False,
) -> None:
    """Lister puis effacer les contacts sans activité depuis la durée donnée."""
    from traits.services import contacts

    store = _store(db)
    age = contacts.parse_age(older_than)
    stale = (contacts.stale_contacts if dry_run else contacts.purge)(store, age)
    for c in stale:
        last = c["last_activity"].isoformat() if c["last_activity"] else "jamais"
        typer.echo(
            f"{c['contact_id']}  {c['name']}  {c['email'] or ''}  dernière activité : {last}"
        )
    verb = "à effacer" if dry_run else "effacé" + ("s" if len(stale) > 1 else "")
    typer.echo(plural(len(stale), "contact", "contacts") + f" {verb}.")


@app.command("backup")
def backup_cmd(
    target: Annotated[Path, typer.Argument(help="Fichier de sauvegarde (.sqlite, ou .json.gz).")],
    db: DbOption = None,
) -> None:
    """Sauvegarder toute la base, même en cours d'utilisation."""
    from traits.services import backup

    path = backup.backup(_store(db), target)
    typer.echo(f"Sauvegarde écrite : {path}.")


@app.command("restore")
def restore_cmd(
    source: Annotated[Path, typer.Argument(help="Fichier de sauvegarde à restaurer.")],
    db: DbOption = None,
) -> None:
    """Remplacer toute la base par une sauvegarde (tout ou rien)."""
    from traits.services import backup

    counts = backup.restore(_store(db), source)
    typer.echo(
        "Base restaurée : "
        + plural(counts.get("organisations", 0), "structure", "structures")
        + ", "
        + plural(counts.get("partnerships", 0), "partenariat", "partenariats")
        + "."
    )


user_app = typer.Typer(
    help="Comptes d'un déploiement partagé : ajouter, lister, désactiver.",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Identifiant (ou e-mail pour l'OIDC).")],
    role: Annotated[str, typer.Option("--role", help="facilitator, coordinator ou admin.")],
    db: DbOption = None,
    territory: Annotated[
        list[str] | None,
        typer.Option("--territory", "-t", help="Territoire attribué (répétable)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Nom affiché.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Lire le mot de passe sur l'entrée standard.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Compte sans mot de passe (connexion OIDC).")
    ] = False,
) -> None:
    """Créer un compte ; le mot de passe est demandé sans être affiché."""
    from traits.services import access

    if no_password:
        password = None
    elif password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    access.add_user(
        _store(db), username, role, password, territories=territory or [], display_name=name
    )
    typer.echo(f"Compte « {username} » créé.")


@user_app.command("list")
def user_list(db: DbOption = None, fmt: FormatOption = "table") -> None:
    """Lister les comptes."""
    from traits.services import access

    users: list[dict[str, Any]] = access.list_users(_store(db))
    rows = [
        {
            **u,
            "territories": "|".join(u["territories"]),
            "locked_until": u["locked_until"].isoformat() if u["locked_until"] else "",
        }
        for u in users
    ]
    _print_rows(
        rows, fmt, ["username", "display_name", "role", "territories", "disabled", "locked_until"]
    )


@user_app.command("disable")
def user_disable(username: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Désactiver un compte (son historique reste)."""
    from traits.services import access

    access.disable_user(_store(db), username)
    typer.echo(f"Compte « {username} » désactivé.")


@app.command("kit")
def kit(
    output: Annotated[Path, typer.Argument(help="Dossier à créer pour le kit (nouveau ou vide).")],
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

    written = write_kit(
        _store(db), output, territory, pole=pole, contact=contact, year=year
    )
    typer.echo(f"Kit écrit dans {output} : " + plural(len(written), "fichier", "fichiers") + ".")


def main() -> None:
    """Entry point: run the app, turning every error into a French message (no traceback).

    Exit codes: 0 done, 1 refused (input, file, database: nothing changed), 2 wrong command
    line, 3 a defect of traits.
    """
    from traits import cli_messages as msg

    debug = bool(os.environ.get("TRAITS_DEBUG"))
    try:
        app(standalone_mode=False)
    except InvalidInputError as exc:
        typer.echo(exc.summary, err=True)
        _echo_problems(exc.problems)
        sys.exit(msg.EXIT_REFUSED)
    except TraitsError as exc:
        typer.echo(f"Erreur : {exc}", err=True)
        sys.exit(msg.EXIT_REFUSED)
    except OSError as exc:  # a path given on the command line that cannot be read or written
        typer.echo(msg.os_error_message(exc), err=True)
        sys.exit(msg.EXIT_REFUSED)
    except Exception as exc:  # Click's/Typer's own exceptions, then real defects
        if msg.is_exit(exc):
            sys.exit(getattr(exc, "exit_code", 0))
        if msg.is_abort(exc):
            typer.echo("Abandon.", err=True)
            sys.exit(msg.EXIT_REFUSED)
        if msg.is_usage_error(exc):
            typer.echo(msg.usage_message(exc), err=True)
            sys.exit(msg.EXIT_USAGE)
        if msg.is_click_error(exc):
            typer.echo(msg.click_error_message(exc), err=True)
            sys.exit(msg.EXIT_REFUSED)
        if msg.is_database_unavailable(exc) and not debug:  # never its SQL nor its values
            typer.echo(msg.DATABASE_UNAVAILABLE, err=True)
            sys.exit(msg.EXIT_REFUSED)
        if debug:
            raise
        typer.echo(
            f"Erreur inattendue ({type(exc).__name__}). Relancez avec TRAITS_DEBUG=1 "
            "pour le détail, et signalez-la à l'équipe traits.",
            err=True,
        )
        sys.exit(msg.EXIT_BUG)


if __name__ == "__main__":  # pragma: no cover
    main()
