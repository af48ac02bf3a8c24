"""Each pool in French: its label, reasons, summed volume, and an offer that could serve it."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from traits.fr import fr_number
from traits.geo import haversine_km
from traits.pooling.features import (
    Pool,
    PoolingConfig,
    _dominant,
    _evidence_matrix,
    _similarity,
    _texts,
)
from traits.pooling.forms import FORMS, PoolForm
from traits.pooling.training import TRAINING_TOPICS
from traits.pooling.volume import NeedVolume, pool_volume
from traits.text import fold_accents, tokens, words
from traits.vocabulary import GENERIC_WORDS, Vocabulary

#: A word shared by more than this share of the territory's needs says nothing of a pool.
_COMMON_WORD_SHARE = 0.25
#: Words left by an elision inside a word ("quelqu'un").
_ELIDED = frozenset({"quelqu", "jusqu", "lorsqu", "puisqu", "presqu"})


@lru_cache(maxsize=4)
def _spread(all_texts: tuple[str, ...]) -> Counter[str]:
    """In how many of the territory's needs each stem appears (computed once per territory)."""
    spread: Counter[str] = Counter()
    for text in all_texts:
        spread.update({stem for stem in tokens(text) if not stem.isdigit()})
    return spread


def _shared_words(
    texts: list[str], members: np.ndarray, all_texts: list[str], vocabulary: Vocabulary
) -> list[str]:
    """Words of the domain written in at least two members' texts and rare in the territory.

    A word counts when the vocabulary uses it (so "faudrait" or "coin" never do), it is not
    one of the vocabulary's generic words, and it is not spread over the territory's needs.
    """
    domain = _domain_stems(vocabulary)
    spread = _spread(tuple(all_texts))
    limit = max(2.0, _COMMON_WORD_SHARE * len(all_texts))
    in_members: Counter[str] = Counter()
    surface: dict[str, Counter[str]] = {}
    for i in members:
        seen = set()
        for word in words_of(texts[i]):
            stem = tokens(word)[0] if tokens(word) else ""
            if (
                len(word) < 4
                or stem not in domain
                or fold_accents(word) in GENERIC_WORDS
                or word in _ELIDED
                or spread[stem] > limit
            ):
                continue
            surface.setdefault(stem, Counter())[word] += 1
            seen.add(stem)
        in_members.update(seen)
    shared = [stem for stem, n in in_members.most_common() if n >= 2]
    return [surface[stem].most_common(1)[0][0] for stem in shared[:4]]


@lru_cache(maxsize=8)
def _domain_stems(vocabulary: Vocabulary) -> frozenset[str]:
    """Stems of every word of the vocabulary's labels and synonyms."""
    stems: set[str] = set()
    for sub in vocabulary:
        for phrase in (sub.label, *sub.synonyms):
            stems.update(tokens(phrase))
    return frozenset(stems)


def words_of(text: str) -> list[str]:
    """Lowercase words of a text, stop words removed (accents kept, for display)."""
    return words(text)


def _names(orgs: pd.DataFrame, org_ids: list[str]) -> list[str]:
    names = orgs.set_index("org_id")["name"].astype(str).to_dict()
    return [names.get(org_id, org_id) for org_id in org_ids]


def _describe(
    members: np.ndarray,
    needs: pd.DataFrame,
    texts: list[str],
    matrices: tuple[np.ndarray, np.ndarray, np.ndarray],
    forms: list[PoolForm],
    volumes: list[NeedVolume],
    topics: list[frozenset[str]],
    orgs: pd.DataFrame,
    vocabulary: Vocabulary,
) -> Pool:
    """A pool's record; ``matrices`` are the needs' evidence, similarity and distances."""
    evidence, similarity, km = matrices
    rows = needs.loc[members]
    org_ids = list(dict.fromkeys(rows["org_id"].astype(str)))
    category = str(rows["category"].iloc[0])
    dominant = Counter(
        code for code in (_dominant(vocabulary, evidence[i]) for i in members) if code
    ).most_common(1)
    subcategory = dominant[0][0] if dominant else None
    sub = vocabulary.get(subcategory) if subcategory else None
    form = forms[int(members[0])]
    subject = sub.label if sub is not None else _CATEGORY_SUBJECTS.get(category, "besoins communs")
    taught = frozenset.intersection(*(topics[i] for i in members))
    if form.code == "collective_training" and len(taught) == 1:  # the training they all name
        subject = TRAINING_TOPICS[next(iter(taught))][0]
    volume, volume_reasons = pool_volume([volumes[i] for i in members], form.code)
    max_km = _largest_known_distance(km, members, rows["org_id"].astype(str).to_numpy())
    names = _names(orgs, org_ids)
    reasons = [
        f"{len(members)} besoins de {len(org_ids)} structures : {', '.join(names)}.",
        f"Même sujet : {subject[0].lower() + subject[1:] if subject[1:2].islower() else subject}.",
    ]
    reasons.extend(_distance_reasons(form, max_km, rows, orgs))
    shared = _shared_words(texts, members, texts, vocabulary)
    if shared:
        reasons.append("Mots en commun : " + ", ".join(f"« {w} »" for w in shared) + ".")
    reasons.extend(volume_reasons)
    reasons.append(f"Forme possible : {form.label}, {form.explanation}.")
    pair_similarity = similarity[np.ix_(members, members)]
    score = float(pair_similarity[np.triu_indices(len(members), 1)].mean())
    return Pool(
        label=f"{subject} : {form.label}",
        category=category,
        subcategory=subcategory,
        need_ids=rows["item_id"].astype(str).tolist(),
        org_ids=org_ids,
        need_org_ids=rows["org_id"].astype(str).tolist(),
        suggestion=form.label,
        form=form.code,
        reasons=reasons,
        volume=volume,
        max_distance_km=None if max_km is None else round(max_km, 1),
        score=score,
    )


