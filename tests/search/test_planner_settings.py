"""A search chooses how its statements are planned for its own transaction only: `near`
for its circle on every run and without sorting for its one statement, the others once per
connection."""

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
            text("SELECT current_setting('plan_cache_mode'), current_setting('enable_sort')")
        )
    ).one()
    return row[0], row[1]


async def test_plans_are_chosen_for_the_search_transaction_only(db: Database) -> None:
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
        # The hits' statements ran with sorting on, and so does whatever follows.
        assert await settings(session) == ("force_custom_plan", "on")
        for criteria in (CourseSearch(), CourseSearch(municipality_codes=("GM0344",))):
            await PostgresSearch().search(session, criteria, PageRequest(first=20))
            assert await settings(session) == ("force_generic_plan", "on")

    async with db.reader() as session:
        assert await settings(session) == ("auto", "on")
