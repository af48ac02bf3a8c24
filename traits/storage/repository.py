"""Reading and writing domain objects on a connection (inside the caller's transaction)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits import rules
from traits.errors import InvalidInputError
from traits.interchange.columns import fold
from traits.interchange.validate import Known, Parsed
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
    PartnershipMember,
    PartnershipMode,
    PartnershipStatus,
    StatusChange,
    Territory,
)
from traits.storage import schema as t

_CHUNK = 5000


def upsert(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, or update them where the primary key exists (bumping ``version``)."""
    if not rows:
        return
    _refuse_too_long(table, rows)
    keys = [c.name for c in table.primary_key.columns]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
    else:  # pragma: no cover - other backends: delete then insert
        for row in rows:
            conn.execute(table.delete().where(*[table.c[k] == row[k] for k in keys]))
        conn.execute(table.insert(), list(rows))
        return
    for start in range(0, len(rows), _CHUNK):
        chunk = list(rows[start : start + _CHUNK])
        stmt = insert(table)
        update = {c: stmt.excluded[c] for c in chunk[0] if c not in keys}
        if "version" in table.c:
            update["version"] = table.c.version + 1
        conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=update), chunk)


def _refuse_too_long(table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Refuse text longer than its column, the same on every backend and without row data.

    The forms and the import check lengths first, with located messages; this is the last
    guard, so that SQLite (which would store it) and PostgreSQL (which would fail) agree.
    """
    for row in rows:
        columns = rules.row_too_long(table.name, row)
        if columns:
            limit = rules.max_length(table.name, columns[0])
            raise InvalidInputError(
                f"un texte dépasse la longueur permise ({limit} caractères au plus) : "
                "raccourcissez-le, rien n'a été enregistré."
            )


def record(obj: Any, drop: Iterable[str] = ()) -> dict[str, Any]:
    """A domain object as a table row (enums as their values)."""
    out = {}
    for f in dataclasses.fields(obj):
        if f.name in drop:
            continue
        value = getattr(obj, f.name)
        if hasattr(value, "value") and not isinstance(value, dt.date):
            value = value.value
        out[f.name] = value
    return out


def partnership_record(part: Partnership) -> dict[str, Any]:
    """A partnership as a row of ``partnerships`` (its history is written apart)."""
    row = record(part, drop=("history", "members"))
    row["categories"] = [c.value for c in part.categories]
    return row


def write_members(conn: Connection, part: Partnership) -> None:
    """Write the members of a pooled partnership (replacing any written before)."""
    pm = t.partnership_members
    conn.execute(pm.delete().where(pm.c.partnership_id == part.partnership_id))
    if part.members:
        conn.execute(pm.insert(), [record(m) for m in part.members])


def _read_members(conn: Connection, parts: dict[str, Partnership]) -> None:
    pm = t.partnership_members
    ids = sorted(parts)
    for chunk in _chunks(ids):
        q = sa.select(pm).where(pm.c.partnership_id.in_(chunk)).order_by(pm.c.member_id)
        for r in conn.execute(q):
            parts[r.partnership_id].members.append(
                PartnershipMember(r.partnership_id, r.org_id, r.need_id)
            )


def write_parsed(conn: Connection, parsed: Parsed) -> dict[str, int]:
    """Write a validated territory; returns the number of rows written per table."""
    upsert(conn, t.territories, [record(x) for x in parsed.territories])
    upsert(conn, t.organisations, [record(x) for x in parsed.organisations])
    upsert(conn, t.diagnostics, [record(x) for x in parsed.diagnostics])
    upsert(conn, t.items, [record(x) for x in parsed.items])
    upsert(conn, t.contacts, [record(x) for x in parsed.contacts])
    upsert(conn, t.partnerships, [partnership_record(p) for p in parsed.partnerships])
    for part in parsed.partnerships:
        if part.members:  # a partnership without member rows keeps those stored
            write_members(conn, part)
    events = [e for p in parsed.partnerships for e in p.history]
    if events:
        ids = {e.partnership_id for e in events}
        existing = set()
        for chunk in _chunks(sorted(ids)):
            existing |= {
                (r.partnership_id, r.at, r.to_status)
                for r in conn.execute(
                    sa.select(
                        t.partnership_events.c.partnership_id,
                        t.partnership_events.c.at,
                        t.partnership_events.c.to_status,
                    ).where(t.partnership_events.c.partnership_id.in_(chunk))
                )
            }
        new = [
            record(e) for e in events if (e.partnership_id, e.at, e.to_status.value) not in existing
        ]
        if new:
            conn.execute(t.partnership_events.insert(), new)
    return {
        "territoires": len(parsed.territories),
        "organisations": len(parsed.organisations),
        "diagnostics": len(parsed.diagnostics),
        "besoins et offres": len(parsed.items),
        "contacts": len(parsed.contacts),
        "partenariats": len(parsed.partnerships),
        "membres de mutualisations": sum(len(p.members) for p in parsed.partnerships),
    }


def upsert_subcategories(conn: Connection, territory_id: str, rows: Iterable[Any]) -> None:
    """Add or replace a territory's subcategories (by code)."""
    for sub in rows:
        conn.execute(
            t.subcategories.delete().where(
                t.subcategories.c.territory_id == territory_id, t.subcategories.c.code == sub.code
            )
        )
        conn.execute(
            t.subcategories.insert(),
            {
                "territory_id": territory_id,
                "code": sub.code,
                "category": sub.category,
                "label": sub.label,
                "synonyms": list(sub.synonyms),
                "related": list(sub.related),
            },
        )


def _chunks(values: Sequence[str], size: int = 900) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def load_known(conn: Connection) -> Known:
    """What the database holds, for the import's reference and duplicate checks."""
    known = Known()
    tc = t.territories.c
    for r in conn.execute(sa.select(tc.territory_id, tc.communes, tc.name)):
        known.territories.add(r.territory_id)
        known.territory_names[r.territory_id] = r.name
        known.territory_communes[r.territory_id] = list(r.communes or [])
    for r in conn.execute(
        sa.select(
            t.organisations.c.org_id,
            t.organisations.c.territory_id,
            t.organisations.c.name,
            t.organisations.c.siret,
            t.organisations.c.commune,
        )
    ):
        known.org_territory[r.org_id] = r.territory_id
        known.org_names[r.org_id] = r.name
        if r.commune:
            known.org_communes[r.org_id] = r.commune
        if r.siret:
            known.siret_org[r.siret] = r.org_id
        known.name_commune_org[(fold(r.name), fold(r.commune or ""))] = r.org_id
    known.diagnostic_org = {
        r.diagnostic_id: r.org_id
        for r in conn.execute(sa.select(t.diagnostics.c.diagnostic_id, t.diagnostics.c.org_id))
    }
    for r in conn.execute(
        sa.select(t.items.c.item_id, t.items.c.org_id, t.items.c.direction, t.items.c.title)
    ):
        known.item_org_direction[r.item_id] = (r.org_id, r.direction)
        known.item_titles[r.item_id] = r.title
    known.contacts = set(conn.scalars(sa.select(t.contacts.c.contact_id)))
    for r in conn.execute(
        sa.select(
            t.partnerships.c.partnership_id,
            t.partnerships.c.need_id,
            t.partnerships.c.offer_id,
            t.partnerships.c.status,
        )
    ):
        known.partnerships[r.partnership_id] = r.status
        if r.need_id and r.offer_id:
            known.partnership_pairs[(r.need_id, r.offer_id)] = r.partnership_id
    return known


def stored_rows(conn: Connection, table: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of ``table`` (``organisations``, ``items``…) whose key is in ``ids``, as
    {key: {column: value}}: what an import keeps for the columns its file leaves out."""
    tab = t.metadata.tables[table]
    key = tab.primary_key.columns.values()[0]
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(ids))):
        for r in conn.execute(sa.select(tab).where(key.in_(chunk))):
            found[r._mapping[key.name]] = dict(r._mapping)
    return found


#: What owns a record, per kind: its table, its key and the columns naming its organisations.
_OWNED_BY: dict[str, tuple[sa.Table, str, tuple[str, ...]]] = {
    "diagnostic": (t.diagnostics, "diagnostic_id", ("org_id",)),
    "item": (t.items, "item_id", ("org_id",)),
    "contact": (t.contacts, "contact_id", ("org_id",)),
    "partnership": (t.partnerships, "partnership_id", ("org_a", "org_b")),
}


def owners(conn: Connection, kind: str, ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """The territories that own each existing record of ``kind`` now; unknown ids are left out.

    ``kind`` is ``territory``, ``organisation``, ``diagnostic``, ``item``, ``contact`` or
    ``partnership`` (owned by both parties' territories). The one place that answers "whose is
    this record?" for the import and the services.
    """
    wanted = sorted(set(ids))
    found: dict[str, set[str]] = {}
    for chunk in _chunks(wanted):
        if kind == "territory":
            key = t.territories.c.territory_id
            queries = [sa.select(key, key.label("owner")).where(key.in_(chunk))]
        elif kind == "organisation":
            key = t.organisations.c.org_id
            queries = [sa.select(key, t.organisations.c.territory_id).where(key.in_(chunk))]
        else:
            table, key_column, org_columns = _OWNED_BY[kind]
            queries = [
                sa.select(table.c[key_column], t.organisations.c.territory_id)
                .join(t.organisations, t.organisations.c.org_id == table.c[org_column])
                .where(table.c[key_column].in_(chunk))
                for org_column in org_columns
            ]
        for q in queries:
            for record_id, territory in conn.execute(q):
                found.setdefault(record_id, set()).add(territory)
    return {key: frozenset(territories) for key, territories in found.items()}


def _org_filter(territory_id: str | None) -> sa.ColumnElement[bool] | None:
    if territory_id is None:
        return None
    return t.organisations.c.territory_id == territory_id


def read_territories(conn: Connection, territory_id: str | None = None) -> list[Territory]:
    """Territories, all or one."""
    q = sa.select(t.territories).order_by(t.territories.c.territory_id)
    if territory_id is not None:
        q = q.where(t.territories.c.territory_id == territory_id)
    return [
        Territory(r.territory_id, r.name, list(r.communes or []), r.facilitator)
        for r in conn.execute(q)
    ]


def read_organisations(conn: Connection, territory_id: str | None = None) -> list[Organisation]:
    """Organisations, of one territory or all."""
    q = sa.select(t.organisations).order_by(t.organisations.c.org_id)
    if territory_id is not None:
        q = q.where(_org_filter(territory_id))
    return [
        Organisation(
            r.org_id,
            r.name,
            OrgKind(r.kind),
            r.territory_id,
            r.legal_form,
            r.siret,
            r.commune,
            r.postcode,
            r.lat,
            r.lon,
            r.size,
            r.description,
        )
        for r in conn.execute(q)
    ]


def _of_territory(table: sa.Table, territory_id: str | None, column: str = "org_id") -> sa.Select:
    q = sa.select(table)
    if territory_id is not None:
        orgs = sa.select(t.organisations.c.org_id).where(_org_filter(territory_id))
        q = q.where(table.c[column].in_(orgs))
    return q


def read_diagnostics(conn: Connection, territory_id: str | None = None) -> list[Diagnostic]:
    """Diagnostics, of one territory or all."""
    q = _of_territory(t.diagnostics, territory_id).order_by(t.diagnostics.c.diagnostic_id)
    return [
        Diagnostic(
            r.diagnostic_id,
            r.org_id,
            r.date,
            r.facilitator,
            r.practices,
            r.motivations,
            r.obstacles,
            r.notes,
            DiagnosticStatus(r.status),
        )
        for r in conn.execute(q)
    ]


def read_items(conn: Connection, territory_id: str | None = None) -> list[Item]:
    """Needs and offers, of one territory or all."""
    q = _of_territory(t.items, territory_id).order_by(t.items.c.item_id)
    return [
        Item(
            r.item_id,
            r.org_id,
            Direction(r.direction),
            Category(r.category),
            r.title,
            r.description,
            r.subcategory,
            r.quantity,
            r.diagnostic_id,
        )
        for r in conn.execute(q)
    ]


def read_contacts(conn: Connection, territory_id: str | None = None) -> list[Contact]:
    """Contact persons, of one territory or all."""
    q = _of_territory(t.contacts, territory_id).order_by(t.contacts.c.contact_id)
    return [
        Contact(
            r.contact_id,
            r.org_id,
            r.name,
            bool(r.consent),
            r.role,
            r.email,
            r.phone,
            r.consent_date,
            r.consent_source,
            r.consent_scope,
        )
        for r in conn.execute(q)
    ]


def read_partnerships(
    conn: Connection,
    territory_id: str | None = None,
    *,
    partnership_ids: Sequence[str] | None = None,
) -> list[Partnership]:
    """Partnerships with their history, those touching one territory (or all, or the ids given)."""
    q = sa.select(t.partnerships).order_by(t.partnerships.c.partnership_id)
    if partnership_ids is not None:
        q = q.where(t.partnerships.c.partnership_id.in_(list(partnership_ids)))
    if territory_id is not None:
        orgs = sa.select(t.organisations.c.org_id).where(_org_filter(territory_id))
        q = q.where(sa.or_(t.partnerships.c.org_a.in_(orgs), t.partnerships.c.org_b.in_(orgs)))
    parts = {
        r.partnership_id: Partnership(
            r.partnership_id,
            r.org_a,
            r.org_b,
            PartnershipStatus(r.status),
            r.need_id,
            r.offer_id,
            PartnershipMode(r.mode) if r.mode else None,
            [Category(c) for c in (r.categories or [])],
            r.value_hours,
            r.value_euros,
            r.value_quantity,
            r.value_unit,
            r.abandon_reason,
            r.created,
            r.notes,
            label=r.label,
        )
        for r in conn.execute(q)
    }
    if parts:
        _read_members(conn, parts)
        ev = t.partnership_events
        q = sa.select(ev).order_by(ev.c.partnership_id, ev.c.at, ev.c.event_id)
        if partnership_ids is not None:
            q = q.where(ev.c.partnership_id.in_(list(partnership_ids)))
        elif territory_id is not None:
            q = q.where(
                ev.c.partnership_id.in_(
                    sa.select(t.partnerships.c.partnership_id).where(
                        sa.or_(t.partnerships.c.org_a.in_(orgs), t.partnerships.c.org_b.in_(orgs))
                    )
                )
            )
        for r in conn.execute(q):
            part = parts.get(r.partnership_id)
            if part is not None:
                part.history.append(
                    StatusChange(
                        r.partnership_id,
                        r.at,
                        PartnershipStatus(r.to_status),
                        PartnershipStatus(r.from_status) if r.from_status else None,
                        r.author,
                        r.note,
                    )
                )
    return list(parts.values())


def read_all(conn: Connection, territory_id: str | None = None) -> Parsed:
    """Everything of one territory (or all), as the export writes it."""
    return Parsed(
        territories=read_territories(conn, territory_id),
        organisations=read_organisations(conn, territory_id),
        diagnostics=read_diagnostics(conn, territory_id),
        items=read_items(conn, territory_id),
        contacts=read_contacts(conn, territory_id),
        partnerships=read_partnerships(conn, territory_id),
    )


def counts(conn: Connection, territory_id: str | None = None) -> dict[str, Any]:
    """Counts per table (and partnerships per status) for one territory or all."""

    def n(q: sa.Select) -> int:
        return int(conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one())

    items_q = _of_territory(t.items, territory_id)
    result: dict[str, Any] = {
        "territories": n(sa.select(t.territories))
        if territory_id is None
        else n(sa.select(t.territories).where(t.territories.c.territory_id == territory_id)),
        "organisations": n(
            sa.select(t.organisations).where(_org_filter(territory_id))
            if territory_id
            else sa.select(t.organisations)
        ),
        "diagnostics": n(_of_territory(t.diagnostics, territory_id)),
        "needs": n(items_q.where(t.items.c.direction == "need")),
        "offers": n(items_q.where(t.items.c.direction == "offer")),
        "contacts": n(_of_territory(t.contacts, territory_id)),
    }
    by_status = {s.value: 0 for s in PartnershipStatus}
    for p in read_partnerships(conn, territory_id):
        by_status[p.status.value] += 1
    result["partnerships"] = by_status
    return result