_CATEGORY_SUBJECTS = {
    "skills": "Compétences",
    "equipment": "Matériel",
    "purchasing": "Achats",
    "premises": "Locaux",
    "volunteering": "Bénévolat",
    "funding": "Financement",
    "other": "Besoins communs",
}


def _largest_known_distance(
    km: np.ndarray, members: np.ndarray, member_orgs: np.ndarray
) -> float | None:
    """The largest distance between two member organisations whose places are known, or None
    when fewer than two are placed (two needs of one organisation are no distance)."""
    pair_km = km[np.ix_(members, members)]
    apart = member_orgs[:, None] != member_orgs[None, :]
    known = pair_km[apart & ~np.isnan(pair_km)]
    return float(known.max()) if known.size else None


def _distance_reasons(
    form: PoolForm, max_km: float | None, rows: pd.DataFrame, orgs: pd.DataFrame
) -> list[str]:
    """What the pool's distances say: a claim only about the members whose place is known."""
    reasons = []
    if form.radius_km is not None:
        coords = orgs.set_index("org_id")[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
        unknown = [
            org_id
            for org_id in dict.fromkeys(rows["org_id"].astype(str))
            if org_id not in coords.index or coords.loc[org_id].isna().any()
        ]
        if max_km is not None:
            who = "Les structures dont la commune est connue sont" if unknown else "Toutes"
            reasons.append(
                f"{who} à moins de {fr_number(max(1, math.ceil(max_km)))} km les unes des "
                f"autres (limite pour cette forme : {fr_number(form.radius_km)} km)."
            )
        if unknown:
            reasons.append(
                "Distance inconnue pour "
                + ", ".join(f"« {n} »" for n in _names(orgs, unknown))
                + " (commune sans coordonnées) : vérifiez la proximité."
            )
    return reasons


@dataclass
class OfferIndex:
    """The territory's offers against its needs, computed once for every pool."""

    similarity: np.ndarray  # offers × needs
    shares_subject: np.ndarray  # offers × needs: some subcategory evidence in common
    offers: pd.DataFrame
    offer_org: np.ndarray
    offer_lat: np.ndarray
    offer_lon: np.ndarray


def offer_index(
    needs: pd.DataFrame,
    offers: pd.DataFrame,
    orgs: pd.DataFrame,
    vocabulary: Vocabulary,
    embeddings: dict[str, np.ndarray] | None,
    config: PoolingConfig,
) -> OfferIndex | None:
    """Similarities of every offer to every need (one matrix for all pools), or None."""
    if offers.empty:
        return None
    both = pd.concat([needs, offers], ignore_index=True)
    texts = _texts(both)
    evidence = _evidence_matrix(vocabulary, both, texts)
    similarity = _similarity(both, texts, evidence, embeddings, config)
    n = len(needs)
    coords = orgs.set_index("org_id")[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
    at = coords.reindex(offers["org_id"].astype(str))
    return OfferIndex(
        similarity=similarity[n:, :n],
        shares_subject=(evidence[n:] @ evidence[:n].T) > 0,
        offers=offers.reset_index(drop=True),
        offer_org=offers["org_id"].astype(str).to_numpy(),
        offer_lat=at["lat"].to_numpy(float),
        offer_lon=at["lon"].to_numpy(float),
    )


def _attach_offer(
    pool: Pool,
    members: np.ndarray,
    needs: pd.DataFrame,
    index: OfferIndex | None,
    orgs: pd.DataFrame,
    config: PoolingConfig,
) -> None:
    """Name the territory's offer that is alike enough to every need of the pool, if any.

    ``members`` are the pool's positions among ``needs``. An offer serves the group when it is
    alike to every need of the other organisations (at least two), shares a subject with them
    or their category, and lies within the form's radius of every member whose place is known.
    """
    if index is None:
        return
    member_orgs = needs["org_id"].astype(str).to_numpy()[members]
    others = index.offer_org[:, None] != member_orgs[None, :]
    sims = np.where(others, index.similarity[:, members], np.inf)
    worst = sims.min(axis=1)
    same_category = index.offers["category"].astype(str).to_numpy() == pool.category
    ok = (others.sum(axis=1) >= 2) & (worst >= config.min_offer_similarity)
    ok &= same_category | index.shares_subject[:, members].any(axis=1)
    form = FORMS[pool.form]
    if form.radius_km is not None:
        coords = orgs.set_index("org_id")[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
        at = coords.reindex(member_orgs)
        km = np.asarray(
            haversine_km(
                index.offer_lat[:, None],
                index.offer_lon[:, None],
                at["lat"].to_numpy(float)[None, :],
                at["lon"].to_numpy(float)[None, :],
            )
        )
        ok &= np.nan_to_num(km, nan=0.0).max(axis=1) <= form.radius_km
    if not ok.any():
        return
    best = int(np.flatnonzero(ok)[np.argmax(worst[ok])])
    offer = index.offers.iloc[best]
    pool.offer_id = str(offer["item_id"])
    pool.offer_org_id = str(offer["org_id"])
    name = _names(orgs, [pool.offer_org_id])[0]
    pool.reasons.append(
        "Une offre du territoire pourrait servir tout le groupe : "
        f"« {offer['title']} », proposée par {name}."
    )
