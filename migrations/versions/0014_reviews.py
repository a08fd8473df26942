"""Reviews from verified learners (market.reviews), and the learners' rating on the course
(`courses.rating_count`, `rating_sum`, market.catalog.ratings), which search's rows carry as
a score (`rating`) that `searchCourses(sort: RATING)` orders by before Blik op Werk stars;
the SQL files are loaded again (0013's text is frozen beside it; this revision's, in
0014_reviews.sql, since 0024_search_contracts).

Revision ID: 0014_reviews
Revises: 0013_enrollment
Create Date: 2026-12-02 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from market.db.migrations_sql import frozen_sql, run_script

revision: str = "0014_reviews"
down_revision: str | None = "0013_enrollment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every course has no reviews yet: the search rows' score 0 is already true.
SEARCH_UPGRADE = """
ALTER TABLE search_courses ADD COLUMN rating integer NOT NULL DEFAULT 0;
ALTER TABLE search_intakes ADD COLUMN rating integer NOT NULL DEFAULT 0;
ALTER TABLE search_places ADD COLUMN rating integer NOT NULL DEFAULT 0;
DROP INDEX ix_search_courses_stars;
CREATE INDEX ix_search_courses_rating
    ON search_courses (rating DESC, stars DESC NULLS LAST, course_id) INCLUDE (slot);
"""

SEARCH_DOWNGRADE = """
DROP FUNCTION search_refresh_ratings(uuid[]);
DROP INDEX ix_search_courses_rating;
CREATE INDEX ix_search_courses_stars ON search_courses (stars DESC NULLS LAST, course_id);
ALTER TABLE search_places DROP COLUMN rating;
ALTER TABLE search_intakes DROP COLUMN rating;
ALTER TABLE search_courses DROP COLUMN rating;
DROP FUNCTION rating_score(integer, integer);
"""


def upgrade() -> None:
    op.add_column(
        "courses", sa.Column("rating_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "courses", sa.Column("rating_sum", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_check_constraint(
        op.f("ck_courses_ratings_within_scale"),
        "courses",
        "rating_count >= 0 AND rating_sum BETWEEN rating_count AND 5 * rating_count",
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("learner_id", sa.Uuid(), nullable=True),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("enrollment_id", sa.Uuid(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("reply_body", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by", sa.Uuid(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("hidden_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating_scale")),
        sa.CheckConstraint(
            "char_length(body) BETWEEN 1 AND 2000", name=op.f("ck_reviews_body_length")
        ),
        sa.CheckConstraint(
            "(reply_body IS NULL) = (replied_at IS NULL)"
            " AND (reply_body IS NULL OR char_length(reply_body) BETWEEN 1 AND 2000)",
            name=op.f("ck_reviews_reply"),
        ),
        sa.CheckConstraint(
            "(hidden_at IS NULL) = (hidden_reason IS NULL)"
            " AND (hidden_reason IS NULL OR char_length(hidden_reason) BETWEEN 1 AND 500)",
            name=op.f("ck_reviews_hidden_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_reviews_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["enrollments.id"],
            name=op.f("fk_reviews_enrollment_id_enrollments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by"],
            ["users.id"],
            name=op.f("fk_reviews_hidden_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["users.id"],
            name=op.f("fk_reviews_learner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["provider_profiles.organisation_id"],
            name=op.f("fk_reviews_provider_id_provider_profiles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["replied_by"],
            ["users.id"],
            name=op.f("fk_reviews_replied_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(
        "uq_reviews_learner_course", "reviews", ["learner_id", "course_id"], unique=True
    )
    op.create_index("ix_reviews_course_created", "reviews", ["course_id", "created_at", "id"])
    op.create_index(op.f("ix_reviews_provider_id"), "reviews", ["provider_id"])
    run_script(SEARCH_UPGRADE + frozen_sql(revision))


def downgrade() -> None:
    op.drop_table("reviews")
    run_script(frozen_sql("0013_enrollment") + SEARCH_DOWNGRADE)
    op.drop_constraint("ck_courses_ratings_within_scale", "courses")
    op.drop_column("courses", "rating_sum")
    op.drop_column("courses", "rating_count")
