"""The catalog: provider profiles with their certification, locations, courses, intakes.

A provider profile extends an identity organisation of kind provider (same id): the
organisation holds the name, the profile what learners and municipalities compare.
Enumerations are stored as their lower-case values; list-valued attributes as arrays of
those values, so filters are plain array operators (`@>`, `&&`) that a GIN index serves.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Dialect,
    Enum,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from market.db.base import Base, created_at, uuid_pk
from market.identity.models import Organisation

E = TypeVar("E", bound=StrEnum)


class StarRating(StrEnum):
    """Blik op Werk's rating of a certified provider; newly certified ones are aspirant."""

    ASPIRANT = "aspirant"
    ONE = "1"
    TWO = "2"
    THREE = "3"
    FOUR = "4"


class Route(StrEnum):
    B1 = "b1"
    ONDERWIJS = "onderwijs"
    Z = "z"


class Level(StrEnum):
    A1 = "a1"
    A2 = "a2"
    B1 = "b1"
    B2 = "b2"


class Stream(StrEnum):
    """Where an Onderwijsroute course leads: mbo, hbo or wo."""

    MBO = "mbo"
    HBO = "hbo"
    WO = "wo"


class Component(StrEnum):
    LANGUAGE = "language"
    KNM = "knm"
    MAP = "map"
    PVT = "pvt"
    LITERACY = "literacy"


class Format(StrEnum):
    CLASSROOM = "classroom"
    ONLINE = "online"
    BLENDED = "blended"


class ScheduleKind(StrEnum):
    DAYTIME = "daytime"
    EVENING = "evening"
    WEEKEND = "weekend"


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, values_callable=lambda e: [m.value for m in e])


class EnumArray(TypeDecorator[list[E]], Generic[E]):
    """A list of enum members stored as a text[] of their values."""

    impl = ARRAY(String(16))
    cache_ok = True

    def __init__(self, kind: type[E]) -> None:
        super().__init__()
        self.kind = kind

    def process_bind_param(self, value: list[E] | None, dialect: Dialect) -> list[str] | None:
        return None if value is None else [self.kind(v).value for v in value]

    def process_result_value(self, value: Any, dialect: Dialect) -> list[E] | None:
        return None if value is None else [self.kind(v) for v in value]


def updated_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())


class ProviderProfile(Base):
    __tablename__ = "provider_profiles"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    website: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # Blik op Werk quality mark: counts only while verified and within its validity.
    certification_number: Mapped[str | None] = mapped_column(String(40))
    certification_valid_from: Mapped[date | None] = mapped_column(Date)
    certification_valid_until: Mapped[date | None] = mapped_column(Date)
    certification_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    certification_verified_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    star_rating: Mapped[StarRating | None] = mapped_column(_enum(StarRating, "star_rating"))
    # Onderwijsroute diploma recognition: claimed by the provider, verified by the platform.
    diploma_recognition_claimed: Mapped[bool] = mapped_column(Boolean, default=False)
    diploma_recognition_verified_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True)
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
    # Holds the provider's name; loaded explicitly (joinedload), never lazily.
    organisation: Mapped[Organisation] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint(
            "certification_valid_until IS NULL OR certification_valid_from IS NULL"
            " OR certification_valid_until >= certification_valid_from",
            name="certification_period",
        ),
    )

    def is_certified_on(self, day: date) -> bool:
        return (
            self.certification_verified_at is not None
            and self.certification_valid_from is not None
            and self.certification_valid_until is not None
            and self.certification_valid_from <= day <= self.certification_valid_until
        )

    @property
    def has_diploma_recognition(self) -> bool:
        return self.diploma_recognition_claimed and self.diploma_recognition_verified_at is not None


