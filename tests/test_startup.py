"""Start-up stays light: a command that needs no fit loads neither scikit-learn nor pandas.

Times are measured by ``benchmarks/bench_matching.py``; this only keeps heavy imports lazy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "scipy", "pandas", "alembic")


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def test_the_cli_and_the_matching_service_load_no_heavy_library():
    assert _loaded_after("import traits.cli, traits.services.matching") == set()


def test_the_probe_sees_a_heavy_import():
    assert _loaded_after("import traits.matching.pipeline") >= {"sklearn", "pandas"}


def test_a_stored_shortlist_is_read_without_scikit_learn(tmp_path: Path):
    db = str(tmp_path / "demo.sqlite")
    setup = (
        "from traits import services\n"
        "from traits.services import Store, matching\n"
        f"store = Store({db!r})\n"
    )
    subprocess.run(
        [sys.executable, "-c", setup + "services.load_demo(store)\nmatching.match(store)"],
        cwd=ROOT,
        check=True,
    )
    query = setup + "matching.match(store, need_id='n_hautpre_informatique')"
    assert _loaded_after(query) == set()


def test_the_match_command_for_one_need_loads_no_heavy_library(tmp_path: Path):
    """The whole command, as typed, not only its modules: the table it prints names the
    structures beside their ids, and that lookup once pulled pandas and networkx in."""
    db = str(tmp_path / "demo.sqlite")
    setup = f"from traits.services import Store, load_demo, matching\nstore = Store({db!r})\n"
    subprocess.run(
        [sys.executable, "-c", setup + "load_demo(store)\nmatching.match(store)"],
        cwd=ROOT,
        check=True,
    )
    command = (
        "import contextlib, io, sys\nfrom traits.cli import main\n"
        f"sys.argv = ['traits', 'match', '--db', {db!r}, '--need', 'n_hautpre_informatique']\n"
        "with contextlib.redirect_stdout(io.StringIO()) as printed:\n"
        "    try:\n        main()\n    except SystemExit as done:\n"
        "        assert not done.code, done.code\n"
        "assert 'n_hautpre_informatique' in printed.getvalue()\n"
    )
    assert _loaded_after(command) == set()
