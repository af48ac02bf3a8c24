"""Documentation stays true: every command and option is in the README, every file in FORMAT."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from traits.cli import app
from traits.interchange.columns import FILES

ROOT = Path(__file__).resolve().parents[1]


def _commands(group, prefix: str = "traits") -> list:  # type: ignore[no-untyped-def]
    """Every leaf command with its full name (typer vendors its own click: duck-type groups)."""
    out = []
    for name, cmd in group.commands.items():
        full = f"{prefix} {name}"
        if hasattr(cmd, "commands"):
            out.extend(_commands(cmd, full))
        else:
            out.append((full, cmd))
    return out


def test_every_command_and_option_is_in_the_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    missing = []
    commands = _commands(typer.main.get_command(app))
    assert "traits partnership propose" in [name for name, _ in commands]
    for name, cmd in commands:
        if f"`{name}" not in readme:
            missing.append(name)
        for param in cmd.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in readme and opt != "--help":
                    missing.append(f"{name} {opt}")
    assert not missing, f"undocumented in README: {missing}"


def test_readme_has_exactly_two_setup_commands():
    readme = (ROOT / "README.md").read_text("utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", setup, re.S)
    assert len(blocks) == 2 and all(len(b.strip().splitlines()) == 1 for b in blocks)
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    test_command = blocks[1].strip().split("&&")[-1].strip()
    assert test_command in ci


def test_every_interchange_file_and_column_is_documented():
    doc = (ROOT / "docs" / "format.md").read_text("utf-8")
    for spec in FILES:
        if spec.name == "relevance":
            continue
        assert spec.filename in doc
        for col in spec.columns:
            assert f"`{col.name}`" in doc, f"{spec.filename}: {col.name}"


def test_glossary_names_exist_in_code():
    """Every code name the glossary gives (`Name`) is defined somewhere in traits/."""
    import ast

    glossary = (ROOT / "docs" / "glossary.md").read_text("utf-8")
    defined: set[str] = set()
    for path in (ROOT / "traits").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef | ast.FunctionDef):
                defined.add(node.name)
            elif isinstance(node, ast.Assign):
                defined |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                defined.add(node.target.id)
    for name in re.findall(r"`([A-Z][A-Za-z_]+)`", glossary):
        assert name in defined, name