"""What a mail about a booking or a place on the waitlist tells its learner, read in one
statement: the learner's address and language, the course, its school and its start.

Read-only, for whoever writes to the learner (market.notifications). The statement joins
what enrollment keeps with the few columns it names of the learner's account
(`users`: email, name, language), the course (`courses.title`) and the school
(`organisations.name`): one well-scoped read rather than three services' round trips, kept
here beside the rows it starts from. A booking whose learner deleted their account
(`learner_id` NULL) has no summary: nobody is left to write to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Course, Intake
from market.enrollment.models import (
    Enrollment,
    EnrollmentState,
    PaymentMethod,
    WaitlistEntry,
    WaitlistState,
)
from market.identity.models import Organisation, User


@dataclass(frozen=True, slots=True)
class Learner:
    email: str
    display_name: str
    # As the account stores it (an ISO 639-1 code); the writer picks a language it has.
    preferred_language: str


@dataclass(frozen=True, slots=True)
class CourseStart:
    """The course, its school (the provider's name) and its start: a date, or None for
    continuous intake (the learner and the school agree on it)."""

    title: str
    provider_name: str
    starts_on: date | None


@dataclass(frozen=True, slots=True)
class BookingSummary:
    enrollment_id: uuid.UUID
    learner: Learner
    course: CourseStart
    state: EnrollmentState
    payment_method: PaymentMethod
    price_cents: int
    duo_cents: int
    created_at: datetime
    # Until when the seat is (or was) held; None once confirmed.
    hold_expires_at: datetime | None
    # What the cancellation gave back; None unless cancelled.
    refund_cents: int | None


@dataclass(frozen=True, slots=True)
class WaitlistSummary:
    waitlist_entry_id: uuid.UUID
    learner: Learner
    course: CourseStart
    state: WaitlistState
    payment_method: PaymentMethod
    offer_expires_at: datetime | None


async def booking_summary(session: AsyncSession, enrollment_id: uuid.UUID) -> BookingSummary | None:
    """The enrollment's summary; None when there is no such enrollment or its learner's
    account is gone."""
    row = (
        await session.execute(
            select(
                Enrollment.state,
                Enrollment.payment_method,
                Enrollment.price_cents,
                Enrollment.duo_cents,
                Enrollment.created_at,
                Enrollment.hold_expires_at,
                Enrollment.refund_cents,
                # Copied from the intake when booked: the start the learner agreed to.
                Enrollment.starts_on,
                User.email,
                User.display_name,
                User.preferred_language,
                Course.title,
                Organisation.name.label("provider_name"),
            )
            .join(User, User.id == Enrollment.learner_id)
            .join(Course, Course.id == Enrollment.course_id)
            .join(Organisation, Organisation.id == Enrollment.provider_id)
            .where(Enrollment.id == enrollment_id)
        )
    ).one_or_none()
    if row is None:
        return None
    return BookingSummary(
        enrollment_id=enrollment_id,
        learner=Learner(row.email, row.display_name, row.preferred_language),
        course=CourseStart(row.title, row.provider_name, row.starts_on),
        state=row.state,
        payment_method=row.payment_method,
        price_cents=row.price_cents,
        duo_cents=row.duo_cents,
        created_at=row.created_at,
        hold_expires_at=row.hold_expires_at,
        refund_cents=row.refund_cents,
    )


async def waitlist_summary(
    session: AsyncSession, waitlist_entry_id: uuid.UUID
) -> WaitlistSummary | None:
    """The waitlist place's summary; None when there is no such place or its learner's
    account is gone."""
    row = (
        await session.execute(
            select(
                WaitlistEntry.state,
                WaitlistEntry.payment_method,
                WaitlistEntry.offer_expires_at,
                Intake.starts_on,
                User.email,
                User.display_name,
                User.preferred_language,
                Course.title,
                Organisation.name.label("provider_name"),
            )
            .join(User, User.id == WaitlistEntry.learner_id)
            .join(Intake, Intake.id == WaitlistEntry.intake_id)
            .join(Course, Course.id == Intake.course_id)
            .join(Organisation, Organisation.id == Course.provider_id)
            .where(WaitlistEntry.id == waitlist_entry_id)
        )
    ).one_or_none()
    if row is None:
        return None
    return WaitlistSummary(
        waitlist_entry_id=waitlist_entry_id,
        learner=Learner(row.email, row.display_name, row.preferred_language),
        course=CourseStart(row.title, row.provider_name, row.starts_on),
        state=row.state,
        payment_method=row.payment_method,
        offer_expires_at=row.offer_expires_at,
    )
