"""Mutualisations: groups of needs from several organisations that one shared answer could serve.

The other half of a Pôle's job beside one-to-one pistes: a groupement de commandes for the
green spaces of three structures, a vehicle shared by two food banks, a part-time accountant
shared by four associations. :func:`find_pools` finds such groups in a territory:

1. each need is described by the matcher's features: its subcategory evidence (vocabulary),
   its stemmed words (TF-IDF) and, when given, its sentence embedding;
2. needs are clustered by scikit-learn's agglomerative clustering with *complete* linkage on
   a precomputed distance, so that every two needs of a pool are alike (not only neighbours
   of neighbours);
3. for physical needs (premises, equipment, on-site purchasing, volunteering, collective
   training) geography is a hard limit: two organisations farther apart than the form's
   radius get an infinite distance, so complete linkage never puts them in one pool;
4. a pool keeps only groups of at least two organisations; it gets a French label, the form
   it could take, the volume summed from the texts, its reasons, and the offer of the
   territory (if any) that could serve every member.

Pure: data frames in, :class:`Pool` values out.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from traits.availability import availability_fit, extract_availability
from traits.fr import fr_number
from traits.geo import haversine_km
from traits.quantities import extract_quantities, format_quantity, sum_quantities
from traits.text import fold_accents, tokens, words
from traits.vocabulary import GENERIC_WORDS, Vocabulary

__all__ = ["Pool", "PoolForm", "PoolingConfig", "find_pools", "pool_form"]


@dataclass(frozen=True)
class PoolForm:
    """A form a shared answer can take, and how far apart its members may be."""

    code: str
    label: str
    explanation: str
    radius_km: float | None


FORMS: dict[str, PoolForm] = {
    form.code: form
    for form in (
        PoolForm(
            "purchasing_group",
            "groupement de commandes",
            "un seul achat pour toutes les structures : un meilleur prix, un seul prestataire "
            "(une structure d'insertion, un ESAT ou une entreprise adaptée par exemple)",
            35.0,
        ),
        PoolForm(
            "shared_equipment",
            "prêt mutualisé de matériel",
            "un matériel ou un véhicule partagé, avec un planning et une convention de prêt "
            "qui règle l'assurance et l'entretien",
            25.0,
        ),
        PoolForm(
            "shared_premises",
            "locaux partagés",
            "un local ou un espace de stockage commun, partagé par convention",
            20.0,
        ),
        PoolForm(
            "shared_job",
            "emploi partagé",
            "un poste à temps partiel partagé entre les structures : groupement d'employeurs, "
            "ou mise à disposition de personnel, obligatoirement sans but lucratif "
            "(articles L8241-1 et L8241-2 du Code du travail)",
            50.0,
        ),
        PoolForm(
            "collective_training",
            "formation collective",
            "une session de formation commune : un seul formateur, des places partagées",
            40.0,
        ),
        PoolForm(
            "shared_service",
            "accompagnement mutualisé",
            "un même accompagnement ou une même prestation, achetés ensemble",
            None,
        ),
        PoolForm(
            "volunteer_day",
            "journée de bénévolat commune",
            "une journée ou un vivier de bénévoles partagé, par exemple avec le mécénat de "
            "compétences d'une entreprise du territoire",
            30.0,
        ),
        PoolForm(
            "joint_collection",
            "collecte mutualisée",
            "une tournée de collecte et un stockage communs pour les dons ou les matériaux",
            25.0,
        ),
        PoolForm(
            "joint_outreach",
            "démarche commune auprès des entreprises",
            "une seule sollicitation des entreprises du territoire pour toutes les structures "
            "(matinale, forum ou courrier commun)",
            None,
        ),
        PoolForm(
            "joint_funding",
            "recherche de financement commune",
            "un dossier commun auprès d'un même financeur ou mécène",
            None,
        ),
    )
}

#: Subcategories whose pools take another form than their category's.
_SUBCATEGORY_FORMS = {
    "training": "collective_training",
    "health_safety": "collective_training",
    "inclusive_hiring": "shared_job",
    "work_immersion": "joint_outreach",
    "networking": "joint_outreach",
    "food_surplus": "joint_collection",
    "materials_offcuts": "joint_collection",
    "in_kind_gifts": "joint_collection",
    "clothing_ppe": "joint_collection",
}
_CATEGORY_FORMS = {
    "purchasing": "purchasing_group",
    "equipment": "shared_equipment",
    "premises": "shared_premises",
    "skills": "shared_service",
    "volunteering": "volunteer_day",
    "funding": "joint_funding",
    "other": "shared_service",
}


def pool_form(category: str, subcategory: str | None, has_hours: bool) -> PoolForm:
    """The form a pool of needs of this category and subcategory could take.

    Services written with hours ("10 h par semaine", "un mi-temps") become a shared job.
    """
    code = _SUBCATEGORY_FORMS.get(subcategory or "") or _CATEGORY_FORMS.get(category, "")
    if has_hours and code in {"shared_service", "purchasing_group"}:
        code = "shared_job"
    return FORMS[code or "shared_service"]


@dataclass(frozen=True)
class PoolingConfig:
    """Settings of pool detection (declared once here)."""

    #: Two needs of a pool are at least this alike (complete linkage: every pair).
    min_similarity: float = 0.55
    #: Weights of the parts of the similarity of two needs (normalised by their sum): a strong
    #: subcategory in common, the cosine of all subcategory evidence, words, meaning.
    subject_weight: float = 0.45
    subcategory_weight: float = 0.35
    words_weight: float = 0.20
    semantic_weight: float = 0.20
    #: Evidence from which a subcategory counts as one of a need's subjects (two at most).
    subject_evidence: float = 0.5
    #: An offer serves the pool when it is at least this alike to every need.
    min_offer_similarity: float = 0.35
    #: Larger groups are split: a facilitator brings at most this many structures together.
    max_pool_size: int = 12
    min_organisations: int = 2


@dataclass
class Pool:
    """A group of needs of several organisations, and the shared answer suggested."""

    label: str
    category: str
    subcategory: str | None
    need_ids: list[str]
    org_ids: list[str]
    suggestion: str
    form: str
    reasons: list[str]
    volume: list[str] = field(default_factory=list)
    max_distance_km: float | None = None
    offer_id: str | None = None
    offer_org_id: str | None = None
    score: float = 0.0

    def as_json(self) -> dict[str, object]:
        """The JSON record of ``traits pooling --format json`` (see docs/format.md)."""
        return {
            "label": self.label,
            "category": self.category,
            "subcategory": self.subcategory,
            "need_ids": self.need_ids,
            "org_ids": self.org_ids,
            "suggestion": self.suggestion,
            "form": self.form,
            "reasons": self.reasons,
            "volume": self.volume,
            "max_distance_km": self.max_distance_km,
            "offer_id": self.offer_id,
            "offer_org_id": self.offer_org_id,
            "score": round(self.score, 4),
        }


# -- features ---------------------------------------------------------------------------------


def _texts(items: pd.DataFrame) -> list[str]:
    return [
        f"{title} {title} {desc}".strip()
        for title, desc in zip(
            items["title"].fillna("").astype(str),
            items["description"].fillna("").astype(str),
            strict=True,
        )
    ]


def _evidence_matrix(vocab: Vocabulary, items: pd.DataFrame, texts: list[str]) -> np.ndarray:
    """Rows of subcategory evidence, the facilitator's subcategory counting fully."""
    codes = vocab.codes
    column = {code: j for j, code in enumerate(codes)}
    matrix = np.zeros((len(texts), len(codes)))
    subcats = items["subcategory"].fillna("").astype(str).tolist()
    for i, text in enumerate(texts):
        for code, weight in vocab.evidence(text).items():
            if code in column:
                matrix[i, column[code]] = max(matrix[i, column[code]], weight)
        if subcats[i] in column:
            matrix[i, column[subcats[i]]] = max(matrix[i, column[subcats[i]]], 1.0)
    return matrix


