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


def readme_setup_commands() -> list[str]:
    """The shell blocks of the README's « Set-up » section, in order."""
    readme = (ROOT / "README.md").read_text("utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", setup, re.S)]


def test_readme_has_exactly_two_setup_commands():
    """One to start the app, one to run the tests, both from a stock machine (python3, venv)."""
    blocks = readme_setup_commands()
    assert len(blocks) == 2 and all(len(b.splitlines()) == 1 for b in blocks)
    for block in blocks:
        # Debian and Ubuntu have no `python`, and refuse `pip install` outside a venv.
        assert block.startswith("python3 -m venv .venv && .venv/bin/python -m pip install -e ")
    assert blocks[0].endswith(".venv/bin/streamlit run app.py")
    assert blocks[1].endswith(".venv/bin/python -m pytest")
    ci_lines = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert blocks[1] in ci_lines, "CI must run exactly the README's test command"


#: Variables every machine has, read but not ours to document.
STANDARD_VARIABLES = {"HOME", "PATH"}
#: Where code reads the environment.
CODE = ["traits", "app.py", "app_pages", "tests", "benchmarks", "notebooks", "scripts"]


def _environment_variables() -> dict[str, str]:
    """Each environment variable the code reads, with one file that reads it."""
    reads = re.compile(
        r"""(?:environ(?:\.get)?\(?\[?|getenv\(|envvar=)\s*["']([A-Z][A-Z0-9_]+)["']"""
        r"""|["'](TRAITS_[A-Z0-9_]+)["']"""
    )
    found: dict[str, str] = {}
    for place in CODE:
        root = ROOT / place
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            for match in reads.finditer(path.read_text("utf-8")):
                found.setdefault(match.group(1) or match.group(2), str(path.relative_to(ROOT)))
    return {k: v for k, v in found.items() if k not in STANDARD_VARIABLES}


def test_every_environment_variable_is_documented():
    variables = _environment_variables()
    assert {"TRAITS_DB", "TRAITS_DEBUG", "TRAITS_SHARED", "TRAITS_AUTHOR"} <= set(variables)
    docs = (ROOT / "README.md").read_text("utf-8") + "".join(
        p.read_text("utf-8") for p in sorted((ROOT / "docs").glob("*.md"))
    )
    missing = [f"{k} (read in {v})" for k, v in variables.items() if f"`{k}`" not in docs]
    assert not missing, f"undocumented environment variables: {missing}"


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
