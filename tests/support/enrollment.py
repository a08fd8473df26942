"""Arranging enrollments straight in the database (the enrollment service is another
branch's work): a learner's booking of an intake in any state, with the course and
provider copied from the intake as a booking copies them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from market.catalog.models import Course, Intake
from market.db.database import Database
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod


async def add_enrollment(
    db: Database,
    learner_id: uuid.UUID,
    intake_id: uuid.UUID,
    *,
    state: EnrollmentState = EnrollmentState.CONFIRMED,
    starts_on: date | None = None,
    confirmed_at: datetime | None = None,
    **fields: Any,
) -> uuid.UUID:
    """A card-paid booking. Confirmed ones were confirmed a week ago unless told; without
    `starts_on` it is continuous intake (started on its confirmation date)."""
    if confirmed_at is None and state is EnrollmentState.CONFIRMED:
        confirmed_at = datetime.now(UTC) - timedelta(days=7)
    async with db.transaction() as session:
        course_id, provider_id, price = (
            await session.execute(
                select(Course.id, Course.provider_id, Course.price_cents)
                .join(Intake, Intake.course_id == Course.id)
                .where(Intake.id == intake_id)
            )
        ).one()
        enrollment = Enrollment(
            learner_id=learner_id,
            intake_id=intake_id,
            course_id=course_id,
            provider_id=provider_id,
            state=state,
            payment_method=PaymentMethod.CARD,
            price_cents=price,
            starts_on=starts_on,
            confirmed_at=confirmed_at,
            **fields,
        )
        session.add(enrollment)
        await session.flush()
        return enrollment.id
