"""The notebooks run from top to bottom as plain scripts, on the sample and labelled data.

They are jupytext percent-format ``.py`` files (``# %%`` cells), so running one with Python is
running the notebook. Not marked as slow: they take seconds without the semantic encoder and
stay under the 180-second limit with it, so the README's ``python -m pytest`` (and CI) runs them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
TIMEOUT_SECONDS = 180


def test_the_three_notebooks_are_there() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_diagnostics_aux_pistes.py",
        "02_comparer_les_territoires.py",
        "03_evaluer_l_appariement.py",
    ]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_jupytext_percent_with_french_markdown(notebook: Path) -> None:
    text = notebook.read_text(encoding="utf-8")
    assert "format_name: percent" in text
    assert text.count("# %% [markdown]") >= 3
    assert text.count("\n# %%\n") >= 3
    assert "é" in text
    # Only the service layer (and the evaluation helpers) — never storage internals.
    assert "traits.storage import repository" not in text
    assert "traits.storage import schema" not in text


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_as_a_script(notebook: Path, tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", "HOME": os.environ.get("HOME", str(tmp_path))}
    # A notebook must never touch the user's own database.
    env["TRAITS_DB"] = str(tmp_path / "must-not-be-used.sqlite")
    done = subprocess.run(
        [sys.executable, str(notebook.relative_to(ROOT))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip()
    assert not (tmp_path / "must-not-be-used.sqlite").exists()
