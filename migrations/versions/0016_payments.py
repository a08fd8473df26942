"""Payments (market.payments): the providers' Stripe accounts, one row per PaymentIntent
attempt, the Stripe events received (once each), and the ledger per enrollment.

Revision ID: 0016_payments
Revises: 0015_duo_invoices
Create Date: 2026-12-02 21:51:22.941613
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016_payments"
down_revision: str | None = "0015_duo_invoices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=255), nullable=False),
        sa.Column("account", sa.String(length=255), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
    )
    op.create_index(
        "ix_stripe_events_unprocessed",
        "stripe_events",
        ["received_at"],
        unique=False,
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.create_table(
        "payment_accounts",
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("stripe_account_id", sa.String(length=255), nullable=False),
        sa.Column("charges_enabled", sa.Boolean(), nullable=False),
        sa.Column("details_submitted", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider_profiles.organisation_id"],
            name=op.f("fk_payment_accounts_provider_id_provider_profiles"),
        ),
        sa.PrimaryKeyConstraint("provider_id", name=op.f("pk_payment_accounts")),
        sa.UniqueConstraint(
            "stripe_account_id", name=op.f("uq_payment_accounts_stripe_account_id")
        ),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("payment_intent_id", sa.String(length=255), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("application_fee_cents", sa.Integer(), nullable=False),
        sa.Column("destination_account_id", sa.String(length=255), nullable=True),
        sa.Column(
            "state",
            sa.Enum("pending", "paid", "refunded", "cancelled", name="payment_state"),
            nullable=False,
        ),
        sa.Column("refunded_cents", sa.Integer(), nullable=False),
        sa.Column("flagged", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint("attempt >= 1", name=op.f("ck_payments_attempt_positive")),
        sa.CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= amount_cents",
            name=op.f("ck_payments_refund_within_amount"),
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_payments_enrollment_id_enrollments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "enrollment_id", "attempt", name=op.f("uq_payments_enrollment_id_attempt")
        ),
        sa.UniqueConstraint("payment_intent_id", name=op.f("uq_payments_payment_intent_id")),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("payment", "platform_fee", "refund", "transfer_reversal", name="ledger_kind"),
            nullable=False,
        ),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("stripe_object_id", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_ledger_entries_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_ledger_entries_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint(
            "kind", "stripe_object_id", name=op.f("uq_ledger_entries_kind_stripe_object_id")
        ),
    )
    op.create_index(
        op.f("ix_ledger_entries_enrollment_id"), "ledger_entries", ["enrollment_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_entries_enrollment_id"), table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_table("payments")
    op.drop_table("payment_accounts")
    op.drop_index(
        "ix_stripe_events_unprocessed",
        table_name="stripe_events",
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.drop_table("stripe_events")
    sa.Enum(name="ledger_kind").drop(op.get_bind())
    sa.Enum(name="payment_state").drop(op.get_bind())
