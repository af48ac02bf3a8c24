"""Stage 6 — shortlists: best offers per need, per organisation, and territory-wide pistes.

Territory-wide pistes are an assignment problem solved exactly (integer programme, HiGHS via
:func:`scipy.optimize.milp`): choose pairs maximising the total score such that each need and
each offer appears in at most one piste, and each organisation — on either side — in at most
``max_per_org`` pistes. A greedy pass would let one strong organisation crowd out the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["assign_pistes", "top_k_per_group"]


def top_k_per_group(groups: np.ndarray, scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best scores of each group, groups in order, best first."""
    if len(groups) == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort((-scores, groups))
    g = groups[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(g)) - np.repeat(starts, np.diff(np.r_[starts, len(g)]))
    return order[rank < k]


def assign_pistes(
    need_keys: Sequence[object],
    offer_keys: Sequence[object],
    need_orgs: Sequence[object],
    offer_orgs: Sequence[object],
    scores: Sequence[float],
    max_per_org: int,
    *,
    max_per_need: int = 1,
    max_per_offer: int = 1,
    time_limit_s: float = 60.0,
) -> list[int]:
    """Indices of the chosen pairs: maximum total score under the capacity constraints.

    Parameters
    ----------
    need_keys, offer_keys, need_orgs, offer_orgs, scores
        One entry per candidate pair.
    max_per_org
        Pistes an organisation may take part in, as the need's or the offer's side.
    max_per_need, max_per_offer
        Pistes per need and per offer.
    time_limit_s
        Seconds the solver may take (``MatchConfig.solver_time_limit_s``).
    """
    n = len(scores)
    if n == 0 or max_per_org <= 0:
        return []
    w = np.asarray(scores, dtype=float)
    rows: list[np.ndarray] = []
    caps: list[float] = []
    for keys, cap in ((need_keys, max_per_need), (offer_keys, max_per_offer)):
        members: dict[object, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            members[key].append(i)
        for idx in members.values():
            if len(idx) > cap:
                rows.append(np.asarray(idx))
                caps.append(cap)
    org_members: dict[object, set[int]] = defaultdict(set)
    for i, (a, b) in enumerate(zip(need_orgs, offer_orgs, strict=True)):
        org_members[a].add(i)
        org_members[b].add(i)
    for idx in org_members.values():
        if len(idx) > max_per_org:
            rows.append(np.fromiter(sorted(idx), dtype=np.int64))
            caps.append(max_per_org)
    if not rows:
        return [i for i in range(n) if w[i] > 0]
    data = np.concatenate([np.ones(len(r)) for r in rows])
    r_idx = np.concatenate([np.full(len(r), j) for j, r in enumerate(rows)])
    c_idx = np.concatenate(rows)
    A = sp.csr_matrix((data, (r_idx, c_idx)), shape=(len(rows), n))
    res = milp(
        c=-w,
        constraints=LinearConstraint(A, -np.inf, np.asarray(caps, dtype=float)),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"time_limit": float(time_limit_s)},
    )
    if res.x is None:  # pragma: no cover - HiGHS always finds the empty solution at least
        return []
    return [i for i in np.flatnonzero(res.x > 0.5) if w[i] > 0]