class Location(Base):
    __tablename__ = "locations"

    id: Mapped[uuid.UUID] = uuid_pk()
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("provider_profiles.organisation_id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    address_line: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(7))  # normalised: "1011 AB"
    municipality_code: Mapped[str] = mapped_column(
        ForeignKey("municipalities.cbs_code"), index=True
    )
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()


class Course(Base):
    __tablename__ = "courses"

    id: Mapped[uuid.UUID] = uuid_pk()
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("provider_profiles.organisation_id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    route: Mapped[Route] = mapped_column(_enum(Route, "course_route"))
    target_level: Mapped[Level] = mapped_column(_enum(Level, "course_level"))
    stream: Mapped[Stream | None] = mapped_column(_enum(Stream, "onderwijs_stream"))
    components: Mapped[list[Component]] = mapped_column(EnumArray(Component))
    total_hours: Mapped[int] = mapped_column(Integer)
    language_hours: Mapped[int] = mapped_column(Integer)
    hours_per_week: Mapped[int] = mapped_column(Integer)
    format: Mapped[Format] = mapped_column(_enum(Format, "course_format"))
    schedule_kinds: Mapped[list[ScheduleKind]] = mapped_column(EnumArray(ScheduleKind))
    max_class_size: Mapped[int] = mapped_column(Integer)
    # ISO 639 codes of the languages teachers can explain things in, e.g. ["ar", "en"].
    support_languages: Mapped[list[str]] = mapped_column(ARRAY(String(3)), default=list)
    price_cents: Mapped[int] = mapped_column(Integer)
    # Rounded to whole cents; kept by PostgreSQL so search can filter and sort on it.
    price_per_hour_cents: Mapped[int] = mapped_column(
        Integer, Computed("(price_cents + total_hours / 2) / total_hours", persisted=True)
    )
    price_includes: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    exam_training_included: Mapped[bool] = mapped_column(Boolean, default=False)
    cancellation_terms: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CourseStatus] = mapped_column(
        _enum(CourseStatus, "course_status"), default=CourseStatus.DRAFT, index=True
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The learners' visible reviews (market.reviews): their number and the sum of their
    # ratings (1 to 5), kept here so that course pages, search and its sort read one row.
    # Only the reviews domain changes them, through `catalog.service.add_ratings`; the
    # catalog's own verbs never do. See market.catalog.ratings.
    rating_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    # The service enforces these with friendly errors; the database keeps them true.
    __table_args__ = (
        CheckConstraint(
            "rating_count >= 0 AND rating_sum BETWEEN rating_count AND 5 * rating_count",
            name="ratings_within_scale",
        ),
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("total_hours > 0", name="total_hours_positive"),
        CheckConstraint(
            "language_hours >= 0 AND language_hours <= total_hours", name="language_hours"
        ),
        CheckConstraint(
            "hours_per_week > 0 AND hours_per_week <= total_hours", name="hours_per_week"
        ),
        CheckConstraint("max_class_size > 0", name="max_class_size_positive"),
        CheckConstraint(
            "(route = 'onderwijs') = (stream IS NOT NULL)", name="stream_for_onderwijs"
        ),
    )


class Intake(Base):
    """A moment a course starts: a fixed local start date, or continuous intake (no date)."""

    __tablename__ = "intakes"

    id: Mapped[uuid.UUID] = uuid_pk()
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    # Null for online courses.
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("locations.id", ondelete="RESTRICT"), index=True
    )
    starts_on: Mapped[date | None] = mapped_column(Date)
    # [{"weekday": 1..7 (ISO, Monday 1), "start": "18:30", "end": "21:00"}, ...]: see
    # catalog.service.ScheduleSlot.
    weekly_schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    seat_capacity: Mapped[int] = mapped_column(Integer)
    # The enrollment domain's counts, kept on the intake so the capacity check below and
    # search read one row: seats taken (live holds, enrollments and seats offered to the
    # waitlist) and the learners waiting in line. Only enrollment decides them, through
    # `catalog.service.record_occupancy` under this row's lock; the catalog's own verbs
    # never write them. See README, "Side effects: the outbox".
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    queue_length: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    waitlist_weeks: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()

    __table_args__ = (
        CheckConstraint("seat_capacity > 0", name="seat_capacity_positive"),
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= seat_capacity", name="seats_within_capacity"
        ),
        CheckConstraint("waitlist_weeks >= 0", name="waitlist_not_negative"),
        CheckConstraint("queue_length >= 0", name="queue_not_negative"),
    )

    @property
    def free_seats(self) -> int:
        """Seats no one holds (never below zero: seats_within_capacity)."""
        return self.seat_capacity - self.seats_taken


class CatalogChange(Base):
    """The feed of catalog changes that search must see: written by triggers on the
    catalog's tables (migration 0011_outbox) in the same transaction as the change, so an
    index update happens exactly when the change commits (and never for a change rolled
    back), whoever wrote it. A search job applies pending rows and marks them processed.

    Each row names what changed: a course (and its intakes), a provider profile (all its
    courses) or a location (the courses with intakes there). The reader expands them; a
    write stays one small insert however many courses it touches.
    """

    __tablename__ = "catalog_changes"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    course_id: Mapped[uuid.UUID | None] = mapped_column()
    provider_id: Mapped[uuid.UUID | None] = mapped_column()
    location_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = created_at()
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # No foreign keys: a row must outlive what it names (a deleted course must still
    # leave the index).
    __table_args__ = (
        CheckConstraint(
            "num_nonnulls(course_id, provider_id, location_id) = 1", name="one_subject"
        ),
        Index(
            "ix_catalog_changes_pending",
            "id",
            postgresql_where=text("processed_at IS NULL"),
        ),
        Index(
            "ix_catalog_changes_processed_at",
            "processed_at",
            postgresql_where=text("processed_at IS NOT NULL"),
        ),
    )
