"""audit log sealed: no INSERT OR REPLACE, no TRUNCATE, no personal data in its keys

Revision ID: 0006
Revises: 0005

0003 made the log refuse UPDATE and DELETE. Two holes were left: on SQLite an
``INSERT OR REPLACE`` deletes the old row without firing the DELETE trigger (delete triggers
only fire for REPLACE when ``recursive_triggers`` is on), and on PostgreSQL ``TRUNCATE``
fires no row trigger. This revision closes both in the database itself, whatever the client.

It also removes the contact identifiers that earlier versions wrote into the log's ``keys``
(the log must not keep an erased person's data, see docs/security.md): the one rewrite of
the log's history, done here by the schema owner while the triggers are briefly lifted.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

MESSAGE = "audit_log is append-only"
#: Tables whose row identifiers the log no longer keeps (they may hold a person's name).
PERSONAL_TABLES = ("contacts",)


def _scrub_personal_keys(dialect: str) -> None:
    names = ", ".join(f"'{name}'" for name in PERSONAL_TABLES)
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute(f"UPDATE audit_log SET keys = '[]' WHERE table_name IN ({names})")
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        op.execute(f"UPDATE audit_log SET keys = '[]' WHERE table_name IN ({names})")
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _scrub_personal_keys(dialect)
    if dialect == "sqlite":
        # A REPLACE of an existing row is a delete: refuse any insert that reuses an id.
        op.execute(
            "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
            "WHEN EXISTS (SELECT 1 FROM audit_log WHERE audit_id = NEW.audit_id) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
