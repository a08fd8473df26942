"""How a search's statements are planned: on a read connection, once per connection and
statement text; `near`'s main statement for its circle on every run and without sorting,
with the connection's settings back as they were right after it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from sqlalchemy import Text, bindparam, text

from market.db import driver
from market.db.database import Database
from market.kernel.pagination import PageRequest
from market.search.criteria import CourseSearch, Near, SearchSort
from market.search.postgres import PostgresSearch
from tests.support.catalog import add_intake, add_listed_course, add_location, add_provider
from tests.support.statements import recording_statements

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


async def add_utrecht_course(db: Database) -> None:
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


NEAR = CourseSearch(near=UTRECHT, sort=SearchSort.DISTANCE)


async def test_near_plans_for_its_circle_and_everything_else_once(db: Database) -> None:
    await add_utrecht_course(db)
    near = NEAR

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


async def test_near_at_once_plans_both_its_statements_for_its_circle(db: Database) -> None:
    """The page on the search's connection and the counts on a spare one: each planned
    for the circle, and each connection's settings back as they were."""
    await add_utrecht_course(db)
    search = PostgresSearch(spare=db.spare_read_connection)

    async with db.read_connection() as connection:
        for _ in range(6):
            found = await search.search(connection, NEAR, PageRequest(first=20))
            assert (found.page.total_count, len(found.page.items)) == (1, 1)
        # The database fixture's read pool holds two connections: the spare is the other.
        async with db.spare_read_connection() as spare:
            assert spare is not None
            for reader in (connection, spare):
                assert await plans(reader, "WITH matching") == (0, 6)
                assert await settings(reader) == ("force_generic_plan", "on")


async def test_a_spare_connection_only_while_no_other_search_reads(db: Database) -> None:
    async with db.read_connection():
        async with db.spare_read_connection() as spare:
            assert spare is not None
        async with db.read_connection(), db.spare_read_connection() as spare:
            assert spare is None
    # Nor one to wait for: a pool of one has none to spare.
    alone = Database(db.url, pool_size=1)
    try:
        async with alone.read_connection(), alone.spare_read_connection() as spare:
            assert spare is None
    finally:
        await alone.dispose()


async def test_when_one_of_two_statements_fails_neither_connection_is_pooled_again(
    db: Database,
) -> None:
    await add_utrecht_course(db)

    @asynccontextmanager
    async def broken_spare() -> AsyncIterator[asyncpg.Connection | None]:
        async with db.spare_read_connection() as spare:
            assert spare is not None
            await spare.close()
            yield spare

    used = []

    async def search() -> None:
        async with db.read_connection() as connection:
            used.append(connection)
            await PostgresSearch(spare=broken_spare).search(connection, NEAR, PageRequest(first=20))

    with recording_statements() as ran, pytest.raises(asyncpg.InterfaceError):
        await search()
    # The page's statement was stopped at once: its hits were never loaded, and nothing
    # runs on a connection no longer pooled.
    assert not [sql for sql, _ in ran if "json_agg" in sql]
    assert asyncio.all_tasks() == {asyncio.current_task()}
    assert used[0].is_closed()
    async with db.read_connection() as connection:
        found = await PostgresSearch().search(connection, NEAR, PageRequest(first=20))
        assert found.page.total_count == 1
