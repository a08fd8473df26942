"""Search's write path: a statement on the catalog refreshes search once, only for the
columns search shows; a seat change rewrites nothing unless an expected start moves;
slots are drawn for new rows only and compacted daily, so the bitmaps stay as wide as the
catalog whatever the number of writes."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from market.catalog.models import CourseStatus
from market.db.database import READ_SETTINGS, Database
from market.demo import seed
from market.search import postgres
from tests.bench.searches import SEARCH, searches
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient
from tests.support.statements import recording_statements

# What a search shows, and how it is kept: the rows of every search table and the bits.
STATE = {
    "courses": """SELECT course_id, route, level, format, kinds, band, stars,
                         diploma_recognised, has_intake, uniform_region, price_cents,
                         price_per_hour_cents, continuous_delay_days, dated_best_start,
                         certified_from, certified_until, summary_until, region_mask
                  FROM search_courses ORDER BY course_id""",
    "intakes": "SELECT * FROM search_intakes ORDER BY intake_id",
    "places": """SELECT * FROM search_places
                 ORDER BY course_id, municipality_code, latitude, longitude""",
    "keys": "SELECT course_id, bitmap_keys FROM search_course_texts ORDER BY course_id",
    "bitmaps": """SELECT key, chunk, bits FROM search_bitmaps WHERE bit_count(bits) > 0
                  ORDER BY key, chunk""",
    "slots": """SELECT count(*), min(slot), max(slot),
                       (SELECT last_value FROM search_slots) AS drawn
                FROM search_courses""",
}

# The bits the bitmaps should hold, from each row's keys and slot, against the rows they
# hold (all-zero rows aside): both directions empty when they agree.
BITS_DISAGREE = """
WITH expected AS (
    SELECT k AS key, s.slot >> 12 AS chunk,
           bit_or(set_bit(repeat('0', 4096)::bit(4096), s.slot & 4095, 1)) AS bits
    FROM search_courses s
    JOIN search_course_texts t ON t.course_id = s.course_id, unnest(t.bitmap_keys) k
    GROUP BY 1, 2
), actual AS (
    SELECT key, chunk, bits FROM search_bitmaps WHERE bit_count(bits) > 0
)
SELECT (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM actual) a)
     + (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM expected) b)"""

# Rows the current transaction wrote into search's tables.
WRITTEN = """SELECT coalesce(sum(n_tup_upd + n_tup_ins + n_tup_del), 0)
             FROM pg_stat_xact_user_tables WHERE relname LIKE 'search%'"""

COUNTED = ("search_refresh", "search_refresh_availability", "search_intakes_updated")


def _libpq(db: Database) -> str:
    return db.url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture
async def conn(db: Database) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(_libpq(db))
    # Counts the calls of every function (pg_stat_xact_user_functions, per transaction).
    await connection.execute("SET track_functions = 'all'")
    yield connection
    await connection.close()


async def state(conn: asyncpg.Connection) -> dict[str, list[Any]]:
    return {name: [tuple(r) for r in await conn.fetch(sql)] for name, sql in STATE.items()}


async def pending(conn: asyncpg.Connection) -> dict[str, int]:
    """Calls by function, and rows written into search's tables ("written"), not yet
    flushed to the statistics. Flushes happen between transactions only: the difference
    of two readings in one transaction is that transaction's."""
    rows = await conn.fetch(
        "SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE funcname = ANY ($1)",
        list(COUNTED),
    )
    counted = {name: 0 for name in COUNTED} | {r["funcname"]: r["calls"] for r in rows}
    return counted | {"written": await conn.fetchval(WRITTEN)}


def since(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in after}


async def agrees_with_a_full_refresh(conn: asyncpg.Connection) -> None:
    """The rows kept so far are those a full refresh of every course makes (rolled back)."""
    kept = await state(conn)
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute("SELECT search_refresh(array(SELECT id FROM courses))")
        whole = await state(conn)
    finally:
        await transaction.rollback()
    assert kept == whole
    assert await conn.fetchval(BITS_DISAGREE) == 0


