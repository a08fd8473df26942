"""What other domains may ask of a learner's enrollments (read only)."""

from __future__ import annotations

import uuid

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.policies import TIMEZONE, local_today
from market.enrollment.models import Enrollment, EnrollmentState


async def started_enrollment(
    session: AsyncSession, learner_id: uuid.UUID, course_id: uuid.UUID
) -> uuid.UUID | None:
    """A confirmed enrollment of this learner on this course that has started: its start
    date (the booking's confirmation date, in the Netherlands, for continuous intake) is
    today or earlier by the database's clock. The earliest such one, or None: a held,
    cancelled or future booking does not count."""
    starts = func.coalesce(
        Enrollment.starts_on, cast(func.timezone(TIMEZONE, Enrollment.confirmed_at), Date)
    )
    return await session.scalar(
        select(Enrollment.id)
        .where(
            Enrollment.learner_id == learner_id,
            Enrollment.course_id == course_id,
            Enrollment.state == EnrollmentState.CONFIRMED,
            starts <= local_today(),
        )
        .order_by(starts, Enrollment.id)
        .limit(1)
    )
