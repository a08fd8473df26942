"""From ranked course ids to hits: the courses, their matching intakes, expected start,
wait and distance. Engine-independent: the PostgreSQL engine and the Meilisearch backend
both call `load_hits` with the ids they found, in their order.

Two statements whatever the page size, in the engine's session: the matching intakes of
the page's courses (by `search_intake_matches`, the same SQL function the PostgreSQL engine
filters with, so a hit's figures always agree with the filters that found it), then the
courses with their providers. Both read plain columns into frozen dataclasses (no ORM
objects). A hit carries all a result card shows, so the API answers a search page from it
without further statements or sessions.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from functools import cache
from typing import Any, Protocol

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Date,
    Float,
    Text,
    any_,
    bindparam,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from market.catalog import service as catalog
from market.catalog.models import Course, ProviderProfile
from market.catalog.service import ProviderView
from market.db import driver
from market.identity.models import Organisation
from market.search.criteria import CourseHit, CourseSearch, HitCourse, HitIntake

# Today in the Netherlands by the database clock, computed once per statement (InitPlan).
TODAY_EXPRESSION = "(now() AT TIME ZONE 'Europe/Amsterdam')::date"
TODAY = f"(SELECT {TODAY_EXPRESSION})"


class Binder(Protocol):
    def bind(self, name: str, value: Any, kind: Any = None) -> str: ...


def region_bits(codes: Sequence[str]) -> int:
    """AMnn -> bit nn, as the search table stores regions."""
    mask = 0
    for code in codes:
        mask |= 1 << int(code[2:])
    return mask


@dataclass(frozen=True, slots=True)
class IntakeFilters:
    """The intake-level half of the criteria (see market.search.criteria)."""

    regions: int
    municipalities: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    radius_km: float | None
    max_wait_weeks: int | None
    starts_before: date | None

    @classmethod
    def of(cls, criteria: CourseSearch) -> IntakeFilters:
        near = criteria.near
        return cls(
            regions=region_bits(criteria.region_codes),
            municipalities=tuple(criteria.municipality_codes),
            latitude=near.latitude if near else None,
            longitude=near.longitude if near else None,
            radius_km=near.radius_km if near else None,
            max_wait_weeks=criteria.max_wait_weeks,
            starts_before=criteria.starts_before,
        )

    @property
    def has_time(self) -> bool:
        return self.max_wait_weeks is not None or self.starts_before is not None

    def latest_start(self, sql: Binder) -> str:
        """The latest expected start the time filters allow, by the database's today: a
        wait of at most n weeks is a start at most 7n days away; 'before' is strict."""
        bounds = []
        if self.max_wait_weeks is not None:
            bounds.append(f"{TODAY} + 7 * {sql.bind('max_wait', self.max_wait_weeks)}")
        if self.starts_before is not None:
            bounds.append(f"{sql.bind('starts_before', self.starts_before, Date)} - 1")
        return f"least({', '.join(bounds)})" if bounds else "NULL::date"

    def arguments(self, sql: Binder) -> str:
        """The filter arguments of search_intake_matches."""
        return ", ".join(
            [
                sql.bind("i_regions", self.regions or None, BigInteger),
                sql.bind("i_munis", list(self.municipalities) or None, ARRAY(Text)),
                sql.bind("i_lat", self.latitude, Float),
                sql.bind("i_lon", self.longitude, Float),
                sql.bind("i_radius", self.radius_km, Float),
                self.latest_start(sql),
            ]
        )


class Params:
    """Bound values collected while SQL text is written."""

    def __init__(self) -> None:
        self.values: dict[str, BindParameter[Any]] = {}

    def bind(self, name: str, value: Any, kind: Any = None) -> str:
        self.values[name] = bindparam(name, value, type_=kind)
        return f":{name}"

    def statement(self, sql: str) -> driver.Statement:
        """The SQL text compiled for market.db.driver."""
        return driver.Statement.of(text(sql).bindparams(*self.values.values()))

    def arguments(self, statement: driver.Statement) -> tuple[Any, ...]:
        return statement.arguments({name: bound.value for name, bound in self.values.items()})


# The courses of a page with their providers: HitCourse's fields, then ProviderView's.
@cache
def _courses() -> driver.Statement:
    return driver.Statement.of(
        select(
            *(getattr(Course, attribute.name) for attribute in fields(HitCourse)),
            *catalog.provider_view_columns(),
        )
        .join(ProviderProfile, ProviderProfile.organisation_id == Course.provider_id)
        .join(Organisation, Organisation.id == Course.provider_id)
        .where(Course.id == any_(bindparam("ids", type_=ARRAY(UUID(as_uuid=True)))))
    )


_COURSE_WIDTH = len(fields(HitCourse))
_HIT_COURSE, _PROVIDER = driver.converter(HitCourse), driver.converter(ProviderView)

_MATCHES: dict[str, driver.Statement] = {}
# A matching intake's row: its course, its figures, then HitIntake's fields.
_EXPECTED_START, _DISTANCE, _WAIT_WEEKS, _INTAKE_FROM = 1, 2, 3, 4


async def load_hits(
    session: AsyncSession, criteria: CourseSearch, course_ids: Sequence[uuid.UUID]
) -> list[CourseHit]:
    """Hits for these courses in this order; a course no longer listed is left out."""
    if not course_ids:
        return []
    params = Params()
    ids = params.bind("ids", list(course_ids), ARRAY(UUID(as_uuid=True)))
    filters = IntakeFilters.of(criteria)
    matches = f"""SELECT i.course_id, m.expected_start, m.distance_km,
                   (m.expected_start - {TODAY} + 6) / 7 AS wait_weeks,
                   i.id, i.location_id, i.starts_on, i.weekly_schedule::text,
                   i.seat_capacity, i.seats_taken, i.waitlist_weeks
                FROM search_intake_matches({ids}, {TODAY}, {filters.arguments(params)}) AS m
                JOIN intakes AS i ON i.id = m.intake_id
                WHERE m.in_region AND m.elsewhere
                ORDER BY i.course_id, m.expected_start, i.id"""  # noqa: S608
    matching: dict[uuid.UUID, list[Sequence[Any]]] = {}
    # Compiled once per text: the texts differ only in the kinds of time filter given.
    statement = _MATCHES.get(matches) or _MATCHES.setdefault(matches, params.statement(matches))
    for row in await driver.fetch(session, statement, params.arguments(statement)):
        matching.setdefault(row[0], []).append(row)
    if not matching:
        return []
    statement = _courses()
    courses = {
        row[0]: (_HIT_COURSE(row[:_COURSE_WIDTH]), _PROVIDER(row[_COURSE_WIDTH:]))
        for row in await driver.fetch(
            session, statement, statement.arguments({"ids": list(matching)})
        )
    }
    found = []
    for course_id in course_ids:
        rows = matching.get(course_id)
        if not rows or course_id not in courses:
            continue
        course, provider = courses[course_id]
        distances = [row[_DISTANCE] for row in rows if row[_DISTANCE] is not None]
        found.append(
            CourseHit(
                course=course,
                provider=provider,
                distance_km=round(min(distances), 2) if distances else None,
                expected_start=rows[0][_EXPECTED_START],
                wait_weeks=rows[0][_WAIT_WEEKS],
                matching_intakes=tuple(HitIntake(*row[_INTAKE_FROM:]) for row in rows),
            )
        )
    return found
