"""Every write is logged with who made it; the log cannot be edited."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from traits import services
from traits.errors import InvalidInputError
from traits.services import partnerships as ps
from traits.storage import Store
from traits.storage import schema as t
from traits.storage.audit import acting_as


def _log(store: Store) -> list:
    with store.reading() as conn:
        return conn.execute(sa.select(t.audit_log).order_by(t.audit_log.c.audit_id)).all()


def test_writes_are_logged_with_their_actor(backend_store: Store, small: Path):
    with acting_as("animatrice.vitre"):
        services.import_territory(backend_store, small)
    with acting_as("coordination"):
        part = ps.propose(backend_store, "n1", "o1")
        ps.change_status(backend_store, part.partnership_id, "introduced")
    log = _log(backend_store)
    by_table = {(r.actor, r.operation, r.table_name) for r in log}
    assert ("animatrice.vitre", "insert", "organisations") in by_table
    assert ("animatrice.vitre", "insert", "items") in by_table
    assert ("coordination", "insert", "partnerships") in by_table
    assert ("coordination", "update", "partnerships") in by_table
    orgs = next(r for r in log if r.table_name == "organisations")
    assert orgs.rows == 2 and sorted(orgs.keys) == ["a", "b"]


def test_failed_write_leaves_no_log(backend_store: Store, small: Path):
    (small / "items.csv").write_text("item_id,org_id\n", "utf-8")
    with pytest.raises(InvalidInputError):
        services.import_territory(backend_store, small)
    assert _log(backend_store) == []


def test_the_log_is_append_only(backend_store: Store, small: Path):
    services.import_territory(backend_store, small)
    for stmt in (t.audit_log.delete(), t.audit_log.update().values(actor="x")):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with backend_store.transaction() as conn:
                conn.execute(stmt)
    assert len(_log(backend_store)) >= 2
