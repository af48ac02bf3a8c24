"""What an item's text says beyond its subject: its size, its days, whether it is local, its filing.

Computed once per item when the corpus is built (stage 1), used by the comparison stage as
three soft constraints and by the explanations:

* **size** — quantities read from both texts (``traits.quantities``): an offer under 80 % of
  the need (a 40-seat room for 150 people) is penalised in proportion;
* **days** — days of the week and seasons (``traits.availability``): a need on Tuesdays and an
  offer on week-ends never meet;
* **locality** — physical and recurring needs (premises, equipment, on-site purchasing,
  volunteering, training) are local; advice, websites, funding are not: distance weighs on the
  first fully and on the second only a little;
* **filing** — when an item's words point with confidence to another category than the one
  it was filed under (food donations filed under funding), the category gate also tries the
  category the text says, and the facilitator is told.

Everything is vectorised over pairs (bit masks for days, one array per unit for sizes), so
the three parts cost little even for hundreds of thousands of pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from traits.availability import SEASONS, Availability, extract_availability
from traits.matching.textcache import TextCache
from traits.quantities import PER_WEEK, Quantity, extract_quantities, size_unit

__all__ = [
    "REMOTE_CAPABLE_CATEGORIES",
    "REMOTE_CAPABLE_SUBCATEGORIES",
    "ItemConstraints",
    "days_fit",
    "item_constraints",
    "row_top",
    "size_fit_pairs",
]

#: Needs of these subcategories can be answered from afar (video, mail, money transfer).
REMOTE_CAPABLE_SUBCATEGORIES = frozenset(
    {
        "accounting",
        "communication",
        "csr",
        "grant_writing",
        "hr_recruitment",
        "languages_translation",
        "legal",
        "marketing_sales",
        "strategy",
        "web",
        "sponsorship",
        "foundation_grants",
        "loans_fundraising",
        "board_governance",
        "mentoring",
        "networking",
    }
)
REMOTE_CAPABLE_CATEGORIES = frozenset({"funding"})
#: Units compared as sizes (a capacity a need asks and an offer gives).
SIZE_UNITS = ("personne", "m2", "m3", "tonne", "kg", "heure", "jour", "repas", "etp")
#: Below this share of the need, an offer is too small; the part never falls below the floor.
SIZE_ENOUGH, SIZE_FLOOR = 0.8, 0.3
#: Parts of pairs whose days, or seasons, never meet.
DAYS_CLASH, SEASONS_CLASH = 0.3, 0.5


@dataclass
class ItemConstraints:
    """Per item: sizes by unit, day and season masks, locality, the category the text says."""

    size: np.ndarray  # items × units, the amount (per week when a period is given); NaN: none
    size_periodic: np.ndarray  # items × units, whether the amount recurs over a period
    day_mask: np.ndarray  # 7 bits, Monday first
    season_mask: np.ndarray  # 4 bits, spring first
    local: np.ndarray  # bool: physical or recurring (for needs)
    text_category: np.ndarray  # the category the words say when it differs with confidence, else ""
    quantities: list[list[Quantity]]
    availability: list[Availability]


#: Quantities and days of each text, kept between fits (lists and objects never modified).
_QUANTITIES = TextCache(extract_quantities)
_AVAILABILITY = TextCache(extract_availability)


def _masks(av: Availability) -> tuple[int, int]:
    days = sum(1 << d for d in av.days)
    seasons = sum(1 << SEASONS.index(s) for s in av.seasons if s in SEASONS)
    return days, seasons


def _sizes(quantities: list[Quantity]) -> tuple[np.ndarray, np.ndarray]:
    size = np.full(len(SIZE_UNITS), np.nan)
    periodic = np.zeros(len(SIZE_UNITS), bool)
    for q in quantities:
        unit = size_unit(q)  # seats compared with people
        if unit not in SIZE_UNITS or q.aside:  # the building around a need is not its size
            continue
        j = SIZE_UNITS.index(unit)
        value = q.value * PER_WEEK[q.per] if q.per in PER_WEEK else q.value
        if np.isnan(size[j]) or value > size[j]:
            size[j], periodic[j] = value, q.per in PER_WEEK
    return size, periodic


def item_constraints(
    titles: list[str],
    descriptions: list[str],
    categories: np.ndarray,
    evidence: sp.csr_matrix,
    codes: np.ndarray,
    code_categories: dict[str, str],
    misfiled_evidence: float = 0.9,
) -> ItemConstraints:
    """The constraints of every item (``evidence``: subcategory evidence, columns ``codes``)."""
    n = len(titles)
    texts = [f"{t or ''}. {d or ''}" for t, d in zip(titles, descriptions, strict=True)]
    quantities = [_QUANTITIES(t) for t in texts]
    availability = [_AVAILABILITY(t) for t in texts]
    size = np.full((n, len(SIZE_UNITS)), np.nan)
    periodic = np.zeros((n, len(SIZE_UNITS)), bool)
    for i, qs in enumerate(quantities):
        if qs:
            size[i], periodic[i] = _sizes(qs)
    masks = np.array([_masks(av) for av in availability], dtype=np.int64).reshape(n, 2)
    top, strength = row_top(evidence) if evidence.shape[1] else (np.zeros(n, int), np.zeros(n))
    top_code = codes[top] if len(codes) else np.array([""] * n)
    text_cat = np.array([code_categories.get(str(c), "") for c in top_code], dtype=object)
    confident = (strength >= misfiled_evidence) & (text_cat != "") & (text_cat != categories)
    text_category = np.where(confident, text_cat, "").astype(object)
    remote = np.isin(top_code, list(REMOTE_CAPABLE_SUBCATEGORIES)) & (strength > 0)
    remote |= np.isin(categories, list(REMOTE_CAPABLE_CATEGORIES)) & ~confident
    return ItemConstraints(
        size=size,
        size_periodic=periodic,
        day_mask=masks[:, 0],
        season_mask=masks[:, 1],
        local=~remote,
        text_category=text_category,
        quantities=quantities,
        availability=availability,
    )


def row_top(E: sp.spmatrix) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``argmax`` and ``max``, as scipy's (the lowest column on ties), vectorised.

    scipy walks the rows in Python; here only rows whose stored values are all ≤ 0 (where
    the implicit zeros count) are left to it. ``E`` itself is left as it is.
    """
    E = sp.csr_matrix(E, copy=True)
    E.sum_duplicates()  # columns in order within each row
    n = E.shape[0]
    counts = np.diff(E.indptr)
    rows = np.repeat(np.arange(n), counts)
    filled = counts > 0
    best = np.zeros(n, E.dtype)
    best[filled] = np.maximum.reduceat(E.data, E.indptr[:-1][filled])
    pos = np.flatnonzero(E.data == best[rows])
    first = pos[np.r_[True, rows[pos][1:] != rows[pos][:-1]]] if len(pos) else pos
    top = np.zeros(n, np.int64)
    top[rows[first]] = E.indices[first]
    odd = np.flatnonzero(filled & (best <= 0))
    if len(odd):
        sub = E[odd]
        top[odd] = np.asarray(sub.argmax(axis=1)).ravel()
        best[odd] = np.asarray(sub.max(axis=1).todense()).ravel()
    return top, best


def size_fit_pairs(c: ItemConstraints, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """The size part of pairs: 1 when the offer is big enough or sizes say nothing."""
    ratio = c.size[offer] / c.size[need]
    same_kind = c.size_periodic[offer] == c.size_periodic[need]
    ratio = np.where(same_kind & (c.size[need] > 0), ratio, np.nan)
    part = np.where(ratio >= SIZE_ENOUGH, 1.0, np.maximum(SIZE_FLOOR, ratio))
    part = np.where(np.isnan(ratio), 1.0, part)
    return part.min(axis=1) if part.size else np.ones(len(need))


def days_fit(c: ItemConstraints, need: np.ndarray, offer: np.ndarray) -> np.ndarray:
    """The days part of pairs: lower when both name days (or seasons) and none is shared."""
    nd, od = c.day_mask[need], c.day_mask[offer]
    ns, os_ = c.season_mask[need], c.season_mask[offer]
    part = np.ones(len(need))
    part = np.where((ns > 0) & (os_ > 0) & ((ns & os_) == 0), SEASONS_CLASH, part)
    part = np.where((nd > 0) & (od > 0) & ((nd & od) == 0), DAYS_CLASH, part)
    return part
