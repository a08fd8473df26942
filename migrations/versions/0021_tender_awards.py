"""The rest of a joint tender's life (market.tenders): knock-out checks and price-blind
quality scores (each evaluator's own, then the consensus), award decisions with their
standstill, objections, one contract per member municipality, corrections after
publication, re-tendering a lot, and providers following tenders by route and region.

Revision ID: 0021_tender_awards
Revises: 0020_tender_bids
Create Date: 2026-12-03 07:29:00.601052
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021_tender_awards"
down_revision: str | None = "0020_tender_bids"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tender_rectifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("bid_deadline_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bid_deadline_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=False),
        sa.Column(
            "published_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "bid_deadline_after >= bid_deadline_before",
            name=op.f("ck_tender_rectifications_deadline_not_earlier"),
        ),
        sa.CheckConstraint(
            "char_length(reason) BETWEEN 1 AND 4000",
            name=op.f("ck_tender_rectifications_reason_length"),
        ),
        sa.CheckConstraint(
            "version >= 2", name=op.f("ck_tender_rectifications_version_after_first")
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name=op.f("fk_tender_rectifications_published_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_rectifications_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_rectifications")),
        sa.UniqueConstraint(
            "tender_id", "version", name=op.f("uq_tender_rectifications_tender_id_version")
        ),
    )
    op.create_index(
        op.f("ix_tender_rectifications_tender_id"),
        "tender_rectifications",
        ["tender_id"],
        unique=False,
    )
    op.create_table(
        "tender_follows",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("route", postgresql.ENUM(name="course_route", create_type=False), nullable=True),
        sa.Column("region_code", sa.String(length=4), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_tender_follows_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_tender_follows_provider_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["labour_market_regions.code"],
            name=op.f("fk_tender_follows_region_code_labour_market_regions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_follows")),
        sa.UniqueConstraint(
            "provider_id",
            "route",
            "region_code",
            name=op.f("uq_tender_follows_provider_id_route_region_code"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        op.f("ix_tender_follows_provider_id"), "tender_follows", ["provider_id"], unique=False
    )
    op.create_index(
        op.f("ix_tender_follows_region_code"), "tender_follows", ["region_code"], unique=False
    )
    op.create_table(
        "tender_award_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state", sa.Enum("standing", "withdrawn", name="award_decision_state"), nullable=False
        ),
        sa.Column("winning_bid_id", sa.Uuid(), nullable=False),
        sa.Column("ranking", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("standstill_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "char_length(reasons) BETWEEN 1 AND 20000",
            name=op.f("ck_tender_award_decisions_reasons_length"),
        ),
        sa.CheckConstraint(
            "standstill_ends_at > sent_at",
            name=op.f("ck_tender_award_decisions_standstill_after_sending"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_tender_award_decisions_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"],
            ["tender_lots.id"],
            name=op.f("fk_tender_award_decisions_lot_id_tender_lots"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_award_decisions_tender_id_tenders")
        ),
        sa.ForeignKeyConstraint(
            ["winning_bid_id"],
            ["tender_bids.id"],
            name=op.f("fk_tender_award_decisions_winning_bid_id_tender_bids"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_award_decisions")),
    )
    op.create_index(
        op.f("ix_tender_award_decisions_lot_id"), "tender_award_decisions", ["lot_id"], unique=False
    )
    op.create_index(
        op.f("ix_tender_award_decisions_tender_id"),
        "tender_award_decisions",
        ["tender_id"],
        unique=False,
    )
    op.create_index(
        "uq_tender_award_decisions_standing",
        "tender_award_decisions",
        ["lot_id"],
        unique=True,
        postgresql_where=sa.text("state = 'standing'"),
    )
    op.create_table(
        "tender_bid_checks",
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("checked_by", sa.Uuid(), nullable=False),
        sa.Column(
            "checked_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "passed = (reason IS NULL)"
            " AND (reason IS NULL OR char_length(reason) BETWEEN 1 AND 4000)",
            name=op.f("ck_tender_bid_checks_reason_when_out"),
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"], ["tender_bids.id"], name=op.f("fk_tender_bid_checks_bid_id_tender_bids")
        ),
        sa.ForeignKeyConstraint(
            ["checked_by"], ["users.id"], name=op.f("fk_tender_bid_checks_checked_by_users")
        ),
        sa.PrimaryKeyConstraint("bid_id", name=op.f("pk_tender_bid_checks")),
    )
    op.create_table(
        "tender_consensus_scores",
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("criterion_id", sa.Uuid(), nullable=False),
        sa.Column("score_bp", sa.Integer(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("agreed_by", sa.Uuid(), nullable=False),
        sa.Column(
            "agreed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "char_length(motivation) BETWEEN 1 AND 4000",
            name=op.f("ck_tender_consensus_scores_motivation_length"),
        ),
        sa.CheckConstraint(
            "score_bp BETWEEN 0 AND 10000",
            name=op.f("ck_tender_consensus_scores_score_within_whole"),
        ),
        sa.ForeignKeyConstraint(
            ["agreed_by"], ["users.id"], name=op.f("fk_tender_consensus_scores_agreed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"],
            ["tender_bids.id"],
            name=op.f("fk_tender_consensus_scores_bid_id_tender_bids"),
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["tender_quality_criteria.id"],
            name=op.f("fk_tender_consensus_scores_criterion_id_tender_quality_criteria"),
        ),
        sa.PrimaryKeyConstraint("bid_id", "criterion_id", name=op.f("pk_tender_consensus_scores")),
    )
    op.create_table(
        "tender_quality_scores",
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("criterion_id", sa.Uuid(), nullable=False),
        sa.Column("evaluator_id", sa.Uuid(), nullable=False),
        sa.Column("score_bp", sa.Integer(), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column(
            "scored_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "char_length(motivation) BETWEEN 1 AND 4000",
            name=op.f("ck_tender_quality_scores_motivation_length"),
        ),
        sa.CheckConstraint(
            "score_bp BETWEEN 0 AND 10000", name=op.f("ck_tender_quality_scores_score_within_whole")
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"], ["tender_bids.id"], name=op.f("fk_tender_quality_scores_bid_id_tender_bids")
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["tender_quality_criteria.id"],
            name=op.f("fk_tender_quality_scores_criterion_id_tender_quality_criteria"),
        ),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["users.id"], name=op.f("fk_tender_quality_scores_evaluator_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "bid_id", "criterion_id", "evaluator_id", name=op.f("pk_tender_quality_scores")
        ),
    )
    op.create_table(
        "tender_contracts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("supplier_id", sa.Uuid(), nullable=False),
        sa.Column("learners_per_year", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("latest_end_date", sa.Date(), nullable=False),
        sa.Column("extensions_exercised", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column("signed_by", sa.Uuid(), nullable=True),
        sa.Column(
            "signed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "extensions_exercised >= 0", name=op.f("ck_tender_contracts_extensions_not_negative")
        ),
        sa.CheckConstraint(
            "learners_per_year >= 0", name=op.f("ck_tender_contracts_learners_not_negative")
        ),
        sa.CheckConstraint("price_cents > 0", name=op.f("ck_tender_contracts_price_positive")),
        sa.CheckConstraint(
            "starts_on < ends_on AND ends_on <= latest_end_date",
            name=op.f("ck_tender_contracts_term_within_latest_end"),
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"], ["tender_bids.id"], name=op.f("fk_tender_contracts_bid_id_tender_bids")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"],
            ["organisations.id"],
            name=op.f("fk_tender_contracts_buyer_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["tender_award_decisions.id"],
            name=op.f("fk_tender_contracts_decision_id_tender_award_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["tender_lots.id"], name=op.f("fk_tender_contracts_lot_id_tender_lots")
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"],
            ["users.id"],
            name=op.f("fk_tender_contracts_signed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["organisations.id"],
            name=op.f("fk_tender_contracts_supplier_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_contracts_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_contracts")),
        sa.UniqueConstraint("lot_id", "buyer_id", name=op.f("uq_tender_contracts_lot_id_buyer_id")),
    )
    op.create_index(
        op.f("ix_tender_contracts_buyer_id"), "tender_contracts", ["buyer_id"], unique=False
    )
    op.create_index(
        "ix_tender_contracts_supplier_term",
        "tender_contracts",
        ["supplier_id", "starts_on", "ends_on"],
        unique=False,
    )
    op.create_index(
        op.f("ix_tender_contracts_tender_id"), "tender_contracts", ["tender_id"], unique=False
    )
    op.create_table(
        "tender_objections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("open", "withdrawn", "rejected", "upheld", name="objection_state"),
            nullable=False,
        ),
        sa.Column("registered_by", sa.Uuid(), nullable=True),
        sa.Column(
            "registered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'open') = (resolved_at IS NULL)"
            " AND (resolved_at IS NULL) = (resolution IS NULL)",
            name=op.f("ck_tender_objections_resolved_with_resolution"),
        ),
        sa.CheckConstraint(
            "char_length(text) BETWEEN 1 AND 20000", name=op.f("ck_tender_objections_text_length")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["tender_award_decisions.id"],
            name=op.f("fk_tender_objections_decision_id_tender_award_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["tender_lots.id"], name=op.f("fk_tender_objections_lot_id_tender_lots")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_tender_objections_provider_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["registered_by"],
            ["users.id"],
            name=op.f("fk_tender_objections_registered_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"],
            ["users.id"],
            name=op.f("fk_tender_objections_resolved_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_objections_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_objections")),
    )
    op.create_index(
        "ix_tender_objections_open",
        "tender_objections",
        ["lot_id"],
        unique=False,
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index(
        op.f("ix_tender_objections_tender_id"), "tender_objections", ["tender_id"], unique=False
    )
    op.add_column("tenders", sa.Column("retender_of_lot_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_tenders_retender_of_lot_id_tender_lots"),
        "tenders",
        "tender_lots",
        ["retender_of_lot_id"],
        ["id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_tenders_retender_of_lot_id_tender_lots"), "tenders", type_="foreignkey"
    )
    op.drop_column("tenders", "retender_of_lot_id")
    op.drop_index(op.f("ix_tender_objections_tender_id"), table_name="tender_objections")
    op.drop_index(
        "ix_tender_objections_open",
        table_name="tender_objections",
        postgresql_where=sa.text("state = 'open'"),
    )
    op.drop_table("tender_objections")
    op.drop_index(op.f("ix_tender_contracts_tender_id"), table_name="tender_contracts")
    op.drop_index("ix_tender_contracts_supplier_term", table_name="tender_contracts")
    op.drop_index(op.f("ix_tender_contracts_buyer_id"), table_name="tender_contracts")
    op.drop_table("tender_contracts")
    op.drop_table("tender_quality_scores")
    op.drop_table("tender_consensus_scores")
    op.drop_table("tender_bid_checks")
    op.drop_index(
        "uq_tender_award_decisions_standing",
        table_name="tender_award_decisions",
        postgresql_where=sa.text("state = 'standing'"),
    )
    op.drop_index(op.f("ix_tender_award_decisions_tender_id"), table_name="tender_award_decisions")
    op.drop_index(op.f("ix_tender_award_decisions_lot_id"), table_name="tender_award_decisions")
    op.drop_table("tender_award_decisions")
    op.drop_index(op.f("ix_tender_follows_region_code"), table_name="tender_follows")
    op.drop_index(op.f("ix_tender_follows_provider_id"), table_name="tender_follows")
    op.drop_table("tender_follows")
    op.drop_index(op.f("ix_tender_rectifications_tender_id"), table_name="tender_rectifications")
    op.drop_table("tender_rectifications")
    for enum in ("objection_state", "award_decision_state"):
        sa.Enum(name=enum).drop(op.get_bind())
