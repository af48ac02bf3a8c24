"""The matching code stays as docs/matching.md describes it: settings, weights, rooms."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import networkx as nx

from traits.matching.config import DEFAULT_WEIGHTS, SEMANTIC_WEIGHT, MatchConfig

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "matching.md").read_text("utf-8")
#: Modules of the matching rooms, checked for size and import cycles.
MATCHING = sorted((ROOT / "traits" / "matching").glob("*.py")) + [
    ROOT / "traits" / "vocabulary.py",
    ROOT / "traits" / "text.py",
    ROOT / "traits" / "services" / "matching.py",
    ROOT / "traits" / "services" / "embeddings.py",
]


def _row(name: str) -> str:
    rows = [line for line in DOC.splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"docs/matching.md should have one table row for `{name}`"
    return rows[0]


def test_every_setting_is_documented_with_its_default():
    for f in dataclasses.fields(MatchConfig):
        assert f"| `{f.default!r}` |" in _row(f.name), f"default of {f.name} in docs/matching.md"


def test_every_default_weight_is_documented():
    for part, weight in DEFAULT_WEIGHTS.items():
        assert f"| {weight:.2f}" in _row(part), f"weight of {part} in docs/matching.md"
    assert f"{SEMANTIC_WEIGHT:.2f} when the encoder is on" in _row("semantic")


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """Modules of ``known`` imported anywhere in the file, inside functions too."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        out |= {n for n in names if n in known}
    return out


def test_matching_modules_do_not_import_each_other_in_circles():
    all_modules = {_module_name(p): p for p in (ROOT / "traits").rglob("*.py")}
    graph = nx.DiGraph()
    for path in MATCHING:
        name = _module_name(path)
        for target in _imports(path, set(all_modules)) - {name}:
            graph.add_edge(name, target)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, cycles


def test_matching_modules_and_functions_stay_readable():
    for path in MATCHING:
        text = path.read_text("utf-8")
        assert len(text.splitlines()) < 600, path.name
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1  # type: ignore[operator]
                assert length <= 120, f"{path.name}:{node.name} has {length} lines"


def test_the_stage_table_names_files_that_exist():
    files = set(re.findall(r"`(\w+\.py)`", DOC.split("## Stages", 1)[1].split("###", 1)[0]))
    assert files and all((ROOT / "traits" / "matching" / f).exists() for f in files), files
