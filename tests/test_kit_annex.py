"""The technical annex's commands, pasted in order into a shell, all succeed on one base; and a
command that only reads a base never makes a new, empty one (it says which base it looked for)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from traits.cli import app
from traits.model import Territory
from traits.services import export_territory, import_territory
from traits.storage import Store

ROOT = Path(__file__).resolve().parents[1]
ANNEX = ROOT / "docs" / "kit-essaimage" / "annexe-technique" / "README.md"
SAMPLE = ROOT / "data" / "samples" / "vitre"
#: Words in capitals that are not placeholders.
NOT_PLACEHOLDERS = {"TRAITS_DB"}


def annex_commands() -> list[str]:
    """Every command of the annex's ``bash`` blocks, in order (continued lines joined)."""
    text = ANNEX.read_text("utf-8")
    commands: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", "", block)
        commands += [line.strip() for line in joined.splitlines() if line.strip()]
    return commands


def _query(db: Path, sql: str) -> str:
    with sqlite3.connect(db) as conn:
        row = conn.execute(sql).fetchone()
    assert row, f"rien pour {sql}"
    return str(row[0])


def _placeholders(db: Path) -> dict[str, object]:
    """How a person fills each word in capitals, from what the base holds at that point."""
    redon = "JOIN organisations o USING (org_id) WHERE o.territory_id = 'pays-de-redon'"
    need = f"SELECT item_id, org_id FROM items {redon} AND direction = 'need' ORDER BY item_id"
    return {
        "ID_DU_BESOIN": lambda: _query(db, need),
        "ID_DE_L_OFFRE": lambda: _query(
            db,
            f"SELECT item_id FROM items {redon} AND direction = 'offer' "
            f"AND org_id <> (SELECT org_id FROM ({need} LIMIT 1)) ORDER BY item_id",
        ),
        "ID_DU_PARTENARIAT": lambda: _query(db, "SELECT partnership_id FROM partnerships"),
        "ADRESSE_DE_LA_PERSONNE": lambda: _query(
            db, f"SELECT email FROM contacts {redon} AND email IS NOT NULL ORDER BY email"
        ),
        "AAAA-MM-JJ": lambda: dt.date.today().isoformat(),
    }


def _territory_workbook(folder: Path) -> Path:
    """``mon-territoire.xlsx``: the sample's organisations, items, diagnostics and contacts for
    a territory named Pays de Redon, as the tableur a Pôle fills in."""
    source = folder / "csv"
    source.mkdir()
    for name in ["organisations", "items", "diagnostics", "contacts"]:
        table = pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
        if "territory" in table:
            table["territory"] = "pays-de-redon"
        table.to_csv(source / f"{name}.csv", index=False)
    scratch = Store(folder / "scratch.sqlite")
    import_territory(scratch, source, territory=Territory("pays-de-redon", "Pays de Redon"))
    export_territory(scratch, folder / "mon-territoire.xlsx", territory_id="pays-de-redon")
    scratch.dispose()
    return folder / "mon-territoire.xlsx"


def test_annex_commands_pasted_in_order_all_succeed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = tmp_path / "travail"
    home.mkdir()
    work.mkdir()
    _territory_workbook(work)
    (work / "communes.txt").write_text("Redon\nBains-sur-Oust\n", "utf-8")
    base = home / "traits" / "base.sqlite"
    fill = _placeholders(base)
    filled: dict[str, str] = {}
    exports: list[str] = []
    shell = f'traits() {{ "{sys.executable}" -m traits.cli "$@"; }}\n'
    commands = annex_commands()
    assert any(c.startswith("export TRAITS_DB=") for c in commands[:1]), (
        "l'annexe doit nommer la base une fois, avant toute commande"
    )
    for command in commands:
        for word in re.findall(r"\b[A-Z][A-Z_-]{3,}\b", command):
            if word in NOT_PLACEHOLDERS:
                continue
            assert word in fill, f"« {word} » : un mot à remplacer que ce test ne sait pas remplir"
            filled.setdefault(word, fill[word]())  # type: ignore[operator]
            command = command.replace(word, filled[word])
        if command.startswith("export "):
            exports.append(command)
        result = subprocess.run(
            ["bash", "-c", shell + "\n".join(exports) + "\n" + command],
            cwd=work,
            env={"HOME": str(home), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert not (home / ".local" / "share" / "traits").exists(), "une base par défaut a été créée"
    backup = next((home / "traits").glob("sauvegarde-*.sqlite"))
    assert _query(backup, "SELECT count(*) FROM organisations") != "0"


READING_COMMANDS = [
    ["stats"],
    ["report", "-t", "x"],
    ["export", "sortie.xlsx", "-t", "x"],
    ["match", "-t", "x"],
    ["backup", "sauvegarde.sqlite"],
    ["partnership", "list"],
    ["contact", "purge", "--older-than", "3y"],
    ["user", "list"],
    ["kit", "sortie", "-t", "x"],
]


@pytest.mark.parametrize("command", READING_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_reading_command_never_creates_a_base(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRAITS_DB", raising=False)
    missing = tmp_path / "base-du-pole.sqlite"
    result = CliRunner().invoke(app, [*command, "--db", str(missing)])
    assert result.exit_code != 0
    assert not missing.exists()
    assert not (tmp_path / "sauvegarde.sqlite").exists()
    message = str(result.exception) + result.output
    assert str(missing) in message and "--db" in message and "traits import" in message


def test_the_default_base_is_named_in_plain_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("TRAITS_DB", raising=False)
    result = CliRunner().invoke(app, ["backup", str(tmp_path / "s.sqlite")])
    assert result.exit_code != 0 and not (tmp_path / "s.sqlite").exists()
    assert "base par défaut" in str(result.exception)
    assert not list(tmp_path.rglob("traits.sqlite"))


def test_an_empty_postgresql_base_is_not_read_as_a_traits_base(pg_store) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from traits.errors import MissingDatabaseError

    url = pg_store.engine.url.render_as_string(hide_password=False)
    with pg_store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
    with pytest.raises(MissingDatabaseError):
        Store(url, create=False)
