"""Questions and answers on tenders (market.tenders.questions): providers' questions with
who asked (shown to nobody but the asker's provider and platform admins), the lead's
answers, and the numbered notas van inlichtingen that bundle them, which a trigger keeps
from ever being changed or removed.

Revision ID: 0019_tender_questions
Revises: 0018_tender_audit
Create Date: 2026-12-03 05:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_tender_questions"
down_revision: str | None = "0018_tender_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMUTABLE = """
CREATE FUNCTION tender_notas_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a nota van inlichtingen is never changed or removed (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "tender_notas",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_tender_notas_number_positive")),
        sa.CheckConstraint(
            "sha256 = encode(sha256(convert_to(body, 'UTF8')), 'hex')",
            name=op.f("ck_tender_notas_hash_of_body"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name=op.f("fk_tender_notas_published_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_notas_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_notas")),
        sa.UniqueConstraint("tender_id", "number", name=op.f("uq_tender_notas_tender_id_number")),
    )
    op.create_index(op.f("ix_tender_notas_tender_id"), "tender_notas", ["tender_id"], unique=False)
    op.create_table(
        "tender_questions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tender_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.Uuid(), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nota_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_tender_questions_number_positive")),
        sa.CheckConstraint(
            "char_length(text) BETWEEN 1 AND 4000", name=op.f("ck_tender_questions_text_length")
        ),
        sa.CheckConstraint(
            "(answer IS NULL) = (answered_at IS NULL)"
            " AND (answer IS NULL OR char_length(answer) BETWEEN 1 AND 20000)",
            name=op.f("ck_tender_questions_answer_complete"),
        ),
        sa.CheckConstraint(
            "nota_id IS NULL OR answer IS NOT NULL",
            name=op.f("ck_tender_questions_nota_holds_answers"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["users.id"],
            name=op.f("fk_tender_questions_answered_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["asked_by"],
            ["users.id"],
            name=op.f("fk_tender_questions_asked_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["tender_lots.id"], name=op.f("fk_tender_questions_lot_id_tender_lots")
        ),
        sa.ForeignKeyConstraint(
            ["nota_id"], ["tender_notas.id"], name=op.f("fk_tender_questions_nota_id_tender_notas")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisations.id"],
            name=op.f("fk_tender_questions_provider_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_tender_questions_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender_questions")),
        sa.UniqueConstraint(
            "tender_id", "number", name=op.f("uq_tender_questions_tender_id_number")
        ),
    )
    op.create_index(
        op.f("ix_tender_questions_nota_id"), "tender_questions", ["nota_id"], unique=False
    )
    op.create_index(
        op.f("ix_tender_questions_tender_id"), "tender_questions", ["tender_id"], unique=False
    )
    op.execute(IMMUTABLE)
    op.execute(
        "CREATE TRIGGER tender_notas_immutable BEFORE UPDATE OR DELETE ON tender_notas"
        " FOR EACH ROW EXECUTE FUNCTION tender_notas_immutable()"
    )
    op.execute(
        "CREATE TRIGGER tender_notas_not_truncated BEFORE TRUNCATE ON tender_notas"
        " FOR EACH STATEMENT EXECUTE FUNCTION tender_notas_immutable()"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tender_questions_tender_id"), table_name="tender_questions")
    op.drop_index(op.f("ix_tender_questions_nota_id"), table_name="tender_questions")
    op.drop_table("tender_questions")
    op.drop_index(op.f("ix_tender_notas_tender_id"), table_name="tender_notas")
    op.drop_table("tender_notas")
    op.execute("DROP FUNCTION tender_notas_immutable()")
