"""Tenders: publication (the award terms frozen with the tender), cancellation with a
reason, idempotency keys for retried creates and publishes, and the hash-chained audit
trail of tenders and coalitions, its entries guarded against UPDATE, DELETE and TRUNCATE
by a trigger.

Revision ID: 0018_tender_audit
Revises: 0017_tenders
Create Date: 2026-12-03 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018_tender_audit"
down_revision: str | None = "0017_tenders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One statement each: asyncpg prepares what it runs, and a prepared statement holds one.
REFUSE_CHANGE = (
    """CREATE FUNCTION tender_audit_entries_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'tender_audit_entries is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$""",
    """CREATE TRIGGER tender_audit_entries_append_only
    BEFORE UPDATE OR DELETE ON tender_audit_entries
    FOR EACH ROW EXECUTE FUNCTION tender_audit_entries_refuse_change()""",
    """CREATE TRIGGER tender_audit_entries_no_truncate
    BEFORE TRUNCATE ON tender_audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION tender_audit_entries_refuse_change()""",
)


def _audit_head(table: str) -> None:
    op.add_column(table, sa.Column("audit_head", sa.String(length=64), nullable=True))
    op.add_column(
        table,
        sa.Column("audit_count", sa.Integer(), server_default="0", nullable=False),
    )


def upgrade() -> None:
    _audit_head("coalitions")
    _audit_head("tenders")
    op.add_column(
        "tenders",
        sa.Column("frozen_terms", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.add_column("tenders", sa.Column("cancellation_reason", sa.Text(), nullable=True))
    op.create_table(
        "tender_audit_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=True),
        sa.Column("coalition_id", sa.Uuid(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("change", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "num_nonnulls(tender_id, coalition_id) = 1",
            name=op.f("ck_tender_audit_entries_one_subject"),
        ),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_tender_audit_entries_sequence_positive")),
        sa.ForeignKeyConstraint(
            ["coalition_id"],
            ["coalitions.id"],
            name=op.f("fk_tender_audit_entries_coalition_id_coalitions"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_audit_entries_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_audit_entries")),
        sa.UniqueConstraint(
            "coalition_id", "sequence", name=op.f("uq_tender_audit_entries_coalition_id_sequence")
        ),
        sa.UniqueConstraint(
            "tender_id", "sequence", name=op.f("uq_tender_audit_entries_tender_id_sequence")
        ),
    )
    for statement in REFUSE_CHANGE:
        op.execute(statement)
    op.create_table(
        "tender_idempotency_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("operation", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_digest", sa.String(length=64), nullable=False),
        sa.Column("result_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "char_length(key) BETWEEN 1 AND 200",
            name=op.f("ck_tender_idempotency_keys_key_length"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_tender_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "operation", "key", name=op.f("pk_tender_idempotency_keys")
        ),
    )


def downgrade() -> None:
    op.drop_table("tender_idempotency_keys")
    op.drop_table("tender_audit_entries")
    op.execute("DROP FUNCTION tender_audit_entries_refuse_change()")
    for column in ("cancellation_reason", "frozen_terms", "audit_count", "audit_head"):
        op.drop_column("tenders", column)
    for column in ("audit_count", "audit_head"):
        op.drop_column("coalitions", column)
