"""A search sets generic plans for its own transaction only, and never for `near`, whose
plan depends on the circle."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from market.db.database import Database
from market.kernel.pagination import PageRequest
from market.search.criteria import CourseSearch, Near, SearchSort
from market.search.postgres import PostgresSearch
from tests.support.catalog import add_intake, add_listed_course, add_location, add_provider

UTRECHT = Near(latitude=52.09, longitude=5.12, radius_km=15)


async def plan_cache_mode(session: AsyncSession) -> str:
    return str(await session.scalar(text("SELECT current_setting('plan_cache_mode')")))


async def test_generic_plans_last_the_search_transaction_and_skip_near(db: Database) -> None:
    provider = await add_provider(db)
    utrecht = await add_location(
        db,
        provider,
        postcode="3511 AB",
        municipality_code="GM0344",
        latitude=UTRECHT.latitude,
        longitude=UTRECHT.longitude,
    )
    await add_intake(db, await add_listed_course(db, provider), utrecht)
    near = CourseSearch(near=UTRECHT, sort=SearchSort.DISTANCE)

    async with db.reader() as session:
        found = await PostgresSearch().search(session, near, PageRequest(first=20))
        assert found.page.total_count == 1
        assert await plan_cache_mode(session) == "auto"
        for criteria in (CourseSearch(), CourseSearch(municipality_codes=("GM0344",))):
            await PostgresSearch().search(session, criteria, PageRequest(first=20))
            assert await plan_cache_mode(session) == "force_generic_plan"

    async with db.reader() as session:
        assert await plan_cache_mode(session) == "auto"
