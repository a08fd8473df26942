"""One contract for every engine: each scenario's exact ids, order, facet counts, hits."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest

from market.catalog.models import Format, Level, Route, ScheduleKind
from market.db.database import Database
from market.kernel.pagination import PageRequest
from market.search import service
from market.search.backend import SearchBackend
from market.search.criteria import (
    CourseSearch,
    FacetField,
    PriceBand,
    SearchResult,
    SearchSort,
)
from market.search.service import NearPostcode
from tests.search.contract.conftest import Catalog
from tests.support.catalog import today


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dlat, dlon = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = (
        math.sin(dlat / 2) ** 2
        + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(dlon / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


DEFAULT = ["dagles", "avondles", "online", "z", "schakel"]


async def run(
    db: Database,
    backend: SearchBackend,
    criteria: CourseSearch,
    *,
    near: NearPostcode | None = None,
    first: int = 50,
) -> SearchResult:
    async with db.reader() as session:
        return await service.search_courses(
            session, criteria, PageRequest(first), near=near, backend=backend
        )


def names(catalog: Catalog, result: SearchResult) -> list[str]:
    return [catalog.name_of(hit.course.id) for hit in result.page.items]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (CourseSearch(), DEFAULT),
        (CourseSearch(certified_only=False), [*DEFAULT, "goedkoop"]),
        (CourseSearch(routes=(Route.Z,)), ["z"]),
        (CourseSearch(routes=(Route.Z, Route.B1), levels=(Level.A2,)), ["online"]),
        (CourseSearch(levels=(Level.B1, Level.A1)), ["dagles", "avondles", "z"]),
        (CourseSearch(region_codes=("AM18",)), ["dagles", "z"]),
        (
            CourseSearch(region_codes=("AM13", "AM01"), certified_only=False),
            ["avondles", "schakel", "goedkoop"],
        ),
        (CourseSearch(municipality_codes=("GM0344",)), ["avondles", "schakel"]),
        (CourseSearch(municipality_codes=("GM0344",), region_codes=("AM18",)), []),
        (CourseSearch(min_price_cents=200_000, max_price_cents=300_000), ["dagles", "avondles"]),
        (CourseSearch(max_price_cents=0), []),
        (CourseSearch(price_bands=(PriceBand.UNDER_2500,)), ["avondles", "online"]),
        (
            CourseSearch(price_bands=(PriceBand.FROM_10000, PriceBand.FROM_7500_TO_10000)),
            ["z", "schakel"],
        ),
        (CourseSearch(max_price_per_hour_cents=1000), ["dagles", "online", "z"]),
        (CourseSearch(evening=True), ["avondles", "online"]),
        (CourseSearch(weekend=True), ["online"]),
        (CourseSearch(evening=True, weekend=True), ["online"]),
        (
            CourseSearch(schedule_kinds=(ScheduleKind.WEEKEND, ScheduleKind.DAYTIME)),
            ["dagles", "online", "z", "schakel"],
        ),
        (CourseSearch(formats=(Format.CLASSROOM,)), ["dagles", "avondles", "z"]),
        (CourseSearch(online=True), ["online", "schakel"]),
        (CourseSearch(online=True, certified_only=False), ["online", "schakel", "goedkoop"]),
        (CourseSearch(max_wait_weeks=0), ["dagles", "z"]),
        (CourseSearch(max_wait_weeks=3), ["dagles", "avondles", "z"]),
        (CourseSearch(max_wait_weeks=5), ["dagles", "avondles", "online", "z"]),
        (CourseSearch(starts_before=today() + timedelta(weeks=3)), ["dagles", "z"]),
        (
            CourseSearch(starts_before=today() + timedelta(weeks=3, days=1)),
            ["dagles", "avondles", "z"],
        ),
        (CourseSearch(region_codes=("AM13",), max_wait_weeks=5), ["avondles"]),
        (CourseSearch(contracted_by="GM0363"), []),
    ],
)
async def test_filters(
    db: Database,
    search_backend: SearchBackend,
    catalog: Catalog,
    criteria: CourseSearch,
    expected: list[str],
) -> None:
    result = await run(db, search_backend, replace(criteria, sort=SearchSort.PRICE))

    assert sorted(names(catalog, result)) == sorted(expected)
    assert result.page.total_count == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (SearchSort.PRICE, ["online", "avondles", "dagles", "z", "schakel"]),
        (SearchSort.PRICE_PER_HOUR, ["online", "z", "dagles", "schakel", "avondles"]),
        (SearchSort.SHORTEST_WAIT, ["dagles", "z", "avondles", "online", "schakel"]),
        (SearchSort.SOONEST_START, ["dagles", "z", "avondles", "online", "schakel"]),
    ],
)
async def test_sorts(
    db: Database,
    search_backend: SearchBackend,
    catalog: Catalog,
    sort: SearchSort,
    expected: list[str],
) -> None:
    result = await run(db, search_backend, CourseSearch(sort=sort))

    # dagles and z both start today: the cheaper one first.
    assert names(catalog, result) == expected


async def test_rating_puts_most_stars_first(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    result = await run(db, search_backend, CourseSearch(sort=SearchSort.RATING))

    ordered = names(catalog, result)
    assert sorted(ordered[:2]) == ["avondles", "schakel"]  # four stars
    assert sorted(ordered[2:]) == ["dagles", "online", "z"]  # three


async def test_near_returns_exactly_the_courses_within_the_radius_nearest_first(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    amsterdam = await run(
        db, search_backend, CourseSearch(sort=SearchSort.DISTANCE), near=NearPostcode("1011 AB", 10)
    )
    wider = await run(
        db, search_backend, CourseSearch(sort=SearchSort.DISTANCE), near=NearPostcode("1011", 40)
    )

    assert sorted(names(catalog, amsterdam)) == ["dagles", "z"]
    assert all(
        hit.distance_km is not None and hit.distance_km < 0.1 for hit in amsterdam.page.items
    )
    assert sorted(names(catalog, wider)[:2]) == ["dagles", "z"]
    assert sorted(names(catalog, wider)[2:]) == ["avondles", "schakel"]
    utrecht = wider.page.items[2]
    # From the centroid of PC4 1011 to the Utrecht location, on a sphere of 6371.0088 km.
    assert utrecht.distance_km == pytest.approx(
        haversine_km(52.37194, 4.90553, 52.0883, 5.1160), abs=0.01
    )


async def test_hits_carry_expected_start_wait_and_matching_intakes(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    result = await run(db, search_backend, CourseSearch())
    hits = {catalog.name_of(hit.course.id): hit for hit in result.page.items}

    assert (hits["dagles"].expected_start, hits["dagles"].wait_weeks) == (today(), 0)
    assert (hits["avondles"].expected_start, hits["avondles"].wait_weeks) == (
        today() + timedelta(weeks=3),
        3,
    )
    assert (hits["online"].expected_start, hits["online"].wait_weeks) == (
        today() + timedelta(weeks=5),
        5,
    )
    # The started intake of avondles is not bookable, so not matching.
    assert hits["avondles"].matching_intake_ids == (catalog.intakes["avondles"],)
    assert hits["dagles"].distance_km is None


async def test_text_is_stemmed_accent_free_typo_tolerant_with_synonyms(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    async def found(query: str) -> list[str]:
        return sorted(names(catalog, await run(db, search_backend, CourseSearch(query=query))))

    assert await found("avondles") == ["avondles"]  # synonym of avondlessen
    assert await found("ÁVONDLESSEN") == ["avondles"]
    assert await found("schakeltrajecten") == ["schakel"]  # Dutch stemming
    assert await found("onderwijsroute") == ["schakel"]  # synonym of schakeltraject
    assert await found("zelfredzam") == ["z"]  # a typo
    assert await found("hogeschool") == ["avondles", "schakel"]  # the provider's name
    assert await found("%") == []


BASES = [
    CourseSearch(),
    CourseSearch(routes=(Route.B1,), evening=True),
    CourseSearch(region_codes=("AM18",), max_wait_weeks=3),
    CourseSearch(online=True, price_bands=(PriceBand.UNDER_2500,), certified_only=False),
    CourseSearch(query="nederlands", levels=(Level.B1,)),
]


def chosen(base: CourseSearch, field: FacetField, value: str) -> CourseSearch:
    """The base search with the facet's own filters replaced by the one value."""
    if field is FacetField.ROUTE:
        return replace(base, routes=(Route[value],))
    if field is FacetField.LEVEL:
        return replace(base, levels=(Level[value],))
    if field is FacetField.REGION:
        return replace(base, region_codes=(value,))
    if field is FacetField.SCHEDULE_KIND:
        return replace(base, schedule_kinds=(ScheduleKind[value],), evening=False, weekend=False)
    if field is FacetField.FORMAT:
        return replace(base, formats=(Format[value],), online=False)
    if field is FacetField.CONTRACTED_BY:
        return replace(base, contracted_by=value)
    if field is FacetField.SUPPORT_LANGUAGE:
        return replace(base, support_languages=(value,))
    return replace(base, price_bands=(PriceBand[value],))


