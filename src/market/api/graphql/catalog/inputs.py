"""Mutation inputs of the catalog, and their translation into the services' terms.

Update inputs are partial: a field left out stays as it is; `null` clears a field where
clearing means something (e.g. `stream`) and is refused elsewhere.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, time
from typing import Any, cast

import strawberry
from strawberry.types.unset import UNSET

from market.api.graphql import ids
from market.api.graphql.catalog.types import (
    Component,
    Format,
    Level,
    Route,
    ScheduleKind,
    StarRating,
    Stream,
    Weekday,
)
from market.catalog import service
from market.kernel.errors import InvalidInput


class ValueRequired(InvalidInput):
    reason = "ValueRequired"
    message = "This field cannot be null."


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def changes(
    source: Any, *, nullable: frozenset[str] = frozenset(), renames: dict[str, str] | None = None
) -> dict[str, Any]:
    """The fields the client sent, under the service's names; null only where allowed."""
    renames = renames or {}
    sent: dict[str, Any] = {}
    for field in dataclasses.fields(source):
        value = getattr(source, field.name)
        if value is UNSET:
            continue
        if value is None and field.name not in nullable:
            raise ValueRequired(field=_camel(field.name))
        sent[renames.get(field.name, field.name)] = value
    return sent


SUPPORT_LANGUAGES = (
    "Languages the course's teachers or staff speak besides Dutch, at most 8, as ISO 639 "
    "codes from the platform's list (ar, ti, tr, en, fa, prs, uk, ...; the SUPPORT_LANGUAGE "
    "facet names them); any case, repeats collapsed; another code is InvalidLanguageCode."
)


@strawberry.input
class UpdateProviderInput:
    website: str | None = UNSET
    description: str | None = UNSET
    certification_number: str | None = strawberry.field(
        default=UNSET, description="Changing the number or dates withdraws the verification."
    )
    certification_valid_from: date | None = UNSET
    certification_valid_until: date | None = UNSET
    claims_diploma_recognition: bool | None = UNSET

    def to_changes(self) -> service.ProviderChanges:
        return cast(
            service.ProviderChanges,
            changes(
                self,
                nullable=frozenset(
                    {
                        "website",
                        "description",
                        "certification_number",
                        "certification_valid_from",
                        "certification_valid_until",
                    }
                ),
            ),
        )


@strawberry.input(description="A platform administrator's findings; absent fields stay.")
class VerifyCertificationInput:
    certification_verified: bool | None = strawberry.field(
        default=UNSET, description="true: checked in the Blik op Werk register; false: withdraw."
    )
    diploma_recognition_verified: bool | None = UNSET
    star_rating: StarRating | None = strawberry.field(  # type: ignore[valid-type]
        default=UNSET, description="null clears the rating."
    )

    def to_changes(self) -> service.VerificationChanges:
        return cast(service.VerificationChanges, changes(self, nullable=frozenset({"star_rating"})))


@strawberry.input
class CreateLocationInput:
    provider_id: strawberry.ID
    name: str
    address_line: str
    postcode: str
    latitude: float | None = strawberry.field(
        default=None, description="Defaults to the postcode area's centre, as does longitude."
    )
    longitude: float | None = None

    def to_spec(self) -> service.LocationSpec:
        return service.LocationSpec(
            name=self.name,
            address_line=self.address_line,
            postcode=self.postcode,
            latitude=self.latitude,
            longitude=self.longitude,
        )


@strawberry.input
class UpdateLocationInput:
    name: str | None = UNSET
    address_line: str | None = UNSET
    postcode: str | None = UNSET
    latitude: float | None = UNSET
    longitude: float | None = UNSET

    def to_changes(self) -> service.LocationChanges:
        return cast(
            service.LocationChanges, changes(self, nullable=frozenset({"latitude", "longitude"}))
        )


