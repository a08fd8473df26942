"""Arranging the catalog straight in the database: provider profiles, locations, courses
and intakes with sensible defaults, each overridable by keyword."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, update

from market.catalog.models import (
    CatalogChange,
    Component,
    Course,
    CourseStatus,
    Format,
    Intake,
    Level,
    Location,
    ProviderProfile,
    Route,
    ScheduleKind,
    StarRating,
)
from market.db.database import Database
from market.identity.models import OrganisationKind
from tests.support.actors import add_organisation

_serial = itertools.count(1)


def today() -> date:
    """Today in the Netherlands, as the app's database clock sees it (fixtures keep whole
    days of margin around it)."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


async def add_provider(
    db: Database,
    organisation_id: uuid.UUID | None = None,
    *,
    name: str | None = None,
    certified: bool = True,
    diploma_recognition: bool = False,
    **fields: Any,
) -> uuid.UUID:
    """A provider profile (on a new provider organisation unless given). `certified` gives
    it a verified Blik op Werk mark valid from a year ago to a year ahead."""
    organisation_id = organisation_id or await add_organisation(
        db, OrganisationKind.PROVIDER, name or f"Taalschool Voorbeeld {next(_serial)}"
    )
    values: dict[str, Any] = {
        "website": "https://taalschool.example",
        "description": "A fictional language school.",
        "diploma_recognition_claimed": diploma_recognition,
        "diploma_recognition_verified_at": datetime.now(UTC) if diploma_recognition else None,
    }
    if certified:
        values |= {
            "certification_number": f"BOW-{next(_serial):05d}",
            "certification_valid_from": today() - timedelta(days=365),
            "certification_valid_until": today() + timedelta(days=365),
            "certification_verified_at": datetime.now(UTC),
            "star_rating": StarRating.THREE,
        }
    values |= fields
    async with db.transaction() as session:
        session.add(ProviderProfile(organisation_id=organisation_id, **values))
    return organisation_id


async def add_location(
    db: Database,
    provider_id: uuid.UUID,
    *,
    postcode: str = "1011 AB",
    municipality_code: str = "GM0363",
    latitude: float = 52.37,
    longitude: float = 4.90,
    **fields: Any,
) -> uuid.UUID:
    """A location; the defaults lie in Amsterdam. Keep postcode and municipality in step."""
    values: dict[str, Any] = {
        "name": f"Leslocatie {next(_serial)}",
        "address_line": "Voorbeeldstraat 1",
    } | fields
    async with db.transaction() as session:
        location = Location(
            provider_id=provider_id,
            postcode=postcode,
            municipality_code=municipality_code,
            latitude=latitude,
            longitude=longitude,
            **values,
        )
        session.add(location)
        await session.flush()
        return location.id


async def add_course(
    db: Database,
    provider_id: uuid.UUID,
    *,
    status: CourseStatus = CourseStatus.PUBLISHED,
    **fields: Any,
) -> uuid.UUID:
    """A B1 daytime classroom course of 300 hours for EUR 3,000 unless told otherwise."""
    values: dict[str, Any] = {
        "title": f"Nederlands B1 {next(_serial)}",
        "description": "",
        "route": Route.B1,
        "target_level": Level.B1,
        "components": [Component.LANGUAGE, Component.KNM],
        "total_hours": 300,
        "language_hours": 260,
        "hours_per_week": 6,
        "format": Format.CLASSROOM,
        "schedule_kinds": [ScheduleKind.DAYTIME],
        "max_class_size": 12,
        "support_languages": ["en"],
        "price_cents": 300_000,
        "price_includes": ["lesmateriaal"],
        "exam_training_included": True,
        "cancellation_terms": "Kosteloos annuleren tot 14 dagen voor de start.",
    } | fields
    if status is not CourseStatus.DRAFT:
        values.setdefault("published_at", datetime.now(UTC))
    async with db.transaction() as session:
        course = Course(provider_id=provider_id, status=status, **values)
        session.add(course)
        await session.flush()
        return course.id


async def add_intake(
    db: Database,
    course_id: uuid.UUID,
    location_id: uuid.UUID | None = None,
    *,
    starts_on: date | None = None,
    **fields: Any,
) -> uuid.UUID:
    """An intake; without `starts_on` it is continuous intake."""
    values: dict[str, Any] = {
        "weekly_schedule": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
        "seat_capacity": 12,
        "seats_taken": 0,
        "waitlist_weeks": 0,
    } | fields
    async with db.transaction() as session:
        intake = Intake(course_id=course_id, location_id=location_id, starts_on=starts_on, **values)
        session.add(intake)
        await session.flush()
        return intake.id


async def add_listed_course(
    db: Database, provider_id: uuid.UUID, *, location_id: uuid.UUID | None = None, **fields: Any
) -> uuid.UUID:
    """A published course with one continuous intake (at `location_id`, or at a new
    Amsterdam location for classroom courses): what searchCourses lists."""
    course_id = await add_course(db, provider_id, **fields)
    if location_id is None and fields.get("format", Format.CLASSROOM) is not Format.ONLINE:
        location_id = await add_location(db, provider_id)
    await add_intake(db, course_id, location_id)
    return course_id


async def settle_changes(db: Database) -> None:
    """Mark every catalog change recorded so far processed, as a search sync would: arranging
    the catalog records changes too (the triggers see every write), and a test of what
    happens next wants to see only what that records."""
    async with db.transaction() as session:
        await session.execute(
            update(CatalogChange)
            .where(CatalogChange.processed_at.is_(None))
            .values(processed_at=func.now())
        )
