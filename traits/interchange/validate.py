"""Validation: raw tables of text into typed domain objects, every problem collected at once.

Nothing here touches the database: what the database already holds comes in as ``Known``, so
the import can check references and duplicates before it writes anything.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from traits.errors import Problem
from traits.interchange.columns import (
    CATEGORY_VALUES,
    DIAGNOSTIC_STATUS_VALUES,
    DIRECTION_VALUES,
    KIND_VALUES,
    MODE_VALUES,
    PARTNERSHIP_STATUS_VALUES,
    YES_NO_VALUES,
    fold,
)
from traits.interchange.readers import RawTable
from traits.model import (
    Category,
    Contact,
    Diagnostic,
    DiagnosticStatus,
    Direction,
    Item,
    Organisation,
    OrgKind,
    Partnership,
    PartnershipMode,
    PartnershipStatus,
    StatusChange,
    Territory,
    siret_ok,
)

DEFAULT_TERRITORY = Territory("defaut", "Territoire par défaut")
MAX_ID = 120
#: Control, format (invisible) and line/paragraph separator characters have no place in an id.
_INVISIBLE = {"Cc", "Cf", "Cs", "Zl", "Zp"}

E = TypeVar("E")


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
    contacts: set[str] = field(default_factory=set)
    partnership_pairs: dict[tuple[str, str], str] = field(default_factory=dict)
    partnerships: dict[str, str] = field(default_factory=dict)  # id -> status


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

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


class _Row:
    """One row being validated: typed getters that record located problems."""

    def __init__(self, table: RawTable, line: int, record: dict[str, str], out: list[Problem]):
        self.table, self.line, self.record, self.out = table, line, record, out
        self.ok = True

    def error(self, column: str | None, message: str) -> None:
        self.ok = False
        self.out.append(Problem(message, file=self.table.source, row=self.line, column=column))

    def warn(self, column: str | None, message: str) -> None:
        self.out.append(Problem(message, self.table.source, self.line, column, severity="warning"))

    def text(self, col: str, required: bool = False) -> str | None:
        value = self.record.get(col, "").strip()
        if not value:
            if required:
                self.error(col, "valeur obligatoire manquante : remplissez cette cellule.")
            return None
        return value

    def ident(self, col: str, required: bool = True) -> str | None:
        value = self.text(col, required)
        problem = id_problem(value) if value is not None else None
        if problem is not None:
            self.error(col, problem)
            return None
        return value

    def enum(
        self, col: str, values: dict[str, str], what: str, required: bool = True
    ) -> str | None:
        value = self.text(col, required)
        if value is None:
            return None
        canonical = values.get(fold(value))
        if canonical is None:
            allowed = sorted({v for v in values.values()})
            self.error(
                col,
                f"{what} « {value} » inconnu(e) : valeurs possibles : {', '.join(allowed)} "
                "(ou leurs équivalents français).",
            )
        return canonical

    def number(self, col: str, lo: float | None = None, hi: float | None = None) -> float | None:
        value = self.text(col)
        if value is None:
            return None
        try:
            number = float(value.replace("\u202f", "").replace(" ", "").replace(",", "."))
        except ValueError:
            self.error(
                col, f"« {value} » n'est pas un nombre : écrivez par exemple 48,35 ou 48.35."
            )
            return None
        if number != number or (lo is not None and number < lo) or (hi is not None and number > hi):
            self.error(col, f"{value} est hors des valeurs possibles ({lo} à {hi}).")
            return None
        return number

    def date(self, col: str, required: bool = False) -> dt.date | None:
        value = self.text(col, required)
        if value is None:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.error(col, f"date « {value} » illisible : écrivez-la 2024-03-15 ou 15/03/2024.")
        return parsed

    def datetime(self, col: str, required: bool = False) -> dt.datetime | None:
        value = self.text(col, required)
        if value is None:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            self.error(col, f"date « {value} » illisible : écrivez-la 2024-03-15 ou 15/03/2024.")
        return parsed


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an identifier (None: it can), in French."""
    if not 1 <= len(value) <= MAX_ID or any(unicodedata.category(c) in _INVISIBLE for c in value):
        return (
            f"identifiant invalide : au plus {MAX_ID} caractères, sans saut de ligne, "
            "tabulation ni caractère invisible."
        )
    return None


def parse_date(value: str) -> dt.date | None:
    """ISO ``2024-03-15`` (a time part is ignored) or French ``15/03/2024``."""
    stamp = parse_datetime(value)
    return stamp.date() if stamp else None


