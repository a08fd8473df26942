"""The course search: validates what a learner asks, then asks the configured engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from market.catalog.policies import support_languages
from market.db import driver
from market.geo import service as geo
from market.geo.errors import UnknownPostcode
from market.kernel.pagination import PageRequest
from market.search import errors
from market.search.backend import SearchBackend
from market.search.criteria import CourseSearch, Near, SearchResult, SearchSort
from market.search.postgres import PostgresSearch

T = TypeVar("T")

MAX_QUERY_LENGTH = 200
# 342 municipalities exist; a longer list is not a search but a mistake.
MAX_FILTER_VALUES = 50
# The Netherlands is about 300 km across: a wider circle is a mistake, not a search. A
# narrower one than a street holds no school either, and radii near zero underflow the
# distance arithmetic.
MIN_RADIUS_KM = 0.1
MAX_RADIUS_KM = 250.0
# A wait this long is no limit at all; looser limits must never find less, and far larger
# ones would overflow the date arithmetic.
UNLIMITED_WAIT_WEEKS = 5200

_POSTGRES = PostgresSearch()


@dataclass(frozen=True, slots=True)
class NearPostcode:
    """`near { postcode radiusKm }` as the learner typed it."""

    postcode: str
    radius_km: float


async def search_courses(
    reader: driver.Reader,
    criteria: CourseSearch,
    page: PageRequest,
    *,
    near: NearPostcode | None = None,
    backend: SearchBackend = _POSTGRES,
) -> SearchResult:
    """Published courses with a matching intake (see market.search.criteria), with facets.
    Public: the listing shows only what everyone may see, so no actor is needed."""
    checked_criteria = await checked(reader, criteria)
    if near is not None:
        checked_criteria = replace(checked_criteria, near=await resolve_near(reader, near))
    if checked_criteria.sort is SearchSort.DISTANCE and checked_criteria.near is None:
        raise errors.DistanceNeedsPlace(field="sort")
    return await backend.search(reader, checked_criteria, page)


async def resolve_near(reader: driver.Reader, near: NearPostcode) -> Near:
    """The circle around the postcode area's centroid. Only the PC4 area counts: a bare
    postcode names no municipality, so an unknown area is an error, not a fallback."""
    radius = near.radius_km
    if not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
        raise errors.RadiusOutOfRange(MIN_RADIUS_KM, MAX_RADIUS_KM)
    try:
        place = await geo.locate_postcode(reader, near.postcode, field="postcode")
    except UnknownPostcode:
        raise errors.UnknownSearchPostcode(field="postcode") from None
    return Near(place.latitude, place.longitude, radius)


async def checked(reader: driver.Reader, criteria: CourseSearch) -> CourseSearch:
    """The criteria normalised, or a typed error naming the offending filter."""
    query = criteria.query
    if query is not None:
        if len(query) > MAX_QUERY_LENGTH:
            raise errors.SearchQueryTooLong(MAX_QUERY_LENGTH)
        query = query.strip() or None
    _check_numbers(criteria)
    max_wait_weeks = criteria.max_wait_weeks
    if max_wait_weeks is not None and max_wait_weeks >= UNLIMITED_WAIT_WEEKS:
        max_wait_weeks = None
    for values, field in (
        (criteria.routes, "routes"),
        (criteria.levels, "levels"),
        (criteria.region_codes, "regionCodes"),
        (criteria.municipality_codes, "municipalityCodes"),
        (criteria.price_bands, "priceBands"),
        (criteria.schedule_kinds, "scheduleKinds"),
        (criteria.formats, "formats"),
        (criteria.support_languages, "supportLanguages"),
    ):
        if len(values) > MAX_FILTER_VALUES:
            raise errors.TooManyFilterValues(MAX_FILTER_VALUES, field=field)
    regions = _codes(criteria.region_codes)
    municipalities = _codes(criteria.municipality_codes)
    await geo.check_regions(reader, regions, field="regionCodes")
    await geo.check_municipalities(reader, municipalities, field="municipalityCodes")
    contracted_by = None
    if criteria.contracted_by is not None:
        [contracted_by] = _codes([criteria.contracted_by])
        await geo.check_municipalities(reader, [contracted_by], field="contractedBy")
    return replace(
        criteria,
        query=query,
        routes=_unique(criteria.routes),
        levels=_unique(criteria.levels),
        region_codes=regions,
        municipality_codes=municipalities,
        price_bands=_unique(criteria.price_bands),
        schedule_kinds=_unique(criteria.schedule_kinds),
        formats=_unique(criteria.formats),
        max_wait_weeks=max_wait_weeks,
        contracted_by=contracted_by,
        support_languages=tuple(support_languages(criteria.support_languages)),
    )


def _check_numbers(criteria: CourseSearch) -> None:
    for value, field in (
        (criteria.min_price_cents, "minPriceCents"),
        (criteria.max_price_cents, "maxPriceCents"),
        (criteria.max_price_per_hour_cents, "maxPricePerHourCents"),
        (criteria.max_wait_weeks, "maxWaitWeeks"),
    ):
        if value is not None and value < 0:
            raise errors.NegativeFilterValue(field=field)
    low, high = criteria.min_price_cents, criteria.max_price_cents
    if low is not None and high is not None and low > high:
        raise errors.PriceRangeInverted(field="minPriceCents")


def _unique(values: Sequence[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(values))


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value.strip().upper() for value in values))