@strawberry.input
class CreateCourseInput:
    provider_id: strawberry.ID
    title: str
    route: Route  # type: ignore[valid-type]
    target_level: Level  # type: ignore[valid-type]
    total_hours: int
    language_hours: int
    hours_per_week: int
    format: Format  # type: ignore[valid-type]
    schedule_kinds: list[ScheduleKind]  # type: ignore[valid-type]
    max_class_size: int
    price_cents: int
    description: str = ""
    stream: Stream | None = None  # type: ignore[valid-type]
    components: list[Component] = strawberry.field(  # type: ignore[valid-type]
        default_factory=lambda: [Component.LANGUAGE]
    )
    support_languages: list[str] = strawberry.field(
        default_factory=list, description=SUPPORT_LANGUAGES
    )
    price_includes: list[str] = strawberry.field(default_factory=list)
    exam_training_included: bool = False
    cancellation_terms: str = ""

    def to_spec(self) -> service.CourseSpec:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del fields["provider_id"]
        return service.CourseSpec(**fields)


@strawberry.input(description="Only the fields given change; the result must obey every rule.")
class UpdateCourseInput:
    title: str | None = UNSET
    route: Route | None = UNSET  # type: ignore[valid-type]
    target_level: Level | None = UNSET  # type: ignore[valid-type]
    total_hours: int | None = UNSET
    language_hours: int | None = UNSET
    hours_per_week: int | None = UNSET
    format: Format | None = UNSET  # type: ignore[valid-type]
    schedule_kinds: list[ScheduleKind] | None = UNSET  # type: ignore[valid-type]
    max_class_size: int | None = UNSET
    price_cents: int | None = UNSET
    description: str | None = UNSET
    stream: Stream | None = UNSET  # type: ignore[valid-type]
    components: list[Component] | None = UNSET  # type: ignore[valid-type]
    support_languages: list[str] | None = strawberry.field(
        default=UNSET, description=SUPPORT_LANGUAGES
    )
    price_includes: list[str] | None = UNSET
    exam_training_included: bool | None = UNSET
    cancellation_terms: str | None = UNSET

    def to_changes(self) -> service.CourseChanges:
        return cast(service.CourseChanges, changes(self, nullable=frozenset({"stream"})))


@strawberry.input(description="A weekly lesson slot in local time, e.g. TUESDAY 18:30-21:00.")
class ScheduleSlotInput:
    weekday: Weekday
    start_time: time
    end_time: time


def _slots(slots: list[ScheduleSlotInput]) -> list[service.ScheduleSlot]:
    return [service.ScheduleSlot(int(s.weekday), s.start_time, s.end_time) for s in slots]


def _location_id(value: strawberry.ID | None) -> uuid.UUID | None:
    return None if value is None else ids.decode("Location", value, field="locationId")


@strawberry.input
class CreateIntakeInput:
    course_id: strawberry.ID
    seat_capacity: int
    starts_on: date | None = strawberry.field(
        default=None, description="A local date, today or later; or set continuous."
    )
    continuous: bool = False
    location_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for classroom and blended courses; none online."
    )
    weekly_schedule: list[ScheduleSlotInput] = strawberry.field(default_factory=list)
    waitlist_weeks: int = 0

    def to_spec(self) -> service.IntakeSpec:
        return service.IntakeSpec(
            seat_capacity=self.seat_capacity,
            starts_on=self.starts_on,
            continuous=self.continuous,
            location_id=_location_id(self.location_id),
            weekly_schedule=_slots(self.weekly_schedule),
            waitlist_weeks=self.waitlist_weeks,
        )


@strawberry.input(description="Only the fields given change. Seats taken follow bookings.")
class UpdateIntakeInput:
    seat_capacity: int | None = UNSET
    starts_on: date | None = UNSET
    continuous: bool | None = UNSET
    location_id: strawberry.ID | None = UNSET
    weekly_schedule: list[ScheduleSlotInput] | None = UNSET
    waitlist_weeks: int | None = UNSET

    def to_changes(self) -> service.IntakeChanges:
        sent = changes(self, nullable=frozenset({"starts_on", "location_id"}))
        if "location_id" in sent:
            sent["location_id"] = _location_id(sent["location_id"])
        if "weekly_schedule" in sent:
            sent["weekly_schedule"] = _slots(sent["weekly_schedule"])
        return cast(service.IntakeChanges, sent)
