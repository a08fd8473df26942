"""Reviews from verified learners: one per learner and course, written once the learner's
confirmed enrollment has started; the provider's staff reply once; a platform admin may
hide one (with a reason), which takes it out of what learners see and of the course's
rating (kept on the course: market.catalog.ratings)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from market.db.base import Base, created_at, uuid_pk


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[uuid.UUID] = uuid_pk()
    # NULL once the learner's account is deleted: the review stays, anonymised.
    learner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    # Copied from the enrollment: whose staff may reply.
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("provider_profiles.organisation_id", ondelete="CASCADE"), index=True
    )
    # The started, confirmed enrollment that entitled the learner to write it.
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="SET NULL")
    )
    rating: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    reply_body: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replied_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    hidden_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    # The service refuses with friendly errors; the database keeps them true.
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_scale"),
        CheckConstraint("char_length(body) BETWEEN 1 AND 2000", name="body_length"),
        CheckConstraint(
            "(reply_body IS NULL) = (replied_at IS NULL)"
            " AND (reply_body IS NULL OR char_length(reply_body) BETWEEN 1 AND 2000)",
            name="reply",
        ),
        CheckConstraint(
            "(hidden_at IS NULL) = (hidden_reason IS NULL)"
            " AND (hidden_reason IS NULL OR char_length(hidden_reason) BETWEEN 1 AND 500)",
            name="hidden_with_reason",
        ),
        # One review per learner and course (anonymised ones, NULL, do not collide).
        Index("uq_reviews_learner_course", "learner_id", "course_id", unique=True),
        # A course's reviews, newest first (Course.reviews).
        Index("ix_reviews_course_created", "course_id", "created_at", "id"),
    )
