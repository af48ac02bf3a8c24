"""Every way a command line goes wrong ends in a French message and the right exit code.

2: the command line itself is wrong (usage); 1: a file or database that cannot be used;
3 ("Erreur inattendue") only for defects of traits.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import click
import pytest
from typer.testing import CliRunner

from traits import cli
from traits.cli import app
from traits.cli import messages as cli_messages

runner = CliRunner()

ENGLISH = ("Error", "Usage:", "Try '", "Missing", "No such", "Invalid", "Input should", "Got ")


def _run(monkeypatch, capsys, args: list[str]) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["traits", *args])
    monkeypatch.delenv("TRAITS_DEBUG", raising=False)
    try:
        cli.main()
    except SystemExit as stop:
        return stop.code or 0, capsys.readouterr().err
    return 0, capsys.readouterr().err


USAGE_ERRORS = [
    (["--bogus"], "option inconnue : --bogus"),
    (["stats", "--bogus"], "option inconnue : --bogus"),
    (["report", "--for", "x"], "Vouliez-vous dire : --format, --from, --to ?"),
    (["match", "--top", "abc"], "« abc » ; attendu : un nombre entier"),
    (["match", "-k", "1.5"], "pour --top : « 1.5 »"),
    (["partnership", "status"], "il manque l'argument PARTNERSHIP_ID"),
    (["partnership", "propose", "--need", "n1"], "il manque l'option --offer"),
    (["user", "add", "someone"], "il manque l'option --role"),
    (["import"], "il manque l'argument PATH"),
    (["restore"], "il manque l'argument SOURCE"),
    (["contact", "erase"], "il manque l'argument PERSON"),
    (["matc"], "commande inconnue : « matc ». Vouliez-vous dire « match » ?"),
    (["partnership", "delete"], "commande inconnue : « delete »"),
    (["stats", "extra"], "argument en trop : « extra »"),
    (["evaluate", "a", "b"], "argument en trop : « b »"),
    (["report", "--output"], "l'option --output attend une valeur"),
    (["match", "--semantic=3"], "l'option --semantic ne prend pas de valeur"),
    (["stats", "--json=yes"], "l'option --json ne prend pas de valeur"),
]


@pytest.mark.parametrize(
    ("args", "expected"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS]
)
def test_usage_errors_are_french_with_exit_2(monkeypatch, capsys, args, expected):
    code, err = _run(monkeypatch, capsys, args)
    assert code == 2, err
    assert err.startswith("Commande incorrecte : ")
    assert expected in err
    assert "--help" in err.splitlines()[-1]
    assert "inattendue" not in err and not any(word in err for word in ENGLISH), err


@pytest.mark.parametrize(
    ("option", "typed", "expected"),
    [
        ("--hours", "zz", "« zz » n'est pas un nombre"),
        ("--euros", "dix", "« dix » n'est pas un nombre"),
        ("--euros", "12.000", "peut se lire 12 000 ou 12"),
    ],
)
def test_typed_values_are_read_by_the_field_rules(monkeypatch, capsys, option, typed, expected):
    """Amounts and hours are typed text read by the import's rules (« 12.000 » is not 12)."""
    code, err = _run(monkeypatch, capsys, ["partnership", "update", "p1", option, typed])
    assert code == 1 and expected in err, err


@pytest.mark.parametrize("args", [["territory"], ["user"], []])
def test_a_group_alone_shows_its_help(monkeypatch, capsys, args):
    code, err = _run(monkeypatch, capsys, args)
    assert code == 2 and "inattendue" not in err
    assert "Commands" in err or "list" in err


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch, capsys) -> str:
    db = str(tmp_path / "demo.sqlite")
    code, err = _run(monkeypatch, capsys, ["demo", "--db", db])
    assert code == 0, err
    return db


def _os_cases(tmp: Path, db: str) -> list[tuple[list[str], str]]:
    (tmp / "a-folder").mkdir(exist_ok=True)
    (tmp / "not-a-db.txt").write_text("bonjour\n")
    folder, text = str(tmp / "a-folder"), str(tmp / "not-a-db.txt")
    missing = str(tmp / "missing" / "x")
    return [
        (["report", "--db", db, "-o", folder], "c'est un dossier"),
        (["report", "--db", db, "-o", "/proc/traits-report.md"], "introuvable"),
        (["backup", folder, "--db", db], "c'est un dossier"),
        (["backup", "/proc/traits.json.gz", "--db", db], "introuvable"),
        (["stats", "--db", text], "n'est pas une base de données"),
        (["stats", "--db", folder], "impossible à ouvrir"),
        (["restore", missing, "--db", db], "introuvable"),
        (["import", missing, "--db", db], "n'existe pas"),
        (["territory", "create", "X", "--communes", missing, "--db", db], "lecture impossible"),
        (["export", text, "--db", db], "impossible à créer"),
    ]


