"""Collective trainings: what a training teaches, so that one session gathers one syllabus.

A need « Former nos caristes au CACES » names a forklift, but what it asks is a training; a
CACES session and a first-aid (SST) session are two trainings, even though both are about
safety. The certified trainings facilitators pool by session are named here once, each
with the words that name it; a need naming one of them with a word of training (« former »,
« formation », « recyclage »…) is a training need, whatever object it also names.
"""

from __future__ import annotations

import re

import numpy as np

from traits.text import fold_accents

__all__ = ["TRAINING_TOPICS", "apart_when_taught_differs", "is_training", "training_topics"]

#: Certified trainings pooled by session: code → (French label, words that name it, folded).
TRAINING_TOPICS: dict[str, tuple[str, str]] = {
    "sst": (
        "Sauveteur secouriste du travail (SST)",
        r"\bsst\b|sauveteurs? secouristes?|secourisme|premiers secours|\bpsc ?1\b",
    ),
    "caces": ("CACES (conduite d'engins)", r"\bcaces\b|\br ?48[2-9]\b|conduite d'engins"),
    "electrical": ("Habilitation électrique", r"habilitations? electriques?"),
    "prap": ("Gestes et postures (PRAP)", r"\bprap\b|gestes et postures"),
    "haccp": ("Hygiène alimentaire (HACCP)", r"\bhaccp\b|hygiene alimentaire"),
    "fire": ("Sécurité incendie", r"(?:securite|formation|exercices?) (?:d'|a l')?incendie"),
}
_TOPICS = {code: re.compile(pattern) for code, (_, pattern) in TRAINING_TOPICS.items()}
_TRAINING_WORDS = re.compile(
    r"\b(?:former|formes?|formees?|formation|formations|recyclage|session|stage|certificat"
    r"|certification|habilitation|passer le)\b"
)


def training_topics(text: str) -> frozenset[str]:
    """The certified trainings a text names (codes of :data:`TRAINING_TOPICS`)."""
    folded = fold_accents(text.lower())
    return frozenset(code for code, pattern in _TOPICS.items() if pattern.search(folded))


def is_training(text: str, topics: frozenset[str]) -> bool:
    """Whether a need asks for a training: it names one and a word of training."""
    return bool(topics) and _TRAINING_WORDS.search(fold_accents(text.lower())) is not None


def apart_when_taught_differs(
    distance: np.ndarray,
    topics: list[frozenset[str]],
    subjects: list[frozenset[str]],
    training: np.ndarray,
    apart: float,
) -> None:
    """Two training needs are not one session when what they teach differs.

    What a need teaches is its certified trainings when both name one (CACES and SST never
    meet), else its certified trainings and its strong subjects other than training itself
    (first aid and accounting never meet; a need naming none stays free).
    """
    idx = np.flatnonzero(training)
    for a, i in enumerate(idx):
        for j in idx[a + 1 :]:
            if topics[i] and topics[j]:
                differ = not topics[i] & topics[j]
            else:
                taught_i, taught_j = topics[i] | subjects[i], topics[j] | subjects[j]
                differ = bool(taught_i and taught_j and not taught_i & taught_j)
            if differ:
                distance[i, j] = distance[j, i] = apart
