"""What pool detection compares: settings, the pool record, and the similarity of two needs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from traits.geo import haversine_km
from traits.text import fold_accents, tokens
from traits.vocabulary import Vocabulary


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
    #: The organisation of each need, in the order of ``need_ids`` (``org_ids`` are distinct).
    need_org_ids: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The JSON record of ``traits pooling --format json`` (see docs/format.md)."""
        return {
            "label": self.label,
            "category": self.category,
            "subcategory": self.subcategory,
            "need_ids": self.need_ids,
            "org_ids": self.org_ids,
            "need_org_ids": self.need_org_ids,
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


#: A sum of money: « 3 000 € », « 500 euros », « 2 k€ ».
_MONEY = re.compile(r"\d\s?(?:k?€|euros?\b)", re.IGNORECASE)


def _said_category(vocabulary: Vocabulary, dominant: str | None, filed: str, text: str = "") -> str:
    """The category a need's words say (its strongest subcategory's), else the filed one.

    A need filed under funding that names a sum of money asks for money, whatever it would
    pay for (« il manque 3 000 € pour le transport » is not a transport need).
    """
    if filed == "funding" and _MONEY.search(text):
        return filed
    sub = vocabulary.get(dominant) if dominant else None
    return sub.category if sub is not None else filed


#: Words that ask for staff to employ, not for a service to buy.
_STAFF = re.compile(
    r"\bun(?:e)? (?:poste|emploi)\b(?! de travail)|\bembauch\w*|\brecrut\w*|"
    r"\bagents? d'entretien|\bfemme de menage|\btemps partiel|\bmi[- ]temps|\betp\b|"
    r"\bcdi\b|\bcdd\b|groupement d'employeurs|emploi partage|mise a disposition d"
)


def _names_staff(text: str) -> bool:
    """Whether a need's words ask for someone to employ (« un poste », « à mi-temps »)."""
    return _STAFF.search(fold_accents(text.lower())) is not None


def _strong_codes(vocab: Vocabulary, row: np.ndarray, floor: float) -> list[str]:
    """A need's (at most two) strongest subcategories with evidence ``floor`` or more."""
    top2 = np.argsort(-row)[:2]
    return [vocab.codes[j] for j in top2 if row[j] >= floor]


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
