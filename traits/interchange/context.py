"""What the validation of one import knows as it goes, table after table.

``Known`` is what the database holds; ``Parsed`` is what the file gives; ``Context`` carries
both, and resolves references between sheets: an organisation by its id or by its name, a
need or an offer by its id or by its title within its organisation.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from traits import rules
from traits.errors import Problem
from traits.interchange.columns import FILES_BY_NAME, fold
from traits.interchange.readers import RawTable
from traits.interchange.row import Row
from traits.interchange.stored import StoredRows, keep_stored
from traits.model import Contact, Diagnostic, Item, Organisation, Partnership, Territory

E = TypeVar("E")
#: The ids the import makes for rows without one (see ``rules.stable_id``): not shown as typed.
_GENERATED = re.compile(r"^[a-z]+-(?:[a-z0-9-]+-)?[0-9a-f]{8}$")

DEFAULT_TERRITORY = Territory("defaut", "Territoire par défaut")
_A = {"need": "un besoin", "offer": "une offre"}


@dataclass
class Known:
    """What the database already holds, for reference and duplicate checks."""

    territories: set[str] = field(default_factory=set)
    org_territory: dict[str, str] = field(default_factory=dict)
    org_names: dict[str, str] = field(default_factory=dict)
    siret_org: dict[str, str] = field(default_factory=dict)
    name_commune_org: dict[tuple[str, str], str] = field(default_factory=dict)
    diagnostic_org: dict[str, str] = field(default_factory=dict)
    item_org_direction: dict[str, tuple[str, str]] = field(default_factory=dict)
    item_titles: dict[str, str] = field(default_factory=dict)
    contacts: set[str] = field(default_factory=set)
    partnership_pairs: dict[tuple[str, str], str] = field(default_factory=dict)
    partnerships: dict[str, str] = field(default_factory=dict)  # id -> status
    territory_communes: dict[str, list[str]] = field(default_factory=dict)
    territory_names: dict[str, str] = field(default_factory=dict)
    org_communes: dict[str, str] = field(default_factory=dict)


@dataclass
class Parsed:
    """A validated territory folder, ready to be written."""

    territories: list[Territory] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    partnerships: list[Partnership] = field(default_factory=list)
    relevance: list[tuple[str, str, int]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Template example rows left in each sheet, ignored (table name → count).
    ignored: dict[str, int] = field(default_factory=dict)
    #: Each table's rows that built a record, with it (where a later check points its problem).
    located: dict[str, list[tuple[Row, object]]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass
class Hooks:
    """What validation asks of the rest of traits (all optional, all pure)."""

    #: text → (subcategory code or None, its category or None, suggestions)
    resolve_subcategory: Callable[[str], tuple[str | None, list[str]]] | None = None
    #: (commune, postcode) → (lat, lon) or None
    geocode: Callable[[str | None, str | None], tuple[float, float] | None] | None = None
    #: commune → close names, to suggest
    suggest_commune: Callable[[str], list[str]] | None = None
    #: (territory's communes or EPCI, commune, postcode) → False when clearly outside
    in_territory: Callable[[list[str], str | None, str | None], bool] | None = None
    #: text → (category, subcategory code) for everyday words such as « prêt de matériel »
    category_of: Callable[[str], tuple[str, str] | None] | None = None
    #: (table, keys) → the stored rows of those keys, for the columns a sheet leaves out
    stored: StoredRows | None = None
    #: territory id → whether the caller may read it, hence see its records named in a message
    #: (None: every territory; see docs/security.md, Roles and territories)
    may_read: Callable[[str], bool] | None = None


def is_example(record: dict[str, str], id_column: str) -> bool:
    """A template example row: an id starting with « exemple », or a cell marked « (exemple) »."""
    return fold(record.get(id_column, "")).startswith("exemple") or any(
        "(exemple)" in v.lower() for v in record.values() if v
    )


def closest(name: str, candidates: list[str], k: int = 3) -> str:
    """« Proches : A, B. » for a name not found (empty when nothing is close)."""
    by_key = {fold(c): c for c in candidates}
    keys = difflib.get_close_matches(fold(name), list(by_key), n=k, cutoff=0.5)
    return (
        f" Noms proches : {', '.join('« ' + by_key[key] + ' »' for key in keys)}." if keys else ""
    )


class Context:
    """The import under validation: tables, database state, hooks and what is built so far."""

    def __init__(
        self,
        tables: dict[str, RawTable],
        known: Known,
        territory: Territory | None,
        hooks: Hooks,
    ):
        self.tables = {n: t for n, t in tables.items() if t.header_ok}
        self._unread = {n for n, t in tables.items() if not t.header_ok}
        if "organisations" not in tables:
            self._unread.add("organisations")  # said once by ``validate``
        self._ignored = next((t.ignored for t in tables.values()), [])
        self.known, self.territory, self.hooks = known, territory, hooks
        self.default = territory or DEFAULT_TERRITORY
        #: With a territory given, references resolve within it (and the file's own rows).
        self.scope = territory.territory_id if territory else None
        self.parsed = Parsed()
        self.out = self.parsed.problems
        self._hints_left = 10
        self.example_keys: set[str] = set()  # ids, names and titles of template examples
        self.generated: set[str] = set()  # ids made here, for rows that had none
        self.made_communes: dict[str, str] = {}  # organisation id made here → its commune
        self.org_ids: set[str] = set(known.org_territory)
        self.org_names: dict[str, str] = dict(known.org_names)
        self._file_names: dict[str, set[str]] = {}
        self._file_ids: set[str] = set()
        self.diag_org: dict[str, str] = dict(known.diagnostic_org)
        self._known_names: dict[str, set[str]] = {}
        for oid, name in known.org_names.items():
            self._known_names.setdefault(fold(name), set()).add(oid)
        self.items: dict[str, tuple[str, str, str]] = {}
        self._titles: dict[tuple[str, ...], set[str]] = {}  # (org?, direction, title) → ids
        for iid, (org, direction) in known.item_org_direction.items():
            self.add_item(iid, org, direction, known.item_titles.get(iid, ""))
        self.partnerships: dict[str, Partnership] = {}
        self.partnership_lines: dict[str, int] = {}  # partnership → its row in the sheet
        self.org_communes: dict[str, str] = dict(known.org_communes)
        #: Every row read (table → rows): what refers to a row refused for its own problem is
        #: left out rather than reported « introuvable » (one mistake, one error).
        self.read: dict[str, list[Row]] = {}
        self.diag_by_date: dict[tuple[str, str], str] = {}  # (org, ISO date) → diagnostic

    # -- rows --------------------------------------------------------------------------------

    def rows(self, name: str, build: Callable[[Row], E | None]) -> list[tuple[Row, E]]:
        """Build every row of a table; template example rows are skipped with one notice."""
        table = self.tables.get(name)
        if table is None:
            return []
        built, examples = [], []
        id_column = table.spec.columns[0].name
        for line, record in table.records():
            named = any(fold(v) in self.example_keys for v in record.values() if v)
            if is_example(record, id_column) or named:
                examples.append(line)
                # Rows of other sheets naming this example (by id, name or title) are examples too.
                self.example_keys |= {
                    fold(record[c]) for c in (id_column, "name", "title") if record.get(c)
                }
                continue
            row = Row(table, line, record, self.out)
            self.read.setdefault(name, []).append(row)
            obj = build(row)
            if obj is not None and row.ok:
                built.append((row, obj))
                self.parsed.located.setdefault(name, []).append((row, obj))
        if examples:
            self.parsed.ignored[name] = len(examples)
            lines = ", ".join(str(n) for n in examples)
            self.out.append(
                Problem(
                    f"ligne{'s' if len(examples) > 1 else ''} {lines} : exemple du modèle, "
                    "ignoré (supprimez-le ou remplacez-le par vos données).",
                    file=table.source,
                    severity="warning",
                )
            )
        return built

    def unique(
        self, rows: list[tuple[Row, E]], key: Callable[[E], str], column: str, what: str
    ) -> list[tuple[Row, E]]:
        """Rows whose key was not already used by an earlier row (the others are errors)."""
        seen: dict[str, int] = {}
        kept = []
        for row, obj in rows:
            k = key(obj)
            if k in seen:
                if k in self.generated:
                    row.error(
                        column,
                        f"{what} déjà décrit(e) ligne {seen[k]} : si c'est la même, fusionnez "
                        "les deux lignes ; sinon, donnez à chacune son propre identifiant "
                        "dans cette colonne.",
                    )
                else:
                    row.error(
                        column,
                        f"identifiant « {k} » déjà utilisé ligne {seen[k]} : chaque ligne doit "
                        "avoir son propre identifiant.",
                    )
                continue
            seen[k] = row.line
            kept.append((row, obj))
        return kept

    def keep_stored(self, name: str, rows: list[tuple[Row, E]]) -> list[tuple[Row, E]]:
        """The rows, with what their sheet leaves out taken from the records they update."""
        return keep_stored(name, rows, self.hooks.stored, self.out, self.hooks.geocode)

    def make_id(self, row: Row, column: str, prefix: str, *parts: str) -> str | None:
        """The row's id, or a stable one made from what identifies the row."""
        given = row.ident(column, required=False)
        if given is not None or row.raw(column):
            return given
        made = rules.stable_id(prefix, *parts)
        self.generated.add(made)
        return made

    def follows_refused(
        self, row: Row, table: str, match: Callable[[dict[str, str]], bool]
    ) -> bool:
        """Whether the row refers to a row of ``table`` refused for its own problem: the row
        is then left out without a second message (the first one says what to fix)."""
        if any(not other.ok and match(other.record) for other in self.read.get(table, ())):
            row.ok = False
            return True
        return False

    def unread(self, row: Row, table: str) -> bool:
        """Whether a reference to ``table`` that is not found cannot be checked: its sheet is
        missing or its headers were refused (said once). The row is then left out silently
        (one mistake, one error), except the first reference to a table whose sheet may be one
        the workbook left unread, which is told so."""
        if table in self._unread:
            row.ok = False
            return True
        if table not in self.tables and self._ignored:
            self._unread.add(table)
        return False

    def unread_hint(self, table: str) -> str:
        """For the first reference not found to a table whose sheet is absent while some sheets
        were not recognised: which ones (the sheet may be one of them)."""
        if table in self.tables or not self._ignored:
            return ""
        shown = ", ".join(f"« {name} »" for name in self._ignored)
        return (
            f" L'onglet « {FILES_BY_NAME[table].label} » est absent du classeur : s'il s'agit "
            f"de l'un des onglets non reconnus ({shown}), renommez-le « "
            f"{FILES_BY_NAME[table].label} »."
        )

    def in_partnerships_sheet(self, row: Row, pid: str, advice: str) -> bool:
        """Whether ``pid`` is a partnership of the file's partnerships sheet. If not, the row
        is left out silently when it names a refused partnership row, else refused saying
        ``advice``: the same message whether the base holds that id or not (a refusal never
        tells whether another territory has a partnership of that id)."""
        if self.follows_refused(
            row, "partnerships", lambda p: p.get("partnership_id", "").strip() == pid
        ):
            return False
        if pid not in self.partnerships:
            row.error(
                "partnership_id",
                f"partenariat « {pid} » introuvable dans l'onglet des partenariats{advice}",
            )
            return False
        return True

    def closest(self, name: str, candidates: list[str]) -> str:
        """Close names for the first unknown names of an import (later ones go without, so
        that a sheet of thousands of wrong names is still refused in seconds)."""
        self._hints_left -= 1
        return closest(name, candidates) if self._hints_left >= 0 else ""

    # -- references ----------------------------------------------------------------------------

    def add_organisation(self, org: Organisation) -> None:
        """Make an organisation of the file known by its id and its name."""
        self.org_ids.add(org.org_id)
        self.org_names[org.org_id] = org.name
        self._file_ids.add(org.org_id)
        self.org_communes[org.org_id] = org.commune or ""
        self._file_names.setdefault(fold(org.name), set()).add(org.org_id)

    def shown(self, org_id: str) -> bool:
        """Whether a message may name this organisation: one of the file, or of a territory
        the caller may read."""
        territory = self.known.org_territory.get(org_id)
        return territory is None or self.hooks.may_read is None or self.hooks.may_read(territory)

    def org_label(self, org_id: str | None) -> str:
        """« Name » of an organisation for a message, or a neutral phrase when the caller may
        not read its territory (a refusal never discloses another territory's records)."""
        if org_id is None:
            return "« ? »"
        if not self.shown(org_id):
            return "une structure d'un autre territoire"
        return f"« {self.org_names.get(org_id, org_id)} »"

    def add_item(self, item_id: str, org_id: str, direction: str, title: str) -> None:
        """Make a need or an offer known by its id and its title."""
        self.items[item_id] = (org_id, direction, title)
        for key in ((org_id, direction, fold(title)), (direction, fold(title))):
            self._titles.setdefault(key, set()).add(item_id)

    def known_org_by_name(self, name: str, territory_id: str) -> str | None:
        """The id of the database's organisation of that name in that territory, if one."""
        found = [
            oid
            for oid in self._known_names.get(fold(name), ())
            if self.known.org_territory.get(oid) == territory_id
        ]
        return found[0] if len(found) == 1 else None

    def known_org_anywhere(self, row: Row, name: str, commune: str | None) -> str | None:
        """Without a territory: the database's one structure of that name (and that commune,
        when given), whatever its territory; several are an error listing them."""
        found = sorted(self._known_names.get(fold(name), ()))
        if commune:
            found = [o for o in found if self._same_place(self.known.org_communes.get(o), commune)]
        if len(found) > 1:
            places = sorted(
                f"« {self.org_names[o]} » ({self.known.org_communes.get(o) or 'sans commune'}, "
                f"territoire « {self.territory_name(self.known.org_territory[o])} »)"
                if self.shown(o)
                else "une structure d'un autre territoire"
                for o in found
            )
            row.error(
                "name",
                f"plusieurs structures de la base portent ce nom : {', '.join(places)} : "
                "choisissez le territoire de l'import, ou précisez la commune.",
            )
            return None
        return found[0] if found else None

    def _same_place(self, stored: str | None, commune: str) -> bool:
        if not stored or fold(stored) == fold(commune):
            return True
        geocode = self.hooks.geocode
        where = geocode(stored, None) if geocode is not None else None
        return where is not None and where == geocode(commune, None)  # type: ignore[misc]

    def territory_name(self, territory_id: str) -> str:
        """A territory as people know it: its name."""
        if self.territory is not None and territory_id == self.territory.territory_id:
            return self.known.territory_names.get(territory_id) or self.territory.name
        return self.known.territory_names.get(territory_id, territory_id)

    def is_import_territory(self, said: str) -> bool:
        """Whether a territory a row names (by id or name) is the import's (any, without one)."""
        own = self.territory
        return own is None or said == own.territory_id or rules.fold(said) == rules.fold(own.name)

    def refuse_other_territory(self, r: Row, column: str, said: str) -> None:
        """An import for a territory stays in it: a row naming another one is refused."""
        name = self.territory.name if self.territory else ""
        r.error(
            column,
            f"cette ligne est du territoire « {said} », mais ce fichier est importé pour "
            f"« {name} » : un import ne modifie pas un autre territoire ; videz la cellule, ou "
            "importez ce fichier pour son territoire.",
        )

    def foreign(self, org_id: str) -> str | None:
        """The territory (by name) of a stored organisation outside the import's territory."""
        if self.scope is None or org_id in self._file_ids:
            return None
        owner = self.known.org_territory.get(org_id)
        if owner in (None, self.scope):
            return None
        # Named only to a caller who may read it ("": another territory, unnamed).
        return self.territory_name(owner) if self.shown(org_id) else ""  # type: ignore[arg-type]

    def split_batch(self, rows: list[tuple[Row, Organisation]]) -> None:
        """Without a territory: say when new structures go to the default territory while the
        file's other structures are all of one territory (a batch split in two)."""
        if self.territory is not None:
            return
        unsaid = [(r, o) for r, o in rows if not r.raw("territory")]
        found = {
            self.known.org_territory[o.org_id]
            for _, o in unsaid
            if o.org_id in self.known.org_territory
        }
        new = [r.line for r, o in unsaid if o.org_id not in self.known.org_territory]
        if len(found) != 1 or not new or found == {self.default.territory_id}:
            return
        s = "s" if len(new) > 1 else ""
        self.out.append(
            Problem(
                f"ligne{s} {', '.join(map(str, new))} : nouvelle{s} structure{s}, rangée{s} "
                f"dans « {self.default.name} », alors que les autres structures de ce fichier "
                f"sont du territoire « {self.territory_name(found.pop())} » : pour les y "
                "ranger, importez le fichier en choisissant ce territoire.",
                file=rows[0][0].table.source,
                severity="warning",
            )
        )

    def refuse_foreign(self, row: Row, column: str, what: str, other: str) -> None:
        """A reference to another territory's record: the import would change that territory."""
        advice = (
            "ajoutez-la à l'onglet des structures si c'est une structure de ce territoire, "
            "sinon importez ce fichier pour son territoire."
            if what == "une structure"
            else "importez ce fichier pour son territoire, ou corrigez la cellule."
        )
        where = f"du territoire « {other} »" if other else "d'un autre territoire"
        row.error(
            column,
            f"« {row.raw(column)} » est {what} {where}, pas du territoire "
            f"« {self.territory_name(self.scope or '')} » de cet import : un import ne modifie "
            f"pas un autre territoire ; {advice}",
        )

    def org_ref(self, row: Row, column: str, required: bool = True) -> str | None:
        """An organisation named by its id or its name (case, accents, spaces ignored)."""
        value = row.raw(column)
        if not value:
            if required:
                row.error(
                    column,
                    "indiquez la structure (son nom, tel qu'écrit dans l'onglet des structures).",
                )
            return None
        if value in self.org_ids:
            other = self.foreign(value)
            if other is not None:
                self.refuse_foreign(row, column, "une structure", other)
                return None
            return value
        if row.rule(column, rules.identifier, value) is None:
            return None
        key = fold(value)
        stored = self._known_names.get(key, set())
        ids = self._file_names.get(key) or {o for o in stored if self.foreign(o) is None}
        if not ids and stored:
            self.refuse_foreign(row, column, "une structure", self.foreign(min(stored)) or "")
            return None
        if len(ids) == 1:
            return next(iter(ids))
        if ids:
            row.error(column, self._ambiguous(value, sorted(ids)))
            return None
        if self.unread(row, "organisations") or self.follows_refused(
            row,
            "organisations",
            lambda r: key in (fold(r.get("name", "")), fold(r.get("org_id", ""))),
        ):
            return None
        row.error(
            column,
            f"structure « {value} » introuvable : écrivez son nom tel qu'il figure dans "
            "l'onglet des structures (ou ajoutez-la)."
            + self.closest(
                value,
                [n for o, n in self.org_names.items() if self.foreign(o) is None and self.shown(o)],
            ),
        )
        return None

    def _ambiguous(self, value: str, ids: list[str]) -> str:
        """Which structures share a name, and what to write in the cell to choose one."""
        typed = [oid for oid in ids if oid not in self.generated and not _GENERATED.match(oid)]
        listed = ", ".join(
            f"« {self.org_names.get(oid, oid)} » ({self.org_communes.get(oid) or 'sans commune'}"
            + (f", identifiant « {oid} »" if oid in typed else "")
            + ")"
            for oid in ids
        )
        if len(typed) == len(ids):
            advice = (
                "écrivez dans cette cellule l'identifiant de la bonne structure, par exemple "
                f"« {typed[0]} »."
            )
        else:
            first = ids[0]
            place = self.org_communes.get(first) or ""
            example = rules.slug(f"{self.org_names.get(first, '')} {place}")
            advice = (
                "donnez à chacune un identifiant (colonne « identifiant » de l'onglet des "
                f"structures, par exemple « {example} ») et écrivez dans cette cellule celui de "
                "la bonne structure."
            )
        return f"plusieurs structures s'appellent « {value} » : {listed}. Pour choisir, {advice}"

    def owned_by(
        self, row: Row, item_column: str, item_id: str, org_column: str, org_id: str
    ) -> bool:
        """Whether a need or offer belongs to the organisation the row names (else an error)."""
        owner = self.items[item_id][0]
        if owner != org_id:
            row.error(
                org_column,
                f"« {row.raw(item_column)} » appartient à {self.org_label(owner)}, "
                f"pas à « {row.raw(org_column)} » : corrigez l'une des deux cellules.",
            )
        return owner == org_id

    def item_ref(self, row: Row, column: str, org_id: str | None, direction: str) -> str | None:
        """A need or an offer named by its id, or by its title within its organisation."""
        value = row.raw(column)
        if not value:
            return None
        what = "besoin" if direction == "need" else "offre"
        if row.rule(column, rules.identifier, value) is None:
            return None
        if value in self.items:
            info = self.items[value]
            other = self.foreign(info[0])
            if other is not None:
                self.refuse_foreign(row, column, f"{_A[direction]} d'une structure", other)
                return None
            if info[1] != direction:
                row.error(column, f"« {value} » n'est pas un(e) {what} : vérifiez la colonne.")
                return None
            return value
        key = (direction, fold(value)) if org_id is None else (org_id, direction, fold(value))
        titled = sorted(self._titles.get(key, ()))
        mine = [i for i in titled if self.foreign(self.items[i][0]) is None]
        if titled and not mine:
            other = self.foreign(self.items[titled[0]][0]) or ""
            self.refuse_foreign(row, column, f"{_A[direction]} d'une structure", other)
            return None
        if len(mine) == 1:
            return mine[0]
        if mine:
            row.error(
                column,
                f"plusieurs {what}s s'intitulent « {value} » : précisez la structure, ou "
                "donnez-leur des intitulés distincts.",
            )
        elif not self.unread(row, "items") and not self.follows_refused(
            row,
            "items",
            lambda r: fold(value) in (fold(r.get("title", "")), fold(r.get("item_id", ""))),
        ):
            owner = f" de {self.org_label(org_id)}" if org_id else ""
            titles = [t for org, d, t in self.items.values() if d == direction and org == org_id]
            row.error(
                column,
                f"{what} « {value} »{owner} introuvable : écrivez son intitulé tel qu'il figure "
                "dans l'onglet des besoins et offres."
                + (self.unread_hint("items") or self.closest(value, titles)),
            )
        return None
