"""Seeded synthetic territories for benchmarks and tests (never for evaluation).

Items are written from the vocabulary: a subcategory, one of its synonyms as the title and
two more in the description, organisations scattered around Rennes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from traits.matching.config import ITEM_COLUMNS
from traits.vocabulary import Vocabulary

__all__ = ["synthetic_territory"]

_FILLERS = (
    "pour notre structure",
    "ponctuellement",
    "sur le territoire",
    "plusieurs fois par an",
    "dès que possible",
    "pour nos salariés",
    "pour nos bénéficiaires",
    "le week-end",
)


def synthetic_territory(
    n_orgs: int,
    items_per_org: float = 5.0,
    *,
    random_state: int = 0,
    spread_km: float = 40.0,
    need_share: float = 0.5,
    vocabulary: Vocabulary | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Organisations and items (about half needs) of a seeded random territory."""
    rng = np.random.default_rng(random_state)
    vocab = list(vocabulary or Vocabulary.default())
    kinds = rng.choice(["ess", "company", "public", "other"], size=n_orgs, p=[0.5, 0.4, 0.05, 0.05])
    deg = spread_km / 111.0
    orgs = pd.DataFrame(
        {
            "org_id": [f"o{i}" for i in range(n_orgs)],
            "name": [f"Structure {i}" for i in range(n_orgs)],
            "kind": kinds,
            "legal_form": np.where(kinds == "ess", "association", "SAS"),
            "lat": 48.11 + rng.normal(0, deg, n_orgs),
            "lon": -1.68 + rng.normal(0, deg * 1.5, n_orgs),
            "description": "",
        }
    )
    counts = rng.poisson(items_per_org, n_orgs)
    n_items = int(counts.sum())
    org_of = np.repeat(np.arange(n_orgs), counts)
    subs = rng.integers(0, len(vocab), n_items)
    rows = []
    for i in range(n_items):
        sub = vocab[subs[i]]
        words = list(sub.synonyms) or [sub.label]
        picks = rng.choice(len(words), size=min(3, len(words)), replace=False)
        title = words[picks[0]].capitalize()
        desc = (
            " et ".join(words[p] for p in picks[1:]) + " " + _FILLERS[rng.integers(len(_FILLERS))]
        )
        rows.append(
            (
                f"i{i}",
                f"o{org_of[i]}",
                "need" if rng.random() < need_share else "offer",
                sub.category,
                "",
                title,
                desc,
            )
        )
    items = pd.DataFrame(rows, columns=list(ITEM_COLUMNS))
    return orgs, items
