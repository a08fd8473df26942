"""GraphQL types of the catalog: providers, locations, courses, intakes."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import IntEnum
from typing import Any

import strawberry

from market.api.graphql import ids
from market.api.graphql.catalog import loaders
from market.api.graphql.context import Info
from market.api.graphql.geo.types import Municipality
from market.api.graphql.pagination import Connection
from market.api.graphql.reviews import loaders as review_loaders
from market.api.graphql.reviews.types import Rating, Review
from market.catalog import models, service
from market.catalog.ratings import RatingSummary
from market.kernel.pagination import PageRequest
from market.reviews import service as reviews
from market.search.criteria import HitCourse, HitIntake

Route = strawberry.enum(models.Route, name="Route", description="Learning route (leerroute).")
Level = strawberry.enum(models.Level, name="Level", description="CEFR target level.")
Stream = strawberry.enum(
    models.Stream, name="OnderwijsStream", description="Where an Onderwijsroute course leads."
)
Component = strawberry.enum(models.Component, name="CourseComponent")
Format = strawberry.enum(models.Format, name="CourseFormat")
ScheduleKind = strawberry.enum(models.ScheduleKind, name="ScheduleKind")
CourseStatus = strawberry.enum(models.CourseStatus, name="CourseStatus")
StarRating = strawberry.enum(
    models.StarRating, name="StarRating", description="Blik op Werk stars, or ASPIRANT."
)


@strawberry.enum
class Weekday(IntEnum):
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7


@strawberry.type(description="The Blik op Werk quality mark as the provider registered it.")
class Certification:
    number: str | None
    valid_from: date | None
    valid_until: date | None
    verified_at: datetime | None = strawberry.field(
        description="When a platform administrator checked it against the register."
    )


@strawberry.type(description="Recognition to teach the Onderwijsroute.")
class DiplomaRecognition:
    claimed: bool
    verified_at: datetime | None


@strawberry.type(description="A language school (aanbieder).")
class Provider:
    id: strawberry.ID
    name: str
    kvk_number: str | None = strawberry.field(description="Chamber of commerce number.")
    website: str | None
    description: str | None
    certification: Certification
    certified: bool = strawberry.field(
        description="Verified Blik op Werk mark valid today: DUO loans and Z-route need it."
    )
    diploma_recognition: DiplomaRecognition
    star_rating: StarRating | None  # type: ignore[valid-type]
    provider_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, view: service.ProviderView) -> Provider:
        return cls(
            id=strawberry.ID(ids.encode("Provider", view.id)),
            name=view.name,
            kvk_number=view.kvk_number,
            website=view.website,
            description=view.description,
            certification=Certification(
                number=view.certification_number,
                valid_from=view.certification_valid_from,
                valid_until=view.certification_valid_until,
                verified_at=view.certification_verified_at,
            ),
            certified=view.certified,
            diploma_recognition=DiplomaRecognition(
                claimed=view.diploma_recognition_claimed,
                verified_at=view.diploma_recognition_verified_at,
            ),
            star_rating=view.star_rating,
            provider_id=view.id,
        )

    @strawberry.field(
        description="The learners' rating over all the provider's courses, beside its stars."
    )
    async def rating(self, info: Info) -> Rating:
        return Rating.of(await loaders.provider_ratings(info).load(self.provider_id))

    @strawberry.field(description="Where the provider teaches.")
    async def locations(self, info: Info) -> list[Location]:
        rows = await loaders.provider_locations(info).load(self.provider_id)
        return [Location.of(row) for row in rows]

    @strawberry.field(description="The provider's courses you may see, newest first.")
    async def courses(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Course]:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        key = (self.provider_id, service.NewestFirst.of(page))
        return Connection.of(await loaders.provider_courses(info).load(key), Course.of)


@strawberry.type(description="A place where lessons are given.")
class Location:
    id: strawberry.ID
    name: str
    address_line: str
    postcode: str
    latitude: float
    longitude: float
    municipality_code: strawberry.Private[str]

    @classmethod
    def of(cls, row: models.Location) -> Location:
        return cls(
            id=strawberry.ID(ids.encode("Location", row.id)),
            name=row.name,
            address_line=row.address_line,
            postcode=row.postcode,
            latitude=row.latitude,
            longitude=row.longitude,
            municipality_code=row.municipality_code,
        )

    @strawberry.field
    async def municipality(self, info: Info) -> Municipality:
        row = await loaders.municipalities(info).load(self.municipality_code)
        assert row is not None  # a foreign key guarantees it
        return Municipality.of(row)


@strawberry.type(description="A weekly lesson slot, in local time.")
class ScheduleSlot:
    weekday: Weekday
    start_time: time
    end_time: time


def _weekly_schedule(root: Intake) -> list[ScheduleSlot]:
    return [
        ScheduleSlot(weekday=Weekday(slot.weekday), start_time=slot.start, end_time=slot.end)
        for slot in service.weekly_schedule(root.row.weekly_schedule)
    ]


@strawberry.type(description="A moment a course starts: a date, or continuous intake.")
class Intake:
    id: strawberry.ID
    starts_on: date | None = strawberry.field(description="Local start date; null: continuous.")
    continuous: bool
    # Built when asked for: lists of intakes (search hits) seldom show the schedule.
    weekly_schedule: list[ScheduleSlot] = strawberry.field(resolver=_weekly_schedule)
    seat_capacity: int
    seats_taken: int
    seats_available: int
    waitlist_weeks: int = strawberry.field(description="The wait the provider declares.")
    queue_length: int = strawberry.field(description="Learners waiting on the waitlist.")
    location_id: strawberry.Private[uuid.UUID | None]
    # Read for the weekly schedule, which is built only when asked for.
    row: strawberry.Private[models.Intake | HitIntake]

    @classmethod
    def of(cls, row: models.Intake | HitIntake) -> Intake:
        return cls(
            id=strawberry.ID(ids.encode("Intake", row.id)),
            starts_on=row.starts_on,
            continuous=row.starts_on is None,
            seat_capacity=row.seat_capacity,
            seats_taken=row.seats_taken,
            seats_available=max(row.seat_capacity - row.seats_taken, 0),
            waitlist_weeks=row.waitlist_weeks,
            queue_length=row.queue_length,
            location_id=row.location_id,
            row=row,
        )

    @strawberry.field(description="Where it is taught; null for online courses.")
    async def location(self, info: Info) -> Location | None:
        if self.location_id is None:
            return None
        row = await loaders.locations(info).load(self.location_id)
        return Location.of(row) if row is not None else None


@strawberry.type
class CourseFields:
    """What every view of a course shows; each view adds its provider in its own way (the
    catalog's Course by loading it, a search hit's course as it came with the hit)."""

    id: strawberry.ID
    title: str
    description: str
    route: Route  # type: ignore[valid-type]
    target_level: Level  # type: ignore[valid-type]
    stream: Stream | None  # type: ignore[valid-type]
    components: list[Component]  # type: ignore[valid-type]
    total_hours: int = strawberry.field(description="All lesson hours of the course.")
    language_hours: int = strawberry.field(description="Lesson hours of Dutch language.")
    hours_per_week: int
    format: Format  # type: ignore[valid-type]
    schedule_kinds: list[ScheduleKind]  # type: ignore[valid-type]
    max_class_size: int
    support_languages: list[str] = strawberry.field(
        description="ISO 639 codes of languages teachers can explain things in."
    )
    price_cents: int = strawberry.field(description="All-in price (education is VAT-exempt).")
    price_per_hour_cents: int = strawberry.field(
        description="priceCents / totalHours, rounded to whole cents."
    )
    price_includes: list[str]
    exam_training_included: bool
    cancellation_terms: str
    status: CourseStatus  # type: ignore[valid-type]
    published_at: datetime | None
    rating: Rating = strawberry.field(
        description="The learners' rating of this course, beside the provider's stars."
    )
    course_id: strawberry.Private[uuid.UUID]

    @classmethod
    def fields_of(cls, row: models.Course | HitCourse) -> dict[str, Any]:
        """The constructor's arguments for the fields above."""
        return {
            "id": strawberry.ID(ids.encode("Course", row.id)),
            "title": row.title,
            "description": row.description,
            "route": row.route,
            "target_level": row.target_level,
            "stream": row.stream,
            "components": list(row.components),
            "total_hours": row.total_hours,
            "language_hours": row.language_hours,
            "hours_per_week": row.hours_per_week,
            "format": row.format,
            "schedule_kinds": list(row.schedule_kinds),
            "max_class_size": row.max_class_size,
            "support_languages": list(row.support_languages),
            "price_cents": row.price_cents,
            "price_per_hour_cents": row.price_per_hour_cents,
            "price_includes": list(row.price_includes),
            "exam_training_included": row.exam_training_included,
            "cancellation_terms": row.cancellation_terms,
            "status": row.status,
            "published_at": row.published_at,
            "rating": Rating.of(RatingSummary(row.rating_count, row.rating_sum)),
            "course_id": row.id,
        }

    @strawberry.field(
        description="Bookable intakes: continuous, or starting today or later; soonest first."
    )
    async def intakes(self, info: Info) -> list[Intake]:
        rows = await loaders.upcoming_intakes(info).load(self.course_id)
        return [Intake.of(row) for row in rows]

    @strawberry.field(
        description="Reviews by learners whose enrollment started, newest first; hidden "
        "ones only for platform admins."
    )
    async def reviews(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Review]:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        key = (self.course_id, reviews.NewestFirst.of(page))
        return Connection.of(await review_loaders.course_reviews(info).load(key), Review.of)


CONTRACTED_BY = (
    "The municipalities whose contracts with the course's provider run today (a badge: "
    "searchCourses' filter contractedBy finds their courses), by code."
)


@strawberry.type(description="A civic-integration course as its provider offers it.")
class Course(CourseFields):
    provider_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, row: models.Course) -> Course:
        return cls(**cls.fields_of(row), provider_id=row.provider_id)

    @strawberry.field(description=CONTRACTED_BY)
    async def contracted_by(self, info: Info) -> list[Municipality]:
        codes = await loaders.contracting(info).load(self.provider_id)
        rows = await loaders.municipalities(info).load_many(codes)
        return [Municipality.of(row) for row in rows if row is not None]

    @strawberry.field
    async def provider(self, info: Info) -> Provider:
        view = await loaders.providers(info).load(self.provider_id)
        assert view is not None  # a foreign key guarantees it
        return Provider.of(view)
