"""How a search's statements are planned: on a read connection, once per connection and
statement text; `near`'s main statement for its circle on every run and without sorting,
with the connection's settings back as they were right after it."""

from __future__ import annotations

from sqlalchemy import Text, bindparam, text

from market.db import driver
from market.db.database import Database
from market.kernel.pagination import PageRequest
from market.search.criteria import CourseSearch, Near, SearchSort
from market.search.postgres import PostgresSearch
from tests.support.catalog import add_intake, add_listed_course, add_location, add_provider

UTRECHT = Near(latitude=52.09, longitude=5.12, radius_km=15)

SETTINGS = driver.Statement.of(
    text("SELECT current_setting('plan_cache_mode'), current_setting('enable_sort')")
)
# How often the connection's prepared statements opening so ran on their generic plan, and
# on a plan made for their values.
PLANS = driver.Statement.of(
    text(
        "SELECT coalesce(sum(generic_plans), 0)::int, coalesce(sum(custom_plans), 0)::int "
        "FROM pg_prepared_statements WHERE starts_with(statement, :opening)"
    ).bindparams(bindparam("opening", type_=Text))
)


async def settings(reader: driver.Reader) -> tuple[str, str]:
    [(planning, sorting)] = await driver.fetch(reader, SETTINGS, ())
    return planning, sorting


async def plans(reader: driver.Reader, opening: str) -> tuple[int, int]:
    [(generic, custom)] = await driver.fetch(reader, PLANS, (opening,))
    return generic, custom


async def test_near_plans_for_its_circle_and_everything_else_once(db: Database) -> None:
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

    async with db.read_connection() as connection:
        assert await settings(connection) == ("force_generic_plan", "on")
        for _ in range(6):  # past the five runs after which PostgreSQL may go generic
            found = await PostgresSearch().search(connection, near, PageRequest(first=20))
            assert found.page.total_count == 1
        # The circle's statement was planned for its circle every time; the hits' statement
        # after it ran with sorting on, on its generic plan, and so does whatever follows.
        assert await plans(connection, "WITH matching") == (0, 6)
        assert await plans(connection, "SELECT json_agg") == (6, 0)
        assert await settings(connection) == ("force_generic_plan", "on")
        for criteria in (CourseSearch(), CourseSearch(municipality_codes=("GM0344",))):
            await PostgresSearch().search(connection, criteria, PageRequest(first=20))
            assert await settings(connection) == ("force_generic_plan", "on")

    # A session's connections keep PostgreSQL's defaults, near search or not.
    async with db.reader() as session:
        await PostgresSearch().search(session, near, PageRequest(first=20))
        assert await settings(session) == ("auto", "on")