@pytest.mark.parametrize("base", BASES)
async def test_facet_counts_equal_the_counts_of_the_filtered_searches(
    db: Database, search_backend: SearchBackend, catalog: Catalog, base: CourseSearch
) -> None:
    result = await run(db, search_backend, base)

    for facet in result.facets:
        for value in facet.values:
            if facet.field is FacetField.CERTIFICATION:
                with_mark = await run(db, search_backend, replace(base, certified_only=True))
                everyone = await run(db, search_backend, replace(base, certified_only=False))
                expected = with_mark.page.total_count
                if value.value == "UNCERTIFIED":
                    expected = everyone.page.total_count - expected
            else:
                filtered = await run(db, search_backend, chosen(base, facet.field, value.value))
                expected = filtered.page.total_count
            assert value.count == expected, (facet.field, value)


async def test_facets_of_the_default_search(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    result = await run(db, search_backend, CourseSearch())
    facets = {facet.field: {v.value: v.count for v in facet.values} for facet in result.facets}

    assert facets == {
        FacetField.ROUTE: {"B1": 3, "ONDERWIJS": 1, "Z": 1},
        FacetField.LEVEL: {"A1": 1, "A2": 1, "B1": 2, "B2": 1},
        FacetField.REGION: {"AM13": 2, "AM18": 2},
        FacetField.SCHEDULE_KIND: {"DAYTIME": 3, "EVENING": 2, "WEEKEND": 1},
        FacetField.FORMAT: {"CLASSROOM": 3, "ONLINE": 1, "BLENDED": 1},
        FacetField.CERTIFICATION: {"CERTIFIED": 5, "UNCERTIFIED": 1},
        FacetField.PRICE_BAND: {
            "UNDER_2500": 2,
            "FROM_2500_TO_5000": 1,
            "FROM_7500_TO_10000": 1,
            "FROM_10000": 1,
        },
        # No contracts in this catalog (see test_contracted).
        FacetField.CONTRACTED_BY: {},
        # Every course tests.support.catalog adds explains in English too (see
        # test_support_languages).
        FacetField.SUPPORT_LANGUAGE: {"en": 5},
    }


async def test_pages_follow_each_other_without_gaps(
    db: Database, search_backend: SearchBackend, catalog: Catalog
) -> None:
    seen: list[str] = []
    after = None
    for _ in range(4):
        async with db.reader() as session:
            page = PageRequest(2, after)
            result = await service.search_courses(
                session, CourseSearch(sort=SearchSort.PRICE), page, backend=search_backend
            )
        seen += names(catalog, result)
        after = result.page.end_cursor
        if not result.page.has_next_page:
            break

    assert seen == ["online", "avondles", "dagles", "z", "schakel"]
