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

#: The contacts' ids (they may hold a name) leave the log; plain SQL, nothing interpolated.
SCRUB = "UPDATE audit_log SET keys = '[]' WHERE table_name = 'contacts'"
SQLITE_NO_UPDATE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
)
#: A REPLACE of an existing row is a delete: refuse any insert that reuses an id.
SQLITE_NO_REPLACE = (
    "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
    "WHEN EXISTS (SELECT 1 FROM audit_log WHERE audit_id = NEW.audit_id) "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
)
PG_NO_TRUNCATE = (
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute(SCRUB)
        op.execute(SQLITE_NO_UPDATE)
        op.execute(SQLITE_NO_REPLACE)
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        op.execute(SCRUB)
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        op.execute(PG_NO_TRUNCATE)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
