"""The fitted corpus: canonical tables validated once, and the feature matrices of every item.

Built by :class:`traits.matching.pipeline.Matcher` from two DataFrames (organisations and
items, canonical columns of ``shared/FORMAT.md``); every later stage reads it, none writes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from traits.abbreviations import with_abbreviations
from traits.errors import InvalidInputError, Problem
from traits.interchange.columns import CATEGORY_VALUES
from traits.matching.config import ITEM_COLUMNS, ORG_COLUMNS, MatchConfig
from traits.matching.constraints import ItemConstraints, item_constraints
from traits.matching.features import (
    CharTfidf,
    SemanticEncoder,
    StemTfidf,
    SubcategoryEncoder,
    centre_embeddings,
    item_text,
    reference_texts,
    semantic_text,
)
from traits.matching.textcache import TextCache
from traits.mentions import without_erasure_marks
from traits.rules import fold
from traits.vocabulary import Vocabulary, category_codes

__all__ = ["Corpus", "ORG_COLUMNS", "ITEM_COLUMNS", "build_corpus", "check_frames"]

KINDS = ("ess", "company", "public", "other")
#: Above this many items, character n-gram rows are computed on demand instead of cached.
#: A whole-territory match touches nearly every offer in every chunk of pairs, so on-demand
#: rows would be encoded again and again: they are kept up to this size (about 2.5 kB per
#: item, some 750 MB at the limit); beyond, only one need's shortlist stays fast.
CHAR_CACHE_LIMIT = 300_000


@dataclass
class Corpus:
    """Items and organisations as aligned arrays, with their feature matrices.

    Item arrays are indexed by item position; ``offers``/``needs`` hold the positions of
    each direction.
    """

    orgs: pd.DataFrame
    items: pd.DataFrame
    item_org: np.ndarray  # org position of each item
    org_lat: np.ndarray
    org_lon: np.ndarray
    org_kind: np.ndarray
    category: np.ndarray
    texts: list[str]
    titles: list[str]
    needs: np.ndarray
    offers: np.ndarray
    word: sp.csr_matrix
    evidence: sp.csr_matrix  # subcategory evidence, rows in [0, 1]
    evidence_n: sp.csr_matrix  # subcategory evidence, L2-normalised
    related_evidence_n: sp.csr_matrix  # evidence passed to neighbours, L2-normalised
    evidence_norm: np.ndarray  # L2 norm of each subcategory evidence row
    related_evidence_norm: np.ndarray  # L2 norm of each neighbour evidence row
    stem_model: StemTfidf
    char_model: CharTfidf
    subcategory_model: SubcategoryEncoder
    constraints: ItemConstraints | None = None  # sizes, days, locality, filing (stage 1)
    semantic_model: SemanticEncoder | None = None
    semantic: np.ndarray | None = None  # centred sentence embeddings, L2-normalised
    item_pos: dict[str, int] = field(default_factory=dict)
    org_pos: dict[str, int] = field(default_factory=dict)
    _char: sp.csr_matrix | None = None
    _category_code: np.ndarray | None = None
    _text_category_code: np.ndarray | None = None
    _dense_evidence: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def category_code(self) -> np.ndarray:
        """Integer code of each item's category (:func:`category_codes`), computed once."""
        if self._category_code is None:
            self._category_code = category_codes(self.category)
        return self._category_code

    @property
    def text_category_code(self) -> np.ndarray | None:
        """Code of the category each item's words say (its own when not misfiled), or None."""
        if self.constraints is None:
            return None
        if self._text_category_code is None:
            said = self.constraints.text_category
            self._text_category_code = category_codes(
                np.where(said != "", said, self.category).astype(str)
            )
        return self._text_category_code

    def dense_evidence(self) -> tuple[np.ndarray, np.ndarray]:
        """``evidence_n`` and ``related_evidence_n`` as dense arrays (one column per
        subcategory: a few dozen), computed once; pairs are compared faster on them."""
        if self._dense_evidence is None:
            self._dense_evidence = (
                self.evidence_n.toarray().astype(np.float32),
                self.related_evidence_n.toarray().astype(np.float32),
            )
        return self._dense_evidence

    def char_source(self) -> sp.csr_matrix | Callable[[np.ndarray], sp.csr_matrix]:
        """Every item's character n-gram rows when they are kept, else :meth:`char_rows`."""
        if len(self.texts) > CHAR_CACHE_LIMIT:
            return self.char_rows
        if self._char is None:
            self._char = self.char_model.transform(self.texts)
        return self._char

    def char_rows(self, idx: np.ndarray) -> sp.csr_matrix:
        """Character n-gram rows of the given items.

        Up to :data:`CHAR_CACHE_LIMIT` items, all are encoded once (at fit); beyond, only the
        rows asked for, so that a very large index stays small in memory.
        """
        if len(self.texts) > CHAR_CACHE_LIMIT:
            uniq, inv = np.unique(np.asarray(idx), return_inverse=True)
            rows = self.char_model.transform([self.texts[i] for i in uniq])
            return rows[inv]
        if self._char is None:
            self._char = self.char_model.transform(self.texts)
        return self._char[idx]


