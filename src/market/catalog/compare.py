"""compareCourses: two to four published courses side by side on the measures learners
choose by (DOMAIN.md: price, waiting time, lesson times, travel, certification).

Every measure is computed the way the search computes it: the expected start and wait of
the soonest bookable intake (market.catalog.availability), the distance to the nearest
location of a bookable intake (haversine from the postcode area's centroid). Three
statements whatever the number of courses: the postcode area, the courses with their
providers (and the database's today), their bookable intakes with locations.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager

from market.catalog import errors
from market.catalog.availability import Availability, availability_of
from market.catalog.exams import ExamPolicy, exam_policy
from market.catalog.models import Course, CourseStatus, Intake, Location, ProviderProfile
from market.catalog.policies import RULES, local_today
from market.catalog.service import ProviderView
from market.geo import service as geo
from market.geo.distance import haversine_km
from market.geo.errors import UnknownPostcode
from market.identity.models import Organisation

NOT_CERTIFIED = "DUO lends only for courses at schools with a valid Blik op Werk mark."


@dataclass(frozen=True, slots=True)
class DuoLoanCoverage:
    """What a learner's remaining DUO loan pays of the course price (DUO pays the school
    directly), and what is left for the learner to pay."""

    covered_cents: int
    to_pay_cents: int
    # Why the loan covers nothing although money remains; None otherwise.
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Soonest:
    intake: Intake
    availability: Availability


@dataclass(frozen=True, slots=True)
class Comparison:
    course: Course
    # Its `certified`: a verified Blik op Werk mark valid today (database clock).
    provider: ProviderView
    # The bookable intake one can start soonest (earliest expected start, shortest wait);
    # None when the course has no bookable intake left.
    soonest: Soonest | None
    # Kilometres (0.1 km precision) to the nearest location of a bookable intake; None
    # without a postcode, or when every bookable intake is online.
    distance_km: float | None
    exam_policy: ExamPolicy
    duo_loan: DuoLoanCoverage | None


def check_count(count: int) -> None:
    """Before anything else: the number of ids asked for."""
    if not RULES.min_compared_courses <= count <= RULES.max_compared_courses:
        raise errors.ComparedCourseCount(RULES.min_compared_courses, RULES.max_compared_courses)


async def compare_courses(
    session: AsyncSession,
    course_ids: Sequence[uuid.UUID],
    *,
    postcode: str | None = None,
    duo_loan_remaining_cents: int | None = None,
) -> list[Comparison]:
    """The courses in the order asked. Public: only published courses are compared, so no
    actor is needed; an unpublished one is not found, like an unknown one."""
    check_count(len(course_ids))
    if len(set(course_ids)) != len(course_ids):
        raise errors.DuplicateItems(field="ids")
    if duo_loan_remaining_cents is not None and not (
        0 <= duo_loan_remaining_cents <= RULES.duo_max_loan_cents
    ):
        raise errors.ValueOutOfRange(0, RULES.duo_max_loan_cents, field="duoLoanRemainingCents")
    origin = await postcode_origin(session, postcode) if postcode is not None else None
    courses, today = await _published(session, course_ids)
    intakes = await _bookable_intakes(session, course_ids, today)
    return [
        _compare(courses[course_id], intakes[course_id], today, origin, duo_loan_remaining_cents)
        for course_id in course_ids
    ]


async def postcode_origin(session: AsyncSession, postcode: str) -> tuple[float, float]:
    """Where distances to a learner's postcode are measured from: its area's centroid."""
    try:
        place = await geo.locate_postcode(session, postcode, field="postcode")
    except UnknownPostcode:
        raise errors.UnknownPostcodeArea(field="postcode") from None
    return place.latitude, place.longitude


async def _published(
    session: AsyncSession, course_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, tuple[Course, ProviderProfile]], date]:
    rows = (
        await session.execute(
            select(Course, ProviderProfile, local_today())
            .join(ProviderProfile, ProviderProfile.organisation_id == Course.provider_id)
            .join(Organisation, Organisation.id == ProviderProfile.organisation_id)
            .options(contains_eager(ProviderProfile.organisation))
            .where(Course.id.in_(course_ids), Course.status == CourseStatus.PUBLISHED)
        )
    ).all()
    if len(rows) != len(course_ids):
        raise errors.CourseNotFound(field="ids")
    return {course.id: (course, profile) for course, profile, _ in rows}, rows[0][2]


async def _bookable_intakes(
    session: AsyncSession, course_ids: Sequence[uuid.UUID], today: date
) -> dict[uuid.UUID, list[tuple[Intake, Location | None]]]:
    rows = await session.execute(
        select(Intake, Location)
        .outerjoin(Location, Location.id == Intake.location_id)
        .where(
            Intake.course_id.in_(course_ids),
            or_(Intake.starts_on.is_(None), Intake.starts_on >= today),
        )
    )
    by_course: dict[uuid.UUID, list[tuple[Intake, Location | None]]] = defaultdict(list)
    for intake, location in rows:
        by_course[intake.course_id].append((intake, location))
    return by_course


def _compare(
    course_and_provider: tuple[Course, ProviderProfile],
    intakes: list[tuple[Intake, Location | None]],
    today: date,
    origin: tuple[float, float] | None,
    duo_loan_remaining_cents: int | None,
) -> Comparison:
    course, profile = course_and_provider
    certified = profile.is_certified_on(today)
    return Comparison(
        course=course,
        provider=ProviderView.of(profile, certified),
        soonest=_soonest([intake for intake, _ in intakes], today),
        distance_km=_nearest_km(origin, [loc for _, loc in intakes if loc is not None]),
        exam_policy=exam_policy(course.target_level),
        duo_loan=(
            None
            if duo_loan_remaining_cents is None
            else duo_loan_coverage(course.price_cents, duo_loan_remaining_cents, certified)
        ),
    )


def _soonest(intakes: list[Intake], today: date) -> Soonest | None:
    candidates = [Soonest(intake, availability_of(intake, today)) for intake in intakes]
    return min(
        candidates,
        key=lambda s: (s.availability.expected_start, s.availability.wait_weeks, s.intake.id),
        default=None,
    )


def _nearest_km(origin: tuple[float, float] | None, locations: list[Location]) -> float | None:
    if origin is None or not locations:
        return None
    nearest = min(haversine_km(*origin, loc.latitude, loc.longitude) for loc in locations)
    return round(nearest, 1)


def duo_loan_coverage(price_cents: int, remaining_cents: int, certified: bool) -> DuoLoanCoverage:
    if not certified:
        return DuoLoanCoverage(0, price_cents, NOT_CERTIFIED)
    covered = min(price_cents, remaining_cents)
    return DuoLoanCoverage(covered, price_cents - covered)
