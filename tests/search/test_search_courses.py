"""searchCourses through GraphQL: the shape a client sees, and every bad input refused with
a typed error. What each filter, sort and facet finds is the engine contract's
(tests/search/contract)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from market.api.graphql import ids
from market.app import create_app
from market.catalog.models import ScheduleKind
from market.db.database import Database
from market.settings import Settings
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
    nodes { course { id title priceCents } distanceKm expectedStart waitWeeks
            matchingIntakes { id startsOn } }
    facets { field values { value label count } }
  }
}
"""


async def search(gql: GraphQLClient, **variables: Any) -> dict[str, Any]:
    return (await gql(SEARCH, variables)).ok()["searchCourses"]  # type: ignore[no-any-return]


async def test_a_near_search_shows_distance_start_wait_intakes_and_facets(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db, name="Taalschool Fictief")
    location_id = await add_location(db, provider_id, latitude=52.37194, longitude=4.90553)
    course_id = await add_course(
        db,
        provider_id,
        title="Avondles B1",
        price_cents=240_000,
        schedule_kinds=[ScheduleKind.EVENING],
    )
    later = today() + timedelta(days=10)
    intake_id = await add_intake(db, course_id, location_id, starts_on=later)
    await add_intake(db, course_id, location_id, starts_on=today() - timedelta(days=1))

    result = await search(
        gql, filter={"near": {"postcode": "1011ab", "radiusKm": 5}}, sort="DISTANCE"
    )

    assert result["totalCount"] == 1
    assert result["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": result["pageInfo"]["endCursor"],
    }
    assert result["nodes"] == [
        {
            "course": {
                "id": ids.encode("Course", course_id),
                "title": "Avondles B1",
                "priceCents": 240_000,
            },
            "distanceKm": 0.0,
            "expectedStart": later.isoformat(),
            "waitWeeks": 2,
            "matchingIntakes": [
                {"id": ids.encode("Intake", intake_id), "startsOn": later.isoformat()}
            ],
        }
    ]
    facets = {facet["field"]: facet["values"] for facet in result["facets"]}
    assert facets["ROUTE"] == [{"value": "B1", "label": "B1-route", "count": 1}]
    assert facets["REGION"] == [{"value": "AM18", "label": "Groot Amsterdam", "count": 1}]
    assert facets["SCHEDULE_KIND"] == [{"value": "EVENING", "label": "Avond", "count": 1}]
    assert set(facets) == {
        "ROUTE",
        "LEVEL",
        "REGION",
        "SCHEDULE_KIND",
        "FORMAT",
        "CERTIFICATION",
        "PRICE_BAND",
        "CONTRACTED_BY",
        "SUPPORT_LANGUAGE",
    }
    assert facets["CONTRACTED_BY"] == []  # no contracts: no values
    assert facets["SUPPORT_LANGUAGE"] == [{"value": "en", "label": "Engels", "count": 1}]


async def test_pages_follow_each_other_and_refuse_a_cursor_of_another_sort(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db)
    course_ids = [await add_listed_course(db, provider_id, price_cents=99_900) for _ in range(5)]
    expected = [ids.encode("Course", u) for u in sorted(course_ids)]

    seen: list[str] = []
    after = None
    for _ in range(5):
        page = await search(gql, sort="PRICE", first=2, after=after)
        seen += [node["course"]["id"] for node in page["nodes"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    refused = await gql(SEARCH, {"sort": "RELEVANCE", "after": after})

    assert seen == expected
    assert (refused.error_code, refused.error_field) == ("BAD_USER_INPUT", "after")


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"filter": {"regionCodes": ["AM99"]}}, "NOT_FOUND", "regionCodes"),
        ({"filter": {"municipalityCodes": ["GM0363", "GM9999"]}}, "NOT_FOUND", "municipalityCodes"),
        ({"filter": {"municipalityCodes": ["x" * 10_000]}}, "NOT_FOUND", "municipalityCodes"),
        ({"filter": {"contractedBy": "GM9999"}}, "NOT_FOUND", "contractedBy"),
        ({"filter": {"regionCodes": ["AM01"] * 51}}, "BAD_USER_INPUT", "regionCodes"),
        ({"filter": {"priceBands": ["UNDER_2500"] * 51}}, "BAD_USER_INPUT", "priceBands"),
        ({"filter": {"supportLanguages": ["ti", "nl"]}}, "BAD_USER_INPUT", "supportLanguages"),
        ({"filter": {"supportLanguages": ["ar"] * 51}}, "BAD_USER_INPUT", "supportLanguages"),
        ({"filter": {"maxPriceCents": -1}}, "BAD_USER_INPUT", "maxPriceCents"),
        ({"filter": {"maxPricePerHourCents": -1}}, "BAD_USER_INPUT", "maxPricePerHourCents"),
        ({"filter": {"maxWaitWeeks": -1}}, "BAD_USER_INPUT", "maxWaitWeeks"),
        (
            {"filter": {"minPriceCents": 300, "maxPriceCents": 200}},
            "BAD_USER_INPUT",
            "minPriceCents",
        ),
        ({"filter": {"near": {"postcode": "1011", "radiusKm": 0}}}, "BAD_USER_INPUT", "radiusKm"),
        (
            {"filter": {"near": {"postcode": "1011", "radiusKm": 10_000}}},
            "BAD_USER_INPUT",
            "radiusKm",
        ),
        ({"filter": {"near": {"postcode": "0123", "radiusKm": 5}}}, "BAD_USER_INPUT", "postcode"),
        ({"filter": {"near": {"postcode": "1000", "radiusKm": 5}}}, "BAD_USER_INPUT", "postcode"),
        (
            {"filter": {"near": {"postcode": "x" * 10_000, "radiusKm": 5}}},
            "BAD_USER_INPUT",
            "postcode",
        ),
        ({"sort": "DISTANCE"}, "BAD_USER_INPUT", "sort"),
        ({"query": "x" * 10_000}, "BAD_USER_INPUT", "query"),
        ({"first": 101}, "BAD_USER_INPUT", "first"),
        ({"first": 0}, "BAD_USER_INPUT", "first"),
        ({"after": "not-a-cursor"}, "BAD_USER_INPUT", "after"),
        ({"filter": {"routes": ["C1"]}}, "BAD_USER_INPUT", None),
    ],
)
async def test_bad_search_input(
    db: Database, gql: GraphQLClient, variables: dict[str, Any], code: str, field: str | None
) -> None:
    result = await gql(SEARCH, variables)

    assert (result.error_code, result.error_field) == (code, field), result.errors


