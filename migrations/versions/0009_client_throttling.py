"""Identity: throttling per client. Login failures remember the client they came from, so
failures elsewhere no longer hold the account's owner back; `client_request_counts`
counts register, login and invitation-acceptance requests per client and window.

Failures recorded before this revision belong to no client (an empty hash) and age out
with the purge.

Revision ID: 0009_client_throttling
Revises: 0008_search_places
Create Date: 2026-11-29 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_client_throttling"
down_revision: str | None = "0008_search_places"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "login_failures",
        sa.Column("client_hash", sa.String(length=64), nullable=False, server_default=""),
    )
    op.alter_column("login_failures", "client_hash", server_default=None)
    op.create_index(
        "ix_login_failures_client_hash",
        "login_failures",
        ["client_hash", "attempted_at"],
        unique=False,
    )
    op.create_table(
        "client_request_counts",
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("counted_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "action", "client_hash", "counted_until", name=op.f("pk_client_request_counts")
        ),
    )


def downgrade() -> None:
    op.drop_table("client_request_counts")
    op.drop_index("ix_login_failures_client_hash", table_name="login_failures")
    op.drop_column("login_failures", "client_hash")
