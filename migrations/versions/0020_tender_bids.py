"""Sealed bids on tender lots (market.tenders): a provider's bid per lot with its price,
its answers to the quality criteria and its documents (kept by the FileStore), earlier
submissions kept as withdrawn or superseded; and the four-eyes opening with its report.

Revision ID: 0020_tender_bids
Revises: 0019_tender_questions
Create Date: 2026-12-03 05:12:57.850154
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0020_tender_bids"
down_revision: str | None = "0019_tender_questions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tender_bid_openings",
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column(
            "requested_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("opened_by", sa.Uuid(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.CheckConstraint(
            "(opened_by IS NULL) = (opened_at IS NULL) AND (opened_at IS NULL) = (report IS NULL)",
            name=op.f("ck_tender_bid_openings_opened_with_report"),
        ),
        sa.CheckConstraint(
            "opened_by <> requested_by", name=op.f("ck_tender_bid_openings_four_eyes")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["users.id"], name=op.f("fk_tender_bid_openings_opened_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_tender_bid_openings_requested_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_bid_openings_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("tender_id", name=op.f("pk_tender_bid_openings")),
    )
    op.create_table(
        "tender_bids",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("submitted", "withdrawn", "superseded", name="bid_state"),
            nullable=False,
        ),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("submitted_by", sa.Uuid(), nullable=True),
        sa.Column(
            "submitted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(state = 'submitted') = (ended_at IS NULL)",
            name=op.f("ck_tender_bids_ended_unless_live"),
        ),
        sa.CheckConstraint("price_cents > 0", name=op.f("ck_tender_bids_price_positive")),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["tender_lots.id"], name=op.f("fk_tender_bids_lot_id_tender_lots")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_tender_bids_provider_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["users.id"],
            name=op.f("fk_tender_bids_submitted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_bids_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_bids")),
    )
    op.create_index(op.f("ix_tender_bids_lot_id"), "tender_bids", ["lot_id"], unique=False)
    op.create_index(
        op.f("ix_tender_bids_provider_id"), "tender_bids", ["provider_id"], unique=False
    )
    op.create_index(op.f("ix_tender_bids_tender_id"), "tender_bids", ["tender_id"], unique=False)
    op.create_index(
        "uq_tender_bids_live",
        "tender_bids",
        ["lot_id", "provider_id"],
        unique=True,
        postgresql_where=sa.text("state = 'submitted'"),
    )
    op.create_table(
        "tender_bid_answers",
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("criterion_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bid_id"],
            ["tender_bids.id"],
            name=op.f("fk_tender_bid_answers_bid_id_tender_bids"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["criterion_id"],
            ["tender_quality_criteria.id"],
            name=op.f("fk_tender_bid_answers_criterion_id_tender_quality_criteria"),
        ),
        sa.PrimaryKeyConstraint("bid_id", "criterion_id", name=op.f("pk_tender_bid_answers")),
    )
    op.create_table(
        "tender_bid_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("bid_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "char_length(name) BETWEEN 1 AND 200", name=op.f("ck_tender_bid_documents_name_length")
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_tender_bid_documents_size_positive")),
        sa.ForeignKeyConstraint(
            ["bid_id"],
            ["tender_bids.id"],
            name=op.f("fk_tender_bid_documents_bid_id_tender_bids"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_bid_documents")),
        sa.UniqueConstraint(
            "bid_id", "position", name=op.f("uq_tender_bid_documents_bid_id_position")
        ),
    )


def downgrade() -> None:
    op.drop_table("tender_bid_documents")
    op.drop_table("tender_bid_answers")
    op.drop_index(
        "uq_tender_bids_live",
        table_name="tender_bids",
        postgresql_where=sa.text("state = 'submitted'"),
    )
    op.drop_index(op.f("ix_tender_bids_tender_id"), table_name="tender_bids")
    op.drop_index(op.f("ix_tender_bids_provider_id"), table_name="tender_bids")
    op.drop_index(op.f("ix_tender_bids_lot_id"), table_name="tender_bids")
    op.drop_table("tender_bids")
    op.drop_table("tender_bid_openings")
    sa.Enum(name="bid_state").drop(op.get_bind())