def test_os_errors_are_french_with_exit_1(tmp_path: Path, demo_db: str, monkeypatch, capsys):
    for args, expected in _os_cases(tmp_path, demo_db):
        code, err = _run(monkeypatch, capsys, args)
        assert code == 1, (args, err)
        assert expected in err, (args, err)
        assert "inattendue" not in err and "Errno" not in err and "Traceback" not in err, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_unwritable_output_is_french(tmp_path: Path, demo_db: str, monkeypatch, capsys):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, err = _run(monkeypatch, capsys, ["report", "--db", demo_db, "-o", str(locked / "r.md")])
    assert code == 1 and "droits insuffisants" in err


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (errno.EACCES, "droits insuffisants"),
        (errno.EPERM, "non permise"),
        (errno.ENOSPC, "disque est plein"),
        (errno.EROFS, "lecture seule"),
        (errno.EISDIR, "c'est un dossier"),
        (errno.ENOTDIR, "n'est pas un dossier"),
        (errno.ENOENT, "introuvable"),
        (errno.EIO, "opération impossible"),
    ],
)
def test_any_os_error_of_a_command_is_french(monkeypatch, capsys, number, expected):
    """Whichever command meets it (root writes anywhere, so the errors are raised here)."""

    def failing(*args, **kwargs):
        raise OSError(number, os.strerror(number), "/srv/sortie/bilan.md")

    monkeypatch.setattr(cli, "app", failing)
    code, err = _run(monkeypatch, capsys, ["report", "-o", "/srv/sortie/bilan.md"])
    assert code == 1 and "« /srv/sortie/bilan.md »" in err and expected in err, err
    assert os.strerror(number) not in err and "inattendue" not in err


@pytest.mark.parametrize(
    "error",
    [
        click.exceptions.NoSuchOption("--zz"),
        click.exceptions.BadParameter("'abc' is not a valid integer."),
        click.exceptions.MissingParameter(param_type="argument"),
        click.exceptions.BadOptionUsage("--x", "Option '--x' requires an argument."),
        click.exceptions.UsageError("No such command 'zz'."),
        click.exceptions.BadArgumentUsage("whatever"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_click_own_exceptions_are_recognised(monkeypatch, capsys, error):
    """Whichever Click copy raises them (Click itself or Typer's), usage errors exit 2."""

    def raising(*args, **kwargs):
        raise error

    monkeypatch.setattr(cli, "app", raising)
    code, err = _run(monkeypatch, capsys, ["stats"])
    assert code == 2 and err.startswith("Commande incorrecte : "), err
    assert not any(word in err for word in ENGLISH), err


def test_a_database_that_cannot_be_written_is_french_and_prints_no_sql(monkeypatch, capsys):
    import sqlite3

    import sqlalchemy as sa

    def failing(*args, **kwargs):
        raise sa.exc.OperationalError(
            "INSERT INTO contacts (name) VALUES (?)",
            ("secret@example.org",),
            sqlite3.OperationalError("attempt to write a readonly database"),
        )

    monkeypatch.setattr(cli, "app", failing)
    code, err = _run(monkeypatch, capsys, ["demo"])
    assert code == 1 and "n'a pas pu être lue ou écrite" in err
    assert "secret" not in err and "INSERT" not in err and "readonly" not in err


def test_a_real_defect_is_unexpected_and_prints_no_data(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise KeyError("INSERT INTO contacts VALUES ('Jeanne', 'secret@example.org')")

    monkeypatch.setattr(cli, "app", broken)
    code, err = _run(monkeypatch, capsys, ["stats"])
    assert code == cli_messages.EXIT_BUG and "Erreur inattendue (KeyError)" in err
    assert "secret@example.org" not in err


def _every_command_path() -> list[list[str]]:
    """The path of every command and group of ``traits`` (the root included)."""
    from typer.main import get_command

    paths: list[list[str]] = []

    def walk(command, path: list[str]) -> None:  # type: ignore[no-untyped-def]
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    walk(get_command(app), [])
    return paths


#: What Click writes in English around the help texts.
ENGLISH_HELP = re.compile(
    r"Usage:|Show this message|\[default:|\[env var:|\[required\]|Commands:|Options:|"
    r"<(str|int|float|path|bool|boolean|text|integer|file|filename|directory|datetime|uuid)>|"
    r"<(list|tuple|set)\[|\bCOMMAND\b|\[ARGS\]|\{[a-z_]+\}"
)


def test_every_help_page_is_french():
    paths = _every_command_path()
    assert len(paths) > 20
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], prog_name="traits")
        assert result.exit_code == 0, path
        assert "Utilisation : traits" in result.output, path
        english = ENGLISH_HELP.search(result.output)
        assert english is None, f"{' '.join(path)} : « {english.group()} »"


def test_a_one_sentence_refusal_is_said_once_and_claims_no_save():
    from traits.errors import InvalidInputError, Problem

    one = InvalidInputError("période inversée : échangez les deux dates.")
    assert one.summary == "Période inversée : échangez les deux dates."
    assert one.details() == [] and "rien n'a été enregistré" not in str(one)
    located = InvalidInputError([Problem("date illisible", file="Structures", row=4)])
    assert "rien n'a été enregistré" in located.summary and located.details() == located.problems
