"""A place filter reads a course's places (one row per place of its bookable intakes, with
their summary) instead of every intake: the rows stay equal to what the intakes say through
every kind of catalog change, and a search under a place filter answers from the intakes
there only."""

# The SQL below is the test's own text, no client value: S608 does not apply.
# ruff: noqa: S608

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from market.db.database import Database
from tests.search.test_bitmaps import write
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

# The places as stored, and as the intakes define them now.
COLUMNS = """course_id, route, level, format, kinds, band, stars, price_cents,
    price_per_hour_cents, diploma_recognised, certified_from, certified_until, region_bit,
    municipality_code, latitude, longitude, x, y, z"""
STORED = f"SELECT {COLUMNS}, continuous_delay_days, dated_best_start FROM search_places"
EXPECTED = f"""
SELECT {COLUMNS}, min(delay_days) FILTER (WHERE starts_on IS NULL),
       min(starts_on + delay_days)
FROM search_intakes
WHERE municipality_code IS NOT NULL OR latitude IS NOT NULL
GROUP BY {COLUMNS}"""

UTRECHT: dict[str, Any] = {
    "postcode": "3511 AB",
    "municipality_code": "GM0344",
    "latitude": 52.0883,
    "longitude": 5.1160,
}
# About 9 km from Utrecht's centre.
ZEIST: dict[str, Any] = {
    "postcode": "3701 AA",
    "municipality_code": "GM0355",
    "latitude": 52.0894,
    "longitude": 5.2411,
}
SEARCH = """
query($filter: CourseFilter, $sort: CourseSort) {
  searchCourses(filter: $filter, sort: $sort, first: 10) {
    totalCount
    nodes { course { title } distanceKm expectedStart matchingIntakes { startsOn } }
  }
}
"""


async def rows(db: Database, query: str) -> list[tuple[Any, ...]]:
    async with db.reader() as session:
        return sorted((tuple(row) for row in await session.execute(text(query))), key=repr)


async def test_places_follow_every_kind_of_catalog_change(db: Database) -> None:
    provider = await add_provider(db)
    utrecht = await add_location(db, provider, **UTRECHT)
    zeist = await add_location(db, provider, **ZEIST)
    online = await add_course(db, provider, title="Online")
    await add_intake(db, online)  # no place: no row
    course = await add_course(db, provider, title="Twee plaatsen", price_cents=300_000)
    soon = await add_intake(db, course, utrecht, starts_on=today() + timedelta(days=10))
    await add_intake(db, course, utrecht, starts_on=today() + timedelta(days=40))
    await add_intake(db, course, utrecht)
    await add_intake(db, course, zeist, seat_capacity=1, seats_taken=1, waitlist_weeks=3)
    stored = await rows(db, STORED)
    assert len(stored) == 2
    assert stored == await rows(db, EXPECTED)

    # A price, a full intake, an intake moved and one gone, a location moved.
    await write(db, "UPDATE courses SET price_cents = 250000 WHERE id = :id", id=course)
    await write(db, "UPDATE intakes SET seats_taken = 12 WHERE id = :id", id=soon)
    await write(
        db,
        "UPDATE intakes SET location_id = :zeist WHERE course_id = :id AND starts_on > :day",
        zeist=zeist,
        id=course,
        day=today() + timedelta(days=20),
    )
    await write(db, "DELETE FROM intakes WHERE course_id = :id AND starts_on IS NULL", id=course)
    await write(db, "UPDATE locations SET latitude = 52.10 WHERE id = :id", id=utrecht)
    assert await rows(db, STORED) == await rows(db, EXPECTED)
    # The course archived: no places.
    await write(db, "UPDATE courses SET status = 'archived' WHERE id = :id", id=course)
    assert await rows(db, STORED) == []


