"""Validation: raw tables of text into typed domain objects, every problem collected at once.

One function per table, in reading order (references point backwards), over one
:class:`~traits.interchange.context.Context`. Values go through the field rules of
:mod:`traits.rules`, the same as the forms'. Nothing here touches the database: what it
already holds comes in as ``Known``, so references and duplicates are checked before writing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from traits import headcount, rules
from traits.errors import Problem
from traits.interchange.columns import (
    CATEGORY_PHRASES,
    CATEGORY_VALUES,
    DIAGNOSTIC_STATUS_VALUES,
    DIRECTION_VALUES,
    KIND_AMBIGUOUS,
    KIND_VALUES,
    MODE_VALUES,
    PARTNERSHIP_STATUS_VALUES,
    fold,
)
from traits.interchange.context import DEFAULT_TERRITORY, Context, Hooks, Known, Parsed
from traits.interchange.history import events
from traits.interchange.members import members
from traits.interchange.readers import RawTable, missing_structures
from traits.interchange.row import Row, french_values
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
    Territory,
)

__all__ = ["DEFAULT_TERRITORY", "Hooks", "Known", "Parsed", "id_problem", "parse_date", "validate"]


def id_problem(value: str) -> str | None:
    """Why ``value`` cannot be an identifier (None: it can), in French."""
    try:
        rules.identifier(value)
    except rules.FieldError as exc:
        return exc.message
    return None


def parse_date(value: str) -> dt.date | None:
    """A date as people type it (see :func:`traits.rules.date`), or None when unreadable."""
    try:
        return rules.date(value)
    except rules.FieldError:
        return None


def _split_list(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip() for part in re.split(r"[|;,]", value) if part.strip()]


def _territories(ctx: Context) -> dict[str, Territory]:
    def build(r: Row) -> Territory | None:
        name = r.text("name", True)
        tid = ctx.make_id(r, "territory_id", "t", name or "") if name else r.ident("territory_id")
        if tid is None or name is None:
            return None
        if not ctx.is_import_territory(tid) and not ctx.is_import_territory(name):
            ctx.refuse_other_territory(r, "name", name)
            return None
        communes = [c.strip() for c in (r.raw("communes")).split("|") if c.strip()]
        return Territory(tid, name, communes, r.text("facilitator"))

    rows = ctx.unique(
        ctx.rows("territories", build), lambda t: t.territory_id, "territory_id", "territoire"
    )
    rows = ctx.keep_stored("territories", rows)
    return {t.territory_id: t for _, t in rows}


def _locate(ctx: Context, r: Row, commune: str | None, postcode: str | None):  # type: ignore[no-untyped-def]
    """Coordinates from commune and postcode, or a warning saying the map will miss it."""
    geocode, suggest = ctx.hooks.geocode, ctx.hooks.suggest_commune
    if geocode is None or not (commune or postcode):
        return None
    found = geocode(commune, postcode)
    if found is None:
        close = suggest(commune) if commune and suggest is not None else []
        hint = " Vouliez-vous dire : " + ", ".join(close) + " ?" if close else ""
        r.warn(
            "commune",
            f"commune « {commune or postcode} » introuvable : la structure n'aura pas de "
            "coordonnées (les distances ne seront pas calculées)." + hint,
        )
    return found


def _build_org(ctx: Context, r: Row) -> Organisation | None:
    name = r.text("name", True)
    kind = r.enum("kind", KIND_VALUES, "type de structure", ambiguous=KIND_AMBIGUOUS)
    siret = r.rule("siret", rules.siret)
    lat = r.number("lat", -90, 90)
    lon = r.number("lon", -180, 180)
    if (lat is None) != (lon is None) and r.ok:
        r.error("lat" if lat is None else "lon", "donnez la latitude et la longitude, ou aucune.")
    postcode = r.noted("postcode", rules.postcode)
    size = r.noted("size", headcount.headcount)
    commune = r.text("commune")
    said = r.ident("territory", required=False)
    if said is not None and not ctx.is_import_territory(said):
        ctx.refuse_other_territory(r, "territory", said)
        return None
    tid = ctx.territory.territory_id if ctx.territory else said  # said: the import's, then
    oid = r.ident("org_id", required=False)
    if oid is None and not r.raw("org_id") and name:
        if tid is None:  # no territory said: where the structure already is, if anywhere
            oid = ctx.known_org_anywhere(r, name, commune)
        oid = oid or _org_id(ctx, r, tid or ctx.default.territory_id, name, commune)
    # Named in the row, else given to the import, else where the organisation already is.
    tid = tid or (ctx.known.org_territory.get(oid) if oid else None) or ctx.default.territory_id
    if oid is None or name is None or kind is None:
        return None
    if lat is None and lon is None:
        found = _locate(ctx, r, commune, postcode)
        if found is not None:
            lat, lon = found
    return Organisation(
        oid, name, OrgKind(kind), tid, r.text("legal_form"), siret, commune, postcode,
        lat, lon, size, r.text("description"),
    )  # fmt: skip


def _org_id(ctx: Context, r: Row, tid: str, name: str, commune: str | None) -> str | None:
    """The id of a row without one: the stored structure of that name (and commune, when
    several share the name), else one made from its name; a second structure of the same name
    in another commune gets one made from its name and commune."""
    known = ctx.known.name_commune_org.get((fold(name), fold(commune or "")))
    if known is not None and ctx.known.org_territory.get(known) == tid:
        return known
    oid = ctx.known_org_by_name(name, tid) or ctx.make_id(r, "org_id", "o", tid, name)
    first = ctx.made_communes.setdefault(oid or "", fold(commune or ""))
    if oid in ctx.generated and first != fold(commune or ""):
        oid = ctx.make_id(r, "org_id", "o", tid, name, commune or "")
    return oid


def _organisations(ctx: Context, territories: dict[str, Territory]) -> None:
    rows = ctx.unique(
        ctx.rows("organisations", lambda r: _build_org(ctx, r)), lambda o: o.org_id, "org_id",
        "structure",
    )  # fmt: skip
    rows = ctx.keep_stored("organisations", rows)
    table = ctx.tables.get("organisations")
    if table is not None and not table.rows:
        ctx.out.append(Problem("aucune structure : ajoutez au moins une ligne.", table.source))
    sirets: dict[str, tuple[str, int]] = {}
    names: dict[tuple[str, str], tuple[str, int]] = {}
    for row, org in rows:
        if org.territory_id not in territories and org.territory_id not in ctx.known.territories:
            territories[org.territory_id] = (
                ctx.default
                if org.territory_id == ctx.default.territory_id
                else Territory(org.territory_id, org.territory_id)
            )
        _check_in_territory(ctx, row, org, territories)
        if org.siret:
            prior, db_prior = sirets.get(org.siret), ctx.known.siret_org.get(org.siret)
            if prior:
                row.warn("siret", f"même SIRET que « {prior[0]} » (ligne {prior[1]}) : doublon ?")
            elif db_prior and db_prior != org.org_id:
                row.warn(
                    "siret",
                    f"même SIRET que {ctx.org_label(db_prior)}, déjà enregistrée : doublon ?",
                )
            sirets.setdefault(org.siret, (org.name, row.line))
        key = (fold(org.name), fold(org.commune or ""))
        prior_n, db_n = names.get(key), ctx.known.name_commune_org.get(key)
        if prior_n:
            row.warn("name", f"même nom et même commune que la ligne {prior_n[1]} : doublon ?")
        elif db_n and db_n != org.org_id:
            where = ctx.known.org_territory.get(db_n)
            elsewhere = (
                (f" du territoire « {ctx.territory_name(where)} »" if ctx.shown(db_n) else
                 " d'un autre territoire")
                if where and where != org.territory_id
                else " déjà enregistrée"
            )  # fmt: skip
            row.warn("name", f"même nom et même commune qu'une structure{elsewhere} : doublon ?")
        names.setdefault(key, (org.name, row.line))
        ctx.parsed.organisations.append(org)
        ctx.add_organisation(org)
    ctx.split_batch(rows)
    # Rows refused for another reason still count as present, so one error does not cascade.
    if table is not None:
        ctx.org_ids |= {
            r["org_id"].strip() for _, r in table.records() if r.get("org_id", "").strip()
        }


def _check_in_territory(ctx: Context, row: Row, org: Organisation, territories: dict) -> None:  # type: ignore[type-arg]
    """Warn when an organisation's commune lies outside its territory's communes."""
    check = ctx.hooks.in_territory
    territory = territories.get(org.territory_id)
    communes = (
        territory.communes if territory else ctx.known.territory_communes.get(org.territory_id, [])
    )
    if check is None or not communes or not (org.commune or org.postcode):
        return
    if not check(communes, org.commune, org.postcode):
        row.warn(
            "commune",
            f"« {org.commune or org.postcode} » n'est pas une commune du territoire : la "
            "structure est importée quand même, vérifiez la commune ou le territoire.",
        )


def _diagnostics(ctx: Context) -> None:
    def build(r: Row) -> Diagnostic | None:
        oid, date = ctx.org_ref(r, "org_id"), r.date("date", True)
        status = r.enum("status", DIAGNOSTIC_STATUS_VALUES, "statut", required=False)
        if oid is None or date is None:
            return None
        did = ctx.make_id(r, "diagnostic_id", "d", oid, date.isoformat())
        if did is None:
            return None
        return Diagnostic(
            did, oid, date, r.text("facilitator"), r.text("practices"), r.text("motivations"),
            r.text("obstacles"), r.text("notes"), DiagnosticStatus(status or "complete"),
        )  # fmt: skip

    rows = ctx.unique(
        ctx.rows("diagnostics", build), lambda d: d.diagnostic_id, "diagnostic_id", "entretien"
    )
    rows = ctx.keep_stored("diagnostics", rows)
    ctx.parsed.diagnostics = [d for _, d in rows]
    ctx.diag_org |= {d.diagnostic_id: d.org_id for d in ctx.parsed.diagnostics}
    # A diagnostic may be named by its date in the items sheet: one per organisation and date.
    ctx.diag_by_date = {
        (d.org_id, d.date.isoformat()): d.diagnostic_id for d in ctx.parsed.diagnostics
    }


def _category(ctx: Context, r: Row) -> tuple[str | None, str | None]:
    """The category, from a category word or an everyday one (« prêt de matériel »)."""
    value = r.value("category", True)
    if value is None:
        return None, None
    canonical = CATEGORY_VALUES.get(fold(value))
    if canonical is not None:
        return canonical, None
    found = CATEGORY_PHRASES.get(fold(value))
    if found is None and ctx.hooks.category_of is not None:
        found = ctx.hooks.category_of(value)
    if found is not None:
        return found
    r.error(
        "category", f"catégorie « {value} » inconnue : écrivez {french_values(CATEGORY_VALUES)}."
    )
    return None, None


def _subcategory(ctx: Context, r: Row, implied: str | None) -> str | None:
    sub = r.text("subcategory")
    if sub is None or ctx.hooks.resolve_subcategory is None:
        return sub or implied
    code, suggestions = ctx.hooks.resolve_subcategory(sub)
    if code is None:
        hint = f" Proches : {', '.join(suggestions)}." if suggestions else ""
        r.error(
            "subcategory",
            f"sous-catégorie « {sub} » inconnue : laissez vide ou choisissez-en une de la liste "
            f"(onglet « À lire » du modèle).{hint}",
        )
    return code


def _diagnostic_ref(ctx: Context, r: Row, oid: str | None) -> str | None:
    value = r.raw("diagnostic_id")
    if not value:
        return None
    did = value if value in ctx.diag_org else None
    if did is None and oid is None:  # the structure is wrong (said once) or left out
        return None
    if did is None:
        day = parse_date(value)
        did = ctx.diag_by_date.get((oid, day.isoformat())) if day else None
    names = {fold(oid or ""), fold(ctx.org_names.get(oid or "", ""))}
    day = parse_date(value)

    def refused(d: dict[str, str]) -> bool:
        """A refused interview of this structure, or of this date (its structure misspelt)."""
        return fold(d.get("org_id", "")) in names or (
            day is not None and parse_date(d.get("date", "")) == day
        )

    if (
        did is None
        and not ctx.unread(r, "diagnostics")
        and not ctx.follows_refused(r, "diagnostics", refused)
    ):
        r.error(
            "diagnostic_id",
            f"entretien « {r.shown('diagnostic_id')} » introuvable : écrivez la date d'un "
            "entretien de cette structure (onglet des entretiens), ou laissez vide."
            + ctx.unread_hint("diagnostics"),
        )
    elif did is not None and ctx.diag_org[did] != oid:
        r.error(
            "diagnostic_id",
            f"l'entretien « {r.shown('diagnostic_id')} » concerne une autre structure : écrivez "
            "la date d'un entretien de cette structure, ou laissez vide.",
        )
        return None
    return did


def _items(ctx: Context) -> None:
    def build(r: Row) -> Item | None:
        oid = ctx.org_ref(r, "org_id")
        direction = r.enum("direction", DIRECTION_VALUES, "sens")
        category, implied = _category(ctx, r)
        title = r.text("title", True)
        sub = _subcategory(ctx, r, implied)
        did = _diagnostic_ref(ctx, r, oid)
        if oid is None or direction is None or category is None or title is None:
            return None
        iid = ctx.make_id(r, "item_id", "i", oid, direction, title)
        if iid is None:
            return None
        return Item(
            iid, oid, Direction(direction), Category(category), title,
            r.text("description"), sub, r.text("quantity"), did,
        )  # fmt: skip

    for row, item in ctx.keep_stored(
        "items",
        ctx.unique(ctx.rows("items", build), lambda i: i.item_id, "item_id", "besoin ou offre"),
    ):
        prior = ctx.known.item_org_direction.get(item.item_id)
        if prior is not None and prior[0] != item.org_id:
            row.error(
                "item_id",
                f"l'identifiant « {item.item_id} » est déjà celui d'un besoin ou d'une offre "
                + (
                    f"de {ctx.org_label(prior[0])} (territoire "
                    f"« {ctx.territory_name(ctx.known.org_territory.get(prior[0], '?'))} »)"
                    if ctx.shown(prior[0])
                    else "d'un autre territoire"
                )
                + " : choisissez un autre identifiant.",
            )
            continue
        ctx.parsed.items.append(item)
        ctx.add_item(item.item_id, item.org_id, item.direction.value, item.title)


def _contacts(ctx: Context) -> None:
    def build(r: Row) -> Contact | None:
        oid, name = ctx.org_ref(r, "org_id"), r.text("name", True)
        consent = r.rule("consent", rules.yes_no)
        if consent is None and not r.raw("consent"):
            r.error("consent", "consentement manquant : écrivez « oui » ou « non ».")
        email = r.rule("email", rules.email)
        phone = r.noted("phone", rules.phone)
        if oid is None or name is None or consent is None:
            return None
        cid = ctx.make_id(r, "contact_id", "c", oid, name)
        if cid is None:
            return None
        return Contact(
            cid, oid, name, consent, r.text("role"), email, phone, r.date("consent_date"),
            r.text("consent_source"), r.text("consent_scope"),
        )  # fmt: skip

    rows = ctx.unique(ctx.rows("contacts", build), lambda c: c.contact_id, "contact_id", "contact")
    rows = ctx.keep_stored("contacts", rows)
    ctx.parsed.contacts = [c for _, c in rows]


def _parties(ctx: Context, r: Row) -> tuple[str | None, str | None, str | None, str | None]:
    """(org_a, org_b, need, offer): each structure by id or name, need and offer by title."""
    org_a, org_b = ctx.org_ref(r, "org_a", False), ctx.org_ref(r, "org_b", False)
    need = ctx.item_ref(r, "need_id", org_a, "need")
    offer = ctx.item_ref(r, "offer_id", org_b, "offer")
    for column, iid, label in (("need_id", need, "org_a"), ("offer_id", offer, "org_b")):
        if iid is None:
            continue
        owner = ctx.items[iid][0]
        given = org_a if label == "org_a" else org_b
        if given is not None:
            ctx.owned_by(r, column, iid, label, given)
        if label == "org_a":
            org_a = owner
        else:
            org_b = owner
    if org_a is None and not r.raw("org_a"):
        r.error("org_a", "indiquez la structure qui a le besoin (ou le besoin).")
    if org_b is None and not r.raw("org_b"):
        r.error("org_b", "indiquez la structure qui offre (ou l'offre).")
    if org_a is not None and org_a == org_b:
        r.error(
            "org_b",
            "un partenariat réunit deux structures différentes : ici la même structure a le "
            "besoin et l'offre.",
        )
    return org_a, org_b, need, offer


def _build_partnership(ctx: Context, r: Row) -> Partnership | None:
    org_a, org_b, need, offer = _parties(ctx, r)
    status = r.enum("status", PARTNERSHIP_STATUS_VALUES, "statut")
    mode = r.enum("mode", MODE_VALUES, "mode", required=False)
    categories = []
    for cat in _split_list(r.value("categories")):
        canonical = CATEGORY_VALUES.get(fold(cat)) or CATEGORY_PHRASES.get(fold(cat), (None,))[0]
        if canonical is None:
            r.error(
                "categories",
                f"catégorie « {cat} » inconnue : écrivez {french_values(CATEGORY_VALUES)}.",
            )
        else:
            categories.append(Category(canonical))
    reason = r.text("abandon_reason")
    hours = r.rule("value_hours", rules.hours)
    euros = r.rule("value_euros", rules.euros)
    quantity = r.rule("value_quantity", rules.quantity)
    created = r.date("created")
    if status is None or org_a is None or org_b is None:
        return None
    pid = ctx.make_id(r, "partnership_id", "p", org_a, org_b, need or "", offer or "")
    if pid is None:
        return None
    return Partnership(
        pid, org_a, org_b, PartnershipStatus(status), need, offer,
        PartnershipMode(mode) if mode else None, categories, hours, euros, quantity,
        r.text("value_unit"), reason, created, r.text("notes"), label=r.text("label"),
    )  # fmt: skip


def _partnerships(ctx: Context) -> None:
    rows = ctx.unique(
        ctx.rows("partnerships", lambda r: _build_partnership(ctx, r)),
        lambda p: p.partnership_id, "partnership_id", "partenariat",
    )  # fmt: skip
    pairs: dict[tuple[str, str], int] = {}
    for row, part in ctx.keep_stored("partnerships", rows):
        if part.status == PartnershipStatus.ABANDONED and part.abandon_reason is None:
            row.error("abandon_reason", "un partenariat abandonné doit avoir un motif d'abandon.")
            continue
        if part.need_id and part.offer_id:
            pair = (part.need_id, part.offer_id)
            db_prior = ctx.known.partnership_pairs.get(pair)
            if pair in pairs:
                row.error(
                    "offer_id",
                    "ce besoin et cette offre forment déjà le partenariat de la ligne "
                    f"{pairs[pair]}.",
                )
                continue
            if db_prior is not None and db_prior != part.partnership_id:
                shown = all(ctx.shown(ctx.items[i][0]) for i in pair if i in ctx.items)
                row.error(
                    "offer_id",
                    "ce besoin et cette offre forment déjà "
                    + (f"le partenariat « {db_prior} »" if shown else "un partenariat")
                    + ", déjà enregistré.",
                )
                continue
            pairs[pair] = row.line
        ctx.parsed.partnerships.append(part)
        ctx.partnerships[part.partnership_id] = part
        ctx.partnership_lines[part.partnership_id] = row.line


def _relevance(ctx: Context) -> None:
    def build(r: Row) -> tuple[str, str, int] | None:
        need, offer = r.ident("need_id"), r.ident("offer_id")
        grade = r.number("grade", 0, 3)
        for col, iid in (("need_id", need), ("offer_id", offer)):
            if iid is not None and iid not in ctx.items:
                r.error(col, f"« {iid} » n'est ni un besoin ni une offre connus.")
        if need is None or offer is None or grade is None:
            return None
        return (need, offer, int(grade))

    ctx.parsed.relevance = [x for _, x in ctx.rows("relevance", build)]


def validate(
    tables: dict[str, RawTable],
    known: Known | None = None,
    *,
    territory: Territory | None = None,
    hooks: Hooks | None = None,
    resolve_subcategory: Callable[[str], tuple[str | None, list[str]]] | None = None,
    geocode: Callable[[str | None, str | None], tuple[float, float] | None] | None = None,
    suggest_commune: Callable[[str], list[str]] | None = None,
) -> Parsed:
    """Check every table and build domain objects; problems are collected, never raised."""
    hooks = hooks or Hooks(resolve_subcategory, geocode, suggest_commune)
    ctx = Context(tables, known or Known(), territory, hooks)
    for table in tables.values():
        ctx.out.extend(table.problems)
    if "organisations" not in tables:
        csv = any(not t.source.startswith("l'onglet") for t in tables.values())
        ignored = next((t.ignored for t in tables.values()), [])
        ctx.out.append(missing_structures(ignored, csv))
    territories = _territories(ctx)
    _organisations(ctx, territories)
    ctx.parsed.territories = list(territories.values())
    _diagnostics(ctx)
    _items(ctx)
    _contacts(ctx)
    _partnerships(ctx)
    events(ctx)
    members(ctx)
    _relevance(ctx)
    return ctx.parsed
