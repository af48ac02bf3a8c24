"""The database tables, as SQLAlchemy Core (the domain model stays free of storage).

Changing a table here means writing an Alembic migration in ``migrations/versions``.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = sa.String(120)


def _version() -> sa.Column:
    return sa.Column("version", sa.Integer, nullable=False, server_default="1")


territories = sa.Table(
    "territories",
    metadata,
    sa.Column("territory_id", ID, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("communes", sa.JSON, nullable=False, default=list),
    sa.Column("facilitator", sa.String(200)),
    _version(),
)

organisations = sa.Table(
    "organisations",
    metadata,
    sa.Column("org_id", ID, primary_key=True),
    sa.Column(
        "territory_id",
        ID,
        sa.ForeignKey("territories.territory_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("legal_form", sa.String(100)),
    sa.Column("siret", sa.String(14)),
    sa.Column("commune", sa.String(200)),
    sa.Column("postcode", sa.String(10)),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("size", sa.String(50)),
    sa.Column("description", sa.Text),
    _version(),
)

diagnostics = sa.Table(
    "diagnostics",
    metadata,
    sa.Column("diagnostic_id", ID, primary_key=True),
    sa.Column(
        "org_id",
        ID,
        sa.ForeignKey("organisations.org_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("facilitator", sa.String(200)),
    sa.Column("practices", sa.Text),
    sa.Column("motivations", sa.Text),
    sa.Column("obstacles", sa.Text),
    sa.Column("notes", sa.Text),
    sa.Column("status", sa.String(20), nullable=False, server_default="complete"),
    _version(),
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("item_id", ID, primary_key=True),
    sa.Column(
        "org_id",
        ID,
        sa.ForeignKey("organisations.org_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("direction", sa.String(10), nullable=False),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("subcategory", sa.String(80)),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("quantity", sa.String(200)),
    sa.Column(
        "diagnostic_id",
        ID,
        sa.ForeignKey("diagnostics.diagnostic_id", ondelete="SET NULL"),
        index=True,
    ),
    _version(),
)

contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("contact_id", ID, primary_key=True),
    sa.Column(
        "org_id",
        ID,
        sa.ForeignKey("organisations.org_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(200)),
    sa.Column("email", sa.String(254), index=True),
    sa.Column("phone", sa.String(40)),
    sa.Column("consent", sa.Boolean, nullable=False),
    sa.Column("consent_date", sa.Date),
    sa.Column("consent_source", sa.String(200)),
    sa.Column("consent_scope", sa.String(300)),
    _version(),
    # Its identifiers may carry a name: the audit log records how many rows, never which.
    info={"personal": True},
)

partnerships = sa.Table(
    "partnerships",
    metadata,
    sa.Column("partnership_id", ID, primary_key=True),
    sa.Column(
        "org_a", ID, sa.ForeignKey("organisations.org_id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "org_b", ID, sa.ForeignKey("organisations.org_id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("need_id", ID, sa.ForeignKey("items.item_id", ondelete="SET NULL")),
    sa.Column("offer_id", ID, sa.ForeignKey("items.item_id", ondelete="SET NULL")),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("mode", sa.String(40)),
    sa.Column("categories", sa.JSON, nullable=False, default=list),
    sa.Column("value_hours", sa.Float),
    sa.Column("value_euros", sa.Float),
    sa.Column("value_quantity", sa.Float),
    sa.Column("value_unit", sa.String(50)),
    sa.Column("abandon_reason", sa.Text),
    sa.Column("created", sa.Date),
    sa.Column("notes", sa.Text),
    sa.Column("label", sa.String(300)),
    _version(),
    sa.UniqueConstraint("need_id", "offer_id", name="uq_partnerships_need_offer"),
)

#: The organisations of a pooled (multi-party) partnership, each with the need it brings.
partnership_members = sa.Table(
    "partnership_members",
    metadata,
    sa.Column("member_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "partnership_id",
        ID,
        sa.ForeignKey("partnerships.partnership_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column(
        "org_id", ID, sa.ForeignKey("organisations.org_id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("need_id", ID, sa.ForeignKey("items.item_id", ondelete="SET NULL")),
    sa.UniqueConstraint("partnership_id", "org_id", "need_id", name="uq_partnership_members"),
)

partnership_events = sa.Table(
    "partnership_events",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "partnership_id",
        ID,
        sa.ForeignKey("partnerships.partnership_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("author", sa.String(200)),
    sa.Column("note", sa.Text),
)

#: Subcategories a territory adds to (or overrides in) the packaged vocabulary.
subcategories = sa.Table(
    "subcategories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("territory_id", ID, sa.ForeignKey("territories.territory_id", ondelete="CASCADE")),
    sa.Column("code", sa.String(80), nullable=False),
    sa.Column("category", sa.String(20), nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("synonyms", sa.JSON, nullable=False, default=list),
    sa.Column("related", sa.JSON, nullable=False, default=list),
    sa.UniqueConstraint("territory_id", "code", name="uq_subcategories_territory_code"),
)

#: A facilitator's judgement of a candidate (relevant or not), which the matcher learns from.
feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("feedback_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("need_id", ID, sa.ForeignKey("items.item_id", ondelete="CASCADE"), nullable=False),
    sa.Column("offer_id", ID, sa.ForeignKey("items.item_id", ondelete="CASCADE"), nullable=False),
    sa.Column("relevant", sa.Boolean, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("author", sa.String(200)),
)

#: Named settings (matcher weights, distance decay…), global or per territory, as JSON.
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("scope", sa.String(120), primary_key=True),
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("value", sa.JSON),
)

#: Sentence embeddings of item texts, by model and text hash, so each text is encoded once.
embeddings = sa.Table(
    "embeddings",
    metadata,
    sa.Column("model", sa.String(40), primary_key=True),
    sa.Column("text_hash", sa.String(64), primary_key=True),
    sa.Column("vector", sa.LargeBinary, nullable=False),
)

#: Shortlists as last computed, per territory ("*": the whole base) and need, with the
#: fingerprint of everything they were computed from: valid while that fingerprint holds.
shortlists = sa.Table(
    "shortlists",
    metadata,
    sa.Column("scope", ID, primary_key=True),
    sa.Column("need_id", ID, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("shortlist", sa.JSON, nullable=False),
)

#: Tables that only keep what can be computed again from the others (not audited, not data).
CACHES = frozenset({"embeddings", "shortlists"})

#: Append-only log of every write: who, when, what (database triggers refuse edits).
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("operation", sa.String(10), nullable=False),
    sa.Column("table_name", sa.String(60), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("keys", sa.JSON, nullable=False, default=list),
)

#: Accounts of a shared deployment (a laptop with a SQLite file may have none).
users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(120), primary_key=True),
    sa.Column("display_name", sa.String(200)),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("territories", sa.JSON, nullable=False, default=list),
    sa.Column("password_hash", sa.String(255)),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", sa.DateTime),
    sa.Column("created", sa.DateTime, nullable=False),
)
