"""The course search in PostgreSQL, reading the live catalog tables (no index lag).

One statement counts the matches, one fetches the page; both share the same conditions.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import (
    Course,
    CourseStatus,
    Intake,
    Location,
    ProviderProfile,
    Route,
    ScheduleKind,
)
from market.catalog.policies import certified, diploma_recognised, local_today
from market.geo.models import Municipality
from market.identity.models import Organisation
from market.kernel.pagination import InvalidCursor, Page, PageRequest, encode_cursor
from market.search.criteria import CourseSearch, SearchSort


class PostgresSearch:
    async def search(
        self, session: AsyncSession, criteria: CourseSearch, page: PageRequest
    ) -> Page[Course]:
        conditions = _conditions(criteria)
        total = await session.scalar(
            _scope(select(func.count(Course.id)), criteria).where(*conditions)
        )
        query = _scope(select(Course), criteria).where(*conditions)
        order, key_columns = _ordering(criteria.sort)
        if page.after is not None:
            query = query.where(_after(criteria.sort, key_columns, page.after))
        rows = list(await session.scalars(query.order_by(*order).limit(page.first + 1)))
        items = rows[: page.first]
        end = encode_cursor(_cursor(criteria.sort, items[-1])) if items else None
        return Page(items, len(rows) > page.first, end, total or 0)


def _scope(query: Select[Any], criteria: CourseSearch) -> Select[Any]:
    query = query.join(ProviderProfile, ProviderProfile.organisation_id == Course.provider_id)
    if criteria.query:
        query = query.join(Organisation, Organisation.id == Course.provider_id)
    return query


def _conditions(criteria: CourseSearch) -> list[ColumnElement[bool]]:
    today = local_today()
    conditions: list[ColumnElement[bool]] = [
        Course.status == CourseStatus.PUBLISHED,
        # A route's legal requirement on the provider holds at all times, not just on save.
        or_(Course.route != Route.Z, certified(today)),
        or_(Course.route != Route.ONDERWIJS, diploma_recognised()),
        exists(_bookable_intakes(criteria)),
    ]
    if criteria.certified_only:
        conditions.append(certified(today))
    if criteria.query:
        text = criteria.query
        conditions.append(
            or_(
                Course.title.icontains(text, autoescape=True),
                Course.description.icontains(text, autoescape=True),
                Organisation.name.icontains(text, autoescape=True),
            )
        )
    if criteria.routes:
        conditions.append(Course.route.in_(criteria.routes))
    if criteria.levels:
        conditions.append(Course.target_level.in_(criteria.levels))
    if criteria.max_price_cents is not None:
        conditions.append(Course.price_cents <= criteria.max_price_cents)
    if criteria.evening:
        conditions.append(Course.schedule_kinds.contains([ScheduleKind.EVENING]))
    if criteria.weekend:
        conditions.append(Course.schedule_kinds.contains([ScheduleKind.WEEKEND]))
    return conditions


def _bookable_intakes(criteria: CourseSearch) -> Select[Any]:
    """Intakes of the course one can still book (continuous, or starting today or later),
    at a place the criteria ask for."""
    query = select(Intake.id).where(
        Intake.course_id == Course.id,
        or_(Intake.starts_on.is_(None), Intake.starts_on >= local_today()),
    )
    if criteria.municipality_codes or criteria.region_codes:
        query = query.join(Location, Location.id == Intake.location_id)
    if criteria.municipality_codes:
        query = query.where(Location.municipality_code.in_(criteria.municipality_codes))
    if criteria.region_codes:
        query = query.join(Municipality, Municipality.cbs_code == Location.municipality_code).where(
            Municipality.region_code.in_(criteria.region_codes)
        )
    return query


def _ordering(sort: SearchSort) -> tuple[list[Any], list[Any]]:
    """ORDER BY terms and the columns of the keyset; the course id breaks ties."""
    if sort is SearchSort.PRICE:
        return [Course.price_cents.asc(), Course.id.asc()], [Course.price_cents, Course.id]
    return [Course.published_at.desc(), Course.id.desc()], [Course.published_at, Course.id]


def _cursor(sort: SearchSort, course: Course) -> list[Any]:
    if sort is SearchSort.PRICE:
        return [sort.value, course.price_cents, str(course.id)]
    assert course.published_at is not None  # published courses have a publication time
    return [sort.value, course.published_at.isoformat(), str(course.id)]


def _after(sort: SearchSort, columns: list[Any], key: tuple[Any, ...]) -> ColumnElement[bool]:
    """Rows strictly after the cursor's row; a cursor of another sort is refused."""
    try:
        name, value, last = key
        last_id = uuid.UUID(last)
        if name != sort.value:
            raise ValueError(name)
        if sort is SearchSort.PRICE:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(value)
            return tuple_(*columns) > tuple_(value, last_id)
        published = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidCursor(field="after") from None
    # Descending on both columns, so "after" means smaller.
    return tuple_(*columns) < tuple_(published, last_id)
