"""searchCourses on a small hand-built catalog, with the exact courses each search returns."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from market.api.graphql import ids
from market.catalog.models import CourseStatus, Format, Level, Route, ScheduleKind
from market.db.database import Database
from tests.support.catalog import (
    add_course,
    add_intake,
    add_listed_course,
    add_location,
    add_provider,
    today,
)
from tests.support.graphql import GraphQLClient

SEARCH = """
query($query: String, $filter: CourseFilter, $sort: CourseSort, $first: Int, $after: String) {
  searchCourses(query: $query, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id title priceCents }
  }
}
"""

EVENING = [ScheduleKind.EVENING]
Z = {"route": Route.Z, "target_level": Level.A1, "total_hours": 1000, "language_hours": 900}


async def build_catalog(db: Database) -> dict[str, str]:
    """Named courses; only the first four are listed under the default filters."""
    certified = await add_provider(db, name="Taalschool Fictief")
    uncertified = await add_provider(db, name="Leerhuis Groningen", certified=False)
    expired = await add_provider(
        db, name="Oud Keurmerk", certification_valid_until=today() - timedelta(days=1)
    )
    amsterdam = await add_location(db, certified)  # GM0363, region AM18
    utrecht = await add_location(db, certified, postcode="3511 AB", municipality_code="GM0344")
    groningen = await add_location(db, uncertified, postcode="9711", municipality_code="GM0014")
    later = today() + timedelta(days=21)
    courses: dict[str, uuid.UUID] = {}
    courses["amsterdam"] = await add_listed_course(
        db, certified, location_id=amsterdam, title="Dagles B1", price_cents=300_000
    )
    courses["utrecht_evening"] = await add_course(
        db, certified, title="Avondles B1", price_cents=200_000, schedule_kinds=EVENING
    )
    await add_intake(db, courses["utrecht_evening"], utrecht, starts_on=later)
    await add_intake(db, courses["utrecht_evening"], utrecht, starts_on=today() - timedelta(1))
    courses["online"] = await add_listed_course(
        db,
        certified,
        title="Online A2",
        target_level=Level.A2,
        price_cents=150_000,
        format=Format.ONLINE,
        schedule_kinds=[ScheduleKind.EVENING, ScheduleKind.WEEKEND],
    )
    courses["z"] = await add_course(db, certified, title="Z-route", price_cents=900_000, **Z)
    await add_intake(db, courses["z"], amsterdam, starts_on=today())
    # Never listed: a draft, an archived course, no bookable intake, no intake at all.
    for status in (CourseStatus.DRAFT, CourseStatus.ARCHIVED):
        await add_listed_course(db, certified, location_id=amsterdam, status=status)
    past = await add_course(db, certified, title="Voorbij")
    await add_intake(db, past, amsterdam, starts_on=today() - timedelta(days=1))
    await add_course(db, certified, title="Zonder intake")
    # Listed only when certifiedOnly is false; the Z-route course never (law).
    courses["uncertified"] = await add_listed_course(
        db, uncertified, location_id=groningen, title="Goedkoop B1", price_cents=100_000
    )
    await add_listed_course(db, uncertified, location_id=groningen, **Z)
    courses["expired"] = await add_listed_course(db, expired, price_cents=120_000)
    return {name: ids.encode("Course", course_id) for name, course_id in courses.items()}


@pytest.fixture
async def catalog(db: Database) -> dict[str, str]:
    return await build_catalog(db)


async def search(gql: GraphQLClient, **variables: Any) -> dict[str, Any]:
    return (await gql(SEARCH, variables)).ok()["searchCourses"]  # type: ignore[no-any-return]


def names(catalog: dict[str, str], result: dict[str, Any]) -> list[str]:
    by_id = {course_id: name for name, course_id in catalog.items()}
    return [by_id[node["id"]] for node in result["nodes"]]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({}, ["online", "utrecht_evening", "amsterdam", "z"]),
        (
            {"certifiedOnly": False},
            ["uncertified", "expired", "online", "utrecht_evening", "amsterdam", "z"],
        ),
        ({"routes": ["Z"]}, ["z"]),
        ({"routes": ["Z", "B1"], "levels": ["A2"]}, ["online"]),
        ({"levels": ["B1", "A1"]}, ["utrecht_evening", "amsterdam", "z"]),
        ({"regionCodes": ["AM18"]}, ["amsterdam", "z"]),
        (
            {"regionCodes": ["am13", "AM01"], "certifiedOnly": False},
            ["uncertified", "utrecht_evening"],
        ),
        ({"municipalityCodes": ["GM0344"]}, ["utrecht_evening"]),
        ({"municipalityCodes": ["GM0344"], "regionCodes": ["AM18"]}, []),
        ({"maxPriceCents": 200_000}, ["online", "utrecht_evening"]),
        ({"maxPriceCents": 0}, []),
        ({"evening": True}, ["online", "utrecht_evening"]),
        ({"weekend": True}, ["online"]),
        ({"evening": True, "weekend": True}, ["online"]),
        ({"evening": False}, ["online", "utrecht_evening", "amsterdam", "z"]),
    ],
)
async def test_filters_sorted_by_price(
    gql: GraphQLClient, catalog: dict[str, str], filter: dict[str, Any], expected: list[str]
) -> None:
    result = await search(gql, filter=filter, sort="PRICE", first=50)

    assert names(catalog, result) == expected
    assert result["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("query", "certified_only", "expected"),
    [
        ("avondles", True, ["utrecht_evening"]),
        ("GRONINGEN", False, ["uncertified"]),  # the provider's name
        ("%", True, []),  # wildcards are taken literally
        ("   ", True, ["online", "utrecht_evening", "amsterdam", "z"]),
    ],
)
async def test_text_query(
    gql: GraphQLClient,
    catalog: dict[str, str],
    query: str,
    certified_only: bool,
    expected: list[str],
) -> None:
    result = await search(gql, query=query, filter={"certifiedOnly": certified_only}, sort="PRICE")

    assert names(catalog, result) == expected


async def test_pages_follow_each_other_without_gaps(
    gql: GraphQLClient, catalog: dict[str, str]
) -> None:
    first = await search(gql, sort="PRICE", first=3)
    second = await search(gql, sort="PRICE", first=3, after=first["pageInfo"]["endCursor"])

    assert names(catalog, first) == ["online", "utrecht_evening", "amsterdam"]
    assert (first["pageInfo"]["hasNextPage"], first["totalCount"]) == (True, 4)
    assert names(catalog, second) == ["z"]
    assert (second["pageInfo"]["hasNextPage"], second["totalCount"]) == (False, 4)


async def test_equal_prices_are_ordered_by_id_across_pages(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db)
    course_ids = [
        ids.encode("Course", await add_listed_course(db, provider_id, price_cents=99_900))
        for _ in range(5)
    ]
    expected = [
        ids.encode("Course", u) for u in sorted(ids.decode("Course", c) for c in course_ids)
    ]

    seen: list[str] = []
    after = None
    for _ in range(5):
        page = await search(gql, sort="PRICE", first=2, after=after)
        seen += [node["id"] for node in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break

    assert seen == expected


async def test_relevance_lists_newest_published_first(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    now = datetime.now(UTC)
    published = {
        days: ids.encode(
            "Course",
            await add_listed_course(db, provider_id, published_at=now - timedelta(days=days)),
        )
        for days in (5, 1, 3)
    }

    first = await search(gql, first=2)
    rest = await search(gql, first=2, after=first["pageInfo"]["endCursor"])

    assert [n["id"] for n in first["nodes"] + rest["nodes"]] == [
        published[1],
        published[3],
        published[5],
    ]


async def test_results_carry_provider_intakes_and_places(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db, name="Taalschool Fictief")
    location_id = await add_location(db, provider_id, name="Centrum")
    course_id = await add_course(
        db, provider_id, price_cents=240_000, total_hours=200, language_hours=150
    )
    later = today() + timedelta(days=7)
    await add_intake(db, course_id, location_id, starts_on=later)
    await add_intake(db, course_id, location_id)
    await add_intake(db, course_id, location_id, starts_on=today() - timedelta(days=7))

    result = await gql(
        """{ searchCourses { nodes {
              pricePerHourCents provider { name certified }
              intakes { continuous startsOn location { name municipality { name } } }
        } } }"""
    )

    assert result.ok()["searchCourses"]["nodes"] == [
        {
            "pricePerHourCents": 1200,
            "provider": {"name": "Taalschool Fictief", "certified": True},
            "intakes": [
                {
                    "continuous": True,
                    "startsOn": None,
                    "location": {"name": "Centrum", "municipality": {"name": "Amsterdam"}},
                },
                {
                    "continuous": False,
                    "startsOn": later.isoformat(),
                    "location": {"name": "Centrum", "municipality": {"name": "Amsterdam"}},
                },
            ],
        }
    ]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"filter": {"regionCodes": ["AM99"]}}, "NOT_FOUND", "regionCodes"),
        ({"filter": {"municipalityCodes": ["GM0363", "GM9999"]}}, "NOT_FOUND", "municipalityCodes"),
        ({"filter": {"municipalityCodes": ["x" * 10_000]}}, "NOT_FOUND", "municipalityCodes"),
        ({"filter": {"regionCodes": ["AM01"] * 51}}, "BAD_USER_INPUT", "regionCodes"),
        ({"filter": {"maxPriceCents": -1}}, "BAD_USER_INPUT", "maxPriceCents"),
        ({"query": "x" * 10_000}, "BAD_USER_INPUT", "query"),
        ({"first": 101}, "BAD_USER_INPUT", "first"),
        ({"first": 0}, "BAD_USER_INPUT", "first"),
        ({"after": "not-a-cursor"}, "BAD_USER_INPUT", "after"),
        ({"filter": {"routes": ["C1"]}}, "BAD_USER_INPUT", None),
        ({"sort": "DISTANCE"}, "BAD_USER_INPUT", None),
    ],
)
async def test_bad_search_input(
    db: Database, gql: GraphQLClient, variables: dict[str, Any], code: str, field: str | None
) -> None:
    result = await gql(SEARCH, variables)

    assert (result.error_code, result.error_field) == (code, field), result.errors


async def test_a_cursor_of_another_sort_is_refused(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    for _ in range(2):
        await add_listed_course(db, provider_id)
    cursor = (await search(gql, sort="PRICE", first=1))["pageInfo"]["endCursor"]

    result = await gql(SEARCH, {"sort": "RELEVANCE", "after": cursor})

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", "after")
