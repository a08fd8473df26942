"""Providers' tender search (market.tenders.service.tenders): tenders by bid deadline,
and lots by region (a GIN index for `region_codes && ...`).

Revision ID: 0023_tender_search
Revises: 0022_documents
Create Date: 2026-12-03 08:05:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023_tender_search"
down_revision: str | None = "0022_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_tenders_bid_deadline", "tenders", ["bid_deadline"])
    op.create_index(
        "ix_tender_lots_region_codes", "tender_lots", ["region_codes"], postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_index("ix_tender_lots_region_codes", table_name="tender_lots")
    op.drop_index("ix_tenders_bid_deadline", table_name="tenders")
