"""Evaluation on labelled territories: hit@5, MRR@10, nDCG@5 (graded gains 2/1), and ablations.

A labelled folder holds ``organisations.csv``, ``items.csv`` and ``relevance.csv`` (interchange
format, UTF-8, ``,`` or ``;``). The whole folder is matched together: distances keep its
territories apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from traits.errors import InvalidInputError, Problem
from traits.matching.pipeline import MatchConfig, Matcher
from traits.matching.score import DEFAULT_WEIGHTS

__all__ = [
    "ABLATION_STAGES",
    "ablation",
    "evaluate",
    "evaluate_frames",
    "hit_at",
    "learning_gain",
    "mrr_at",
    "ndcg_at",
    "read_labelled",
]


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise InvalidInputError(Problem("fichier absent du dossier.", file=path.name))
    text = path.read_bytes().decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame.columns = [c.strip().lower() for c in frame.columns]
    return frame


def read_labelled(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Organisations, items and relevance judgements of a labelled folder."""
    folder = Path(folder)
    orgs = _read_csv(folder / "organisations.csv")
    items = _read_csv(folder / "items.csv")
    rel = _read_csv(folder / "relevance.csv")
    for col in ("lat", "lon"):
        if col in orgs.columns:
            orgs[col] = pd.to_numeric(orgs[col].replace("", np.nan), errors="coerce")
    rel["grade"] = pd.to_numeric(rel["grade"], errors="coerce").fillna(0).astype(int)
    return orgs, items, rel


