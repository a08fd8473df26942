"""Rows the PostgreSQL bitmaps cannot answer exactly are read one by one, and the two parts
add up: a course with intakes in two regions under a region and a time filter (only an
intake meeting both counts), and a row whose summary went stale overnight. Checked through
the API, with the facets equal to the filtered searches' totals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from market.db.database import Database
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

SEARCH = """
query($filter: CourseFilter, $sort: CourseSort) {
  searchCourses(filter: $filter, sort: $sort, first: 10) {
    totalCount
    nodes { course { title } expectedStart }
    facets { field values { value count } }
  }
}
"""
AMSTERDAM: dict[str, Any] = {"postcode": "1011 AB", "municipality_code": "GM0363"}
UTRECHT: dict[str, Any] = {
    "postcode": "3511 AB",
    "municipality_code": "GM0344",
    "latitude": 52.0883,
    "longitude": 5.1160,
}


async def search(gql: GraphQLClient, **filter_: Any) -> dict[str, Any]:
    data = (await gql(SEARCH, {"filter": filter_, "sort": "PRICE"})).ok()
    return data["searchCourses"]  # type: ignore[no-any-return]


def titles(result: dict[str, Any]) -> list[str]:
    return [node["course"]["title"] for node in result["nodes"]]


def region_counts(result: dict[str, Any]) -> dict[str, int]:
    facet = next(f for f in result["facets"] if f["field"] == "REGION")
    return {value["value"]: value["count"] for value in facet["values"]}


async def region_of(db: Database, municipality: str) -> str:
    async with db.reader() as session:
        code = await session.scalar(
            text("SELECT region_code FROM municipalities WHERE cbs_code = :code"),
            {"code": municipality},
        )
    assert code is not None
    return str(code)


async def test_region_and_time_filters_count_only_an_intake_meeting_both(
    db: Database, gql: GraphQLClient
) -> None:
    provider = await add_provider(db)
    amsterdam = await add_location(db, provider, **AMSTERDAM)
    utrecht = await add_location(db, provider, **UTRECHT)
    # Soon in Utrecht, only much later in Amsterdam.
    spread = await add_course(db, provider, title="Spread", price_cents=200_000)
    await add_intake(db, spread, utrecht, starts_on=today() + timedelta(weeks=1))
    await add_intake(db, spread, amsterdam, starts_on=today() + timedelta(weeks=10))
    plain = await add_course(db, provider, title="Plain", price_cents=300_000)
    await add_intake(db, plain, amsterdam, starts_on=today() + timedelta(weeks=1))
    region_amsterdam = await region_of(db, "GM0363")
    region_utrecht = await region_of(db, "GM0344")
    soon = (today() + timedelta(weeks=3)).isoformat()

    both = await search(gql, regionCodes=[region_amsterdam], startsBefore=soon)
    assert titles(both) == ["Plain"]
    assert both["totalCount"] == 1
    # Under the time filter, each course counts in the regions of its intakes in time.
    in_time = await search(gql, startsBefore=soon)
    assert titles(in_time) == ["Spread", "Plain"]
    assert region_counts(in_time) == {region_amsterdam: 1, region_utrecht: 1}
    assert region_counts(both) == region_counts(in_time)
    utrecht_soon = await search(gql, regionCodes=[region_utrecht], startsBefore=soon)
    assert titles(utrecht_soon) == ["Spread"]
    # Without the time filter the later Amsterdam intake counts.
    anytime = await search(gql, regionCodes=[region_amsterdam])
    assert titles(anytime) == ["Spread", "Plain"]
    # Under a place filter only the intakes there count, for the time and the regions.
    in_amsterdam = await search(gql, municipalityCodes=["GM0363"], startsBefore=soon)
    assert titles(in_amsterdam) == ["Plain"]
    assert region_counts(in_amsterdam) == {region_amsterdam: 1}
    near_utrecht = await search(gql, near={"postcode": "3511 AB", "radiusKm": 10})
    assert titles(near_utrecht) == ["Spread"]
    assert region_counts(near_utrecht) == {region_utrecht: 1}


async def test_a_stale_row_is_counted_once_and_exactly_until_the_refresh(
    db: Database, gql: GraphQLClient
) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider, **AMSTERDAM)
    stale = await add_course(db, provider, title="Stale", price_cents=100_000)
    await add_intake(db, stale, location, starts_on=today() + timedelta(weeks=2))
    fresh = await add_course(db, provider, title="Fresh", price_cents=200_000)
    await add_intake(db, fresh, location, starts_on=today() + timedelta(weeks=2))
    async with db.transaction() as session:
        # As if summarised days ago, when an intake since started was its first.
        await session.execute(
            text("UPDATE search_courses SET summary_until = :past WHERE course_id = :id"),
            {"past": today() - timedelta(days=3), "id": stale},
        )

    everything = await search(gql)
    assert titles(everything) == ["Stale", "Fresh"]
    assert everything["totalCount"] == 2
    level = next(f for f in everything["facets"] if f["field"] == "LEVEL")
    assert level["values"] == [{"value": "B1", "count": 2}]
    cheap = await search(gql, maxPriceCents=150_000)
    assert titles(cheap) == ["Stale"]
    in_amsterdam = await search(gql, municipalityCodes=["GM0363"])
    assert titles(in_amsterdam) == ["Stale", "Fresh"]
    assert in_amsterdam["totalCount"] == 2
