"""Mutualisation services: find the pools of a territory, turn one into a pooled partnership.

The detection itself is pure (:mod:`traits.pooling`); this module feeds it from the store
and writes the pooled partnership, with its members and its first history step, in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from traits.errors import ConflictError, InvalidInputError, NotFoundError
from traits.model import (
    MIN_POOL_ORGANISATIONS,
    Category,
    Partnership,
    PartnershipMember,
    PartnershipStatus,
)
from traits.pooling import FORMS, Pool, PoolingConfig
from traits.pooling import count_pools as _count_pools
from traits.pooling import find_pools as _find_pools
from traits.services import access
from traits.services import matching as matching_service
from traits.services.partnerships import get as get_partnership
from traits.services.vocabulary import vocabulary as territory_vocabulary
from traits.storage import Store
from traits.storage import partnerships as stored
from traits.storage.territories import territory_ids

__all__ = ["Pool", "PoolingConfig", "find_pools", "pool_rows", "propose_pool"]


def find_pools(
    store: Store, territory_id: str | None = None, config: PoolingConfig | None = None
) -> list[Pool]:
    """The mutualisations a territory's needs suggest, most promising first.

    Without a territory, each territory is searched on its own: a pool never spans two.
    """
    access.require_read(territory_id)
    if territory_id is None:
        with store.reading() as conn:
            territories = territory_ids(conn)
        pools = []
        readable = access.readable_territories()
        for tid in sorted(territories):
            if readable is None or tid in readable:
                pools.extend(_territory_pools(store, tid, config))
        return pools
    return _territory_pools(store, territory_id, config)


def _territory_pools(store: Store, territory_id: str, config: PoolingConfig | None) -> list[Pool]:
    found = _territory_frames(store, territory_id)
    if found is None:
        return []
    orgs, items = found
    return _find_pools(orgs, items, territory_vocabulary(store, territory_id), config=config)


def _territory_frames(store: Store, territory_id: str) -> tuple[Any, Any] | None:
    """The territory's organisations and items, needs already followed in a pool left out."""
    try:
        orgs, items = matching_service.frames(store, territory_id, with_quantity=True)
    except NotFoundError:
        return None
    followed = _followed_needs(store)  # already gathered in a mutualisation being followed
    return orgs, items[~items["item_id"].isin(followed)]


def count_pools(store: Store, territory_id: str | None = None) -> int:
    """How many mutualisations the needs suggest today (what the report says), all territories
    the caller may read when none is given."""
    access.require_read(territory_id)
    if territory_id is None:
        with store.reading() as conn:
            territories = territory_ids(conn)
        readable = access.readable_territories()
        return sum(
            count_pools(store, tid) for tid in territories if readable is None or tid in readable
        )
    found = _territory_frames(store, territory_id)
    if found is None:
        return 0
    return _count_pools(*found, territory_vocabulary(store, territory_id))


def _followed_needs(store: Store) -> set[str]:
    with store.reading() as conn:
        return stored.pooled_needs(conn, open_only=True)


#: The columns of ``traits pooling --format csv``: every key of the JSON record (see
#: docs/format.md) and the number of organisations.
POOL_COLUMNS = [
    "label",
    "category",
    "subcategory",
    "organisations",
    "need_ids",
    "need_org_ids",
    "org_ids",
    "suggestion",
    "form",
    "reasons",
    "volume",
    "max_distance_km",
    "offer_id",
    "offer_org_id",
    "score",
]


def pool_rows(pools: Sequence[Pool]) -> list[dict[str, object]]:
    """Flat rows of pools for tables and CSV: the JSON record's keys (:data:`POOL_COLUMNS`),
    lists joined by ``|`` (the volume by `` ; ``, the reasons by a space), ``None`` empty."""
    rows = []
    for p in pools:
        record = p.as_json()
        row: dict[str, object] = {"organisations": len(p.org_ids)}
        for key in POOL_COLUMNS:
            value = record.get(key, row.get(key))
            if key == "volume":
                value = " ; ".join(p.volume)
            elif key == "reasons":
                value = " ".join(p.reasons)
            elif isinstance(value, list):
                value = "|".join(value)
            row[key] = "" if value is None else value
        rows.append(row)
    return rows