def parse_datetime(value: str) -> dt.datetime | None:
    """ISO date or date-time, or French ``15/03/2024`` (optionally with ``14:30``)."""
    value = value.strip()
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        pass
    for fmt in ("%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _split_list(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip() for part in re.split(r"[|;,]", value) if part.strip()]


def _rows(
    tables: dict[str, RawTable], name: str, out: list[Problem], build: Callable[[_Row], E | None]
) -> list[tuple[_Row, E]]:
    table = tables.get(name)
    if table is None:
        return []
    built = []
    for line, record in table.records():
        row = _Row(table, line, record, out)
        obj = build(row)
        if obj is not None and row.ok:
            built.append((row, obj))
    return built


def _unique(
    rows: list[tuple[_Row, E]], key: Callable[[E], str], what: str, column: str
) -> list[tuple[_Row, E]]:
    seen: dict[str, int] = {}
    kept = []
    for row, obj in rows:
        k = key(obj)
        if k in seen:
            row.error(
                column,
                f"{what} « {k} » déjà utilisé ligne {seen[k]} : chaque ligne doit avoir "
                "son propre identifiant.",
            )
            continue
        seen[k] = row.line
        kept.append((row, obj))
    return kept


def _ids_in(tables: dict[str, RawTable], name: str, column: str) -> set[str]:
    table = tables.get(name)
    if table is None:
        return set()
    return {r[column].strip() for _, r in table.records() if r.get(column, "").strip()}


def validate(
    tables: dict[str, RawTable],
    known: Known | None = None,
    *,
    territory: Territory | None = None,
    resolve_subcategory: Callable[[str], tuple[str | None, list[str]]] | None = None,
    geocode: Callable[[str | None, str | None], tuple[float, float] | None] | None = None,
    suggest_commune: Callable[[str], list[str]] | None = None,
) -> Parsed:
    """Check every table and build domain objects; problems are collected, never raised.

    ``resolve_subcategory(text)`` returns (code or None, suggestions); ``geocode(commune,
    postcode)`` returns (lat, lon) or None.
    """
    known = known or Known()
    parsed = Parsed()
    out = parsed.problems
    for table in tables.values():
        out.extend(table.problems)
    if "organisations" not in tables:
        out.append(
            Problem(
                "fichier organisations.csv (ou feuille « organisations ») introuvable : "
                "un territoire a au moins ses organisations et ses besoins et offres.",
                file="organisations.csv",
            )
        )
    # A table whose headers are broken is not read row by row (its errors are listed).
    usable = {n: t for n, t in tables.items() if t.header_ok}

    # Territories
    def build_territory(r: _Row) -> Territory | None:
        tid, name = r.ident("territory_id"), r.text("name", True)
        if tid is None or name is None:
            return None
        communes = [c.strip() for c in (r.text("communes") or "").split("|") if c.strip()]
        return Territory(tid, name, communes, r.text("facilitator"))

    terr_rows = _unique(
        _rows(usable, "territories", out, build_territory),
        lambda t: t.territory_id,
        "territoire",
        "territory_id",
    )
    territories = {t.territory_id: t for _, t in terr_rows}
    default = territory or DEFAULT_TERRITORY

    # Organisations
    def build_org(r: _Row) -> Organisation | None:
        oid, name = r.ident("org_id"), r.text("name", True)
        kind = r.enum("kind", KIND_VALUES, "type de structure")
        siret = r.text("siret")
        if siret is not None:
            siret = re.sub(r"[\s.\u202f]", "", siret)
            if not siret.isdigit() or len(siret) != 14:
                r.error("siret", f"SIRET « {siret} » : il faut 14 chiffres (ou laissez vide).")
            elif not siret_ok(siret):
                r.error(
                    "siret",
                    f"SIRET « {siret} » invalide (la clé de contrôle ne correspond pas) : "
                    "vérifiez-le sur l'annuaire des entreprises ou laissez la cellule vide.",
                )
        lat = r.number("lat", -90, 90)
        lon = r.number("lon", -180, 180)
        if (lat is None) != (lon is None) and r.ok:
            r.error(
                "lat" if lat is None else "lon", "donnez la latitude et la longitude, ou aucune."
            )
        postcode = r.text("postcode")
        if postcode is not None and not re.fullmatch(r"\d{5}", postcode):
            r.warn("postcode", f"code postal « {postcode} » inhabituel (5 chiffres attendus).")
        commune = r.text("commune")
        # Named in the row, else given to the import, else where the organisation already is.
        tid = (
            r.ident("territory", required=False)
            or (territory.territory_id if territory else None)
            or (known.org_territory.get(oid) if oid else None)
            or default.territory_id
        )
        if oid is None or name is None or kind is None:
            return None
        if lat is None and lon is None and geocode is not None and (commune or postcode):
            found = geocode(commune, postcode)
            if found is not None:
                lat, lon = found
            else:
                hint = ""
                if commune and suggest_commune is not None:
                    close = suggest_commune(commune)
                    if close:
                        hint = " Vouliez-vous dire : " + ", ".join(close) + " ?"
                r.warn(
                    "commune",
                    f"commune « {commune or postcode} » introuvable : la structure n'aura pas de "
                    "coordonnées (les distances ne seront pas calculées)." + hint,
                )
        return Organisation(
            oid,
            name,
            OrgKind(kind),
            tid,
            r.text("legal_form"),
            siret,
            commune,
            postcode,
            lat,
            lon,
            r.text("size"),
            r.text("description"),
        )

    org_rows = _unique(
        _rows(usable, "organisations", out, build_org), lambda o: o.org_id, "identifiant", "org_id"
    )
    if "organisations" in usable and not tables["organisations"].rows:
        out.append(
            Problem(
                "aucune organisation : ajoutez au moins une ligne.", tables["organisations"].source
            )
        )
    sirets: dict[str, tuple[str, int]] = {}
    names: dict[tuple[str, str], tuple[str, int]] = {}
    for row, org in org_rows:
        if org.territory_id not in territories and org.territory_id not in known.territories:
            territories[org.territory_id] = (
                default
                if org.territory_id == default.territory_id
                else Territory(org.territory_id, org.territory_id)
            )
        if org.siret:
            prior = sirets.get(org.siret)
            db_prior = known.siret_org.get(org.siret)
            if prior:
                row.warn("siret", f"même SIRET que « {prior[0]} » (ligne {prior[1]}) : doublon ?")
            elif db_prior and db_prior != org.org_id:
                row.warn("siret", f"même SIRET que « {db_prior} », déjà en base : doublon ?")
            sirets.setdefault(org.siret, (org.org_id, row.line))
        key = (fold(org.name), fold(org.commune or ""))
        prior_n = names.get(key)
        db_n = known.name_commune_org.get(key)
        if prior_n:
            row.warn(
                "name",
                f"même nom et même commune que « {prior_n[0]} » (ligne {prior_n[1]}) : doublon ?",
            )
        elif db_n and db_n != org.org_id:
            row.warn("name", f"même nom et même commune que « {db_n} », déjà en base : doublon ?")
        names.setdefault(key, (org.org_id, row.line))
        parsed.organisations.append(org)
    parsed.territories = list(territories.values())
    # Rows refused for another reason still count as present, so one error does not cascade.
    org_ids = set(known.org_territory) | _ids_in(usable, "organisations", "org_id")

    def check_org(r: _Row, col: str, oid: str | None) -> bool:
        if oid is not None and oid not in org_ids:
            r.error(
                col,
                f"structure « {oid} » inconnue : ajoutez-la à organisations.csv ou corrigez "
                "l'identifiant.",
            )
            return False
        return oid is not None

    # Diagnostics
    def build_diag(r: _Row) -> Diagnostic | None:
        did, oid, date = r.ident("diagnostic_id"), r.ident("org_id"), r.date("date", True)
        status = r.enum("status", DIAGNOSTIC_STATUS_VALUES, "statut", required=False)
        if not check_org(r, "org_id", oid) or did is None or date is None:
            return None
        return Diagnostic(
            did,
            oid,
            date,
            r.text("facilitator"),
            r.text("practices"),
            r.text("motivations"),
            r.text("obstacles"),
            r.text("notes"),
            DiagnosticStatus(status or "complete"),
        )

    diag_rows = _unique(
        _rows(usable, "diagnostics", out, build_diag),
        lambda d: d.diagnostic_id,
        "identifiant",
        "diagnostic_id",
    )
    parsed.diagnostics = [d for _, d in diag_rows]
    diag_org = dict(known.diagnostic_org) | {d.diagnostic_id: d.org_id for d in parsed.diagnostics}

    # Items
    def build_item(r: _Row) -> Item | None:
        iid, oid = r.ident("item_id"), r.ident("org_id")
        direction = r.enum("direction", DIRECTION_VALUES, "sens")
        category = r.enum("category", CATEGORY_VALUES, "catégorie")
        title = r.text("title", True)
        sub = r.text("subcategory")
        if sub is not None and resolve_subcategory is not None:
            code, suggestions = resolve_subcategory(sub)
            if code is None:
                hint = f" Proches : {', '.join(suggestions)}." if suggestions else ""
                r.error(
                    "subcategory",
                    f"sous-catégorie « {sub} » inconnue : laissez vide ou choisissez-en une de "
                    f"la liste (commande « traits vocabulary »).{hint}",
                )
            sub = code
        did = r.ident("diagnostic_id", required=False)
        if did is not None and did not in diag_org:
            r.error("diagnostic_id", f"diagnostic « {did} » inconnu : corrigez ou laissez vide.")
        elif did is not None and oid is not None and diag_org[did] != oid:
            r.error("diagnostic_id", f"le diagnostic « {did} » concerne une autre structure.")
        if not check_org(r, "org_id", oid) or None in (iid, direction, category, title):
            return None
        return Item(
            iid,
            oid,
            Direction(direction),
            Category(category),
            title,
            r.text("description"),
            sub,
            r.text("quantity"),
            did,
        )

    item_rows = _unique(
        _rows(usable, "items", out, build_item), lambda i: i.item_id, "identifiant", "item_id"
    )
    for row, item in item_rows:
        prior = known.item_org_direction.get(item.item_id)
        if prior is not None and prior[0] != item.org_id:
            row.error(
                "item_id",
                f"l'identifiant « {item.item_id} » est déjà celui d'un besoin ou d'une offre de "
                f"« {prior[0]} » (territoire « {known.org_territory.get(prior[0], '?')} ») : "
                "choisissez un autre identifiant.",
            )
            continue
        parsed.items.append(item)
    items_info = dict(known.item_org_direction) | {
        i.item_id: (i.org_id, i.direction.value) for i in parsed.items
    }

    # Contacts
    def build_contact(r: _Row) -> Contact | None:
        cid, oid, name = r.ident("contact_id"), r.ident("org_id"), r.text("name", True)
        consent_text = r.text("consent", True)
        consent = None
        if consent_text is not None:
            consent = YES_NO_VALUES.get(fold(consent_text))
            if consent is None:
                r.error("consent", f"« {consent_text} » : écrivez oui ou non.")
        email = r.text("email")
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            r.error("email", f"adresse « {email} » invalide : corrigez-la ou laissez vide.")
        if not check_org(r, "org_id", oid) or None in (cid, name, consent):
            return None
        return Contact(
            cid,
            oid,
            name,
            bool(consent),
            r.text("role"),
            email,
            r.text("phone"),
            r.date("consent_date"),
            r.text("consent_source"),
            r.text("consent_scope"),
        )

    parsed.contacts = [
        c
        for _, c in _unique(
            _rows(usable, "contacts", out, build_contact),
            lambda c: c.contact_id,
            "identifiant",
            "contact_id",
        )
    ]

    # Partnerships
    def build_partnership(r: _Row) -> Partnership | None:
        pid = r.ident("partnership_id")
        need, offer = r.ident("need_id", False), r.ident("offer_id", False)
        org_a, org_b = r.ident("org_a", False), r.ident("org_b", False)
        for col, iid, want in (("need_id", need, "need"), ("offer_id", offer, "offer")):
            if iid is None:
                continue
            info = items_info.get(iid)
            if info is None:
                r.error(
                    col,
                    f"« {iid} » n'est ni un besoin ni une offre connus : corrigez l'identifiant.",
                )
            elif info[1] != want:
                what = "un besoin" if want == "need" else "une offre"
                r.error(
                    col, f"« {iid} » n'est pas {what} : vérifiez les colonnes need_id et offer_id."
                )
            elif col == "need_id":
                if org_a is None:
                    org_a = info[0]
                elif org_a != info[0]:
                    r.error(
                        "org_a", f"org_a doit être la structure du besoin « {iid} » ({info[0]})."
                    )
            else:
                if org_b is None:
                    org_b = info[0]
                elif org_b != info[0]:
                    r.error(
                        "org_b", f"org_b doit être la structure de l'offre « {iid} » ({info[0]})."
                    )
        if org_a is None:
            r.error(
                "org_a", "indiquez la structure qui a le besoin (org_a) ou le besoin (need_id)."
            )
        if org_b is None:
            r.error("org_b", "indiquez l'autre structure (org_b) ou l'offre (offer_id).")
        check_org(r, "org_a", org_a)
        check_org(r, "org_b", org_b)
        if org_a is not None and org_a == org_b:
            r.error(
                "org_b",
                "un partenariat réunit deux structures différentes : le besoin et l'offre "
                "appartiennent ici à la même structure.",
            )
        status = r.enum("status", PARTNERSHIP_STATUS_VALUES, "statut")
        mode = r.enum("mode", MODE_VALUES, "mode", required=False)
        categories = []
        for cat in _split_list(r.text("categories")):
            canonical = CATEGORY_VALUES.get(fold(cat))
            if canonical is None:
                r.error("categories", f"catégorie « {cat} » inconnue.")
            else:
                categories.append(Category(canonical))
        reason = r.text("abandon_reason")
        if status == PartnershipStatus.ABANDONED and reason is None:
            r.error("abandon_reason", "un partenariat abandonné doit avoir un motif d'abandon.")
        values = [r.number(c, 0, None) for c in ("value_hours", "value_euros", "value_quantity")]
        created = r.date("created")
        if pid is None or status is None or org_a is None or org_b is None:
            return None
        return Partnership(
            pid,
            org_a,
            org_b,
            PartnershipStatus(status),
            need,
            offer,
            PartnershipMode(mode) if mode else None,
            categories,
            values[0],
            values[1],
            values[2],
            r.text("value_unit"),
            reason,
            created,
            r.text("notes"),
        )

    part_rows = _unique(
        _rows(usable, "partnerships", out, build_partnership),
        lambda p: p.partnership_id,
        "identifiant",
        "partnership_id",
    )
    pairs: dict[tuple[str, str], tuple[str, int]] = {}
    for row, part in part_rows:
        if part.need_id and part.offer_id:
            pair = (part.need_id, part.offer_id)
            prior = pairs.get(pair)
            db_prior = known.partnership_pairs.get(pair)
            if prior is not None:
                row.error(
                    "offer_id",
                    "ce besoin et cette offre forment déjà le partenariat "
                    f"« {prior[0]} » (ligne {prior[1]}).",
                )
                continue
            if db_prior is not None and db_prior != part.partnership_id:
                row.error(
                    "offer_id",
                    f"ce besoin et cette offre forment déjà le partenariat « {db_prior} » en base.",
                )
                continue
            pairs[pair] = (part.partnership_id, row.line)
        parsed.partnerships.append(part)
    by_id = {p.partnership_id: p for p in parsed.partnerships}

    # History
    def build_event(r: _Row) -> StatusChange | None:
        pid = r.ident("partnership_id")
        at = r.datetime("at", True)
        to_status = r.enum("to_status", PARTNERSHIP_STATUS_VALUES, "statut")
        from_status = r.enum("from_status", PARTNERSHIP_STATUS_VALUES, "statut", required=False)
        if pid is not None and pid not in by_id and pid not in known.partnerships:
            r.error(
                "partnership_id", f"partenariat « {pid} » inconnu : ajoutez-le à partnerships.csv."
            )
            return None
        if pid is None or at is None or to_status is None:
            return None
        return StatusChange(
            pid,
            at,
            PartnershipStatus(to_status),
            PartnershipStatus(from_status) if from_status else None,
            r.text("author"),
            r.text("note"),
        )

    for _, event in _rows(usable, "partnership_events", out, build_event):
        if event.partnership_id in by_id:
            by_id[event.partnership_id].history.append(event)
    for part in parsed.partnerships:
        part.history.sort(key=lambda e: e.at)
        if not part.history and part.partnership_id not in known.partnerships:
            stamp = dt.datetime.combine(part.created or dt.date.today(), dt.time())
            part.history.append(
                StatusChange(part.partnership_id, stamp, part.status, None, None, "import")
            )
        elif part.history and part.history[-1].to_status != part.status:
            out.append(
                Problem(
                    f"le partenariat « {part.partnership_id} » a le statut « {part.status} » mais "
                    f"son historique se termine par « {part.history[-1].to_status} ».",
                    file="partnership_events.csv",
                    severity="warning",
                )
            )

    # Relevance (labelled sets)
    def build_relevance(r: _Row) -> tuple[str, str, int] | None:
        need, offer = r.ident("need_id"), r.ident("offer_id")
        grade = r.number("grade", 0, 3)
        for col, iid in (("need_id", need), ("offer_id", offer)):
            if iid is not None and iid not in items_info:
                r.error(col, f"« {iid} » n'est ni un besoin ni une offre connus.")
        if need is None or offer is None or grade is None:
            return None
        return (need, offer, int(grade))

    parsed.relevance = [x for _, x in _rows(usable, "relevance", out, build_relevance)]
    return parsed
