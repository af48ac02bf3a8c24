"""A house a newcomer can live in: rooms of readable size, layers that only point down, and the
data access in storage.

Each check reads the source (AST), so it names the module, function or import at fault; each
is also run on a small planted defect, so it is known to fail when it should.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "traits"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 120
#: What builds SQL in SQLAlchemy Core: names of ``sqlalchemy``, and methods of a table.
SQL_NAMES = {
    "select",
    "insert",
    "update",
    "delete",
    "text",
    "func",
    "bindparam",
    "exists",
    "union",
    "union_all",
    "literal",
    "case",
}
TABLE_STATEMENTS = {"select", "insert", "update", "delete"}


def _modules(package: Path) -> dict[str, Path]:
    """Dotted name of every module of ``package`` (a package is its ``__init__``)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _source_modules(package: Path) -> dict[str, Path]:
    return {name: path for name, path in _modules(package).items() if "migrations" not in name}


# -- sizes --------------------------------------------------------------------------------------


def long_modules(package: Path) -> list[str]:
    """Modules (migrations aside) over :data:`MAX_MODULE_LINES` lines."""
    out = []
    for name, path in _source_modules(package).items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            out.append(f"{name}: {lines} lines")
    return out


def long_functions(package: Path) -> list[str]:
    """Functions and methods (decorators included) over :data:`MAX_FUNCTION_LINES` lines."""
    out = []
    for name, path in _source_modules(package).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                span = (node.end_lineno or node.lineno) - start + 1
                if span > MAX_FUNCTION_LINES:
                    out.append(f"{name}.{node.name} (line {node.lineno}): {span} lines")
    return out


# -- imports ------------------------------------------------------------------------------------


def _imported(module: str, is_package: bool, tree: ast.AST) -> Iterator[str]:
    """Every dotted name ``module`` imports, anywhere (functions included), relative resolved;
    ``from p import m`` yields ``p.m`` (a module, or a name the caller resolves to ``p``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".") if is_package else module.split(".")[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(package: Path) -> nx.DiGraph:
    """Which module of ``package`` imports which (an edge per pair, self-imports left out)."""
    modules = _modules(package)
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _imported(module, path.name == "__init__.py", tree):
            target = resolve(name)
            if target is not None and target != module:
                graph.add_edge(module, target)
    return graph


def import_cycles(package: Path) -> list[list[str]]:
    """Every elementary cycle of the import graph (each from its first name), shortest first."""
    cycles = []
    for cycle in nx.simple_cycles(import_graph(package)):
        first = cycle.index(min(cycle))
        cycles.append(cycle[first:] + cycle[:first])
    return sorted(cycles, key=lambda c: (len(c), c))


# -- data access --------------------------------------------------------------------------------


def sql_built(path: Path) -> list[str]:
    """Where a module builds SQLAlchemy Core statements or expressions (line: what)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    sa_aliases: set[str] = set()
    schema_aliases: set[str] = set()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            sa_aliases |= {a.asname or a.name for a in node.names if a.name == "sqlalchemy"}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "sqlalchemy":
                out += [
                    f"{node.lineno}: imports {a.name}" for a in node.names if a.name in SQL_NAMES
                ]
            elif node.module == "traits.storage":
                schema_aliases |= {a.asname or a.name for a in node.names if a.name == "schema"}
            elif node.module == "traits.storage.schema":
                schema_aliases |= {a.asname or a.name for a in node.names}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        root = node.value
        while isinstance(root, ast.Attribute | ast.Call | ast.Subscript):
            root = root.func if isinstance(root, ast.Call) else root.value
        if not isinstance(root, ast.Name):
            continue
        if root.id in sa_aliases and node.attr in SQL_NAMES:
            out.append(f"{node.lineno}: {root.id}.{node.attr}")
        elif root.id in schema_aliases and node.attr in TABLE_STATEMENTS:
            out.append(f"{node.lineno}: {node.attr}() on a table")
    return sorted(set(out))


# -- the house as it is -------------------------------------------------------------------------


def test_no_module_is_over_600_lines():
    assert not long_modules(PACKAGE)


def test_no_function_is_over_120_lines():
    assert not long_functions(PACKAGE)


def test_no_two_modules_import_each_other():
    cycles = import_cycles(PACKAGE)
    assert not [c for c in cycles if len(c) == 2], cycles


def test_imports_point_one_way():
    """No longer cycle either (a → b → c → a): each module can be read before its importers."""
    assert not import_cycles(PACKAGE)


@pytest.mark.parametrize("path", sorted((PACKAGE / "services").glob("*.py")), ids=lambda p: p.name)
def test_services_build_no_sql(path: Path):
    """Data access lives in traits.storage: services call its named functions."""
    assert not sql_built(path)


# -- the checks themselves catch what they look for ---------------------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_cycles_are_found_inside_functions_and_through_relative_imports(tmp_path: Path):
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "def f():\n    from pkg.sub import b\n",
            "sub/__init__.py": "",
            "sub/b.py": "from .. import a\n",
            "sub/c.py": "from . import d\n",
            "sub/d.py": "import pkg.sub.e\n",
            "sub/e.py": "from pkg.sub.c import name\n",
            "migrations/m.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
        },
    )
    assert import_cycles(root) == [
        ["pkg.a", "pkg.sub.b"],
        ["pkg.sub.c", "pkg.sub.d", "pkg.sub.e"],
    ]
    assert not long_modules(root)  # migrations aside


def test_long_modules_and_functions_are_found(tmp_path: Path):
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "long.py": "class C:\n    @staticmethod\n    def m():\n"
            + textwrap.indent(body, "    "),
            "big.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
        },
    )
    assert long_functions(root) == [f"pkg.long.m (line 3): {MAX_FUNCTION_LINES + 2} lines"]
    assert long_modules(root) == [f"pkg.big: {MAX_MODULE_LINES + 1} lines"]


def test_sql_built_in_a_service_is_found(tmp_path: Path):
    root = _package(
        tmp_path,
        {
            "s.py": """\
                import sqlalchemy as sa
                from sqlalchemy import delete
                from sqlalchemy.engine import Connection
                from traits.storage import schema as t

                def f(conn: Connection) -> None:
                    conn.execute(sa.select(t.items.c.item_id).where(t.items.c.org_id == "o"))
                    conn.execute(t.items.update().values(title="x"))
                    conn.execute(sa.func.count())
                """,
            "clean.py": """\
                from sqlalchemy.engine import Connection
                from traits.storage import diagnostics

                def f(conn: Connection, values: dict) -> None:
                    values.update({"a": 1})
                    diagnostics.delete(conn, "d_1")
                """,
        },
    )
    assert sql_built(root / "s.py") == [
        "2: imports delete",
        "7: sa.select",
        "8: update() on a table",
        "9: sa.func",
    ]
    assert not sql_built(root / "clean.py")