def propose_pool(
    store: Store,
    need_ids: Sequence[str],
    *,
    offer_id: str | None = None,
    label: str | None = None,
    author: str | None = None,
    note: str | None = None,
) -> Partnership:
    """Turn a pool into one proposed partnership that brings all its organisations together.

    ``need_ids`` are the pool's needs (at least two organisations); ``offer_id`` an offer
    that could serve them all, if any. Every need and the offer must be of one territory
    the caller may write to.
    """
    need_ids = list(dict.fromkeys(need_ids))
    with store.transaction() as conn:
        rows = stored.items_by_id(conn, [*need_ids, *([offer_id] if offer_id else [])])
        for item_id in need_ids:
            _check_item(rows, item_id, "need")
        if offer_id is not None:
            _check_item(rows, offer_id, "offer")
        territories = set().union(*access.require_owned(conn, "item", list(rows)).values())
        if len(territories) > 1:
            raise InvalidInputError(
                "une mutualisation réunit des structures d'un même territoire : ces besoins "
                "appartiennent à plusieurs territoires."
            )
        need_orgs = list(dict.fromkeys(rows[i].org_id for i in need_ids))
        if len(need_orgs) < MIN_POOL_ORGANISATIONS:
            raise InvalidInputError(
                "une mutualisation réunit au moins deux structures : "
                + (
                    "ces besoins sont tous d'une même structure."
                    if need_orgs
                    else "gardez des besoins d'au moins deux structures."
                )
            )
        _refuse_duplicate(conn, need_ids)
        part = _pooled_partnership(rows, need_ids, need_orgs, offer_id, label)
        stored.insert(conn, part, dt.datetime.now().replace(microsecond=0), author, note)
    return get_partnership(store, part.partnership_id)


def _check_item(rows: dict[str, sa.Row], item_id: str, direction: str) -> None:
    word = "besoin" if direction == "need" else "offre"
    row = rows.get(item_id)
    if row is None:
        raise NotFoundError(f"{word} « {item_id} » introuvable : vérifiez l'identifiant.")
    if row.direction != direction:
        other = "une offre" if direction == "need" else "un besoin"
        raise InvalidInputError(
            f"« {item_id} » est {other}, pas {'un' if direction == 'need' else 'une'} {word}."
        )


def _refuse_duplicate(conn: sa.Connection, need_ids: list[str]) -> None:
    """Refuse a second open pooled partnership over exactly the same needs."""
    wanted = set(need_ids)
    by_partnership: dict[str, set[str]] = {}
    status: dict[str, str] = {}
    for r in stored.pools_of_needs(conn, need_ids):
        by_partnership.setdefault(r.partnership_id, set()).add(r.need_id)
        status[r.partnership_id] = r.status
    for pid, needs in by_partnership.items():
        if needs == wanted and status[pid] != PartnershipStatus.ABANDONED.value:
            raise ConflictError(
                "cette mutualisation est déjà suivie : elle figure parmi les partenariats."
            )


def _pooled_partnership(
    rows: dict[str, sa.Row],
    need_ids: list[str],
    need_orgs: list[str],
    offer_id: str | None,
    label: str | None,
) -> Partnership:
    pid = f"p_{uuid.uuid4().hex[:10]}"
    members = [PartnershipMember(pid, rows[i].org_id, i) for i in need_ids]
    org_b = rows[offer_id].org_id if offer_id else need_orgs[1]
    if offer_id and org_b not in need_orgs:
        members.append(PartnershipMember(pid, org_b, None))
    categories = sorted({Category(rows[i].category) for i in rows})
    return Partnership(
        partnership_id=pid,
        org_a=need_orgs[0],
        org_b=org_b,
        status=PartnershipStatus.PROPOSED,
        need_id=None,
        offer_id=offer_id,
        categories=categories,
        created=dt.date.today(),
        label=label or _default_label(rows, need_ids),
        members=members,
    )


def _default_label(rows: dict[str, sa.Row], need_ids: list[str]) -> str:
    return "Mutualisation : " + " / ".join(dict.fromkeys(str(rows[i].title) for i in need_ids))


def form_labels() -> dict[str, str]:
    """The French label of each form a pool can take, by its code."""
    return {code: form.label for code, form in FORMS.items()}