INTAKE_FIELDS = """
  id startsOn continuous weeklySchedule { weekday startTime endTime }
  seatCapacity seatsTaken seatsAvailable waitlistWeeks
"""
COURSE_FIELDS = """
  id title description route targetLevel stream components totalHours languageHours
  hoursPerWeek format scheduleKinds maxClassSize supportLanguages priceCents
  pricePerHourCents priceIncludes examTrainingIncluded cancellationTerms status publishedAt
  provider {
    id name kvkNumber website description certified starRating
    certification { number validFrom validUntil verifiedAt }
    diplomaRecognition { claimed verifiedAt }
  }
"""


async def test_a_hit_shows_its_course_provider_and_intakes_as_the_catalog_does(
    db: Database, gql: GraphQLClient
) -> None:
    # A hit is read as plain columns (market.search.hits), the catalog through the ORM:
    # every field must come out the same.
    provider_id = await add_provider(db, diploma_recognition=True)
    location_id = await add_location(db, provider_id)
    course_id = await add_course(db, provider_id, schedule_kinds=[ScheduleKind.EVENING])
    await add_intake(db, course_id, location_id, seats_taken=3, waitlist_weeks=2)
    await add_intake(
        db,
        course_id,
        location_id,
        starts_on=today() + timedelta(days=10),
        weekly_schedule=[
            {"weekday": 1, "start": "18:30", "end": "21:00"},
            {"weekday": 4, "start": "18:30", "end": "21:00"},
        ],
    )

    found = (
        await gql(
            f"""{{ searchCourses {{ nodes {{
                course {{ {COURSE_FIELDS} }} matchingIntakes {{ {INTAKE_FIELDS} }} }} }} }}"""
        )
    ).ok()["searchCourses"]["nodes"]
    shown = (
        await gql(
            f"""query($id: ID!) {{ course(id: $id) {{
                {COURSE_FIELDS} intakes {{ {INTAKE_FIELDS} }} }} }}""",
            {"id": ids.encode("Course", course_id)},
        )
    ).ok()["course"]

    intakes = shown.pop("intakes")
    assert found == [{"course": shown, "matchingIntakes": intakes}]
    assert [len(intake["weeklySchedule"]) for intake in intakes] == [1, 2]


async def test_the_search_reads_its_synonyms_from_the_configured_folder(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    provider = await add_provider(db)
    await add_listed_course(db, provider, title="Nederlands voor beginners")
    (tmp_path / "synonyms.txt").write_text("taalles, nederlands\n", encoding="utf-8")
    query = "query($q: String) { searchCourses(query: $q) { totalCount } }"

    async def total(app_settings: Settings) -> int:
        async with AsyncTestClient(app=create_app(app_settings)) as http:
            result = await GraphQLClient(http)(query, {"q": "taalles"})
        return int(result.ok()["searchCourses"]["totalCount"])

    # The packaged synonyms know no "taalles"; the configured ones make it "nederlands".
    assert await total(settings) == 0
    assert await total(dataclasses.replace(settings, search_config_dir=tmp_path)) == 1
