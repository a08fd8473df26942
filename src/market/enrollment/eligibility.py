"""What other domains may ask of a learner's enrollments (read only)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import ColumnElement, Date, and_, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.policies import TIMEZONE, local_today
from market.enrollment.models import Enrollment, EnrollmentState


def _starts() -> ColumnElement[date]:
    """A booking's start: its intake's date, or for continuous intake the day (in the
    Netherlands) the booking was confirmed."""
    return func.coalesce(
        Enrollment.starts_on, cast(func.timezone(TIMEZONE, Enrollment.confirmed_at), Date)
    )


def _started(learner_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(
        Enrollment.learner_id == learner_id,
        Enrollment.state == EnrollmentState.CONFIRMED,
        _starts() <= local_today(),
    )


async def started_enrollment(
    session: AsyncSession, learner_id: uuid.UUID, course_id: uuid.UUID
) -> uuid.UUID | None:
    """A confirmed enrollment of this learner on this course that has started: its start
    date (the booking's confirmation date, in the Netherlands, for continuous intake) is
    today or earlier by the database's clock. The earliest such one, or None: a held,
    cancelled or future booking does not count."""
    starts = _starts()
    return await session.scalar(
        select(Enrollment.id)
        .where(_started(learner_id), Enrollment.course_id == course_id)
        .order_by(starts, Enrollment.id)
        .limit(1)
    )


async def started_enrollments(
    session: AsyncSession, learner_id: uuid.UUID
) -> dict[uuid.UUID, uuid.UUID]:
    """Course -> one started, confirmed enrollment of the learner on it (as
    `started_enrollment` counts one): the courses they may review, and the booking a
    review is given under."""
    rows = await session.execute(
        select(Enrollment.course_id, Enrollment.id)
        .where(_started(learner_id))
        .order_by(Enrollment.created_at.desc())
    )
    return dict(rows.tuples().all())
