"""The ``traits`` command: a thin shell over the service layer.

This is the one place (with the app pages) where exceptions become messages for people.
The commands live by job: ``territory`` (import, export, sample, counts, vocabulary,
territories), ``partnerships``, ``matching`` (pistes, mutualisations, evaluation), ``reports``
(report, graph, kit) and ``admin`` (personal data, backup, accounts); ``common`` holds what
they share and ``messages`` the French wording of what goes wrong around a command. They are
registered below, in the order ``traits --help`` lists them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import typer

from traits.cli import admin, french_help, matching, partnerships, reports, territory
from traits.cli.common import echo_problems
from traits.errors import InvalidInputError, TraitsError

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


#: Every command and group of commands, in the order ``traits --help`` lists them.
COMMANDS: list[tuple[str, Callable[..., None] | typer.Typer]] = [
    ("import", territory.import_),
    ("export", territory.export),
    ("demo", territory.demo),
    ("stats", territory.stats),
    ("vocabulary", territory.vocabulary),
    ("territory", territory.territory_app),
    ("partnership", partnerships.partnership_app),
    ("report", reports.report),
    ("graph", reports.graph),
    ("match", matching.match),
    ("pooling", matching.pooling),
    ("evaluate", matching.evaluate),
    ("contact", admin.contact_app),
    ("backup", admin.backup_cmd),
    ("restore", admin.restore_cmd),
    ("user", admin.user_app),
    ("kit", reports.kit),
]
for _name, _command in COMMANDS:
    if isinstance(_command, typer.Typer):
        app.add_typer(_command, name=_name)
    else:
        app.command(_name)(_command)
french_help.install(app)


def main() -> None:
    """Entry point: run the app, turning every error into a French message (no traceback).

    Exit codes: 0 done, 1 refused (input, file, database: nothing changed), 2 wrong command
    line, 3 a defect of traits.
    """
    from traits.cli import messages as msg

    debug = bool(os.environ.get("TRAITS_DEBUG"))
    try:
        app(standalone_mode=False)
    except InvalidInputError as exc:
        typer.echo(exc.summary, err=True)
        echo_problems(exc.details())
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
