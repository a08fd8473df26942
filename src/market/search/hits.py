"""From ranked course ids to hits: the courses, their matching intakes, expected start,
wait and distance. Engine-independent: the PostgreSQL engine and the Meilisearch backend
both call `load_hits` with the ids they found, in their order.

Three statements whatever the page size, in the engine's session: the matching intakes of
the page's courses (by `search_intake_matches`, the same SQL function the PostgreSQL engine
filters with, so a hit's figures always agree with the filters that found it), the courses,
and their providers. A hit carries all a result card shows, so the API answers a search
page from it without further statements or sessions.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ARRAY, BigInteger, Date, Float, Integer, Text, bindparam, select, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from market.catalog import service as catalog
from market.catalog.models import Course, Intake
from market.search.criteria import CourseHit, CourseSearch

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


async def load_hits(
    session: AsyncSession, criteria: CourseSearch, course_ids: Sequence[uuid.UUID]
) -> list[CourseHit]:
    """Hits for these courses in this order; a course no longer listed is left out."""
    if not course_ids:
        return []
    params = Params()
    ids = params.bind("ids", list(course_ids), ARRAY(UUID(as_uuid=True)))
    filters = IntakeFilters.of(criteria)
    matches = (
        text(
            f"""SELECT intake_id, expected_start, distance_km,
                   (expected_start - {TODAY} + 6) / 7 AS wait_weeks
                FROM search_intake_matches({ids}, {TODAY}, {filters.arguments(params)})
                WHERE in_region AND elsewhere"""  # noqa: S608
        )
        .bindparams(*params.values.values())
        .columns(
            intake_id=UUID(as_uuid=True), expected_start=Date, distance_km=Float, wait_weeks=Integer
        )
        .subquery("matches")
    )
    matching: dict[uuid.UUID, list[Any]] = {}
    for row in await session.execute(
        select(Intake, matches.c.expected_start, matches.c.distance_km, matches.c.wait_weeks)
        .join(matches, matches.c.intake_id == Intake.id)
        .order_by(Intake.course_id, matches.c.expected_start, Intake.id)
    ):
        matching.setdefault(row.Intake.course_id, []).append(row)
    courses = {
        course.id: course
        for course in await session.scalars(select(Course).where(Course.id.in_(course_ids)))
    }
    providers = await catalog.providers_by_ids(
        session, {course.provider_id for course in courses.values()}
    )
    found = []
    for course_id in course_ids:
        rows = matching.get(course_id)
        if not rows or course_id not in courses:
            continue
        course = courses[course_id]
        distances = [row.distance_km for row in rows if row.distance_km is not None]
        found.append(
            CourseHit(
                course=course,
                provider=providers[course.provider_id],
                distance_km=round(min(distances), 2) if distances else None,
                expected_start=rows[0].expected_start,
                wait_weeks=rows[0].wait_weeks,
                matching_intakes=tuple(row.Intake for row in rows),
            )
        )
    return found
