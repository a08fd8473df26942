"""Input the platform cannot store or mean is refused at the edge with a typed error naming
its field, never an INTERNAL_SERVER_ERROR: text PostgreSQL cannot hold, dates beyond any
course, times with a UTC offset, numbers beyond what a search can mean, and cursors of
another shape (issue 12, point 4)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from market.api.graphql import ids
from market.catalog.models import Format
from market.db.database import Database
from tests.support.actors import platform_admin, provider_staff
from tests.support.catalog import (
    add_course,
    add_intake,
    add_listed_course,
    add_location,
    add_provider,
    today,
)
from tests.support.graphql import GraphQLClient, Result

BAD_USER_INPUT = "BAD_USER_INPUT"
SEARCH = """
query($query: String, $filter: CourseFilter, $first: Int, $after: String) {
  searchCourses(query: $query, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { endCursor }
  }
}
"""
PROVIDER_COURSES = """
query($id: ID!, $first: Int, $after: String) {
  provider(id: $id) { courses(first: $first, after: $after) { totalCount pageInfo { endCursor } } }
}
"""
MUNICIPALITIES = "query($region: String) { municipalities(regionCode: $region) { code } }"


DATES = {"min": "1900-01-01", "max": "2200-12-31"}


def assert_refused(
    result: Result,
    reason: str,
    field: str,
    params: dict[str, Any] | None = None,
    *,
    data: dict[str, Any] | None = None,
) -> None:
    """Refused with this reason, field and parameters; `data` is what the answer still
    holds (a nullable field around the refused argument answers null)."""
    assert result.status == 200, result.body
    assert result.data == data, result.body
    [error] = result.errors
    expected = {"code": BAD_USER_INPUT, "reason": reason, "field": field}
    assert error["extensions"] == expected | ({"params": params} if params else {})


def cursor_of(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


# -- text PostgreSQL cannot store --------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"query": "Nederlands\x00"}, "query"),
        ({"filter": {"regionCodes": ["AM18", "AM\x0018"]}}, "regionCodes"),
        ({"filter": {"municipalityCodes": ["GM0363\x00"]}}, "municipalityCodes"),
        ({"filter": {"contractedBy": "GM\x000363"}}, "contractedBy"),
        ({"filter": {"near": {"postcode": "1011\x00AB", "radiusKm": 5}}}, "postcode"),
        ({"after": "\x00"}, "after"),
    ],
)
async def test_a_nul_in_any_search_argument_is_refused_by_field(
    gql: GraphQLClient, variables: dict[str, Any], field: str
) -> None:
    assert_refused(await gql(SEARCH, variables), "UnstorableCharacter", field)


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x1f"])
async def test_control_characters_are_refused(gql: GraphQLClient, character: str) -> None:
    result = await gql(MUNICIPALITIES, {"region": f"AM{character}18"})
    assert_refused(result, "UnstorableCharacter", "regionCode")


async def test_a_nul_written_into_the_document_names_its_argument(gql: GraphQLClient) -> None:
    result = await gql('{ municipalities(regionCode: "AM\\u000018") { code } }')
    assert_refused(result, "UnstorableCharacter", "regionCode")

    near = '{postcode: "1011\\u0000AB", radiusKm: 5}'
    result = await gql(f"{{ searchCourses(filter: {{near: {near}}}) {{ totalCount }} }}")
    assert_refused(result, "UnstorableCharacter", "postcode")


async def test_an_unpaired_surrogate_is_refused(http: AsyncTestClient[Any]) -> None:
    # Written by hand: JSON encoders refuse to write a lone surrogate, JSON decoders accept it.
    body = '{"query": "query($q: String) { searchCourses(query: $q) { totalCount } }", ' + (
        '"variables": {"q": "Nederlands \\ud800"}}'
    )
    response = await http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == BAD_USER_INPUT


async def test_nul_in_catalog_texts_is_refused_and_nothing_changes(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db, description="Een taalschool.")
    course_id = await add_course(db, provider_id, title="Nederlands B1")
    staff = await provider_staff(db, provider_id)
    provider, course = ids.encode("Provider", provider_id), ids.encode("Course", course_id)

    cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "mutation($id: ID!, $input: UpdateProviderInput!) "
            "{ updateProvider(id: $id, input: $input) { description } }",
            {"id": provider, "input": {"description": "Een\x00taalschool."}},
            "description",
        ),
        (
            "mutation($id: ID!, $input: UpdateCourseInput!) "
            "{ updateCourse(id: $id, input: $input) { title } }",
            {"id": course, "input": {"title": "Nederlands\x00B1"}},
            "title",
        ),
        (
            "mutation($input: CreateLocationInput!) { createLocation(input: $input) { id } }",
            {
                "input": {
                    "providerId": provider,
                    "name": "Centrum\x00",
                    "addressLine": "Voorbeeldstraat 1",
                    "postcode": "1011 AB",
                }
            },
            "name",
        ),
    ]
    for operation, variables, field in cases:
        assert_refused(
            await gql(operation, variables, token=staff.token), "UnstorableCharacter", field
        )

    query = (
        "query($id: ID!) "
        "{ provider(id: $id) { description locations { id } courses { nodes { title } } } }"
    )
    assert (await gql(query, {"id": provider}, token=staff.token)).ok() == {
        "provider": {
            "description": "Een taalschool.",
            "locations": [],
            "courses": {"nodes": [{"title": "Nederlands B1"}]},
        }
    }


async def test_a_nul_in_a_municipality_code_is_refused_before_anything_else(
    db: Database, gql: GraphQLClient
) -> None:
    admin = await platform_admin(db)
    result = await gql(
        "mutation($input: CreateOrganisationInput!) { createOrganisation(input: $input) { id } }",
        {"input": {"name": "Gemeente X", "kind": "MUNICIPALITY", "municipalityCode": "GM\x00"}},
        token=admin.token,
    )
    assert_refused(result, "UnstorableCharacter", "municipalityCode")


async def test_tabs_and_line_breaks_are_kept(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    text = "Regel een,\r\nregel twee\tmet tab."

    result = await gql(
        "mutation($id: ID!, $input: UpdateProviderInput!) "
        "{ updateProvider(id: $id, input: $input) { description } }",
        {"id": ids.encode("Provider", provider_id), "input": {"description": text}},
        token=staff.token,
    )

    assert result.ok() == {"updateProvider": {"description": text}}


# -- dates and times ---------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
async def test_starts_before_outside_1900_to_2200_is_refused(gql: GraphQLClient, day: str) -> None:
    result = await gql(SEARCH, {"filter": {"startsBefore": day}})
    assert_refused(result, "DateOutOfRange", "startsBefore", DATES)

    result = await gql(f'{{ searchCourses(filter: {{startsBefore: "{day}"}}) {{ totalCount }} }}')
    assert_refused(result, "DateOutOfRange", "startsBefore", DATES)


async def test_the_edges_of_the_date_range_are_searched(db: Database, gql: GraphQLClient) -> None:
    await add_listed_course(db, await add_provider(db))

    for day, found in [("1900-01-01", 0), ("2200-12-31", 1)]:
        result = await gql(SEARCH, {"filter": {"startsBefore": day}})
        assert result.ok()["searchCourses"]["totalCount"] == found


async def arrange_intake(db: Database) -> tuple[str, str, str, str]:
    """A classroom course with a location and an intake: (course, location, intake, token)."""
    provider_id = await add_provider(db)
    course_id = await add_course(db, provider_id, format=Format.CLASSROOM)
    location_id = await add_location(db, provider_id)
    intake_id = await add_intake(db, course_id, location_id)
    staff = await provider_staff(db, provider_id)
    return (
        ids.encode("Course", course_id),
        ids.encode("Location", location_id),
        ids.encode("Intake", intake_id),
        staff.token,
    )


@pytest.mark.parametrize(
    ("slot", "field"),
    [
        ({"startTime": "18:00:00+02:00", "endTime": "21:00:00"}, "startTime"),
        ({"startTime": "18:00:00", "endTime": "21:00:00Z"}, "endTime"),
    ],
)
async def test_a_lesson_time_with_a_utc_offset_is_refused(
    db: Database, gql: GraphQLClient, slot: dict[str, str], field: str
) -> None:
    course, location, intake, token = await arrange_intake(db)
    schedule = [{"weekday": "TUESDAY", **slot}]

    created = await gql(
        "mutation($input: CreateIntakeInput!) { createIntake(input: $input) { id } }",
        {
            "input": {
                "courseId": course,
                "locationId": location,
                "continuous": True,
                "seatCapacity": 12,
                "weeklySchedule": schedule,
            }
        },
        token=token,
    )
    updated = await gql(
        "mutation($id: ID!, $input: UpdateIntakeInput!) "
        "{ updateIntake(id: $id, input: $input) { id } }",
        {"id": intake, "input": {"weeklySchedule": schedule}},
        token=token,
    )

    assert_refused(created, "TimeWithOffset", field)
    assert_refused(updated, "TimeWithOffset", field)


async def test_an_intake_date_beyond_2200_is_refused(db: Database, gql: GraphQLClient) -> None:
    _, _, intake, token = await arrange_intake(db)
    result = await gql(
        "mutation($id: ID!, $input: UpdateIntakeInput!) "
        "{ updateIntake(id: $id, input: $input) { id } }",
        {"id": intake, "input": {"startsOn": "9999-12-31", "continuous": False}},
        token=token,
    )
    assert_refused(result, "DateOutOfRange", "startsOn", DATES)


# -- numbers -----------------------------------------------------------------------------


async def test_a_looser_wait_limit_never_finds_less(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    location_id = await add_location(db, provider_id)
    soon = await add_course(db, provider_id)
    await add_intake(db, soon, location_id, starts_on=today() + timedelta(days=14))
    far = await add_course(db, provider_id)
    await add_intake(db, far, location_id, starts_on=date(2190, 1, 1))

    async def found(weeks: int | None) -> int:
        result = await gql(SEARCH, {"filter": {"maxWaitWeeks": weeks}})
        return result.ok()["searchCourses"]["totalCount"]  # type: ignore[no-any-return]

    counts = [
        await found(weeks)
        for weeks in [2, 5199, 5200, 1_000_000, 10_000_000, 15_248_879, 2_147_483_647]
    ]

    assert counts == [1, 1, 2, 2, 2, 2, 2]
    assert await found(None) == 2


@pytest.mark.parametrize("radius", [1e-200, 5e-324, 0.0999, -0.0, 250.001, 1e308])
async def test_a_radius_outside_a_tenth_to_250_km_is_refused(
    gql: GraphQLClient, radius: float
) -> None:
    result = await gql(SEARCH, {"filter": {"near": {"postcode": "1011 AB", "radiusKm": radius}}})
    assert_refused(result, "RadiusOutOfRange", "radiusKm", {"min": 0.1, "max": 250.0})


async def test_a_tenth_of_a_km_is_a_radius(db: Database, gql: GraphQLClient) -> None:
    await add_listed_course(db, await add_provider(db))
    near = {"postcode": "1011 AB", "radiusKm": 0.1}
    assert (await gql(SEARCH, {"filter": {"near": near}})).ok()


# -- cursors -----------------------------------------------------------------------------

FOREIGN_CURSORS = [
    cursor_of(["2024-01-01T00:00:00", 1]),
    cursor_of(["relevance", True]),
    cursor_of(["relevance", 1.0]),
    cursor_of(["relevance", 1, 2]),
    cursor_of([["relevance"], 1]),
    cursor_of({"relevance": 1}),
    cursor_of([]),
    cursor_of(["2024-01-01T00:00:00", str(uuid.UUID(int=0))]),
    cursor_of(["2024-01-01T00:00:00+00:00", 1]),
    cursor_of(["0001-01-01T00:00:00+14:00", str(uuid.UUID(int=0))]),
    cursor_of(["9999-12-31T23:59:59-14:00", str(uuid.UUID(int=0))]),
    cursor_of(["2024-01-01T00:00:00+00:00", "not a uuid"]),
    "not base64 at all!",
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
]


@pytest.mark.parametrize("after", FOREIGN_CURSORS)
async def test_a_cursor_of_another_shape_is_refused_by_search(
    gql: GraphQLClient, after: str
) -> None:
    assert_refused(await gql(SEARCH, {"after": after}), "InvalidCursor", "after")


@pytest.mark.parametrize("after", FOREIGN_CURSORS)
async def test_a_cursor_of_another_shape_is_refused_by_a_providers_courses(
    db: Database, gql: GraphQLClient, after: str
) -> None:
    provider = ids.encode("Provider", await add_provider(db))
    result = await gql(PROVIDER_COURSES, {"id": provider, "after": after})
    assert_refused(result, "InvalidCursor", "after", data={"provider": None})


async def test_each_listing_refuses_the_others_cursor(db: Database, gql: GraphQLClient) -> None:
    provider_id = await add_provider(db)
    for _ in range(2):
        await add_listed_course(db, provider_id)
    provider = ids.encode("Provider", provider_id)
    searched = (await gql(SEARCH, {"first": 1})).ok()["searchCourses"]
    listed = (await gql(PROVIDER_COURSES, {"id": provider, "first": 1})).ok()["provider"]
    search_cursor = searched["pageInfo"]["endCursor"]
    courses_cursor = listed["courses"]["pageInfo"]["endCursor"]

    assert (await gql(SEARCH, {"after": search_cursor})).ok()["searchCourses"]["totalCount"] == 2
    assert_refused(await gql(SEARCH, {"after": courses_cursor}), "InvalidCursor", "after")
    result = await gql(PROVIDER_COURSES, {"id": provider, "after": search_cursor})
    assert_refused(result, "InvalidCursor", "after", data={"provider": None})
