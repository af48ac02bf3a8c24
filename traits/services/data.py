"""Data services: import, export, the sample territory, counts.

The CLI, the app pages and the notebooks call these; they never touch storage directly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from traits.errors import InvalidInputError, Problem
from traits.interchange import readers, validate, writers
from traits.interchange.columns import file_for, sheet_names
from traits.model import Territory
from traits.services import access, embeddings
from traits.services.embeddings import Progress
from traits.storage import Store
from traits.storage import repository as repo
from traits.storage.territories import subcategory_rows

#: The bundled sample territory (fictional), shipped beside the package in a source checkout.
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "samples" / "vitre"


_WHAT = {
    "territoires": ("territoire", "territoires"),
    "organisations": ("organisation", "organisations"),
    "diagnostics": ("diagnostic", "diagnostics"),
    "besoins et offres": ("besoin ou offre", "besoins et offres"),
    "contacts": ("contact", "contacts"),
    "partenariats": ("partenariat", "partenariats"),
    "membres de mutualisations": ("membre de mutualisation", "membres de mutualisations"),
}


@dataclass
class ImportReport:
    """What an import wrote, and the warnings worth a look (near-duplicates, unknown communes)."""

    source: str
    written: dict[str, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    relevance: list[tuple[str, str, int]] = field(default_factory=list)

    def summary(self) -> str:
        """One French sentence of what was imported (the source named by its file name)."""
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

    def within(communes: list[str], commune: str | None, postcode: str | None) -> bool:
        return gazetteer.within(communes, commune, postcode) is not False

    return geocode, suggest, within


def _subcategory_resolver(conn: Connection):  # type: ignore[no-untyped-def]
    from traits.vocabulary import Subcategory, Vocabulary

    extra = [
        Subcategory(r.code, r.category, r.label, tuple(r.synonyms or ()), tuple(r.related or ()))
        for r in subcategory_rows(conn, None)
    ]
    vocabulary = Vocabulary.default().extended(extra) if extra else Vocabulary.default()

    def resolve(text: str) -> tuple[str | None, list[str]]:
        found = vocabulary.resolve(text)
        if found is not None:
            return found.code, []
        return None, [f"{s.label}" for s, _ in vocabulary.suggest(text, k=3)]

    def category_of(text: str) -> tuple[str, str] | None:
        found = vocabulary.resolve(text)
        return (found.category, found.code) if found is not None else None

    return resolve, category_of


def _read(path: str | Path) -> dict[str, readers.RawTable]:
    tables = readers.read_source(path)
    if not tables:
        path = Path(path)
        what = "fichier CSV" if path.is_dir() else "onglet"
        raise InvalidInputError(
            Problem(
                f"aucun {what} reconnu : nommez chaque {what} comme l'onglet du modèle qu'il "
                f"contient ({sheet_names()}).",
                file=None if path.is_dir() else path.name,
            )
        )
    return tables


def wrong_file_types(filenames: Iterable[str]) -> str | None:
    """The French refusal of the files that are neither CSV files nor workbooks, naming them;
    None when every one is. The app's uploaders take any file and ask this (Streamlit's own
    type filter refuses in English, with a MIME type, and no option translates it)."""
    wrong = [
        name
        for name in filenames
        if Path(name).suffix.lower() not in {".csv", *readers.WORKBOOK_SUFFIXES}
    ]
    if not wrong:
        return None
    return (
        f"Ce type de fichier n'est pas accepté : {', '.join(f'« {n} »' for n in wrong)}. "
        "Déposez des fichiers .csv, .xlsx ou .ods (retirez celui-ci avec ×)."
    )


def upload_table(filename: str) -> str | None:
    """The French name of the sheet a file stands for (« Structures » for ``structures.csv``),
    "" for a workbook (it holds every sheet), None for a CSV file whose name is not a sheet's."""
    path = Path(filename)
    if path.suffix.lower() in readers.WORKBOOK_SUFFIXES:
        return ""
    spec = file_for(path.stem) if path.suffix.lower() == ".csv" else None
    return spec.label if spec is not None else None


