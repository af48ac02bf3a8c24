"""Data services: import, export, the sample territory, counts.

The CLI, the app pages and the notebooks call these; they never touch storage directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.errors import InvalidInputError, Problem
from traits.interchange import readers, validate, writers
from traits.model import Territory
from traits.services import access
from traits.storage import Store, schema
from traits.storage import repository as repo

#: The bundled sample territory (fictional), shipped beside the package in a source checkout.
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "samples" / "vitre"


_WHAT = {
    "territoires": ("territoire", "territoires"),
    "organisations": ("organisation", "organisations"),
    "diagnostics": ("diagnostic", "diagnostics"),
    "besoins et offres": ("besoin ou offre", "besoins et offres"),
    "contacts": ("contact", "contacts"),
    "partenariats": ("partenariat", "partenariats"),
}


@dataclass
class ImportReport:
    """What an import wrote, and the warnings worth a look (near-duplicates, unknown communes)."""

    source: str
    written: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    relevance: list[tuple[str, str, int]] = field(default_factory=list)

    def summary(self) -> str:
        """One French sentence of what was imported."""
        from traits.fr import plural

        parts = [plural(n, *_WHAT[what]) for what, n in self.written.items() if n]
        return f"Import de {self.source} : " + (", ".join(parts) or "rien") + "."


def _geocoder():  # type: ignore[no-untyped-def]
    from traits.geo import default_gazetteer

    gazetteer = default_gazetteer()

    def geocode(commune: str | None, postcode: str | None) -> tuple[float, float] | None:
        place = gazetteer.resolve(commune, postcode)
        return (place.lat, place.lon) if place else None

    def suggest(commune: str) -> list[str]:
        return [f"{p.name} ({p.postcode})" for p in gazetteer.suggest(commune)]

    return geocode, suggest


def _subcategory_resolver(conn: Connection):  # type: ignore[no-untyped-def]
    from traits.vocabulary import Subcategory, Vocabulary

    extra = [
        Subcategory(r.code, r.category, r.label, tuple(r.synonyms or ()), tuple(r.related or ()))
        for r in conn.execute(sa.select(schema.subcategories))
    ]
    vocabulary = Vocabulary.default().extended(extra) if extra else Vocabulary.default()

    def resolve(text: str) -> tuple[str | None, list[str]]:
        found = vocabulary.resolve(text)
        if found is not None:
            return found.code, []
        return None, [f"{s.code} ({s.label})" for s, _ in vocabulary.suggest(text, k=3)]

    return resolve


def _read(path: str | Path) -> dict[str, readers.RawTable]:
    tables = readers.read_source(path)
    if not tables:
        raise InvalidInputError(
            Problem(
                "aucun fichier reconnu (organisations.csv, items.csv…) : vérifiez le dossier.",
                file=str(path),
            )
        )
    return tables


def _validate(
    conn: Connection, tables: dict[str, readers.RawTable], territory: Territory | None
) -> validate.Parsed:
    geocode, suggest = _geocoder()
    return validate.validate(
        tables,
        repo.load_known(conn),
        territory=territory,
        resolve_subcategory=_subcategory_resolver(conn),
        geocode=geocode,
        suggest_commune=suggest,
    )


def parse_source(
    store: Store, path: str | Path, *, territory: Territory | None = None
) -> validate.Parsed:
    """Read and validate a source against the database, without writing anything."""
    tables = _read(path)
    if territory is not None:
        access.require_write(territory.territory_id)
    with store.reading() as conn:
        return _validate(conn, tables, territory)


def import_territory(
    store: Store,
    path: str | Path,
    *,
    territory: Territory | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a CSV folder or an XLSX/ODS workbook: all of it, or nothing and every problem.

    Validation runs inside the write transaction, so references are checked against the
    database as it is when the rows are written.
    """
    if dry_run:
        parsed = parse_source(store, path, territory=territory)
        if parsed.errors:
            raise InvalidInputError(parsed.problems)
        return ImportReport(str(path), warnings=parsed.warnings, relevance=parsed.relevance)
    tables = _read(path)
    with store.transaction() as conn:
        parsed = _validate(conn, tables, territory)
        if parsed.errors:
            raise InvalidInputError(parsed.problems)
        access.require_write(
            {o.territory_id for o in parsed.organisations}
            | ({territory.territory_id} if territory else set())
        )
        if territory is not None and all(
            t.territory_id != territory.territory_id for t in parsed.territories
        ):
            parsed.territories.append(territory)
        written = repo.write_parsed(conn, parsed)
    return ImportReport(str(path), written, parsed.warnings, parsed.relevance)


def export_territory(
    store: Store, target: str | Path, *, territory_id: str | None = None
) -> list[Path]:
    """Write a territory (or all) as a CSV folder, or one workbook if target is .xlsx/.ods."""
    access.require_read(territory_id)
    with store.reading() as conn:
        data = repo.read_all(conn, territory_id)
    target = Path(target)
    if target.suffix.lower() in {".xlsx", ".ods"}:
        return [writers.write_workbook(data, target)]
    return writers.write_folder(data, target)


def load_demo(store: Store) -> ImportReport:
    """Load the bundled sample territory (fictional data) into a base that holds nothing else.

    Fictional people must never mix with real ones: a base that already holds another
    territory is refused (the app keeps the sample in a base of its own, see
    :mod:`traits.services.demo`).
    """
    others = [t.name for t in list_territories(store) if t.territory_id != SAMPLE_TERRITORY]
    if others:
        raise InvalidInputError(
            "cette base contient déjà vos territoires ("
            + ", ".join(f"« {name} »" for name in others)
            + ") : le territoire d'exemple, fictif, se charge dans une base à part "
            "(par exemple --db exemple.sqlite)."
        )
    if not SAMPLE_DIR.exists():
        raise InvalidInputError(
            Problem(
                "territoire d'exemple introuvable : lancez traits depuis une copie complète du "
                "dépôt (dossier data/samples).",
                file=str(SAMPLE_DIR),
            )
        )
    return import_territory(store, SAMPLE_DIR)


#: The sample territory's identifier (data/samples/vitre/territories.csv).
SAMPLE_TERRITORY = "vitre"


def stats(store: Store, territory_id: str | None = None) -> dict[str, Any]:
    """Counts of organisations, diagnostics, needs, offers, contacts and partnerships by status."""
    access.require_read(territory_id)
    with store.reading() as conn:
        return repo.counts(conn, territory_id)


def list_territories(store: Store) -> list[Territory]:
    """Every territory of the database the caller may read."""
    allowed = access.readable_territories()
    with store.reading() as conn:
        found = repo.read_territories(conn)
    return [t for t in found if allowed is None or t.territory_id in allowed]
