"""Each pool in French: its label, reasons, summed volume, and an offer that could serve it."""

from __future__ import annotations

import math
from collections import Counter
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
from traits.quantities import extract_quantities, format_quantity, sum_quantities
from traits.text import fold_accents, tokens, words
from traits.vocabulary import GENERIC_WORDS, Vocabulary

#: A word shared by more than this share of the territory's needs says nothing of a pool.
_COMMON_WORD_SHARE = 0.25
#: Words left by an elision inside a word ("quelqu'un").
_ELIDED = frozenset({"quelqu", "jusqu", "lorsqu", "puisqu", "presqu"})


def _shared_words(
    texts: list[str], members: np.ndarray, all_texts: list[str], vocabulary: Vocabulary
) -> list[str]:
    """Words of the domain written in at least two members' texts and rare in the territory.

    A word counts when the vocabulary uses it (so "faudrait" or "coin" never do), it is not
    one of the vocabulary's generic words, and it is not spread over the territory's needs.
    """
    domain = _domain_stems(vocabulary)
    spread: Counter[str] = Counter()
    for text in all_texts:
        spread.update({stem for stem in tokens(text) if not stem.isdigit()})
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
    evidence: np.ndarray,
    similarity: np.ndarray,
    km: np.ndarray,
    forms: list[PoolForm],
    orgs: pd.DataFrame,
    vocabulary: Vocabulary,
) -> Pool:
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
    volume = [
        format_quantity(q) for q in sum_quantities([extract_quantities(texts[i]) for i in members])
    ]
    pair_km = km[np.ix_(members, members)]
    known = pair_km[~np.isnan(pair_km)]
    max_km = float(known.max()) if known.size else None
    names = _names(orgs, org_ids)
    reasons = [
        f"{len(members)} besoins de {len(org_ids)} structures : {', '.join(names)}.",
        f"Même sujet : {subject.lower()}.",
    ]
    reasons.extend(_distance_reasons(form, max_km, rows, orgs))
    shared = _shared_words(texts, members, texts, vocabulary)
    if shared:
        reasons.append("Mots en commun : " + ", ".join(f"« {w} »" for w in shared) + ".")
    if volume:
        reasons.append("Volume cumulé : " + ", ".join(volume) + ".")
    reasons.append(f"Forme possible : {form.label}, {form.explanation}.")
    pair_similarity = similarity[np.ix_(members, members)]
    score = float(pair_similarity[np.triu_indices(len(members), 1)].mean())
    return Pool(
        label=f"{subject} : {form.label}",
        category=category,
        subcategory=subcategory,
        need_ids=rows["item_id"].astype(str).tolist(),
        org_ids=org_ids,
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


def _distance_reasons(
    form: PoolForm, max_km: float | None, rows: pd.DataFrame, orgs: pd.DataFrame
) -> list[str]:
    reasons = []
    if form.radius_km is not None:
        if max_km is not None:
            reasons.append(
                f"Toutes à moins de {fr_number(max(1, math.ceil(max_km)))} km les unes des "
                f"autres (limite pour cette forme : {fr_number(form.radius_km)} km)."
            )
        coords = orgs.set_index("org_id")[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
        unknown = [
            org_id
            for org_id in dict.fromkeys(rows["org_id"].astype(str))
            if org_id not in coords.index or coords.loc[org_id].isna().any()
        ]
        if unknown:
            reasons.append(
                "Distance inconnue pour "
                + ", ".join(f"« {n} »" for n in _names(orgs, unknown))
                + " (commune sans coordonnées) : vérifiez la proximité."
            )
    return reasons


def _attach_offer(
    pool: Pool,
    needs: pd.DataFrame,
    offers: pd.DataFrame,
    orgs: pd.DataFrame,
    vocabulary: Vocabulary,
    embeddings: dict[str, np.ndarray] | None,
    config: PoolingConfig,
) -> None:
    """Name the territory's offer that is alike enough to every need of the pool, if any."""
    if offers.empty:
        return
    members = needs[needs["item_id"].astype(str).isin(pool.need_ids)]
    both = pd.concat([members, offers], ignore_index=True)
    texts = _texts(both)
    evidence = _evidence_matrix(vocabulary, both, texts)
    similarity = _similarity(both, texts, evidence, embeddings, config)
    n = len(members)
    to_members = similarity[n:, :n]
    form = FORMS[pool.form]
    coords = orgs.set_index("org_id")[["lat", "lon"]].apply(pd.to_numeric, errors="coerce")
    best: tuple[float, int] | None = None
    for j in range(len(offers)):
        offer = offers.iloc[j]
        others = (members["org_id"].astype(str) != str(offer["org_id"])).to_numpy()
        if others.sum() < 2:
            continue
        if (
            pool.category != str(offer["category"])
            and evidence[n + j].dot(evidence[:n].T).max() == 0
        ):
            continue
        worst = float(to_members[j, others].min())
        if worst < config.min_offer_similarity:
            continue
        if (
            form.radius_km is not None
            and _farthest(coords, str(offer["org_id"]), members) > form.radius_km
        ):
            continue
        if best is None or worst > best[0]:
            best = (worst, j)
    if best is None:
        return
    offer = offers.iloc[best[1]]
    pool.offer_id = str(offer["item_id"])
    pool.offer_org_id = str(offer["org_id"])
    name = _names(orgs, [pool.offer_org_id])[0]
    pool.reasons.append(
        "Une offre du territoire pourrait servir tout le groupe : "
        f"« {offer['title']} », proposée par {name}."
    )


def _farthest(coords: pd.DataFrame, org_id: str, members: pd.DataFrame) -> float:
    """Largest known distance from an organisation to the members (0 when none is known)."""
    if org_id not in coords.index:
        return 0.0
    lat, lon = coords.loc[org_id]
    member_coords = coords.reindex(members["org_id"].astype(str))
    km = np.asarray(
        haversine_km(lat, lon, member_coords["lat"].to_numpy(), member_coords["lon"].to_numpy())
    )
    km = km[~np.isnan(km)]
    return float(km.max()) if km.size else 0.0
