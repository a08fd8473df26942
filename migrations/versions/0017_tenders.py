"""Regional joint tenders (market.tenders): coalitions of municipalities with their lead
and members; tenders in draft with their lots, per-member volumes, knock-out
requirements and quality criteria. Lots reuse the catalog's route, level and stream types.

Revision ID: 0017_tenders
Revises: 0016_payments
Create Date: 2026-12-03 04:56:58.941983
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

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
    op.create_table(
        "tenders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("coalition_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "published",
                "questions_closed",
                "bids_closed",
                "opened",
                "evaluated",
                "award_decided",
                "contracted",
                "cancelled",
                "unsuccessful",
                name="tender_state",
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "award_method",
            sa.Enum(
                "relative_price",
                "linear_price",
                "quality_value",
                "fixed_price",
                name="award_method",
            ),
            nullable=False,
        ),
        sa.Column("quality_weight_bp", sa.Integer(), nullable=True),
        sa.Column("price_weight_bp", sa.Integer(), nullable=True),
        sa.Column("price_floor_cents", sa.BigInteger(), nullable=True),
        sa.Column("price_ceiling_cents", sa.BigInteger(), nullable=True),
        sa.Column("publication_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("questions_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bid_deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("planned_award_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contract_start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("initial_term_months", sa.SmallInteger(), nullable=False),
        sa.Column("extension_months", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("latest_end_date", sa.Date(), nullable=True),
        sa.Column("estimated_total_value_cents", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
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
        sa.CheckConstraint(
            (
                "(award_method = 'linear_price') = (price_floor_cents IS NOT NULL AND "
                "price_ceiling_cents IS NOT NULL) AND (price_floor_cents IS NULL OR "
                "(price_floor_cents >= 0 AND price_floor_cents < price_ceiling_cents))"
            ),
            name=op.f("ck_tenders_price_bounds"),
        ),
        sa.CheckConstraint(
            (
                "(award_method IN ('relative_price', 'linear_price')) = (quality_weight_bp IS NOT "
                "NULL AND price_weight_bp IS NOT NULL) AND (quality_weight_bp IS NULL OR "
                "(quality_weight_bp >= 0 AND price_weight_bp >= 0 AND quality_weight_bp + "
                "price_weight_bp = 10000))"
            ),
            name=op.f("ck_tenders_award_weights"),
        ),
        sa.CheckConstraint(
            "char_length(title) BETWEEN 1 AND 200", name=op.f("ck_tenders_title_length")
        ),
        sa.CheckConstraint(
            "estimated_total_value_cents >= 0", name=op.f("ck_tenders_estimated_value_not_negative")
        ),
        sa.CheckConstraint(
            "initial_term_months > 0 AND 0 < ALL(extension_months)",
            name=op.f("ck_tenders_term_positive"),
        ),
        sa.CheckConstraint(
            (
                "publication_at < questions_deadline AND questions_deadline < bid_deadline AND "
                "bid_deadline < planned_award_at AND planned_award_at < contract_start_at"
            ),
            name=op.f("ck_tenders_timeline_order"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_tenders_version_positive")),
        sa.ForeignKeyConstraint(
            ["coalition_id"], ["coalitions.id"], name=op.f("fk_tenders_coalition_id_coalitions")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_tenders_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenders")),
    )
    op.create_index(op.f("ix_tenders_coalition_id"), "tenders", ["coalition_id"], unique=False)
    op.create_table(
        "tender_lots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("route", postgresql.ENUM(name="course_route", create_type=False), nullable=False),
        sa.Column("level", postgresql.ENUM(name="course_level", create_type=False), nullable=True),
        sa.Column(
            "stream", postgresql.ENUM(name="onderwijs_stream", create_type=False), nullable=True
        ),
        sa.Column("region_codes", postgresql.ARRAY(sa.String(length=4)), nullable=False),
        sa.Column("max_value_cents", sa.BigInteger(), nullable=True),
        sa.Column("max_trajectories", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "active",
                "award_decided",
                "contracted",
                "unsuccessful",
                "cancelled",
                name="lot_state",
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            (
                "(route = 'onderwijs') = (stream IS NOT NULL) AND (stream IS NULL) = (level IS NOT "
                "NULL)"
            ),
            name=op.f("ck_tender_lots_level_or_stream"),
        ),
        sa.CheckConstraint(
            "cardinality(region_codes) >= 1", name=op.f("ck_tender_lots_regions_given")
        ),
        sa.CheckConstraint(
            "char_length(title) BETWEEN 1 AND 200", name=op.f("ck_tender_lots_title_length")
        ),
        sa.CheckConstraint(
            "max_trajectories > 0", name=op.f("ck_tender_lots_max_trajectories_positive")
        ),
        sa.CheckConstraint("max_value_cents > 0", name=op.f("ck_tender_lots_max_value_positive")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_tender_lots_number_positive")),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tenders.id"],
            name=op.f("fk_tender_lots_tender_id_tenders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_lots")),
        sa.UniqueConstraint("tender_id", "number", name=op.f("uq_tender_lots_tender_id_number")),
    )
    op.create_table(
        "tender_quality_criteria",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("weight_bp", sa.Integer(), nullable=False),
        sa.Column("value_cents", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "char_length(name) BETWEEN 1 AND 200",
            name=op.f("ck_tender_quality_criteria_name_length"),
        ),
        sa.CheckConstraint(
            "value_cents >= 0", name=op.f("ck_tender_quality_criteria_value_not_negative")
        ),
        sa.CheckConstraint(
            "weight_bp BETWEEN 1 AND 10000",
            name=op.f("ck_tender_quality_criteria_weight_within_whole"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tenders.id"],
            name=op.f("fk_tender_quality_criteria_tender_id_tenders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_quality_criteria")),
        sa.UniqueConstraint(
            "tender_id", "position", name=op.f("uq_tender_quality_criteria_tender_id_position")
        ),
    )
    op.create_table(
        "tender_requirements",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "blik_op_werk",
                "diploma_recognition",
                "evening_lessons",
                "max_class_size",
                "intake_frequency",
                "accessibility",
                "custom",
                name="requirement_kind",
            ),
            nullable=False,
        ),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            (
                "(kind = 'custom') = (text IS NOT NULL) AND (text IS NULL OR char_length(text) "
                "BETWEEN 1 AND 1000)"
            ),
            name=op.f("ck_tender_requirements_text_for_custom"),
        ),
        sa.CheckConstraint(
            (
                "(kind IN ('max_class_size', 'intake_frequency')) = (amount IS NOT NULL) "
                "AND (amount IS NULL OR amount > 0)"
            ),
            name=op.f("ck_tender_requirements_amount_for_counted_kinds"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tenders.id"],
            name=op.f("fk_tender_requirements_tender_id_tenders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_requirements")),
        sa.UniqueConstraint(
            "tender_id", "position", name=op.f("uq_tender_requirements_tender_id_position")
        ),
    )
    op.create_table(
        "tender_lot_volumes",
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("learners_per_year", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "learners_per_year >= 0", name=op.f("ck_tender_lot_volumes_learners_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["tender_lots.id"],
            name=op.f("fk_tender_lot_volumes_lot_id_tender_lots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tender_lot_volumes_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("lot_id", "organisation_id", name=op.f("pk_tender_lot_volumes")),
    )


def downgrade() -> None:
    op.drop_table("tender_lot_volumes")
    op.drop_table("tender_requirements")
    op.drop_table("tender_quality_criteria")
    op.drop_table("tender_lots")
    op.drop_index(op.f("ix_tenders_coalition_id"), table_name="tenders")
    op.drop_table("tenders")
    op.drop_index(op.f("ix_coalition_members_organisation_id"), table_name="coalition_members")
    op.drop_table("coalition_members")
    op.drop_index(op.f("ix_coalitions_lead_id"), table_name="coalitions")
    op.drop_table("coalitions")
    for enum in (
        "requirement_kind",
        "lot_state",
        "award_method",
        "tender_state",
        "coalition_member_state",
    ):
        sa.Enum(name=enum).drop(op.get_bind())
