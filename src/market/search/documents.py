"""Index documents built from the catalog (read only): one document per bookable intake.

Why intakes, not courses: every intake-level filter (place, `near`, wait, start) must hold
for one and the same intake (see market.search.criteria), a course has intakes at several
places, and Meilisearch sorts by distance on one `_geo` point per document. So each bookable
intake of a published course is a document carrying its course's and provider's attributes,
and the index's distinct attribute (`course_id`) folds them back into one hit per course:
the best-ranked intake stands for its course, as "the best matching intake" does in the
contract.

What changes with the calendar stays a query-time condition: whether an intake is still
bookable (`starts_on`), whether the provider's mark is valid today (its validity days), and
the wait of a continuous intake (`delay_days`). Dates are whole days since 1970-01-01.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ARRAY, Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from market.catalog.availability import delay_weeks
from market.catalog.models import (
    Course,
    CourseStatus,
    Intake,
    Location,
    ProviderProfile,
    StarRating,
)
from market.catalog.ratings import RatingSummary
from market.geo.models import Municipality
from market.search.criteria import price_band

EPOCH = date(1970, 1, 1)

# RATING sorts by the learners' rating (`rating_score`), then most stars first, aspirant
# providers after, unrated ones (UNRATED) last.
UNRATED = -1
STAR_POINTS = {
    StarRating.FOUR: 4,
    StarRating.THREE: 3,
    StarRating.TWO: 2,
    StarRating.ONE: 1,
    StarRating.ASPIRANT: 0,
}


def day_number(day: date) -> int:
    return (day - EPOCH).days


@dataclass(frozen=True, slots=True)
class CourseDocuments:
    """What the index must hold for some courses: the documents to add or replace, the
    intake documents to remove (intakes no longer bookable, or of courses no longer
    published) and the courses that no longer exist (remove all their documents)."""

    documents: list[dict[str, Any]]
    stale_intake_ids: list[str]
    missing_course_ids: list[str]


async def course_documents(
    session: AsyncSession, course_ids: Iterable[uuid.UUID], today: date
) -> CourseDocuments:
    """The documents of the given courses as the catalog holds them now (a few statements:
    courses with providers, the providers' contracting municipalities, the intakes with
    places; nothing per row)."""
    wanted = set(course_ids)
    courses = {
        course.id: (course, profile)
        for course, profile in await session.execute(
            select(Course, ProviderProfile)
            .join(ProviderProfile, ProviderProfile.organisation_id == Course.provider_id)
            .options(joinedload(ProviderProfile.organisation))
            .where(Course.id.in_(wanted))
        )
    }
    contracted = await contracting(
        session, {course.provider_id for course, _ in courses.values()}, today
    )
    rows = await session.execute(
        select(Intake, Location, Municipality)
        .outerjoin(Location, Location.id == Intake.location_id)
        .outerjoin(Municipality, Municipality.cbs_code == Location.municipality_code)
        .where(Intake.course_id.in_(courses))
        .order_by(Intake.id)
    )
    documents: list[dict[str, Any]] = []
    stale: list[str] = []
    for intake, location, municipality in rows:
        course, profile = courses[intake.course_id]
        bookable = intake.starts_on is None or intake.starts_on >= today
        if course.status is CourseStatus.PUBLISHED and bookable:
            place = (location, municipality)
            contractors = contracted.get(course.provider_id, [])
            documents.append(intake_document(course, profile, intake, place, contractors, today))
        else:
            stale.append(str(intake.id))
    missing = sorted(str(course_id) for course_id in wanted - courses.keys())
    return CourseDocuments(documents, stale, missing)


async def contracting(
    session: AsyncSession, provider_ids: Iterable[uuid.UUID], today: date
) -> dict[uuid.UUID, list[str]]:
    """The codes of the municipalities whose contracts with each provider run today, by
    the rule PostgreSQL's search rows follow (`search_contracting`, search/sql/refresh.sql)."""
    provider_ids = set(provider_ids)
    if not provider_ids:
        return {}
    provider = ProviderProfile.organisation_id
    rows = await session.execute(
        select(provider, func.search_contracting(provider, today, type_=ARRAY(Text))).where(
            provider.in_(provider_ids)
        )
    )
    return {provider_id: list(codes) for provider_id, codes in rows if codes}


async def published_course_ids(
    session: AsyncSession, *, after: uuid.UUID | None, limit: int
) -> list[uuid.UUID]:
    """A batch of published course ids in id order (the reindex walks them in batches)."""
    query = select(Course.id).where(Course.status == CourseStatus.PUBLISHED)
    if after is not None:
        query = query.where(Course.id > after)
    return list(await session.scalars(query.order_by(Course.id).limit(limit)))


def intake_document(
    course: Course,
    profile: ProviderProfile,
    intake: Intake,
    place: tuple[Location | None, Municipality | None],
    contracted_by: list[str],
    today: date,
) -> dict[str, Any]:
    """`contracted_by`: the codes of the municipalities contracting the provider today."""
    location, municipality = place
    delay_days = 7 * delay_weeks(
        seat_capacity=intake.seat_capacity,
        seats_taken=intake.seats_taken,
        waitlist_weeks=intake.waitlist_weeks,
        queue_length=intake.queue_length,
    )
    # Continuous intake starts "today + delay": exact at query time through `delay_days`;
    # `expected_start` only orders the hits and is refreshed daily (see search.tasks).
    anchor = day_number(intake.starts_on or today)
    rating = RatingSummary(course.rating_count, course.rating_sum)
    document: dict[str, Any] = {
        "id": str(intake.id),
        "course_id": str(course.id),
        "provider_id": str(course.provider_id),
        "title": course.title,
        "description": course.description,
        "provider_name": profile.organisation.name,
        "components": [component.value for component in course.components],
        "route": course.route.value,
        "level": course.target_level.value,
        "format": course.format.value,
        "schedule_kinds": [kind.value for kind in course.schedule_kinds],
        "price_cents": course.price_cents,
        "price_per_hour_cents": course.price_per_hour_cents,
        "price_band": price_band(course.price_cents).value,
        "star_rating": STAR_POINTS[profile.star_rating] if profile.star_rating else UNRATED,
        # The learners' rating (market.catalog.ratings): shown figures, and the score RATING
        # sorts by (0 without reviews, so after every reviewed course).
        "rating_average": rating.average,
        "rating_count": rating.count,
        "rating_score": rating.score,
        "diploma_recognised": profile.has_diploma_recognition,
        "contracted_by": contracted_by,
        "support_languages": list(course.support_languages),
        "continuous": intake.starts_on is None,
        "delay_days": delay_days,
        "expected_start": anchor + delay_days,
        "published_at": _timestamp(course.published_at),
    }
    if intake.starts_on is not None:
        document["starts_on"] = day_number(intake.starts_on)
    valid_from, valid_until = profile.certification_valid_from, profile.certification_valid_until
    # Only a verified mark counts; its validity is checked against the query's day.
    if profile.certification_verified_at is not None and valid_from and valid_until:
        document["certification_valid_from"] = day_number(valid_from)
        document["certification_valid_until"] = day_number(valid_until)
    if location is not None and municipality is not None:
        document |= {
            "location_name": location.name,
            "municipality_code": municipality.cbs_code,
            "municipality_name": municipality.name,
            "region_code": municipality.region_code,
            "_geo": {"lat": location.latitude, "lng": location.longitude},
        }
    return document


def _timestamp(moment: datetime | None) -> int:
    return int((moment or datetime(1970, 1, 1, tzinfo=UTC)).timestamp())
