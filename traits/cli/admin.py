"""The operator's tools: personal data (RGPD), backup and restore, accounts."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from traits.cli.common import DbOption, FormatOption, open_store, print_rows
from traits.cli.messages import EXIT_REFUSED
from traits.fr import fr_short_date, plural

contact_app = typer.Typer(
    help="Données personnelles (RGPD) : exporter, effacer, purger les contacts.",
    no_args_is_help=True,
)


PersonArgument = Annotated[
    str,
    typer.Argument(
        metavar="PERSONNE", help="Courriel, téléphone ou nom (prénom et nom) de la personne."
    ),
]
ChoiceOption = Annotated[
    int | None,
    typer.Option(
        "--choix", help="Quand plusieurs personnes correspondent : le numéro de la liste donnée."
    ),
]


def _one_person(action: Callable[..., Any], db: str | None, person: str, choice: int | None) -> Any:
    """Run ``action`` on one person; when several match, list them and say how to choose."""
    from traits.services import contacts

    try:
        return action(open_store(db), person, choice)
    except contacts.SeveralPeopleError as several:
        typer.echo(several.summary[:1].upper() + several.summary[1:], err=True)
        for n, label in enumerate(several.choices, 1):
            typer.echo(f"  {n}. {label}", err=True)
        typer.echo("Relancez la commande avec --choix suivi du numéro de la personne.", err=True)
        sys.exit(EXIT_REFUSED)


@contact_app.command("export")
def contact_export(
    person: PersonArgument, db: DbOption = None, choice: ChoiceOption = None
) -> None:
    """Tout ce qui est enregistré sur une personne, en JSON (droit d'accès)."""
    from traits.services import contacts

    exported = _one_person(contacts.export_person, db, person, choice)
    typer.echo(json.dumps(exported, ensure_ascii=False, indent=2))


@contact_app.command("erase")
def contact_erase(person: PersonArgument, db: DbOption = None, choice: ChoiceOption = None) -> None:
    """Effacer une personne et anonymiser ses mentions (droit à l'effacement)."""
    from traits.services import administration, contacts

    done = _one_person(contacts.erase_person, db, person, choice)
    for sentence, places in administration.erasure_report(done):
        typer.echo(sentence)
        for place in places:
            typer.echo(f"  - {place}")


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

    store = open_store(db)
    age = contacts.parse_age(older_than)
    stale = (contacts.stale_contacts if dry_run else contacts.purge)(store, age)
    for c in stale:
        last = fr_short_date(c["last_activity"]) if c["last_activity"] else "jamais"
        typer.echo(
            f"{c['contact_id']}  {c['name']}  {c['email'] or ''}  dernière activité : {last}"
        )
    verb = "à effacer" if dry_run else "effacé" + ("s" if len(stale) > 1 else "")
    typer.echo(plural(len(stale), "contact", "contacts") + f" {verb}.")


def backup_cmd(
    target: Annotated[
        Path,
        typer.Argument(metavar="FICHIER", help="Fichier de sauvegarde (.sqlite, ou .json.gz)."),
    ],
    db: DbOption = None,
) -> None:
    """Sauvegarder toute la base, même en cours d'utilisation."""
    from traits.services import backup

    path = backup.backup(open_store(db), target)
    typer.echo(f"Sauvegarde écrite : {path}.")


def restore_cmd(
    source: Annotated[
        Path, typer.Argument(metavar="FICHIER", help="Fichier de sauvegarde à restaurer.")
    ],
    db: DbOption = None,
) -> None:
    """Remplacer toute la base par une sauvegarde (tout ou rien)."""
    from traits.services import backup

    counts = backup.restore(open_store(db, create=True), source)
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


@user_app.command("add")
def user_add(
    username: Annotated[
        str, typer.Argument(metavar="IDENTIFIANT", help="Identifiant (ou e-mail pour l'OIDC).")
    ],
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
        open_store(db, create=True),
        username,
        role,
        password,
        territories=territory or [],
        display_name=name,
    )
    typer.echo(f"Compte « {username} » créé.")


@user_app.command("list")
def user_list(db: DbOption = None, fmt: FormatOption = "table") -> None:
    """Lister les comptes."""
    from traits.services import access

    users: list[dict[str, Any]] = access.list_users(open_store(db))
    rows = [
        {
            **u,
            "territories": "|".join(u["territories"]),
            "locked_until": u["locked_until"].isoformat() if u["locked_until"] else "",
        }
        for u in users
    ]
    print_rows(
        rows, fmt, ["username", "display_name", "role", "territories", "disabled", "locked_until"]
    )
    doubles = access.duplicate_accounts(open_store(db))
    if doubles:
        typer.echo(access.duplicates_warning(doubles), err=True)


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(metavar="IDENTIFIANT")], db: DbOption = None
) -> None:
    """Désactiver un compte (son historique reste)."""
    from traits.services import access

    access.disable_user(open_store(db), username)
    typer.echo(f"Compte « {username} » désactivé.")