#: Texts with the field's abbreviations read in both directions, kept between fits.
_ABBREVIATED = TextCache(with_abbreviations)


def _row_norms(E: sp.spmatrix) -> np.ndarray:
    return np.sqrt(np.asarray(sp.csr_matrix(E).multiply(E).sum(axis=1)).ravel()).astype(float)


def _problem(msg: str, column: str | None = None, file: str = "items") -> Problem:
    return Problem(msg, file=file, column=column)


def check_frames(orgs: pd.DataFrame, items: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical copies of the two tables; raise :class:`InvalidInputError` with every problem."""
    problems: list[Problem] = []
    for name, frame, required in (
        ("organisations", orgs, ("org_id", "kind")),
        ("items", items, ("item_id", "org_id", "direction", "category", "title")),
    ):
        for col in required:
            if col not in frame.columns:
                problems.append(
                    _problem(f"colonne obligatoire « {col} » absente du tableau.", col, name)
                )
    if problems:
        raise InvalidInputError(problems)
    o = orgs.copy()
    for col in ORG_COLUMNS:
        if col not in o.columns:
            o[col] = np.nan if col in ("lat", "lon") else ""
    o["org_id"] = o["org_id"].astype(str)
    o["kind"] = o["kind"].fillna("other").astype(str).str.strip().str.lower()
    o.loc[~o["kind"].isin(KINDS), "kind"] = "other"
    o["lat"] = pd.to_numeric(o["lat"], errors="coerce")
    o["lon"] = pd.to_numeric(o["lon"], errors="coerce")
    if o["org_id"].duplicated().any():
        dup = ", ".join(o.loc[o["org_id"].duplicated(), "org_id"].unique()[:5])
        problems.append(_problem(f"identifiants en double : {dup}.", "org_id", "organisations"))
    it = items.copy()
    for col in ITEM_COLUMNS:
        if col not in it.columns:
            it[col] = ""
    for col in ITEM_COLUMNS:
        it[col] = it[col].fillna("").astype(str).str.strip()
    for col in ("title", "description"):  # an erasure's mark is not a word of the text
        it[col] = it[col].map(without_erasure_marks)
    it["direction"] = it["direction"].str.lower()
    # the categories' names and French aliases, read as in files (one table: the interchange's)
    it["category"] = it["category"].map(lambda c: CATEGORY_VALUES.get(fold(c), c.lower()))
    bad_dir = ~it["direction"].isin(("need", "offer"))
    if bad_dir.any():
        problems.append(
            _problem(
                f"sens inconnu pour {', '.join(it.loc[bad_dir, 'item_id'][:5])} : "
                "« need » (besoin) ou « offer » (offre).",
                "direction",
            )
        )
    bad_cat = ~it["category"].isin(set(CATEGORY_VALUES.values()))
    if bad_cat.any():
        problems.append(
            _problem(
                f"catégorie inconnue pour {', '.join(it.loc[bad_cat, 'item_id'][:5])}.", "category"
            )
        )
    unknown = ~it["org_id"].isin(set(o["org_id"]))
    if unknown.any():
        problems.append(
            _problem(
                f"structure inconnue pour {', '.join(it.loc[unknown, 'item_id'][:5])} : "
                "ajouter la structure à organisations.csv.",
                "org_id",
            )
        )
    if it["item_id"].duplicated().any():
        dup = ", ".join(it.loc[it["item_id"].duplicated(), "item_id"].unique()[:5])
        problems.append(_problem(f"identifiants en double : {dup}.", "item_id"))
    if problems:
        raise InvalidInputError(problems)
    return o.reset_index(drop=True), it.reset_index(drop=True)


def build_corpus(
    orgs: pd.DataFrame,
    items: pd.DataFrame,
    vocabulary: Vocabulary | None = None,
    config: MatchConfig | None = None,
) -> Corpus:
    """Validate the tables and compute every item's features, with ``config``'s settings."""
    cfg = config or MatchConfig()
    related_weight = cfg.related_weight
    semantic_model = cfg.semantic_model if cfg.use_semantic else None
    o, it = check_frames(orgs, items)
    org_pos = {oid: i for i, oid in enumerate(o["org_id"])}
    item_org = it["org_id"].map(org_pos).to_numpy(np.int64)
    titles = it["title"].tolist()
    # Abbreviations of the field (CACES, SST, VL…) are read in both directions.
    texts = [item_text(t, d) for t, d in zip(titles, it["description"], strict=True)]
    # The field's abbreviations (CACES, SST, VL…) are read in both directions by the words
    # and the vocabulary (not by character n-grams, which see the text as written).
    abbreviated = [_ABBREVIATED(t) for t in texts] if cfg.use_abbreviations else texts
    stem_model = StemTfidf()
    word = stem_model.fit_transform(abbreviated)
    char_model = CharTfidf(max_fit_texts=cfg.char_fit_texts, random_state=cfg.random_state)
    char = None
    if cfg.with_char and len(texts) <= CHAR_CACHE_LIMIT:
        char = char_model.fit_transform(texts)  # every row kept: one pass over the texts
    else:
        char_model.fit(texts)
    subcategory_model = SubcategoryEncoder(vocabulary, related_weight=related_weight).fit()
    subs = [s or None for s in it["subcategory"]]
    evidence = subcategory_model.transform(
        abbreviated, subcategories=subs, categories=it["category"].tolist()
    )
    related = subcategory_model.expand(evidence)
    vocab = subcategory_model.vocabulary_
    constraints = item_constraints(
        titles,
        it["description"].tolist(),
        it["category"].to_numpy(),
        # what the words say, before the filed category damps the other categories
        subcategory_model.transform(abbreviated),
        subcategory_model.codes_,
        {sub.code: sub.category for sub in vocab},
        misfiled_evidence=cfg.misfiled_evidence,
    )
    semantic_enc = None
    semantic = None
    if semantic_model:
        semantic_enc = SemanticEncoder(model=semantic_model).fit()
        sem_texts = [semantic_text(t, d) for t, d in zip(titles, it["description"], strict=True)]
        reference = semantic_enc.transform(reference_texts(subcategory_model.vocabulary_))
        semantic = centre_embeddings(semantic_enc.transform(sem_texts), reference.mean(axis=0))
    direction = it["direction"].to_numpy()
    evidence_n = normalize(evidence).astype(np.float32).tocsr()
    related_n = normalize(related).astype(np.float32).tocsr()
    evidence_norm = _row_norms(evidence)
    evidence.sort_indices()  # reasons and modes break ties of evidence in column order
    return Corpus(
        orgs=o,
        items=it,
        item_org=item_org,
        org_lat=o["lat"].to_numpy(float),
        org_lon=o["lon"].to_numpy(float),
        org_kind=o["kind"].to_numpy(),
        category=it["category"].to_numpy(),
        texts=texts,
        titles=titles,
        needs=np.flatnonzero(direction == "need"),
        offers=np.flatnonzero(direction == "offer"),
        word=word,
        evidence=evidence,
        evidence_n=evidence_n,
        related_evidence_n=related_n,
        evidence_norm=evidence_norm,
        related_evidence_norm=_row_norms(related),
        stem_model=stem_model,
        char_model=char_model,
        subcategory_model=subcategory_model,
        constraints=constraints,
        semantic_model=semantic_enc,
        semantic=semantic,
        item_pos={iid: i for i, iid in enumerate(it["item_id"])},
        org_pos=org_pos,
        _char=char,
    )