def _dcg(gains: Iterable[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def hit_at(ranked: list[str], grades: Mapping[str, int], k: int = 5) -> float:
    """1 when a relevant offer is among the first ``k``."""
    return float(any(grades.get(o, 0) > 0 for o in ranked[:k]))


def mrr_at(ranked: list[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant offer within ``k`` (0 otherwise)."""
    for i, o in enumerate(ranked[:k]):
        if grades.get(o, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def ndcg_at(ranked: list[str], grades: Mapping[str, int], k: int = 5) -> float:
    """Normalised DCG with the grades (2 good, 1 acceptable) as gains."""
    ideal = _dcg(sorted(grades.values(), reverse=True)[:k])
    return _dcg(grades.get(o, 0) for o in ranked[:k]) / ideal if ideal > 0 else 0.0


def _rankings(matcher: Matcher, need_ids: list[str]) -> dict[str, list[str]]:
    res = matcher.match_all(k=10, need_ids=need_ids)
    return {n: [c.offer_id for c in cands] for n, cands in res.items()}


def evaluate_frames(
    orgs: pd.DataFrame,
    items: pd.DataFrame,
    relevance: pd.DataFrame,
    config: MatchConfig | None = None,
    *,
    matcher: Matcher | None = None,
    need_ids: list[str] | None = None,
) -> dict[str, float]:
    """Metrics of ``config`` (or of a fitted ``matcher``) on in-memory labelled tables."""
    if matcher is None:
        matcher = Matcher(config).fit(orgs, items)
    grades: dict[str, dict[str, int]] = {}
    for n, o, g in zip(
        relevance["need_id"], relevance["offer_id"], relevance["grade"], strict=True
    ):
        if g > 0:
            grades.setdefault(str(n), {})[str(o)] = int(g)
    needs = [n for n in (need_ids or list(grades)) if n in grades and n in matcher.corpus_.item_pos]
    ranked = _rankings(matcher, needs)
    rows = [
        (hit_at(ranked[n], grades[n]), mrr_at(ranked[n], grades[n]), ndcg_at(ranked[n], grades[n]))
        for n in needs
    ]
    arr = np.array(rows) if rows else np.zeros((0, 3))
    means = arr.mean(axis=0) if len(arr) else np.zeros(3)
    return {
        "hit@5": float(means[0]),
        "mrr@10": float(means[1]),
        "ndcg@5": float(means[2]),
        "needs": len(needs),
    }


def evaluate(folder: str | Path, config: MatchConfig | None = None) -> dict[str, float]:
    """hit@5, MRR@10 and nDCG@5 of matching on a labelled folder."""
    orgs, items, rel = read_labelled(folder)
    return evaluate_frames(orgs, items, rel, config)


def _weights(**on: float) -> dict[str, float]:
    w = {p: 0.0 for p in DEFAULT_WEIGHTS}
    w.update(on)
    return w


def _stage_configs(base: MatchConfig, semantic: bool) -> list[tuple[str, MatchConfig]]:
    d = DEFAULT_WEIGHTS
    char = _weights(char=1.0)
    word = _weights(char=d["char"], word=d["word"])
    vocab = _weights(char=d["char"], word=d["word"], subcategory=d["subcategory"])
    cat = {**vocab, "category": d["category"]}
    dist = dict(d)
    stages = [
        ("char TF-IDF", replace(base, weights=char, use_semantic=False)),
        ("+ word TF-IDF", replace(base, weights=word, use_semantic=False)),
        ("+ vocabulary", replace(base, weights=vocab, use_semantic=False)),
        ("+ category", replace(base, weights=cat, use_semantic=False)),
        ("+ distance & pairing", replace(base, weights=dist, use_semantic=False)),
    ]
    if semantic:
        stages.append(("+ semantic", replace(base, weights=None, use_semantic=True)))
    return stages


#: Names of the ablation stages, in order ("+ learning" is cross-validated by need).
ABLATION_STAGES = (
    "char TF-IDF",
    "+ word TF-IDF",
    "+ vocabulary",
    "+ category",
    "+ distance & pairing",
    "+ semantic",
    "+ learning",
)


def _cross_validated_learning(
    orgs: pd.DataFrame, items: pd.DataFrame, rel: pd.DataFrame, config: MatchConfig, folds: int = 5
) -> dict[str, float]:
    """Learning evaluated honestly: feedback on other needs' proposals, metrics on held-out ones."""
    matcher = Matcher(config).fit(orgs, items)
    needs = sorted(
        {str(n) for n in rel.loc[rel["grade"] > 0, "need_id"]} & set(matcher.corpus_.item_pos)
    )
    rng = np.random.default_rng(config.random_state)
    order = rng.permutation(len(needs))
    totals = np.zeros(3)
    positives = {
        (str(a), str(b))
        for a, b, g in zip(rel["need_id"], rel["offer_id"], rel["grade"], strict=True)
        if g > 0
    }
    for f in range(folds):
        test = [needs[i] for i in order[f::folds]]
        train = [needs[i] for i in order if needs[i] not in set(test)]
        if not test:
            continue
        matcher.reset_learning()
        shown = matcher.match_all(k=10, need_ids=train)
        rows = [(n, c.offer_id) for n, cs in shown.items() for c in cs]
        rows += [p for p in positives if p[0] in set(train)]
        fb = pd.DataFrame(sorted(set(rows)), columns=["need_id", "offer_id"])
        fb["label"] = [
            "relevant" if (a, b) in positives else "not_relevant"
            for a, b in zip(fb["need_id"], fb["offer_id"], strict=True)
        ]
        matcher.learn(fb)
        m = evaluate_frames(orgs, items, rel, matcher=matcher, need_ids=test)
        totals += np.array([m["hit@5"], m["mrr@10"], m["ndcg@5"]]) * len(test)
    matcher.reset_learning()
    t = totals / max(len(needs), 1)
    return {"hit@5": float(t[0]), "mrr@10": float(t[1]), "ndcg@5": float(t[2]), "needs": len(needs)}


def ablation(
    folder: str | Path,
    config: MatchConfig | None = None,
    *,
    semantic: bool = False,
    learning: bool = True,
) -> pd.DataFrame:
    """Metrics stage by stage (one row per stage) on a labelled folder."""
    base = config or MatchConfig()
    orgs, items, rel = read_labelled(folder)
    rows = []
    last = base
    for name, cfg in _stage_configs(base, semantic):
        rows.append({"stage": name, **evaluate_frames(orgs, items, rel, cfg)})
        last = cfg
    if learning:
        rows.append(
            {
                "stage": "+ learning",
                **_cross_validated_learning(orgs, items, rel, replace(last, min_feedback=20)),
            }
        )
    return pd.DataFrame(rows)


#: Untuned weights (every text part alike, every gate half-way): where a territory whose
#: facilitators judge differently from our labelled sets would start from.
NEUTRAL_WEIGHTS: dict[str, float] = {
    "word": 1.0,
    "char": 1.0,
    "subcategory": 1.0,
    "semantic": 1.0,
    "category": 0.5,
    "distance": 0.5,
    "favoured": 0.5,
    "reciprocity": 0.5,
}


def learning_gain(
    folder: str | Path, config: MatchConfig | None = None, *, semantic: bool = False
) -> pd.DataFrame:
    """What learning from simulated feedback gains, from the default and from neutral weights.

    Feedback is simulated as in the ablation (relevant or not for the proposals shown on four
    fifths of the needs), metrics are those of the held-out fifth, over five folds.
    """
    base = replace(config or MatchConfig(), use_semantic=semantic, min_feedback=20)
    orgs, items, rel = read_labelled(folder)
    rows = []
    for start, weights in (("default weights", None), ("neutral weights", NEUTRAL_WEIGHTS)):
        cfg = replace(base, weights=None if weights is None else dict(weights))
        rows.append({"start": start, "learning": "no", **evaluate_frames(orgs, items, rel, cfg)})
        rows.append(
            {"start": start, "learning": "yes", **_cross_validated_learning(orgs, items, rel, cfg)}
        )
    return pd.DataFrame(rows)
