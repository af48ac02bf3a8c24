"""Territory services: create, list and describe territories, the first-steps checklist,
and the export of a whole database.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from pathlib import Path

from traits import rules
from traits.errors import InvalidInputError, NotFoundError, Problem
from traits.fr import plural
from traits.model import (
    Territory,
)
from traits.rules import fold, slug
from traits.services import access
from traits.storage import Store, settings
from traits.storage import repository as repo
from traits.storage import schema as t
from traits.storage import territories as stored

#: Needs and offers a territory should have before its pistes mean something.
MIN_ITEMS = 5

#: Field labels used in the problems of :func:`create_territory` (the form shows them there).
TERRITORY_FIELDS = {
    "territory_id": "identifiant",
    "name": "nom du territoire",
    "communes": "communes ou EPCI",
    "facilitator": "animateur ou animatrice",
}

#: The milestone the Pistes page records when a territory's pistes were first shown.
PISTES_SEEN = "pistes_seen"


def slugify(text: str) -> str:
    """A lower-case ASCII identifier from a name: ``Pays de Vitré`` → ``pays-de-vitre``."""
    return slug(text)


def expand_communes(names: list[str]) -> list[str]:
    """Communes and EPCI as typed; an EPCI (« Pontivy Communauté ») becomes its communes."""
    from traits.geo import default_gazetteer

    return default_gazetteer().expand([n.strip() for n in names if n.strip()])


def commune_warnings(names: list[str]) -> list[Problem]:
    """One warning per name that is neither a commune of Brittany, a former one, nor an EPCI."""
    from traits.geo import default_gazetteer

    gazetteer = default_gazetteer()
    out = []
    for name in names:
        name = name.strip()
        if not name or gazetteer.resolve(name) or gazetteer.ambiguous(name) or gazetteer.epci(name):
            continue
        out.append(
            Problem(
                gazetteer.unknown_message(name) + " Gardée telle quelle.",
                column=TERRITORY_FIELDS["communes"],
                severity="warning",
            )
        )
    return out


def _clean(value: str | None) -> str:
    return (value or "").strip()


def create_territory(
    store: Store,
    territory_id: str | None,
    name: str,
    communes: list[str],
    facilitator: str | None,
) -> Territory:
    """Create a territory; its id is made from its name when not given.

    Raises
    ------
    InvalidInputError
        With one problem per wrong field (``column`` is the field's French label), e.g. a
        missing name or a territory that already exists.
    """
    access.require_admin()
    name = _clean(name)
    problems: list[Problem] = []
    if not name:
        problems.append(
            Problem("le nom du territoire est obligatoire.", column=TERRITORY_FIELDS["name"])
        )
    given = _clean(territory_id)
    # without an id given (the app never asks for one), problems with it are the name's
    id_field = TERRITORY_FIELDS["territory_id" if given else "name"]
    tid = slugify(given or name)
    if name and not tid:
        problems.append(
            Problem(
                "identifiant impossible à former : utilisez des lettres ou des chiffres."
                if given
                else "le nom doit contenir des lettres ou des chiffres.",
                column=id_field,
            )
        )
    for column, value in (("name", name), ("facilitator", _clean(facilitator))):
        try:
            rules.check_length(value, t.territories.name, column)
        except rules.FieldError as exc:
            problems.append(Problem(exc.message, column=TERRITORY_FIELDS[column]))
    seen: set[str] = set()
    kept: list[str] = []
    for commune in expand_communes(communes):
        commune = commune.strip()
        if commune and fold(commune) not in seen:
            seen.add(fold(commune))
            kept.append(commune)
    territory = Territory(tid, name, kept, _clean(facilitator) or None)
    with store.transaction() as conn:
        if tid:
            for other in repo.read_territories(conn):
                if other.territory_id == tid and given:
                    problems.append(
                        Problem(
                            f"le territoire « {other.name} » a déjà l'identifiant « {tid} » : "
                            "choisissez-le dans la liste ou donnez un autre identifiant.",
                            column=id_field,
                        )
                    )
                elif other.territory_id == tid:
                    problems.append(
                        Problem(
                            f"le nom est trop proche de celui du territoire « {other.name} » : "
                            "choisissez-le dans la liste ou donnez un nom plus distinct.",
                            column=id_field,
                        )
                    )
                elif name and fold(other.name) == fold(name):
                    problems.append(
                        Problem(
                            f"un territoire s'appelle déjà « {other.name} » : choisissez-le "
                            "dans la liste plutôt que de le recréer.",
                            column=TERRITORY_FIELDS["name"],
                        )
                    )
                elif name and fold(other.territory_id) == fold(name):
                    # a name that is another territory's identifier: « -t NOM » would be ambiguous
                    problems.append(
                        Problem(
                            f"« {name} » est déjà l'identifiant du territoire « {other.name} » : "
                            "donnez un nom plus distinct.",
                            column=TERRITORY_FIELDS["name"],
                        )
                    )
        if problems:
            raise InvalidInputError(problems, summary="Territoire non créé : corrigez ce qui suit.")
        stored.insert_territory(conn, territory)
    return territory


def list_territories(store: Store) -> list[Territory]:
    """Every territory the caller may read, by identifier."""
    from traits.services.data import list_territories as readable

    return readable(store)


def get_territory(store: Store, territory_id: str) -> Territory:
    """One territory, or a French :class:`NotFoundError`."""
    access.require_read(territory_id)
    with store.reading() as conn:
        found = repo.read_territories(conn, territory_id)
    if not found:
        raise NotFoundError(
            f"territoire « {territory_id} » introuvable : choisissez-en un dans la liste."
        )
    return found[0]


def resolve_territory(store: Store, typed: str | None) -> str | None:
    """The territory a person typed (``--territory``): its identifier, or its name as shown
    everywhere (case, accents and spaces aside) when no other territory has that name.

    None stays None (every territory). Anything else that names no readable territory is a
    French :class:`NotFoundError` listing the territories of the base by name: a report is
    never built for a territory that does not exist.
    """
    if typed is None:
        return None
    known = list_territories(store)
    if any(t.territory_id == typed for t in known):
        return typed
    wanted = fold(typed)
    found = [t for t in known if wanted in (fold(t.territory_id), fold(t.name))]
    if len(found) == 1:
        return found[0].territory_id
    names = ", ".join(f"« {t.name} »" for t in sorted(known, key=lambda t: fold(t.name)))
    if len(found) > 1:
        raise NotFoundError(
            f"territoire « {typed} » ambigu : plusieurs territoires portent ce nom ({names}) ; "
            "indiquez l'identifiant du territoire (traits territory list)."
        )
    if not known:
        raise NotFoundError(
            f"territoire « {typed} » inconnu : cette base n'a encore aucun territoire ; "
            "importez-en un (traits import) ou créez-le (traits territory create)."
        )
    hint = "le territoire" if len(known) == 1 else "l'un des territoires"
    raise NotFoundError(f"territoire « {typed} » inconnu : indiquez {hint} de cette base, {names}.")


def record_milestone(store: Store, territory_id: str, milestone: str) -> None:
    """Remember, once, that a territory reached a step of the checklist (e.g. saw its pistes).

    A write like any other: refused to read-only callers (see :func:`access.may_write`).
    """
    access.require_write(territory_id)
    key = f"milestone:{milestone}"
    with store.reading() as conn:
        done = settings.has_setting(conn, territory_id, key)
    if done:
        return
    with store.transaction() as conn:
        settings.write_setting(conn, territory_id, key, dt.datetime.now().isoformat())


def onboarding_checklist(
    store: Store, territory_id: str, *, min_items: int = MIN_ITEMS
) -> list[tuple[str, bool]]:
    """The first steps of a new territory, in the method's order, each with whether it is done."""
    get_territory(store, territory_id)
    with store.reading() as conn:
        counts = repo.counts(conn, territory_id)
        seen = settings.has_setting(conn, territory_id, f"milestone:{PISTES_SEEN}")
    proposed = sum(counts["partnerships"].values())
    return [
        (
            "Importer un tableur ou saisir un premier diagnostic",
            counts["organisations"] > 0 or counts["diagnostics"] > 0,
        ),
        (
            f"Recenser au moins {plural(min_items, 'besoin', 'besoins')} et "
            f"{plural(min_items, 'offre', 'offres')}",
            counts["needs"] >= min_items and counts["offers"] >= min_items,
        ),
        ("Consulter les premières pistes", seen or proposed > 0),
        ("Proposer un premier partenariat", proposed > 0),
    ]


# -- exports -------------------------------------------------------------------------------------


def export_database(store: Store, target: str | Path, territory_id: str | None = None) -> Path:
    """The whole database (or a territory) as one workbook (``.xlsx``/``.ods``) or a zip of CSVs."""
    from traits.services.data import export_territory

    access.require_read(territory_id)
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix in {".xlsx", ".ods"}:  # opened by people: French sheets, headers and labels
        return export_territory(store, target, territory_id=territory_id, french=True)[0]
    if suffix != ".zip":
        raise InvalidInputError(
            f"format d'export « {suffix or target.name} » inconnu : choisissez .xlsx, .ods ou .zip."
        )
    with tempfile.TemporaryDirectory(prefix="traits-export-") as tmp:
        files = export_territory(store, Path(tmp) / "export", territory_id=territory_id)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.name)
    return target


__all__ = [
    "commune_warnings",
    "create_territory",
    "expand_communes",
    "export_database",
    "get_territory",
    "list_territories",
    "onboarding_checklist",
    "record_milestone",
]


def read_communes_file(path: Path) -> list[str]:
    """Communes or EPCI of a text file, one per line.

    A first line « commune » is a header, ``#`` starts a comment; the file may be a CSV whose
    first column holds the names. Encodings are read as the import reads them.
    """
    from traits.interchange.readers import decode

    try:
        text = decode(Path(path).read_bytes(), Path(path).name)
    except OSError as exc:
        raise InvalidInputError(
            Problem(f"lecture impossible ({exc.strerror}).", file=str(path))
        ) from None
    communes = []
    for line in text.splitlines():
        cell = line.split(";")[0].split(",")[0].strip().strip('"')
        if cell and not cell.startswith("#") and cell.lower() not in ("commune", "communes"):
            communes.append(cell)
    return communes
