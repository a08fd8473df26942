"""Mails sent, one row per outbox event, so that an event delivered twice mails once
(market.notifications).

Revision ID: 0012_sent_mails
Revises: 0011_outbox
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_sent_mails"
down_revision: str | None = "0011_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sent_mails",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("message", sa.String(length=64), nullable=False),
        sa.Column(
            "sent_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_sent_mails")),
    )
    op.create_index(op.f("ix_sent_mails_sent_at"), "sent_mails", ["sent_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sent_mails_sent_at"), table_name="sent_mails")
    op.drop_table("sent_mails")
