"""shortlists kept with the fingerprint of what they were computed from

Revision ID: 0007
Revises: 0006

A command asking for one need's pistes (``traits match --need``) then reads them instead of
fitting the matcher again, as long as nothing they depend on has changed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shortlists",
        sa.Column("scope", sa.String(length=120), nullable=False),
        sa.Column("need_id", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("shortlist", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "need_id", name=op.f("pk_shortlists")),
    )


def downgrade() -> None:
    op.drop_table("shortlists")
