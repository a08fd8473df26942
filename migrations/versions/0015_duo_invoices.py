"""DUO loan invoices per booking (market.payments.duo).

Revision ID: 0015_duo_invoices
Revises: 0014_reviews
Create Date: 2026-12-02 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015_duo_invoices"
down_revision: str | None = "0014_reviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATE = postgresql.ENUM("draft", "sent", "approved", "rejected", "paid", name="duo_invoice_state")


def upgrade() -> None:
    STATE.create(op.get_bind())
    op.create_table(
        "duo_invoices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            postgresql.ENUM(name="duo_invoice_state", create_type=False),
            nullable=False,
        ),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_duo_invoices_amount_positive")),
        sa.CheckConstraint(
            "period_end >= period_start", name=op.f("ck_duo_invoices_period_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_duo_invoices_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_duo_invoices_recorded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duo_invoices")),
    )
    op.create_index(op.f("ix_duo_invoices_enrollment_id"), "duo_invoices", ["enrollment_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_duo_invoices_enrollment_id"), table_name="duo_invoices")
    op.drop_table("duo_invoices")
    STATE.drop(op.get_bind())
