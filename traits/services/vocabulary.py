"""Vocabulary services: the packaged subcategories, extended by each territory's own rows."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from traits.errors import NotFoundError
from traits.interchange.columns import SUBCATEGORIES
from traits.model import LABELS_FR, Category
from traits.services import access
from traits.storage import Store
from traits.storage.repository import upsert_subcategories
from traits.storage.territories import subcategory_rows, territory_exists
from traits.vocabulary import Subcategory, Vocabulary
from traits.vocabulary_csv import read_vocabulary_csv


def territory_additions(store: Store, territory_id: str | None = None) -> list[Subcategory]:
    """Subcategories a territory added (all territories' additions when ``None``)."""
    with store.reading() as conn:
        return [
            Subcategory(
                r.code, r.category, r.label, tuple(r.synonyms or ()), tuple(r.related or ())
            )
            for r in subcategory_rows(conn, territory_id)
        ]


def vocabulary(store: Store, territory_id: str | None = None) -> Vocabulary:
    """The packaged vocabulary with the territory's additions (they override by code)."""
    extra = territory_additions(store, territory_id)
    base = Vocabulary.default()
    return base.extended(extra) if extra else base


#: Columns of :func:`vocabulary_rows`.
VOCABULARY_COLUMNS = ["catégorie", "sous-catégorie", "mots reconnus (extrait)"]


def vocabulary_rows(store: Store, territory_id: str | None = None) -> list[tuple[str, str, str]]:
    """The vocabulary as French rows: category, subcategory, its first six synonyms."""
    return [
        (LABELS_FR[Category(s.category)], s.label, ", ".join(s.synonyms[:6]))
        for s in vocabulary(store, territory_id)
    ]


def extend_vocabulary(store: Store, territory_id: str, path: str | Path) -> int:
    """Add or replace a territory's subcategories from a CSV file; all rows or none.

    Neighbours may name any subcategory the territory already has, by label; a label the
    territory already has replaces that subcategory."""
    access.require_write(territory_id)
    rows = read_vocabulary_csv(path, known=list(vocabulary(store, territory_id)))
    with store.transaction() as conn:
        if not territory_exists(conn, territory_id):
            raise NotFoundError(
                f"territoire « {territory_id} » introuvable : créez-le ou importez-le d'abord."
            )
        upsert_subcategories(conn, territory_id, rows)
    return len(rows)


def subcategory_label(store: Store, code: str, territory_id: str | None = None) -> str | None:
    """The French label of a subcategory code (``None`` when the code is unknown)."""
    found = vocabulary(store, territory_id).get(code)
    return found.label if found is not None else None


def _french_headers() -> list[str]:
    return [c.label for c in SUBCATEGORIES.columns if c.name != "code"]


def vocabulary_template() -> bytes:
    """A French CSV to fill in (headers as facilitators type them, one example row)."""
    example = [
        "Entretien de bateaux",
        "compétences",
        "carénage|coque|voilier",
        "Petits travaux, maintenance et réparations",
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([_french_headers(), example])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def add_subcategory(
    store: Store, territory_id: str, label: str, category: str, synonyms: str = ""
) -> int:
    """Add one subcategory as the Paramètres form gives it (its code made from the label)."""
    with tempfile.TemporaryDirectory(prefix="traits-voc-") as tmp:
        path = Path(tmp) / "sous-categorie.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([_french_headers(), [label.strip(), category, synonyms, ""]])
        return extend_vocabulary(store, territory_id, path)


def extend_file(store: Store, territory_id: str, data: bytes, filename: str) -> int:
    """:func:`extend_vocabulary` from an uploaded file's bytes (messages name ``filename``)."""
    with tempfile.TemporaryDirectory(prefix="traits-voc-") as tmp:
        path = Path(tmp) / Path(filename).name
        path.write_bytes(data)
        return extend_vocabulary(store, territory_id, path)
