"""A search changes planner settings for its own statements only: what it sets for one
statement is back to normal before the next, and nothing outlives its transaction."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from market.db.database import Database
from market.kernel.pagination import PageRequest
from market.search.criteria import CourseSearch, Near, SearchSort
from market.search.postgres import PostgresSearch
from tests.support.catalog import add_intake, add_listed_course, add_location, add_provider

UTRECHT = Near(latitude=52.09, longitude=5.12, radius_km=15)


async def settings(session: AsyncSession) -> tuple[str, str]:
    row = (
        await session.execute(
            text("SELECT current_setting('enable_sort'), current_setting('plan_cache_mode')")
        )
    ).one()
    return row[0], row[1]


async def test_sorting_is_back_on_once_a_near_search_has_found_its_hits(db: Database) -> None:
    provider = await add_provider(db)
    await add_intake(db, await add_listed_course(db, provider), await add_location(db, provider))
    near = CourseSearch(near=UTRECHT, sort=SearchSort.DISTANCE)

    async with db.reader() as session:
        await PostgresSearch().search(session, near, PageRequest(first=20))
        # The hits' statements ran with sorting on, and so does whatever follows.
        assert await settings(session) == ("on", "auto")
        await PostgresSearch().search(session, CourseSearch(), PageRequest(first=20))
        assert await settings(session) == ("on", "force_generic_plan")

    async with db.reader() as session:
        assert await settings(session) == ("on", "auto")