def _readable_rows(conn: Connection, table: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored rows an import may merge its rows with: those the caller may read. A row
    naming another territory's record is refused later; meanwhile nothing of that record (not
    even whether a cell of it is filled) may show in a warning."""
    rows = repo.stored_rows(conn, table, ids)
    kind = next((k for k, (name, _, _) in _KINDS.items() if name == table), None)
    if kind is None or access.readable_territories() is None:
        return rows
    owned = repo.owners(conn, kind, rows)
    return {k: v for k, v in rows.items() if all(access.may_read(t) for t in owned.get(k, ()))}


def _validate(
    conn: Connection, tables: dict[str, readers.RawTable], territory: Territory | None
) -> tuple[validate.Parsed, set[str]]:
    """Validate against the database; returns the rows and every territory they would change."""
    if territory is not None:
        problem = validate.id_problem(territory.territory_id)
        if problem is not None:
            raise InvalidInputError(Problem(f"territoire « {territory.territory_id} » : {problem}"))
    geocode, suggest, within = _geocoder()
    resolve, category_of = _subcategory_resolver(conn)
    hooks = validate.Hooks(
        resolve, geocode, suggest, within, category_of,
        stored=lambda table, ids: _readable_rows(conn, table, ids), may_read=access.may_read,
    )  # fmt: skip
    parsed = validate.validate(tables, repo.load_known(conn), territory=territory, hooks=hooks)
    touched, problems = _ownership(conn, tables, parsed)
    parsed.problems.extend(problems)
    # Each row touching a territory the caller may not write, located (once per row).
    taken = {(p.file, p.row) for p in problems}
    outside = _outside(conn, parsed, access.writable_territories())
    parsed.problems.extend(p for p in outside if (p.file, p.row) not in taken)
    return parsed, touched | ({territory.territory_id} if territory else set())


#: Per kind of record: its file, its key column and the French name of one.
_KINDS = {
    "territory": ("territories", "territory_id", "un territoire"),
    "organisation": ("organisations", "org_id", "une structure"),
    "diagnostic": ("diagnostics", "diagnostic_id", "un diagnostic"),
    "item": ("items", "item_id", "un besoin ou une offre"),
    "contact": ("contacts", "contact_id", "un contact"),
    "partnership": ("partnerships", "partnership_id", "un partenariat"),
}


def _ownership(
    conn: Connection, tables: dict[str, readers.RawTable], parsed: validate.Parsed
) -> tuple[set[str], list[Problem]]:
    """Every territory the rows would change, and each row that would move another's record.

    A row's territory is its organisation's (every party's for a partnership); the territory
    that owns the record now must be among them, else the import would take the record from
    it (ids are unique in the whole database, see docs/format.md).
    """
    referenced = {o.org_id for o in parsed.organisations}
    for owned in (parsed.diagnostics, parsed.items, parsed.contacts):
        referenced |= {x.org_id for x in owned}
    referenced |= {o for p in parsed.partnerships for o in p.org_ids}
    org_territory = dict(repo.owners(conn, "organisation", referenced))
    org_territory |= {o.org_id: frozenset({o.territory_id}) for o in parsed.organisations}

    def of(*org_ids: str) -> frozenset[str]:
        return frozenset().union(*(org_territory.get(o, frozenset()) for o in org_ids))

    rows: dict[str, dict[str, frozenset[str]]] = {
        "territory": {x.territory_id: frozenset({x.territory_id}) for x in parsed.territories},
        "organisation": {o.org_id: of(o.org_id) for o in parsed.organisations},
        "diagnostic": {d.diagnostic_id: of(d.org_id) for d in parsed.diagnostics},
        "item": {i.item_id: of(i.org_id) for i in parsed.items},
        "contact": {c.contact_id: of(c.org_id) for c in parsed.contacts},
        "partnership": {p.partnership_id: of(*p.org_ids) for p in parsed.partnerships},
    }
    touched: set[str] = set()
    problems: list[Problem] = []
    for kind, new in rows.items():
        current = repo.owners(conn, kind, new)
        lines: dict[str, int] | None = None
        for record_id, territories in new.items():
            touched |= territories | current.get(record_id, frozenset())
            others = current.get(record_id, frozenset()) - territories
            if others:
                lines = lines if lines is not None else _lines_by_id(tables, kind)
                names = {x.territory_id: x.name for x in repo.read_territories(conn)}
                # Named (by name) only to a caller who may read every one of them.
                shown = all(access.may_read(o) for o in others)
                label = ", ".join(sorted(names.get(o, o) for o in others)) if shown else None
                problems.append(_taken(tables, kind, record_id, label, lines.get(record_id)))
    return touched, problems


def _lines_by_id(tables: dict[str, readers.RawTable], kind: str) -> dict[str, int]:
    name, column, _ = _KINDS[kind]
    table = tables.get(name)
    if table is None:
        return {}
    return {r.get(column, "").strip(): line for line, r in reversed(table.records())}


def _taken(
    tables: dict[str, readers.RawTable],
    kind: str,
    record_id: str,
    others: str | None,
    line: int | None,
) -> Problem:
    name, column, what = _KINDS[kind]
    table = tables.get(name)
    return Problem(
        f"« {record_id} » est déjà l'identifiant d'{what} "
        + (f"du territoire « {others} »" if others else "d'un autre territoire")
        + " : un import ne modifie pas un autre territoire. "
        "Choisissez un autre identifiant (par exemple avec un préfixe).",
        file=table.source if table is not None else None,
        row=line,
        column=table.typed(column) if table is not None else None,
    )


#: Per table of the interchange format: the cells that name an organisation (or a territory).
_ORG_CELLS: dict[str, tuple[str, ...]] = {
    "diagnostics": ("org_id",),
    "items": ("org_id",),
    "contacts": ("org_id",),
    "partnerships": ("org_a", "org_b"),
    "partnership_members": ("org_id",),
}


def _outside(
    conn: Connection, parsed: validate.Parsed, writable: frozenset[str] | None
) -> list[Problem]:
    """A located error for each row that would change a territory the caller may not write.

    The cell named is the one the person typed (an organisation, or a territory), so that a
    500-row workbook points at its row; the other territory is never named (the caller may
    not read it, docs/security.md).
    """
    if writable is None:
        return []
    referenced: set[str] = {
        value
        for rows in parsed.located.values()
        for _, o in rows
        for c in ("org_id", "org_a", "org_b")
        if isinstance(value := getattr(o, c, None), str)
    }
    stored = repo.owners(conn, "organisation", referenced)
    in_file = {o.org_id: o.territory_id for o in parsed.organisations}
    names = {t.territory_id: t.name for t in repo.read_territories(conn)}
    yours = sorted(names.get(t, t) for t in writable)

    def denied(org_id: str | None) -> bool:
        if org_id is None:
            return False
        places = stored.get(org_id, frozenset()) | (
            {in_file[org_id]} if org_id in in_file else set()
        )
        return not places <= writable

    problems = []
    for name, rows in parsed.located.items():
        obj: Any
        for row, obj in rows:
            cells: list[str] = []
            if name == "territories":
                cells = ["territory_id"] if obj.territory_id not in writable else []
            elif name == "organisations":
                if not stored.get(obj.org_id, frozenset()) <= writable:
                    cells = ["org_id" if row.raw("org_id") else "name"]
                elif obj.territory_id not in writable:
                    cells = ["territory"]
            else:
                cells = [c for c in _ORG_CELLS.get(name, ()) if denied(getattr(obj, c, None))]
            for column in cells[:1]:
                problems.append(_outside_problem(row, column, yours))
    return problems


def _outside_problem(row: Any, column: str, yours: list[str]) -> Problem:
    typed = row.raw(column)
    if column in ("territory", "territory_id"):
        listed = ", ".join(f"« {name} »" for name in yours)
        message = (
            f"« {typed} » n'est pas l'un de vos territoires ({listed}) : "
            "un import ne modifie que vos territoires. Écrivez l'un d'eux (ou retirez cette ligne)."
        )
    else:
        message = (
            f"« {typed} » désigne une structure d'un territoire que vous ne pouvez pas modifier : "
            "un import ne modifie que vos territoires. Écrivez une structure de votre territoire "
            "(ou retirez cette ligne)."
        )
    return Problem(message, file=row.table.source, row=row.line, column=row.header(column))


def parse_source(
    store: Store, path: str | Path, *, territory: Territory | None = None
) -> validate.Parsed:
    """Read and validate a source against the database, without writing anything."""
    tables = _read(path)
    if territory is not None:
        access.require_write(territory.territory_id)
    with store.reading() as conn:
        parsed, touched = _validate(conn, tables, territory)
    if not parsed.errors:  # else the rows touching another territory are among the errors
        access.require_write(touched)
    return parsed


#: Table of the parsed import → (French label, its ids in the database's ``Known``).
_PLAN_TABLES = (
    ("organisations", "structures", lambda k: k.org_territory, "org_id"),
    ("diagnostics", "entretiens", lambda k: k.diagnostic_org, "diagnostic_id"),
    ("items", "besoins et offres", lambda k: k.item_org_direction, "item_id"),
    ("contacts", "contacts", lambda k: k.contacts, "contact_id"),
    ("partnerships", "partenariats", lambda k: k.partnerships, "partnership_id"),
)


@dataclass
class ImportPlan:
    """What an import would do, before anything is written (the app's preview)."""

    source: str
    #: French table label → (rows to create, rows to update, template examples ignored)
    rows: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """Problems that forbid the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ready(self) -> bool:
        """Whether « Importer » may be offered: no error, and something to write."""
        return not self.errors and any(c or u for c, u, _ in self.rows.values())


def preview_import(
    store: Store, path: str | Path, *, territory: Territory | None = None
) -> ImportPlan:
    """Dry run of :func:`import_territory`: rows created, updated and ignored, and the problems
    (errors first). Nothing is written; a later import checks everything again."""
    tables = _read(path)
    if territory is not None:
        access.require_write(territory.territory_id)
    with store.reading() as conn:
        known = repo.load_known(conn)
        parsed, touched = _validate(conn, tables, territory)
    if not parsed.errors:  # else the rows touching another territory are among the errors
        access.require_write(touched)
    plan = ImportPlan(Path(path).name)
    for name, label, ids_of, key in _PLAN_TABLES:
        known_ids = ids_of(known)
        objects = getattr(parsed, name)
        updated = sum(1 for o in objects if getattr(o, key) in known_ids)
        ignored = parsed.ignored.get(name, 0)
        if objects or ignored:
            plan.rows[label] = (len(objects) - updated, updated, ignored)
    plan.problems = parsed.errors + parsed.warnings
    return plan


def import_territory(
    store: Store,
    path: str | Path,
    *,
    territory: Territory | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a CSV folder or an XLSX/ODS workbook: all of it, or nothing and every problem.

    Validation runs inside the write transaction, so references and owners are checked against
    the database as it is when the rows are written. No row may change a territory the caller
    may not write, nor take a record from another territory.
    """
    if dry_run:
        parsed = parse_source(store, path, territory=territory)
        if parsed.errors:
            raise InvalidInputError(parsed.problems)
        return ImportReport(str(path), warnings=parsed.warnings, relevance=parsed.relevance)
    tables = _read(path)
    if territory is not None:
        access.require_write(territory.territory_id)
    with store.transaction() as conn:
        parsed, touched = _validate(conn, tables, territory)
        if parsed.errors:
            raise InvalidInputError(parsed.problems)
        access.require_write(touched)
        if (
            territory is not None
            and not repo.read_territories(conn, territory.territory_id)
            and all(t.territory_id != territory.territory_id for t in parsed.territories)
        ):  # created only when new: an existing territory keeps its name, communes, facilitator
            parsed.territories.append(territory)
        written = repo.write_parsed(conn, parsed)
    embeddings.embed_items(store, [i.item_id for i in parsed.items], progress=progress)
    return ImportReport(str(path), written, parsed.warnings, parsed.relevance)


def export_territory(
    store: Store, target: str | Path, *, territory_id: str | None = None, french: bool = False
) -> list[Path]:
    """Write a territory (or all) as a CSV folder, or one workbook if target is .xlsx/.ods.

    ``french``: a workbook's sheets, headers and values as the templates write them, for the
    people who open it (the import reads both); CSV folders keep the format's codes.
    """
    access.require_read(territory_id)
    with store.reading() as conn:
        data = repo.read_all(conn, territory_id)
    target = Path(target)
    if target.suffix.lower() in {".xlsx", ".ods"}:
        return [writers.write_workbook(data, target, french=french)]
    return writers.write_folder(data, target)


def load_demo(store: Store, progress: Progress | None = None) -> ImportReport:
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
    return import_territory(store, SAMPLE_DIR, progress=progress)


#: The sample territory's identifier (data/samples/vitre/territories.csv).
SAMPLE_TERRITORY = "vitre"


def is_sample_territory(territory: Territory) -> bool:
    """Whether ``territory`` is the bundled fictional sample, not a real Pôle's territory.

    The identifier alone is not enough (a real Pôle may call its territory « vitre »): the
    name and the facilitator must also be the sample's, as written in its territories file.
    """
    if territory.territory_id != SAMPLE_TERRITORY:
        return False
    path = SAMPLE_DIR / "territories.csv"
    if not path.exists():
        return False
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("territory_id") == SAMPLE_TERRITORY]
    return any(
        r.get("name") == territory.name and r.get("facilitator") == (territory.facilitator or "")
        for r in rows
    )


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
