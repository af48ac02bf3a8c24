"""One door: the CLI, the app and its pages reach the core only through the service layer.

And a house a newcomer can find their way in: each page of the app is short (widgets and
service calls, under 120 lines), and no function of the app is 120 lines or more.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {"traits", "traits.services", "traits.model", "traits.fr", "traits.errors"}
CLI = ROOT / "traits" / "cli"
SHELLS = [ROOT / "app.py", *sorted(CLI.glob("*.py")), *sorted((ROOT / "app_pages").glob("*.py"))]
#: The pages of the app: the modules of app_pages/ not starting with "_" (helpers do).
PAGES = sorted(p for p in (ROOT / "app_pages").glob("*.py") if not p.stem.startswith("_"))
MAX_PAGE_LINES = 120
MAX_FUNCTION_LINES = 120


def _imports(path: Path) -> list[tuple[int, str]]:
    return _imported(path.read_text(encoding="utf-8"))


def _imported(source: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute import; ``from traits import x`` counts as traits.x."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "traits" and node.level == 0:
            found += [(node.lineno, f"traits.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def _outside_the_door(module: str, path: Path | None = None) -> bool:
    if not (module == "traits" or module.startswith("traits.")):
        return False
    own_cli = module == "traits.cli" or module.startswith("traits.cli.")
    if path is not None and path.parent == CLI and own_cli:
        return False  # the command's own modules
    return not any(module == a or module.startswith(a + ".") for a in ALLOWED - {"traits"})


@pytest.mark.parametrize("path", SHELLS, ids=lambda p: str(p.relative_to(ROOT)))
def test_pages_import_only_services_model_fr_and_errors(path: Path):
    wrong = [f"{path.name}:{line} {module}" for line, module in _imports(path)
             if module != "traits" and _outside_the_door(module, path)]  # fmt: skip
    assert not wrong, wrong


def test_the_door_check_catches_a_core_module_imported_by_name():
    source = "from traits import storage\nfrom traits.rules import fold\nfrom traits import fr\n"
    found = [m for _, m in _imported(source) if _outside_the_door(m)]
    assert found == ["traits.storage", "traits.rules"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_are_short(page: Path):
    lines = len(page.read_text(encoding="utf-8").splitlines())
    assert lines < MAX_PAGE_LINES, (
        f"{page.name} has {lines} lines: move its logic to traits/services and its sections "
        f"to private modules of app_pages/ (under {MAX_PAGE_LINES} lines)"
    )


def _long_functions(source: str) -> list[str]:
    """Functions of ``source`` spanning ``MAX_FUNCTION_LINES`` lines or more."""
    return [
        f"{node.name}:{node.lineno} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 >= MAX_FUNCTION_LINES
    ]


@pytest.mark.parametrize("path", [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))],
                         ids=lambda p: p.name)  # fmt: skip
def test_app_functions_are_short(path: Path):
    assert _long_functions(path.read_text(encoding="utf-8")) == [], path.name


def test_the_size_checks_catch_a_long_page_and_a_long_function():
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert _long_functions(f"def f():\n{body}\n") == [f"f:1 ({MAX_FUNCTION_LINES + 1} lines)"]
    assert _long_functions("def g():\n    return 1\n") == []


def test_the_core_never_imports_streamlit():
    for path in (ROOT / "traits").rglob("*.py"):
        assert not any(m.split(".")[0] == "streamlit" for _, m in _imports(path)), path
