"""The course page (/{lang}/courses/{id}): everything a learner weighs before booking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import compare
from market.catalog import service as catalog
from market.catalog.availability import Availability, availability_of
from market.catalog.exams import exam_policy
from market.catalog.models import Course, CourseStatus, Intake, Location
from market.catalog.policies import RULES
from market.catalog.ratings import RatingSummary
from market.db.database import Database
from market.geo.distance import haversine_km
from market.kernel.errors import DomainError
from market.reviews import service as reviews
from market.search.criteria import FacetField
from market.search.labels import facet_label, label_key
from market.web.forms import field_errors
from market.web.page import Page
from market.web.pages.search import language_names

REVIEWS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Place:
    location: Location
    # Kilometres (0.1 km) from the visitor's postcode area; None without a postcode.
    distance_km: float | None


@dataclass(frozen=True, slots=True)
class Start:
    intake: Intake
    availability: Availability
    place: Place | None
    seats_left: int
    slots: list[catalog.ScheduleSlot]
    # Where the learner books this start (the booking pages); None for a course not
    # open for booking (a draft its own staff look at).
    book_url: str | None


def course_id_of(text: str) -> uuid.UUID:
    """A malformed id names no course: the same page as an unknown one."""
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFoundException() from None


async def _origin(
    session: AsyncSession, page: Page, postcode: str
) -> tuple[tuple[float, float] | None, dict[str, str]]:
    if not postcode:
        return None, {}
    try:
        return await compare.postcode_origin(session, postcode), {}
    except DomainError as fact:
        return None, field_errors(page, fact, {"postcode"})


def _places(
    locations: dict[uuid.UUID, Location], origin: tuple[float, float] | None
) -> dict[uuid.UUID, Place]:
    def distance(location: Location) -> float | None:
        if origin is None:
            return None
        return round(haversine_km(*origin, location.latitude, location.longitude), 1)

    return {key: Place(location, distance(location)) for key, location in locations.items()}


def _starts(
    page: Page, course: Course, intakes: list[Intake], places: dict[uuid.UUID, Place], today: date
) -> list[Start]:
    bookable = course.status is CourseStatus.PUBLISHED
    return [
        Start(
            intake,
            availability_of(intake, today),
            places.get(intake.location_id) if intake.location_id else None,
            intake.free_seats,
            catalog.weekly_schedule(intake.weekly_schedule),
            page.url(f"/courses/{course.id}/book", {"intake": str(intake.id)})
            if bookable
            else None,
        )
        for intake in intakes
    ]


@get("/courses/{course_id:str}")
async def course_page(
    request: Request[Any, Any, Any], page: Page, db: Database, course_id: str
) -> Template:
    key = course_id_of(course_id)
    postcode = str(request.query_params.get("postcode") or "").strip()
    async with db.reader() as session:
        course = await catalog.find_course(session, page.actor, key)
        if course is None:
            raise NotFoundException()
        provider = await catalog.find_provider(session, course.provider_id)
        intakes = (await catalog.upcoming_intakes(session, [key])).get(key, [])
        located = [intake.location_id for intake in intakes if intake.location_id is not None]
        locations = await catalog.locations_by_ids(session, located)
        origin, errors = await _origin(session, page, postcode)
        today = await catalog.today(session)
        shown = reviews.NewestFirst(REVIEWS_SHOWN)
        found = (await reviews.reviews_of_courses(session, page.actor, [key], shown))[key]
    assert provider is not None  # a foreign key guarantees it
    places = _places(locations, origin)
    return page.render(
        "courses/course.html",
        status_code=400 if errors else 200,
        course=course,
        route=facet_label(label_key(FacetField.ROUTE, course.route.name), page.lang, named=""),
        provider=provider,
        languages=language_names(page, course.support_languages),
        rating=RatingSummary(course.rating_count, course.rating_sum),
        starts=_starts(page, course, intakes, places, today),
        places=sorted(places.values(), key=lambda p: (p.distance_km is None, p.distance_km or 0.0)),
        postcode=postcode,
        errors=errors,
        exams=exam_policy(course.target_level),
        duo=compare.duo_loan_coverage(
            course.price_cents, RULES.duo_max_loan_cents, provider.certified
        ),
        duo_max_cents=RULES.duo_max_loan_cents,
        reviews=found,
        search_url=page.url("/search", {"postcode": postcode} if postcode else None),
    )


ROUTES = [course_page]
