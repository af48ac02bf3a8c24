"""One door: the CLI, the app and its pages reach the core only through the service layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"traits", "traits.services", "traits.model", "traits.fr", "traits.errors"}
SHELLS = [ROOT / "app.py", ROOT / "traits" / "cli.py", *sorted((ROOT / "app_pages").glob("*.py"))]


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def _outside_the_door(module: str) -> bool:
    if not (module == "traits" or module.startswith("traits.")):
        return False
    return not any(module == a or module.startswith(a + ".") for a in ALLOWED - {"traits"})


@pytest.mark.parametrize("path", SHELLS, ids=lambda p: p.name)
def test_pages_import_only_services_model_fr_and_errors(path: Path):
    wrong = [f"{path.name}:{line} {module}" for line, module in _imports(path)
             if module != "traits" and _outside_the_door(module)]  # fmt: skip
    assert not wrong, wrong


def test_the_core_never_imports_streamlit():
    for path in (ROOT / "traits").rglob("*.py"):
        assert not any(m.split(".")[0] == "streamlit" for _, m in _imports(path)), path
