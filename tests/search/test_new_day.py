"""A new day makes PostgreSQL's search summaries stale; the daily job re-summarises them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from market.db.database import Database
from market.search import postgres
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today


async def test_refresh_stale_re_summarises_only_the_stale_courses(db: Database) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider)
    stale, fresh = await add_course(db, provider), await add_course(db, provider)
    for course in (stale, fresh):
        await add_intake(db, course, location, starts_on=today() + timedelta(days=10))
    async with db.transaction() as session:
        # As if the summary had been made long ago, when an earlier intake was the first.
        await session.execute(
            text("UPDATE search_courses SET summary_until = :past WHERE course_id = :id"),
            {"past": today() - timedelta(days=3), "id": stale},
        )

    async with db.transaction() as session:
        refreshed = await postgres.refresh_stale(session)

    async with db.reader() as session:
        result = await session.execute(text("SELECT course_id, summary_until FROM search_courses"))
        rows = {row.course_id: row.summary_until for row in result}
    assert refreshed == 1
    assert rows == {stale: today() + timedelta(days=10), fresh: today() + timedelta(days=10)}
