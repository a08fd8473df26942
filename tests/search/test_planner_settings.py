"""A search chooses how its statements are planned for its own transaction only: `near`'s
main statement for its circle on every run and without sorting, every other statement once
per connection."""

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


async def plans(session: AsyncSession, opening: str) -> tuple[int, int]:
    """How often the session's prepared statements opening so ran on their generic plan,
    and on a plan made for their values."""
    row = (
        await session.execute(
            text(
                "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
                "FROM pg_prepared_statements WHERE starts_with(statement, :opening)"
            ),
            {"opening": opening},
        )
    ).one()
    return int(row[0]), int(row[1])


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
        for _ in range(6):  # past the five runs after which PostgreSQL may go generic
            found = await PostgresSearch().search(session, near, PageRequest(first=20))
            assert found.page.total_count == 1
        # The circle's statement was planned for its circle every time; the hits' statement
        # after it ran with sorting on, on its generic plan, and so does whatever follows.
        assert await plans(session, "WITH matching") == (0, 6)
        assert await plans(session, "SELECT json_agg") == (6, 0)
        assert await settings(session) == ("force_generic_plan", "on")
        for criteria in (CourseSearch(), CourseSearch(municipality_codes=("GM0344",))):
            await PostgresSearch().search(session, criteria, PageRequest(first=20))
            assert await settings(session) == ("force_generic_plan", "on")

    async with db.reader() as session:
        assert await settings(session) == ("auto", "on")