async def test_taking_the_last_seat_moves_only_the_expected_start(
    db: Database, conn: asyncpg.Connection
) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider)
    course = await add_course(db, provider)
    intake = await add_intake(db, course, location, seat_capacity=2, seats_taken=1,
                              waitlist_weeks=3)  # fmt: skip
    before = await state(conn)

    async with conn.transaction():
        start = await pending(conn)
        await conn.execute("UPDATE intakes SET seats_taken = 2 WHERE id = $1", intake)
        counted = since(start, await pending(conn))

    # One refresh for the statement, of the availability alone: no slot drawn.
    assert counted | {"written": 0} == {
        "search_intakes_updated": 1,
        "search_refresh_availability": 1,
        "search_refresh": 0,
        "written": 0,
    }
    # Only what the new start changes: the intake's delay, its course's place (written
    # again), summary and keys, and two bits (cd:000000 off, cd:000021 on: a new row, and
    # both rows' deltas in the temporary table).
    assert counted["written"] == 10
    after = await state(conn)
    assert after["slots"] == before["slots"]
    assert (
        await conn.fetchval(
            "SELECT continuous_delay_days FROM search_courses WHERE course_id = $1", course
        )
        == 21
    )
    [(_, keys)] = after["keys"]
    assert "cd:000021" in keys
    assert "cd:000000" not in keys
    await agrees_with_a_full_refresh(conn)

    await conn.execute("UPDATE intakes SET seats_taken = 1 WHERE id = $1", intake)
    assert await state(conn) == before


async def test_two_bookings_filling_intakes_of_one_course_at_once_both_count(
    db: Database, conn: asyncpg.Connection
) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider)
    course = await add_course(db, provider)
    soon, later = [
        await add_intake(
            db, course, location, seat_capacity=1, starts_on=today() + timedelta(days=days)
        )
        for days in (10, 20)
    ]
    other = await asyncpg.connect(_libpq(db))
    try:
        first = conn.transaction()
        await first.start()
        await conn.execute("UPDATE intakes SET seats_taken = 1 WHERE id = $1", soon)

        async def second() -> None:
            async with other.transaction():
                await other.execute("UPDATE intakes SET seats_taken = 1 WHERE id = $1", later)

        booking = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        # The second waits for the first's course lock, then reads its delays.
        assert not booking.done()
        await first.commit()
        await booking
    finally:
        await other.close()

    assert await conn.fetchval(
        "SELECT dated_best_start FROM search_courses WHERE course_id = $1", course
    ) == today() + timedelta(days=17)
    await agrees_with_a_full_refresh(conn)


async def test_a_seat_taken_below_the_capacity_writes_no_search_row(
    db: Database, conn: asyncpg.Connection
) -> None:
    provider = await add_provider(db)
    course = await add_course(db, provider)
    intake = await add_intake(db, course, await add_location(db, provider), seat_capacity=12)

    async with conn.transaction():
        start = await pending(conn)
        await conn.execute("UPDATE intakes SET seats_taken = 5 WHERE id = $1", intake)
        counted = since(start, await pending(conn))

    assert (counted["search_refresh_availability"], counted["written"]) == (1, 0)


async def test_what_search_does_not_show_refreshes_nothing(
    db: Database, conn: asyncpg.Connection
) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider)
    course = await add_course(db, provider)
    await add_intake(db, course, location)

    async with conn.transaction():
        start = await pending(conn)
        await conn.execute(
            """UPDATE intakes SET weekly_schedule = '[{"weekday": 3, "start": "18:00",
                                                     "end": "21:00"}]'"""
        )
        await conn.execute("UPDATE courses SET cancellation_terms = 'Altijd kosteloos.'")
        await conn.execute("UPDATE locations SET name = 'Het nieuwe gebouw'")
        await conn.execute("UPDATE provider_profiles SET website = 'https://elders.example'")
        await conn.execute("UPDATE organisations SET kvk_number = '12345678'")
        assert since(start, await pending(conn))["written"] == 0

    async with conn.transaction():
        start = await pending(conn)
        await conn.execute("UPDATE courses SET price_cents = 250000")
        await conn.execute("UPDATE intakes SET location_id = NULL, starts_on = $1", today())
        assert since(start, await pending(conn))["search_refresh"] == 2
    await agrees_with_a_full_refresh(conn)


