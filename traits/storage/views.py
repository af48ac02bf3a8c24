"""Reads the app's pages gather in one go: what changed since the matcher was fitted, and
the needs to choose from. Read models only."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from traits.storage import schema as t


def _org_ids(territory_id: str | None) -> sa.Select:
    orgs = sa.select(t.organisations.c.org_id)
    if territory_id is not None:
        orgs = orgs.where(t.organisations.c.territory_id == territory_id)
    return orgs


def _feedback_count(conn: Connection, orgs: sa.Select) -> int:
    q = sa.select(sa.func.count()).where(
        t.feedback.c.need_id.in_(sa.select(t.items.c.item_id).where(t.items.c.org_id.in_(orgs)))
    )
    return int(conn.execute(q).scalar_one())


def data_summary(conn: Connection, territory_id: str | None) -> tuple[Any, ...]:
    """Counts and version sums of organisations, items and closed partnerships, the number of
    judgements, the settings (milestones aside) and the number of added subcategories."""
    orgs = _org_ids(territory_id)

    def summary(table: sa.Table, *where: sa.ColumnElement[bool]) -> tuple[int, int]:
        q = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(table.c.version), 0))
        row = conn.execute(q.where(*where) if where else q).one()
        return int(row[0]), int(row[1])

    o = t.organisations
    return (
        summary(o, *(() if territory_id is None else (o.c.territory_id == territory_id,))),
        summary(t.items, t.items.c.org_id.in_(orgs)),
        summary(
            t.partnerships,
            t.partnerships.c.org_a.in_(orgs),
            t.partnerships.c.status.in_(["realised", "abandoned"]),
        ),
        _feedback_count(conn, orgs),
        tuple(
            (r.scope, r.key, repr(r.value))
            for r in conn.execute(
                sa.select(t.settings).order_by(t.settings.c.scope, t.settings.c.key)
            )
            if not r.key.startswith("milestone:")
        ),
        int(conn.execute(sa.select(sa.func.count()).select_from(t.subcategories)).scalar_one()),
    )


def links_summary(conn: Connection, territory_id: str | None) -> tuple[int, int, int]:
    """Count and version sum of the partnerships touching the territory, and its judgements."""
    orgs = _org_ids(territory_id)
    p = t.partnerships
    parts = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(p.c.version), 0)).where(
            p.c.org_a.in_(orgs) | p.c.org_b.in_(orgs)
        )
    ).one()
    return int(parts[0]), int(parts[1]), _feedback_count(conn, orgs)


def need_rows(conn: Connection, territory_id: str | None) -> list[sa.Row]:
    """Each need of the territory (or all) with its title, organisation name, diagnostic date."""
    i, o, d = t.items, t.organisations, t.diagnostics
    q = (
        sa.select(i.c.item_id, i.c.org_id, i.c.title, o.c.name, d.c.date)
        .join(o, i.c.org_id == o.c.org_id)
        .outerjoin(d, i.c.diagnostic_id == d.c.diagnostic_id)
        .where(i.c.direction == "need")
    )
    if territory_id is not None:
        q = q.where(o.c.territory_id == territory_id)
    return list(conn.execute(q).all())
