"""Enrollment: enrollments (seat holds and bookings) and the waitlist (market.enrollment),
and the waitlist's length on the intake, which the availability rule now reads: search's
expected start and wait answer from the real queue (the SQL files are loaded again; their
text as of this revision is frozen beside it, in 0013_enrollment.sql, since 0014_reviews).

Revision ID: 0013_enrollment
Revises: 0012_sent_mails
Create Date: 2026-12-02 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from market.db.migrations_sql import frozen_sql, run_script

revision: str = "0013_enrollment"
down_revision: str | None = "0012_sent_mails"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAYMENT_METHOD = postgresql.ENUM("card", "ideal", "duo_loan", name="payment_method")
ENROLLMENT_STATE = postgresql.ENUM(
    "held",
    "awaiting_provider",
    "confirmed",
    "cancelled",
    "lapsed",
    "declined",
    name="enrollment_state",
)
WAITLIST_STATE = postgresql.ENUM(
    "waiting", "offered", "accepted", "expired", "left", name="waitlist_state"
)
LIVE = "state IN ('awaiting_provider', 'confirmed', 'held')"
OPEN = "state IN ('offered', 'waiting')"


def _enum(enum: postgresql.ENUM) -> postgresql.ENUM:
    return postgresql.ENUM(*enum.enums, name=enum.name, create_type=False)


def upgrade() -> None:
    op.add_column(
        "intakes",
        sa.Column("queue_length", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_intakes_queue_not_negative"), "intakes", "queue_length >= 0"
    )
    for enum in (PAYMENT_METHOD, ENROLLMENT_STATE, WAITLIST_STATE):
        enum.create(op.get_bind())
    op.create_table(
        "enrollments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("learner_id", sa.Uuid(), nullable=True),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("state", _enum(ENROLLMENT_STATE), nullable=False),
        sa.Column("payment_method", _enum(PAYMENT_METHOD), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("duo_cents", sa.Integer(), nullable=False),
        sa.Column("duo_loan_reference", sa.String(length=20), nullable=True),
        sa.Column("cancellation_terms", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("hold_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refund_cents", sa.Integer(), nullable=True),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_enrollments_price_not_negative")),
        sa.CheckConstraint(
            "duo_cents >= 0 AND duo_cents <= price_cents",
            name=op.f("ck_enrollments_duo_within_price"),
        ),
        sa.CheckConstraint(
            "(payment_method = 'duo_loan') = (duo_loan_reference IS NOT NULL)",
            name=op.f("ck_enrollments_duo_reference_with_duo_loan"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["courses.id"], name=op.f("fk_enrollments_course_id_courses")
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_enrollments_intake_id_intakes")
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_enrollments_learner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider_profiles.organisation_id"],
            name=op.f("fk_enrollments_provider_id_provider_profiles"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollments")),
    )
    op.create_index(op.f("ix_enrollments_intake_id"), "enrollments", ["intake_id"])
    op.create_index(op.f("ix_enrollments_learner_id"), "enrollments", ["learner_id"])
    op.create_index(op.f("ix_enrollments_provider_id"), "enrollments", ["provider_id"])
    op.create_index(
        "uq_enrollments_live_learner_intake",
        "enrollments",
        ["learner_id", "intake_id"],
        unique=True,
        postgresql_where=sa.text(LIVE),
    )
    op.create_index(
        "ix_enrollments_hold_expires_at",
        "enrollments",
        ["hold_expires_at"],
        postgresql_where=sa.text("state IN ('held', 'awaiting_provider')"),
    )
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("intake_id", sa.Uuid(), nullable=False),
        sa.Column("learner_id", sa.Uuid(), nullable=True),
        sa.Column("state", _enum(WAITLIST_STATE), nullable=False),
        sa.Column("payment_method", _enum(PAYMENT_METHOD), nullable=False),
        sa.Column("duo_loan_reference", sa.String(length=20), nullable=True),
        sa.Column("duo_cents", sa.Integer(), nullable=False),
        sa.Column(
            "joined_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enrollment_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_waitlist_entries_enrollment_id_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intakes.id"], name=op.f("fk_waitlist_entries_intake_id_intakes")
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_waitlist_entries_learner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
        sa.UniqueConstraint("position", name=op.f("uq_waitlist_entries_position")),
    )
    op.create_index(op.f("ix_waitlist_entries_learner_id"), "waitlist_entries", ["learner_id"])
    op.create_index(
        "uq_waitlist_entries_open_learner_intake",
        "waitlist_entries",
        ["learner_id", "intake_id"],
        unique=True,
        postgresql_where=sa.text(OPEN),
    )
    op.create_index(
        "ix_waitlist_entries_open_intake",
        "waitlist_entries",
        ["intake_id", "position"],
        postgresql_where=sa.text(OPEN),
    )
    # The SQL files as this revision loaded them (frozen beside it since 0014_reviews).
    run_script(frozen_sql(revision))


def downgrade() -> None:
    op.drop_table("waitlist_entries")
    op.drop_table("enrollments")
    for enum in (WAITLIST_STATE, ENROLLMENT_STATE, PAYMENT_METHOD):
        enum.drop(op.get_bind())
    run_script(frozen_sql("0010_search_write_path"))
    op.drop_constraint("ck_intakes_queue_not_negative", "intakes")
    op.drop_column("intakes", "queue_length")