async def test_the_daily_compaction_fills_the_slots_of_courses_no_longer_listed(
    db: Database, conn: asyncpg.Connection
) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider)
    courses = [await add_course(db, provider) for _ in range(6)]
    for course in courses:
        await add_intake(db, course, location)
    slots = dict(await conn.fetch("SELECT course_id, slot FROM search_courses"))
    first_two = sorted(courses, key=slots.__getitem__)[:2]
    await conn.execute(
        "UPDATE courses SET status = $2 WHERE id = ANY ($1)", first_two, CourseStatus.DRAFT.value
    )
    before = await _members(conn)

    async with db.transaction() as session:
        moved = await postgres.compact_slots(session)

    assert moved == 2
    assert sorted((await conn.fetch("SELECT slot FROM search_courses")), key=lambda r: r[0]) == [
        (0,),
        (1,),
        (2,),
        (3,),
    ]
    # Each key names the same courses; no bitmap is left all zero.
    assert await _members(conn) == before
    assert await conn.fetchval(BITS_DISAGREE) == 0
    assert await conn.fetchval("SELECT count(*) FROM search_bitmaps WHERE bit_count(bits) = 0") == 0
    # The next course listed takes the slot after the last.
    await add_intake(db, await add_course(db, provider), location)
    assert await conn.fetchval("SELECT max(slot) FROM search_courses") == 4


async def _members(conn: asyncpg.Connection) -> dict[str, set[uuid.UUID]]:
    """Per key, the courses whose bit is set."""
    rows = await conn.fetch(
        """SELECT b.key, s.course_id FROM search_bitmaps b
           JOIN search_courses s ON s.slot >> 12 = b.chunk
           WHERE get_bit(b.bits, s.slot & 4095) = 1"""
    )
    members: dict[str, set[uuid.UUID]] = {}
    for key, course in rows:
        members.setdefault(key, set()).add(course)
    return members


# -- 100,000 seat changes -------------------------------------------------------------------

SEAT_CHANGES = 100_000
PER_STATEMENT = 100