async def test_a_place_filter_answers_from_the_intakes_there_only(
    db: Database, gql: GraphQLClient
) -> None:
    provider = await add_provider(db)
    utrecht = await add_location(db, provider, **UTRECHT)
    zeist = await add_location(db, provider, **ZEIST)
    course = await add_course(db, provider, title="Twee plaatsen")
    # In Utrecht: a full continuous intake (three weeks' wait) and a dated one in six
    # weeks; in Zeist: a continuous intake with a free seat.
    await add_intake(db, course, utrecht, seat_capacity=1, seats_taken=1, waitlist_weeks=3)
    await add_intake(db, course, utrecht, starts_on=today() + timedelta(weeks=6))
    await add_intake(db, course, zeist)

    async def search(**filter_: Any) -> dict[str, Any]:
        sort = "DISTANCE" if "near" in filter_ else "PRICE"
        data = (await gql(SEARCH, {"filter": filter_, "sort": sort})).ok()
        return data["searchCourses"]  # type: ignore[no-any-return]

    near_utrecht = await search(near={"postcode": "3511 AB", "radiusKm": 3})
    assert near_utrecht["totalCount"] == 1
    [hit] = near_utrecht["nodes"]
    assert hit["distanceKm"] < 1
    assert hit["expectedStart"] == (today() + timedelta(weeks=3)).isoformat()
    assert len(hit["matchingIntakes"]) == 2
    # Both places, nearest first: the distance is Utrecht's, the start Zeist's (today).
    wider = await search(near={"postcode": "3511 AB", "radiusKm": 15})
    [hit] = wider["nodes"]
    assert hit["distanceKm"] < 1
    assert hit["expectedStart"] == today().isoformat()
    # Within two weeks: only Zeist's intake, so Zeist's distance.
    two_weeks = (today() + timedelta(weeks=2)).isoformat()
    soon = await search(near={"postcode": "3511 AB", "radiusKm": 15}, startsBefore=two_weeks)
    [hit] = soon["nodes"]
    assert 8 < hit["distanceKm"] < 10
    soon_in_utrecht = await search(municipalityCodes=["GM0344"], startsBefore=two_weeks)
    assert soon_in_utrecht["totalCount"] == 0
    four_weeks = (today() + timedelta(weeks=4)).isoformat()
    later_in_utrecht = await search(municipalityCodes=["GM0344"], startsBefore=four_weeks)
    assert later_in_utrecht["totalCount"] == 1

    # Zeist's intake gone: the course is no longer there.
    await write(db, "DELETE FROM intakes WHERE location_id = :id", id=zeist)
    assert (await search(municipalityCodes=["GM0355"]))["totalCount"] == 0
    assert (await search(municipalityCodes=["GM0344"]))["totalCount"] == 1


async def test_a_stale_course_is_answered_from_its_intakes_under_a_place_filter(
    db: Database, gql: GraphQLClient
) -> None:
    provider = await add_provider(db)
    utrecht = await add_location(db, provider, **UTRECHT)
    course = await add_course(db, provider, title="Verlopen")
    started = await add_intake(db, course, utrecht, starts_on=today() + timedelta(days=10))
    await add_intake(db, course, utrecht, starts_on=today() + timedelta(days=40))
    # The search tables as yesterday's refresh left them, had the first intake started
    # yesterday: its place's summary and the course's are stale, its intake row is kept.
    yesterday = today() - timedelta(days=1)
    await write(
        db, "UPDATE search_intakes SET starts_on = :day WHERE intake_id = :id",
        day=yesterday, id=started,
    )  # fmt: skip
    await write(
        db, "UPDATE search_places SET dated_best_start = :day WHERE course_id = :id",
        day=yesterday, id=course,
    )  # fmt: skip
    await write(
        db, "UPDATE search_courses SET summary_until = :day WHERE course_id = :id",
        day=yesterday, id=course,
    )  # fmt: skip

    async def total(**filter_: Any) -> int:
        data = (await gql(SEARCH, {"filter": filter_, "sort": "PRICE"})).ok()
        return data["searchCourses"]["totalCount"]  # type: ignore[no-any-return]

    three_weeks = (today() + timedelta(weeks=3)).isoformat()
    near = {"postcode": "3511 AB", "radiusKm": 5}
    # Only the intake in 40 days is bookable: not within three weeks, but at all.
    assert await total(near=near, startsBefore=three_weeks) == 0
    assert await total(municipalityCodes=["GM0344"], startsBefore=three_weeks) == 0
    assert await total(near=near) == 1
    assert await total(municipalityCodes=["GM0344"]) == 1