def _cosine(matrix: np.ndarray) -> np.ndarray:
    unit = normalize(matrix)
    return np.clip(unit @ unit.T, 0.0, 1.0)


def _words_similarity(texts: list[str]) -> tuple[np.ndarray, TfidfVectorizer | None]:
    if not any(tokens(text) for text in texts):
        return np.zeros((len(texts), len(texts))), None
    vectorizer = TfidfVectorizer(analyzer=tokens, sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)
    return np.clip((matrix @ matrix.T).toarray(), 0.0, 1.0), vectorizer


def _dominant(vocab: Vocabulary, row: np.ndarray) -> str | None:
    if not row.any():
        return None
    return vocab.codes[int(row.argmax())]


def _distances(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairwise km; NaN where a coordinate is unknown."""
    return np.asarray(haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]))


# -- detection --------------------------------------------------------------------------------


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
    items = items.assign(
        **{c: items[c] if c in items else "" for c in ("subcategory", "description")}
    )
    needs = items[items["direction"] == "need"].reset_index(drop=True)
    offers = items[items["direction"] == "offer"].reset_index(drop=True)
    if needs["org_id"].nunique() < config.min_organisations:
        return []
    org_index = orgs.set_index("org_id")
    texts = _texts(needs)
    evidence = _evidence_matrix(vocabulary, needs, texts)
    similarity = _similarity(needs, texts, evidence, embeddings, config)
    lat = pd.to_numeric(needs["org_id"].map(org_index["lat"]), errors="coerce").to_numpy(float)
    lon = pd.to_numeric(needs["org_id"].map(org_index["lon"]), errors="coerce").to_numpy(float)
    km = _distances(lat, lon)
    dominant = [_dominant(vocabulary, row) for row in evidence]
    forms = [
        pool_form(_said_category(vocabulary, dominant[i], cat), dominant[i], _has_hours(texts[i]))
        for i, cat in enumerate(needs["category"].astype(str))
    ]
    subject = _shared_subject(evidence, config.subject_evidence)
    distance = _pool_distance(similarity, km, forms, subject)
    _apart_when_days_never_meet(distance, texts, forms)
    labels = _cluster(distance, config)
    pools = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        for group in _split_large(members, similarity, config.max_pool_size):
            if needs.loc[group, "org_id"].nunique() < config.min_organisations:
                continue
            pools.append(
                _describe(group, needs, texts, evidence, similarity, km, forms, orgs, vocabulary)
            )
    for pool in pools:
        _attach_offer(pool, needs, offers, orgs, vocabulary, embeddings, config)
    return sorted(pools, key=lambda p: (-len(p.org_ids), -p.score, p.label))


def _said_category(vocabulary: Vocabulary, dominant: str | None, filed: str) -> str:
    """The category a need's words say (its strongest subcategory's), else the filed one."""
    sub = vocabulary.get(dominant) if dominant else None
    return sub.category if sub is not None else filed


def _has_hours(text: str) -> bool:
    return any(q.unit == "heure" for q in extract_quantities(text))


def _shared_subject(evidence: np.ndarray, floor: float) -> np.ndarray:
    """1 where two needs share one of their (at most two) strongest subcategories."""
    top2 = np.argsort(-evidence, axis=1)[:, :2]
    strong = np.zeros_like(evidence, dtype=bool)
    rows = np.arange(len(evidence))[:, None]
    strong[rows, top2] = np.take_along_axis(evidence, top2, axis=1) >= floor
    s = strong.astype(float)
    return np.minimum(s @ s.T, 1.0)


def _similarity(
    needs: pd.DataFrame,
    texts: list[str],
    evidence: np.ndarray,
    embeddings: dict[str, np.ndarray] | None,
    config: PoolingConfig,
) -> np.ndarray:
    parts = [
        (config.subject_weight, _shared_subject(evidence, config.subject_evidence)),
        (config.subcategory_weight, _cosine(evidence)),
        (config.words_weight, _words_similarity(texts)[0]),
    ]
    total = config.subject_weight + config.subcategory_weight + config.words_weight
    if embeddings:
        ids = needs["item_id"].astype(str).tolist()
        dim = len(next(iter(embeddings.values())))
        matrix = np.array([embeddings.get(i, np.zeros(dim)) for i in ids], dtype=float)
        known = np.array([i in embeddings for i in ids])
        semantic = _cosine(matrix)
        both = known[:, None] & known[None, :]
        parts.append((config.semantic_weight, np.where(both, semantic, 0.0)))
        weights = np.where(both, total + config.semantic_weight, total)
        return sum(w * s for w, s in parts) / weights
    return np.asarray(sum(w * s for w, s in parts) / total)


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
