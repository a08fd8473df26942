"""Documents (market.tenders.documents): uploads received by `POST /documents`, waiting to
be attached to a bid or a tender, and a tender's own documents; bid documents' keys
indexed, as forgetting an abandoned upload looks its key up there.

Revision ID: 0022_documents
Revises: 0021_tender_awards
Create Date: 2026-12-03 07:39:17.030271
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_documents"
down_revision: str | None = "0021_tender_awards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_uploads",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "char_length(name) BETWEEN 1 AND 200", name=op.f("ck_document_uploads_name_length")
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_document_uploads_size_positive")),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_document_uploads_uploaded_by_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_uploads")),
    )
    op.create_index(op.f("ix_document_uploads_key"), "document_uploads", ["key"], unique=False)
    op.create_index(
        "ix_document_uploads_uploaded_by_created_at",
        "document_uploads",
        ["uploaded_by", "created_at"],
        unique=False,
    )
    op.create_table(
        "tender_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=True),
        sa.Column(
            "added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.CheckConstraint(
            "char_length(name) BETWEEN 1 AND 200", name=op.f("ck_tender_documents_name_length")
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_tender_documents_size_positive")),
        sa.ForeignKeyConstraint(
            ["added_by"],
            ["users.id"],
            name=op.f("fk_tender_documents_added_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tenders.id"],
            name=op.f("fk_tender_documents_tender_id_tenders"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_documents")),
        sa.UniqueConstraint(
            "tender_id", "position", name=op.f("uq_tender_documents_tender_id_position")
        ),
    )
    op.create_index(op.f("ix_tender_documents_key"), "tender_documents", ["key"], unique=False)
    op.create_index(
        op.f("ix_tender_bid_documents_key"), "tender_bid_documents", ["key"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tender_bid_documents_key"), table_name="tender_bid_documents")
    op.drop_index(op.f("ix_tender_documents_key"), table_name="tender_documents")
    op.drop_table("tender_documents")
    op.drop_index("ix_document_uploads_uploaded_by_created_at", table_name="document_uploads")
    op.drop_index(op.f("ix_document_uploads_key"), table_name="document_uploads")
    op.drop_table("document_uploads")