async def test_100000_seat_changes_leave_search_as_it_was(
    db: Database, conn: asyncpg.Connection, gql: GraphQLClient
) -> None:
    # Given a seeded catalog (the benchmark's generator) with its statistics, as
    # autovacuum would leave it.
    async with db.transaction() as session:
        await seed.seed_scale(session, courses=300, today=today())
    await conn.execute("VACUUM ANALYZE")
    # Seats a booking takes and gives back without filling the intake: what almost every
    # booking does. (Filling one moves its expected start: see the test above; its rows are
    # then written, and PostgreSQL may put their new versions on other pages.)
    bookable = [
        r[0]
        for r in await conn.fetch(
            """SELECT i.id FROM intakes i JOIN search_intakes s ON s.intake_id = i.id
               WHERE i.seats_taken + 1 < i.seat_capacity ORDER BY i.id"""
        )
    ]
    assert len(bookable) >= 2 * PER_STATEMENT
    before = await state(conn)
    bitmap_rows = await conn.fetchval("SELECT count(*) FROM search_bitmaps")
    plans = await _search_plans(db, gql)
    counted_before = await _counted_calls(conn)
    written_before = await _written(conn)

    # When 100,000 seats are taken and given back, 100 intakes a statement, each statement
    # committed on its own.
    statements = 0
    for start in range(0, SEAT_CHANGES // 2, PER_STATEMENT):
        window = [bookable[(start + i) % len(bookable)] for i in range(PER_STATEMENT)]
        for step in (1, -1):
            await conn.execute(
                "UPDATE intakes SET seats_taken = seats_taken + $2 WHERE id = ANY ($1)",
                window,
                step,
            )
            statements += 1

    # Then: one refresh per statement, never a whole course's; the same rows, bits and
    # slots (no slot drawn); the same plans reading the same pages for every search.
    assert statements * PER_STATEMENT == SEAT_CHANGES
    counted = await _counted_calls(conn)
    assert {name: counted[name] - counted_before[name] for name in COUNTED} == {
        "search_intakes_updated": statements,
        "search_refresh_availability": statements,
        "search_refresh": 0,
    }
    assert await _written(conn) == written_before
    assert await state(conn) == before
    assert await conn.fetchval("SELECT count(*) FROM search_bitmaps") == bitmap_rows
    await agrees_with_a_full_refresh(conn)
    await conn.execute("VACUUM")
    assert await _search_plans(db, gql) == plans


async def _counted_calls(conn: asyncpg.Connection) -> dict[str, int]:
    """Calls of the counted functions so far, across transactions: this connection's own
    counts flushed first, then read afresh."""
    await conn.execute("SELECT pg_stat_force_next_flush()")
    await conn.execute("SELECT pg_stat_clear_snapshot()")
    rows = await conn.fetch(
        "SELECT funcname, calls FROM pg_stat_user_functions WHERE funcname = ANY ($1)",
        list(COUNTED),
    )
    return {name: 0 for name in COUNTED} | {r["funcname"]: r["calls"] for r in rows}


async def _written(conn: asyncpg.Connection) -> int:
    """Rows written into search's tables so far, across transactions (as above)."""
    await conn.execute("SELECT pg_stat_force_next_flush()")
    await conn.execute("SELECT pg_stat_clear_snapshot()")
    return int(
        await conn.fetchval(
            """SELECT sum(n_tup_upd + n_tup_ins + n_tup_del) FROM pg_stat_user_tables
               WHERE relname LIKE 'search%'"""
        )
    )


async def _search_plans(db: Database, gql: GraphQLClient) -> list[Any]:
    """For every statement of the benchmark's eight searches: its plan's nodes (without
    their figures) and the pages it read, as EXPLAIN (ANALYZE, BUFFERS) reports them on a
    connection set as the app's read connections are."""
    reader = await asyncpg.connect(_libpq(db), server_settings=READ_SETTINGS)
    try:
        plans = []
        for search in searches(today()):
            # Once first: what a process reads once (region codes, a postcode's area).
            (await gql(SEARCH, search.variables)).ok()
            with recording_statements() as statements:
                (await gql(SEARCH, search.variables)).ok()
            # In a fixed order: a search alone runs its halves on two connections at once.
            for sql, arguments in sorted(statements, key=lambda s: s[0]):
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                [plan] = json.loads(
                    await reader.fetchval(
                        f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", *arguments
                    )
                )
                plans.append((search.name, _shape(plan["Plan"]), _pages(plan["Plan"])))
        return plans
    finally:
        await reader.close()


def _shape(node: dict[str, Any]) -> tuple[Any, ...]:
    """A plan node without its estimates and measurements."""
    named = ("Node Type", "Relation Name", "Index Name", "Join Type", "Strategy")
    return (
        tuple(node.get(key) for key in named),
        tuple(_shape(child) for child in node.get("Plans", ())),
    )


def _pages(node: dict[str, Any], read: dict[str, int] | None = None) -> dict[str, int]:
    """The pages each search table's nodes read themselves (a node's figures include its
    children's). The catalog's own tables are left out: the intakes table holds the
    100,000 changes' row versions (PostgreSQL's, not search's), and the hits' statement
    reads it whole at this size."""
    read = {} if read is None else read
    children = node.get("Plans", ())
    own = _blocks(node) - sum(_blocks(child) for child in children)
    relation = node.get("Relation Name") or ""
    if relation.startswith("search_"):
        read[relation] = read.get(relation, 0) + own
    for child in children:
        _pages(child, read)
    return read


def _blocks(node: dict[str, Any]) -> int:
    return sum(node.get(key, 0) for key in ("Shared Hit Blocks", "Shared Read Blocks"))
