"""Catalog changes: the outbox a search job applies to the Meilisearch index.

Revision ID: 0005_catalog_changes
Revises: 0004_catalog
Create Date: 2026-11-28 11:02:21.877533
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_catalog_changes"
down_revision: str | None = "0004_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_changes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(course_id, provider_id, location_id) = 1",
            name=op.f("ck_catalog_changes_one_subject"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_changes")),
    )
    op.create_index(
        "ix_catalog_changes_pending",
        "catalog_changes",
        ["id"],
        unique=False,
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.create_index(
        "ix_catalog_changes_processed_at",
        "catalog_changes",
        ["processed_at"],
        unique=False,
        postgresql_where=sa.text("processed_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_catalog_changes_processed_at",
        table_name="catalog_changes",
        postgresql_where=sa.text("processed_at IS NOT NULL"),
    )
    op.drop_index(
        "ix_catalog_changes_pending",
        table_name="catalog_changes",
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.drop_table("catalog_changes")
