"""pooled (multi-party) partnerships: a label and the members of each

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label", sa.String(length=300), nullable=True))
    op.create_table(
        "partnership_members",
        sa.Column("member_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partnership_id", sa.String(length=120), nullable=False),
        sa.Column("org_id", sa.String(length=120), nullable=False),
        sa.Column("need_id", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnerships.partnership_id"],
            name=op.f("fk_partnership_members_partnership_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.org_id"],
            name=op.f("fk_partnership_members_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["items.item_id"],
            name=op.f("fk_partnership_members_need_id_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_partnership_members")),
        sa.UniqueConstraint("partnership_id", "org_id", "need_id", name="uq_partnership_members"),
    )
    with op.batch_alter_table("partnership_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partnership_members_partnership_id"), ["partnership_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("partnership_members")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("label")
