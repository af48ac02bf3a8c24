"""Reading the audit log (administrators only): who changed what, and when.

The log itself is written by :mod:`traits.storage.audit` in the same transaction as each write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from traits.services import access
from traits.storage import Store
from traits.storage.audit import AUDITED, audit_actors, audit_rows

#: Tables whose writes are logged, sorted (for filters).
AUDITED_TABLES: tuple[str, ...] = tuple(sorted(AUDITED))


def list_audit(
    store: Store,
    *,
    limit: int = 200,
    table: str | None = None,
    actor: str | None = None,
    since: dt.datetime | dt.date | None = None,
) -> list[dict[str, Any]]:
    """The latest entries of the audit log, newest first.

    Parameters
    ----------
    limit : at most this many entries.
    table, actor : keep only the writes to this table, or made by this actor.
    since : keep only the writes made at or after this moment (a date: from its midnight).

    Each entry has ``audit_id``, ``at``, ``actor``, ``operation`` (insert, update, delete),
    ``table``, ``rows`` and ``keys`` (the identifiers inserted, at most 50).
    """
    access.require_admin()
    if since is not None and not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    with store.reading() as conn:
        return [
            {
                "audit_id": r.audit_id,
                "at": r.at,
                "actor": r.actor,
                "operation": r.operation,
                "table": r.table_name,
                "rows": r.rows,
                "keys": list(r.keys or []),
            }
            for r in audit_rows(conn, limit=limit, table=table, actor=actor, since=since)
        ]


def list_actors(store: Store) -> list[str]:
    """Everyone who appears in the audit log, sorted (administrators only)."""
    access.require_admin()
    with store.reading() as conn:
        return sorted(audit_actors(conn))


#: What each audited table holds, in the facilitators' words.
TABLE_LABELS_FR: dict[str, str] = {
    "contacts": "contacts",
    "diagnostics": "diagnostics",
    "feedback": "retours sur les pistes",
    "items": "besoins et offres",
    "organisations": "structures",
    "partnership_events": "historique des partenariats",
    "partnership_members": "membres des mutualisations",
    "partnerships": "partenariats",
    "settings": "réglages",
    "subcategories": "sous-catégories du territoire",
    "territories": "territoires",
    "users": "comptes",
}

__all__ = ["AUDITED_TABLES", "TABLE_LABELS_FR", "list_actors", "list_audit"]
