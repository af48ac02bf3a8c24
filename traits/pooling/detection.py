"""Clustering needs into pools: one kind of need per pool, geography as a hard limit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering

from traits.availability import availability_fit, extract_availability
from traits.pooling.describe import _attach_offer, _describe, offer_index
from traits.pooling.features import (
    Pool,
    PoolingConfig,
    _distances,
    _dominant,
    _evidence_matrix,
    _names_staff,
    _said_category,
    _shared_subject,
    _similarity,
    _strong_codes,
    _texts,
)
from traits.pooling.forms import FORMS, PoolForm, pool_form
from traits.pooling.training import apart_when_taught_differs, is_training, training_topics
from traits.pooling.volume import NeedVolume, need_volume
from traits.vocabulary import Vocabulary


@dataclass
class _Grouped:
    """Needs, their features and the groups of needs that form pools (positions in needs)."""

    needs: pd.DataFrame
    offers: pd.DataFrame
    texts: list[str]
    evidence: np.ndarray
    similarity: np.ndarray
    km: np.ndarray
    forms: list[PoolForm]
    volumes: list[NeedVolume]
    topics: list[frozenset[str]]
    groups: list[np.ndarray]


def _group(
    orgs: pd.DataFrame,
    items: pd.DataFrame,
    vocabulary: Vocabulary,
    embeddings: dict[str, np.ndarray] | None,
    config: PoolingConfig,
) -> _Grouped | None:
    items = items.assign(
        **{c: items[c] if c in items else "" for c in ("subcategory", "description", "quantity")}
    )
    needs = items[items["direction"] == "need"].reset_index(drop=True)
    offers = items[items["direction"] == "offer"].reset_index(drop=True)
    if needs["org_id"].nunique() < config.min_organisations:
        return None
    org_index = orgs.set_index("org_id")
    texts = _texts(needs)
    evidence = _evidence_matrix(vocabulary, needs, texts)
    similarity = _similarity(needs, texts, evidence, embeddings, config)
    lat = pd.to_numeric(needs["org_id"].map(org_index["lat"]), errors="coerce").to_numpy(float)
    lon = pd.to_numeric(needs["org_id"].map(org_index["lon"]), errors="coerce").to_numpy(float)
    km = _distances(lat, lon)
    dominant = [_dominant(vocabulary, row) for row in evidence]
    volumes = [
        need_volume(*(str(v) if isinstance(v, str) else "" for v in row))
        for row in needs[["title", "description", "quantity"]].itertuples(index=False)
    ]
    topics = [training_topics(t) for t in texts]
    forms = [
        FORMS["collective_training"]
        if is_training(texts[i], topics[i])
        else pool_form(
            _said_category(vocabulary, dominant[i], cat, texts[i]),
            dominant[i],
            volumes[i].work_time,
            staff=_names_staff(texts[i]),
        )
        for i, cat in enumerate(needs["category"].astype(str))
    ]
    subject = _shared_subject(evidence, config.subject_evidence)
    subject[[[bool(a & b) for b in topics] for a in topics]] = 1.0  # one training named
    distance = _pool_distance(similarity, km, forms, subject)
    _apart_when_days_never_meet(distance, texts, forms)
    strong = [
        frozenset(c for c in _strong_codes(vocabulary, row, config.subject_evidence)) - {"training"}
        for row in evidence
    ]
    training = np.array([f.code == "collective_training" for f in forms])
    apart_when_taught_differs(distance, topics, strong, training, _APART)
    labels = _cluster(distance, config)
    groups = [
        group
        for label in np.unique(labels)
        for group in _split_large(np.flatnonzero(labels == label), similarity, config.max_pool_size)
        if needs.loc[group, "org_id"].nunique() >= config.min_organisations
    ]
    return _Grouped(needs, offers, texts, evidence, similarity, km, forms, volumes, topics, groups)


def count_pools(
    orgs: pd.DataFrame,
    items: pd.DataFrame,
    vocabulary: Vocabulary,
    *,
    embeddings: dict[str, np.ndarray] | None = None,
    config: PoolingConfig | None = None,
) -> int:
    """How many pools :func:`find_pools` finds, without wording them (for reports)."""
    grouped = _group(orgs, items, vocabulary, embeddings, config or PoolingConfig())
    return 0 if grouped is None else len(grouped.groups)


def find_pools(
    orgs: pd.DataFrame,
    items: pd.DataFrame,
    vocabulary: Vocabulary,
    *,
    embeddings: dict[str, np.ndarray] | None = None,
    config: PoolingConfig | None = None,
) -> list[Pool]:
    """The pools of a territory's needs, most promising first.

    ``orgs`` has ``org_id, name, lat, lon``; ``items`` has ``item_id, org_id, direction,
    category, subcategory, title, description``; ``embeddings`` maps an item id to its
    sentence embedding (items without one are compared without the semantic part).
    """
    config = config or PoolingConfig()
    g = _group(orgs, items, vocabulary, embeddings, config)
    if g is None:
        return []
    index = (
        offer_index(g.needs, g.offers, orgs, vocabulary, embeddings, config) if g.groups else None
    )
    pools = []
    for group in g.groups:
        pool = _describe(
            group,
            g.needs,
            g.texts,
            (g.evidence, g.similarity, g.km),
            g.forms,
            g.volumes,
            g.topics,
            orgs,
            vocabulary,
        )
        _attach_offer(pool, group, g.needs, index, orgs, config)
        pools.append(pool)
    return sorted(pools, key=lambda p: (-len(p.org_ids), -p.score, p.label))


#: Distance given to pairs that may never share a pool.
_APART = 10.0


def _pool_distance(
    similarity: np.ndarray, km: np.ndarray, forms: list[PoolForm], subject: np.ndarray
) -> np.ndarray:
    distance = 1.0 - similarity
    radius = np.array([f.radius_km if f.radius_km is not None else np.inf for f in forms])
    limit = np.minimum(radius[:, None], radius[None, :])
    too_far = np.nan_to_num(km, nan=0.0) > limit
    distance[too_far] = _APART
    # A pool serves one kind of need (one form, a subject in common): a van and a room are
    # not pooled even if worded alike.
    codes = np.array([f.code for f in forms])
    distance[codes[:, None] != codes[None, :]] = _APART
    distance[subject == 0] = _APART
    np.fill_diagonal(distance, 0.0)
    return distance


#: Forms whose members must meet on the same days (one training session, one volunteer day).
_SAME_DAY_FORMS = frozenset({"collective_training", "volunteer_day"})


def _apart_when_days_never_meet(
    distance: np.ndarray, texts: list[str], forms: list[PoolForm]
) -> None:
    """A volunteer day or a training session cannot gather needs whose days never meet."""
    days = [extract_availability(t) for t in texts]
    for i, form in enumerate(forms):
        if form.code not in _SAME_DAY_FORMS or not days[i].says_anything:
            continue
        for j in range(i + 1, len(forms)):
            if forms[j].code == form.code and availability_fit(days[i], days[j])[0] < 1.0:
                distance[i, j] = distance[j, i] = _APART


def _cluster(distance: np.ndarray, config: PoolingConfig) -> np.ndarray:
    if len(distance) < 2:
        return np.zeros(len(distance), dtype=int)
    model = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="complete",
        distance_threshold=1.0 - config.min_similarity,
    )
    return model.fit_predict(distance)


def _split_large(members: np.ndarray, similarity: np.ndarray, size: int) -> list[np.ndarray]:
    """Groups of at most ``size`` needs, the most central first."""
    if len(members) <= size:
        return [members]
    centrality = similarity[np.ix_(members, members)].mean(axis=1)
    ordered = members[np.argsort(-centrality, kind="stable")]
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


# -- description ------------------------------------------------------------------------------
