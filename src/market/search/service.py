"""The course listing: validates what a learner asks, then asks the configured engine."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Course
from market.geo.errors import UnknownMunicipality, UnknownRegion
from market.geo.models import LabourMarketRegion, Municipality
from market.kernel.pagination import Page, PageRequest
from market.search.backend import SearchBackend
from market.search.criteria import CourseSearch
from market.search.errors import NegativePrice, SearchQueryTooLong, TooManyFilterValues
from market.search.postgres import PostgresSearch

MAX_QUERY_LENGTH = 200
# 342 municipalities exist; a longer list is not a search but a mistake.
MAX_FILTER_VALUES = 50

_POSTGRES = PostgresSearch()


async def search_courses(
    session: AsyncSession,
    criteria: CourseSearch,
    page: PageRequest,
    backend: SearchBackend = _POSTGRES,
) -> Page[Course]:
    """Published courses with a bookable intake matching the criteria. Public: the listing
    shows only what everyone may see, so no actor is needed."""
    return await backend.search(session, await checked(session, criteria), page)


async def checked(session: AsyncSession, criteria: CourseSearch) -> CourseSearch:
    """The criteria normalised, or a typed error naming the offending filter."""
    query = criteria.query
    if query is not None:
        if len(query) > MAX_QUERY_LENGTH:
            raise SearchQueryTooLong(MAX_QUERY_LENGTH)
        query = query.strip() or None
    if criteria.max_price_cents is not None and criteria.max_price_cents < 0:
        raise NegativePrice(field="maxPriceCents")
    for values, field in (
        (criteria.routes, "routes"),
        (criteria.levels, "levels"),
        (criteria.region_codes, "regionCodes"),
        (criteria.municipality_codes, "municipalityCodes"),
    ):
        if len(values) > MAX_FILTER_VALUES:
            raise TooManyFilterValues(MAX_FILTER_VALUES, field=field)
    regions = _codes(criteria.region_codes)
    municipalities = _codes(criteria.municipality_codes)
    if regions:
        known = set(
            await session.scalars(
                select(LabourMarketRegion.code).where(LabourMarketRegion.code.in_(regions))
            )
        )
        if known != set(regions):
            raise UnknownRegion(field="regionCodes")
    if municipalities:
        known = set(
            await session.scalars(
                select(Municipality.cbs_code).where(Municipality.cbs_code.in_(municipalities))
            )
        )
        if known != set(municipalities):
            raise UnknownMunicipality(field="municipalityCodes")
    return CourseSearch(
        query=query,
        routes=tuple(dict.fromkeys(criteria.routes)),
        levels=tuple(dict.fromkeys(criteria.levels)),
        region_codes=regions,
        municipality_codes=municipalities,
        max_price_cents=criteria.max_price_cents,
        evening=criteria.evening,
        weekend=criteria.weekend,
        certified_only=criteria.certified_only,
        sort=criteria.sort,
    )


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value.strip().upper() for value in values))
