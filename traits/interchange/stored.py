"""What the file does not say keeps what is stored.

A row that updates a record of the database gives only the columns its sheet has: a column
absent from the sheet keeps the stored value (a short list of names and communes does not
erase the rest); a column present with an empty cell clears it, and the import says so. A few
empty cells mean "not said" rather than "nothing": the date of a partnership (it was dated
from the first interview), the status of an interview (it has a default) and the coordinates
of a structure (they come from its commune).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from traits.errors import Problem
from traits.interchange.columns import fold
from traits.interchange.row import Row
from traits.model import Category, DiagnosticStatus, PartnershipMode

E = TypeVar("E")

#: Per table: its key, and the optional columns (attributes of the same name) whose stored
#: value a sheet without the column keeps.
OPTIONAL: dict[str, tuple[str, tuple[str, ...]]] = {
    "territories": ("territory_id", ("communes", "facilitator")),
    "organisations": (
        "org_id",
        ("legal_form", "siret", "commune", "postcode", "size", "description"),
    ),
    "diagnostics": (
        "diagnostic_id",
        ("facilitator", "practices", "motivations", "obstacles", "notes", "status"),
    ),
    "items": ("item_id", ("description", "quantity", "diagnostic_id", "subcategory")),
    "contacts": (
        "contact_id",
        ("role", "email", "phone", "consent_date", "consent_source", "consent_scope"),
    ),
    "partnerships": (
        "partnership_id",
        tuple(
            "need_id offer_id mode categories value_hours value_euros value_quantity value_unit "
            "abandon_reason notes label created".split()
        ),
    ),
}

#: Columns whose empty cell means "not said" (the stored value is kept, without a word).
_EMPTY_KEEPS = {("diagnostics", "status"), ("partnerships", "created")}
#: Columns whose absence has a rule of its own (a sub-category follows its category).
_ABSENT_RULE = {("items", "subcategory")}

#: Stored values back into the domain's types.
_TYPED: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("diagnostics", "status"): DiagnosticStatus,
    ("partnerships", "mode"): lambda v: PartnershipMode(v) if v else None,
    ("partnerships", "categories"): lambda v: [Category(c) for c in v or ()],
    ("territories", "communes"): lambda v: list(v or ()),
}

#: Stored rows of a table by key: (table, keys) → {key: {column: value}}.
StoredRows = Callable[[str, list[str]], dict[str, dict[str, Any]]]


def keep_stored(
    name: str,
    rows: list[tuple[Row, E]],
    stored: StoredRows | None,
    out: list[Problem],
    geocode: Callable[[str | None, str | None], tuple[float, float] | None] | None = None,
) -> list[tuple[Row, E]]:
    """The rows with what their sheet leaves out taken from the records they update.

    ``rows`` are the validated (row, object) pairs of table ``name``; objects that are new to
    the database are returned as they are. Cells left empty over a stored value are reported,
    one warning per column.
    """
    if stored is None or not rows:
        return rows
    key, columns = OPTIONAL[name]
    table = rows[0][0].table
    old_rows = stored(name, [getattr(obj, key) for _, obj in rows])
    cleared: dict[str, list[int]] = {}
    kept = []
    for row, obj in rows:
        old = old_rows.get(getattr(obj, key))
        if old is None:
            kept.append((row, obj))
            continue
        changes = {}
        for column in columns:
            typed = _TYPED.get((name, column), lambda v: v)
            if column not in table.headers and (name, column) in _ABSENT_RULE:
                continue
            if column not in table.headers or (
                (name, column) in _EMPTY_KEEPS and not row.raw(column)
            ):
                changes[column] = typed(old[column])
            elif (
                not row.raw(column)
                and old[column] not in (None, "", [])
                and getattr(obj, column, None) in (None, "", [])  # not found again by the row
            ):
                cleared.setdefault(column, []).append(row.line)
        obj = dataclasses.replace(obj, **changes)  # type: ignore[type-var]
        if name == "organisations":
            obj = _place(row, obj, old, geocode)
        elif name == "items":
            obj = _subcategory(row, obj, old)
        kept.append((row, obj))
    for column, lines in cleared.items():
        many = len(lines) > 1
        out.append(
            Problem(
                f"cellule{'s' if many else ''} vide{'s' if many else ''} ligne{'s' if many else ''}"
                f" {', '.join(map(str, lines))} : la valeur enregistrée est effacée (pour la "
                "garder, remplissez la cellule, ou retirez la colonne du fichier).",
                file=table.source,
                column=row.header(column),
                severity="warning",
            )
        )
    return kept


def _place(row: Row, org: Any, old: dict[str, Any], geocode: Any) -> Any:
    """Coordinates: as given, else the stored ones while the place is the stored place, else
    those of the new place."""
    if row.raw("lat") or row.raw("lon"):
        return org
    if fold(org.commune or "") == fold(old["commune"] or "") and (org.postcode or "") == (
        old["postcode"] or ""
    ):
        return dataclasses.replace(org, lat=old["lat"], lon=old["lon"])
    if "postcode" not in row.table.headers and org.postcode and "commune" in row.table.headers:
        row.warn(
            "commune",
            f"la commune change : le code postal enregistré ({org.postcode}) est gardé, "
            "vérifiez-le (ou ajoutez une colonne « Code postal »).",
        )
    if geocode is not None and (org.commune or org.postcode):
        found = geocode(org.commune, org.postcode)
        lat, lon = found if found is not None else (None, None)
        return dataclasses.replace(org, lat=lat, lon=lon)
    return org


def _subcategory(row: Row, item: Any, old: dict[str, Any]) -> Any:
    """A sheet without sub-categories keeps the stored one while the category stays."""
    if "subcategory" in row.table.headers or item.subcategory is not None:
        return item
    if old["category"] == item.category.value:
        return dataclasses.replace(item, subcategory=old["subcategory"])
    if old["subcategory"]:
        row.warn(
            "category",
            "la catégorie change : la sous-catégorie enregistrée, qui relevait de l'ancienne "
            "catégorie, est retirée (ajoutez une colonne « Sous-catégorie » pour en donner une).",
        )
    return item
