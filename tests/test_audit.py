"""Every write is logged with who made it; the log cannot be edited."""

from __future__ import annotations

import datetime as dt
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


def _rewrites(dialect: str) -> list[str]:
    """Every SQL way of changing or emptying the log that the database itself must refuse."""
    row = "(1, '2020-01-01 00:00:00', 'intrus', 'insert', 'x', 0, '[]')"
    columns = "(audit_id, at, actor, operation, table_name, rows, keys)"
    common = ["UPDATE audit_log SET actor = 'intrus'", "DELETE FROM audit_log"]
    if dialect == "sqlite":
        return [
            *common,
            f"INSERT OR REPLACE INTO audit_log {columns} VALUES {row}",
            f"REPLACE INTO audit_log {columns} VALUES {row}",
            f"INSERT INTO audit_log {columns} VALUES {row} "
            "ON CONFLICT (audit_id) DO UPDATE SET actor = 'intrus'",
        ]
    return [
        *common,
        "TRUNCATE audit_log",
        "TRUNCATE audit_log RESTART IDENTITY CASCADE",
        f"INSERT INTO audit_log {columns} VALUES {row} "
        "ON CONFLICT (audit_id) DO UPDATE SET actor = 'intrus'",
    ]


def test_the_log_is_append_only(backend_store: Store, small: Path):
    services.import_territory(backend_store, small)
    before = _log(backend_store)
    assert len(before) >= 2
    statements = _rewrites(backend_store.engine.dialect.name)
    for stmt in [t.audit_log.delete(), t.audit_log.update().values(actor="x"), *statements]:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with backend_store.transaction() as conn:
                conn.execute(sa.text(stmt) if isinstance(stmt, str) else stmt)
    assert _log(backend_store) == before


def test_the_log_survives_backup_and_restore(backend_store: Store, small: Path, tmp_path: Path):
    from traits.services import backup

    services.import_territory(backend_store, small)
    for suffix in (".sqlite", ".json.gz"):
        saved = backup.backup(backend_store, tmp_path / f"sauvegarde{suffix}")
        before = _log(backend_store)
        backup.restore(backend_store, saved)
        after = _log(backend_store)
        assert after[: len(before)] == before  # nothing rewritten
        assert {r.operation for r in after[len(before) :]} == {"delete", "insert"}
    # still sealed after the restores
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with backend_store.transaction() as conn:
            conn.execute(sa.text(_rewrites(backend_store.engine.dialect.name)[-1]))


def test_the_log_keeps_no_identifier_of_a_person(backend_store: Store, small: Path):
    (small / "contacts.csv").write_text(
        "contact_id,org_id,name,email,consent\nyannick-morvan,a,Yannick Morvan,,oui\n", "utf-8"
    )
    services.import_territory(backend_store, small)
    entry = next(r for r in _log(backend_store) if r.table_name == "contacts")
    assert entry.operation == "insert" and entry.rows == 1 and entry.keys == []


def test_upgrade_removes_contact_ids_logged_by_earlier_versions(tmp_path: Path):
    from alembic import command
    from alembic.config import Config

    from traits.storage.db import _MIGRATIONS

    store = Store(tmp_path / "old.sqlite", migrate=False)
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        for table, keys in (("contacts", ["yannick-morvan"]), ("items", ["n1"])):
            conn.execute(
                t.audit_log.insert(),
                {
                    "at": dt.datetime(2025, 1, 1),
                    "actor": "a",
                    "operation": "insert",
                    "table_name": table,
                    "rows": 1,
                    "keys": keys,
                },
            )
    store.migrate()
    assert [(r.table_name, r.keys) for r in _log(store)] == [("contacts", []), ("items", ["n1"])]


@pytest.mark.postgresql
def test_the_documented_application_role_cannot_empty_or_unseal_the_log(
    backend_store: Store, small: Path
):
    """docs/deploy.md's REVOKE recipe: the app's role writes data, never the log's history."""
    if backend_store.engine.dialect.name != "postgresql":
        pytest.skip("roles are a PostgreSQL matter")
    import uuid

    role = f"traits_app_{uuid.uuid4().hex[:8]}"
    url = backend_store.engine.url
    with backend_store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for stmt in (
            f"CREATE ROLE {role} LOGIN PASSWORD 'x'",
            f'GRANT CONNECT ON DATABASE "{url.database}" TO {role}',
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role}",
        ):
            conn.execute(sa.text(stmt))
    app = Store(url.set(username=role, password="x").render_as_string(hide_password=False))
    try:
        services.import_territory(app, small)
        assert len(_log(app)) >= 2
        for stmt in (
            "TRUNCATE audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate",
            "DROP TRIGGER audit_log_append_only ON audit_log",
        ):
            with pytest.raises(sa.exc.ProgrammingError):
                with app.transaction() as conn:
                    conn.execute(sa.text(stmt))
    finally:
        app.dispose()
        backend_store.dispose()
        with backend_store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f"DROP OWNED BY {role}"))
            conn.execute(sa.text(f"DROP ROLE {role}"))
