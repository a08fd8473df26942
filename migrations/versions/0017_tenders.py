"""Regional joint tenders (market.tenders): coalitions of municipalities with their lead
and members.

Revision ID: 0017_tenders
Revises: 0016_payments
Create Date: 2026-12-03 04:51:20.010989
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_tenders"
down_revision: str | None = "0016_payments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coalitions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "char_length(name) BETWEEN 1 AND 200", name=op.f("ck_coalitions_name_length")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_coalitions_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["organisations.id"], name=op.f("fk_coalitions_lead_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coalitions")),
    )
    op.create_index(op.f("ix_coalitions_lead_id"), "coalitions", ["lead_id"], unique=False)
    op.create_table(
        "coalition_members",
        sa.Column("coalition_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("invited", "member", "declined", name="coalition_member_state"),
            nullable=False,
        ),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column(
            "invited_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_coalition_members_coalition_id_coalitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["users.id"],
            name=op.f("fk_coalition_members_invited_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_coalition_members_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["responded_by"],
            ["users.id"],
            name=op.f("fk_coalition_members_responded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint(
            "coalition_id", "organisation_id", name=op.f("pk_coalition_members")
        ),
    )
    op.create_index(
        op.f("ix_coalition_members_organisation_id"),
        "coalition_members",
        ["organisation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_coalition_members_organisation_id"), table_name="coalition_members")
    op.drop_table("coalition_members")
    op.drop_index(op.f("ix_coalitions_lead_id"), table_name="coalitions")
    op.drop_table("coalitions")
    sa.Enum(name="coalition_member_state").drop(op.get_bind())
