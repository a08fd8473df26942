"""Against a running Meilisearch (only where MARKET_MEILISEARCH_URL is set; none runs on the
development machine): after a reindex, Meilisearch answers the same filtered searches with
the same course ids, totals and facet counts as PostgreSQL, and the drain keeps it in step
with the changes the catalog's triggers record."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from market.catalog.models import CourseStatus, Format, Level, Route, ScheduleKind
from market.db.database import Database
from market.kernel.pagination import PageRequest
from market.search import indexer
from market.search.criteria import CourseSearch, Near, SearchResult, SearchSort
from market.search.postgres import PostgresSearch
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.search_engines import NO_SERVER, URL_VARIABLE, Engine, meilisearch_engine

pytestmark = pytest.mark.skipif(not os.environ.get(URL_VARIABLE), reason=NO_SERVER)


@pytest.fixture
async def meili(db: Database) -> AsyncIterator[Engine]:
    async with meilisearch_engine(db) as engine:
        yield engine


CASES = {
    "everything": CourseSearch(sort=SearchSort.PRICE),
    "routes": CourseSearch(routes=(Route.Z,), sort=SearchSort.PRICE),
    "evening": CourseSearch(evening=True, sort=SearchSort.PRICE),
    "online": CourseSearch(online=True, sort=SearchSort.PRICE),
    "place": CourseSearch(municipality_codes=("GM0344",), sort=SearchSort.PRICE),
    "near": CourseSearch(
        near=Near(latitude=52.09, longitude=5.12, radius_km=15), sort=SearchSort.DISTANCE
    ),
    "wait": CourseSearch(max_wait_weeks=2, sort=SearchSort.SOONEST_START),
    "uncertified too": CourseSearch(certified_only=False, sort=SearchSort.PRICE_PER_HOUR),
    "levels": CourseSearch(levels=(Level.A2, Level.B1), sort=SearchSort.RATING),
}


async def arrange(db: Database) -> None:
    certified = await add_provider(db)
    uncertified = await add_provider(db, certified=False)
    amsterdam = await add_location(db, certified)
    utrecht = await add_location(
        db, certified, postcode="3511 AB", municipality_code="GM0344", latitude=52.09,
        longitude=5.12,
    )  # fmt: skip
    elsewhere = await add_location(db, uncertified)
    soon, later = today() + timedelta(days=7), today() + timedelta(days=60)
    for price, location, starts, kinds in [
        (250_000, amsterdam, soon, [ScheduleKind.EVENING]),
        (300_000, utrecht, later, [ScheduleKind.DAYTIME]),
        (180_000, utrecht, None, [ScheduleKind.WEEKEND, ScheduleKind.EVENING]),
    ]:
        course = await add_course(db, certified, price_cents=price, schedule_kinds=kinds)
        await add_intake(db, course, location, starts_on=starts)
    z_route = await add_course(
        db, certified, route=Route.Z, target_level=Level.A1, total_hours=900, language_hours=820
    )
    await add_intake(db, z_route, amsterdam, seats_taken=12, waitlist_weeks=4)
    online = await add_course(db, certified, format=Format.ONLINE, target_level=Level.A2)
    await add_intake(db, online)
    cheap_unmarked = await add_course(db, uncertified, price_cents=90_000)
    await add_intake(db, cheap_unmarked, elsewhere)
    draft = await add_course(db, certified, status=CourseStatus.DRAFT)
    await add_intake(db, draft, amsterdam)


def summary(result: SearchResult) -> tuple[object, ...]:
    return (
        [hit.course.id for hit in result.page.items],
        result.page.total_count,
        [(f.field, [(v.value, v.count) for v in f.values]) for f in result.facets],
    )


@pytest.mark.parametrize("case", CASES)
async def test_meilisearch_answers_as_postgresql_does(
    db: Database, meili: Engine, case: str
) -> None:
    await arrange(db)
    await meili.sync()
    criteria = CASES[case]

    async with db.reader() as session:
        expected = await PostgresSearch().search(session, criteria, PageRequest(first=20))
        found = await meili.backend.search(session, criteria, PageRequest(first=20))

    assert summary(found) == summary(expected)


async def test_the_drain_keeps_meilisearch_in_step(db: Database, meili: Engine) -> None:
    provider = await add_provider(db)
    course = await add_course(db, provider)
    await add_intake(db, course)
    await meili.sync()
    added = await add_course(db, provider)
    await add_intake(db, added)

    await indexer.drain(db.transaction, meili.backend)

    async with db.reader() as session:
        result = await meili.backend.search(session, CourseSearch(), PageRequest())
    assert {hit.course.id for hit in result.page.items} == {course, added}
