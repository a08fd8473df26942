"""Provider staff plan intakes: start dates or continuous intake, schedule, seats, wait."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from market.api.graphql import ids
from market.catalog.models import Format, Intake
from market.db.database import Database
from tests.support.actors import provider_staff
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

FIELDS = """
  startsOn continuous seatCapacity seatsTaken seatsAvailable waitlistWeeks
  weeklySchedule { weekday startTime endTime }
  location { name }
"""
CREATE = f"mutation($input: CreateIntakeInput!) {{ createIntake(input: $input) {{ {FIELDS} }} }}"
UPDATE = (
    "mutation($id: ID!, $input: UpdateIntakeInput!) "
    f"{{ updateIntake(id: $id, input: $input) {{ {FIELDS} }} }}"
)


async def arrange(db: Database, **course: Any) -> tuple[Any, Any, Any, str]:
    provider_id = await add_provider(db)
    course_id = await add_course(db, provider_id, **course)
    location_id = await add_location(db, provider_id, name="Centrum")
    staff = await provider_staff(db, provider_id)
    return provider_id, course_id, location_id, staff.token


def intake_input(course_id: Any, location_id: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "courseId": ids.encode("Course", course_id),
        "locationId": ids.encode("Location", location_id) if location_id else None,
        "startsOn": (today() + timedelta(days=14)).isoformat(),
        "seatCapacity": 12,
        "waitlistWeeks": 3,
        "weeklySchedule": [
            {"weekday": "THURSDAY", "startTime": "18:30:00", "endTime": "21:00:00"},
            {"weekday": "MONDAY", "startTime": "18:30:00", "endTime": "21:00:00"},
        ],
    } | overrides


async def intakes(db: Database) -> list[Intake]:
    async with db.reader() as session:
        return list(await session.scalars(select(Intake)))


async def test_staff_create_a_dated_intake(db: Database, gql: GraphQLClient) -> None:
    _, course_id, location_id, token = await arrange(db)
    starts = today() + timedelta(days=14)

    result = await gql(CREATE, {"input": intake_input(course_id, location_id)}, token=token)

    assert result.ok()["createIntake"] == {
        "startsOn": starts.isoformat(),
        "continuous": False,
        "seatCapacity": 12,
        "seatsTaken": 0,
        "seatsAvailable": 12,
        "waitlistWeeks": 3,
        "weeklySchedule": [
            {"weekday": "MONDAY", "startTime": "18:30:00", "endTime": "21:00:00"},
            {"weekday": "THURSDAY", "startTime": "18:30:00", "endTime": "21:00:00"},
        ],
        "location": {"name": "Centrum"},
    }


async def test_online_courses_take_continuous_intake_without_location(
    db: Database, gql: GraphQLClient
) -> None:
    _, course_id, _, token = await arrange(db, format=Format.ONLINE)

    result = await gql(
        CREATE,
        {"input": intake_input(course_id, None, startsOn=None, continuous=True)},
        token=token,
    )

    created = result.ok()["createIntake"]
    assert (created["startsOn"], created["continuous"], created["location"]) == (None, True, None)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"startsOn": "yesterday"}, "startsOn"),
        ({"continuous": True}, "startsOn"),
        ({"startsOn": None}, "startsOn"),
        ({"locationId": None}, "locationId"),
        ({"seatCapacity": 0}, "seatCapacity"),
        ({"seatCapacity": 501}, "seatCapacity"),
        ({"waitlistWeeks": -1}, "waitlistWeeks"),
        (
            {"weeklySchedule": [{"weekday": "MONDAY", "startTime": "21:00", "endTime": "18:00"}]},
            "weeklySchedule",
        ),
        (
            {
                "weeklySchedule": [
                    {"weekday": "MONDAY", "startTime": "09:00", "endTime": "12:00"},
                    {"weekday": "MONDAY", "startTime": "11:00", "endTime": "13:00"},
                ]
            },
            "weeklySchedule",
        ),
        (
            {
                "weeklySchedule": [
                    {"weekday": "MONDAY", "startTime": f"{h:02d}:00", "endTime": f"{h:02d}:30"}
                    for h in range(15)
                ]
            },
            "weeklySchedule",
        ),
    ],
)
async def test_bad_intake_input(
    db: Database, gql: GraphQLClient, overrides: dict[str, Any], field: str
) -> None:
    _, course_id, location_id, token = await arrange(db)
    if overrides.get("startsOn") == "yesterday":
        overrides["startsOn"] = (today() - timedelta(days=1)).isoformat()

    result = await gql(
        CREATE, {"input": intake_input(course_id, location_id, **overrides)}, token=token
    )

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", field), result.errors
    assert await intakes(db) == []


async def test_a_location_of_another_provider_is_refused(db: Database, gql: GraphQLClient) -> None:
    _, course_id, _, token = await arrange(db)
    elsewhere = await add_location(db, await add_provider(db))

    result = await gql(CREATE, {"input": intake_input(course_id, elsewhere)}, token=token)

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", "locationId")
    assert await intakes(db) == []


async def test_online_intakes_have_no_location(db: Database, gql: GraphQLClient) -> None:
    _, course_id, location_id, token = await arrange(db, format=Format.ONLINE)

    result = await gql(CREATE, {"input": intake_input(course_id, location_id)}, token=token)

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", "locationId")


async def test_capacity_cannot_drop_below_seats_taken(db: Database, gql: GraphQLClient) -> None:
    _, course_id, location_id, token = await arrange(db)
    intake = ids.encode("Intake", await add_intake(db, course_id, location_id, seats_taken=8))

    below = await gql(UPDATE, {"id": intake, "input": {"seatCapacity": 7}}, token=token)
    equal = await gql(UPDATE, {"id": intake, "input": {"seatCapacity": 8}}, token=token)

    assert (below.error_code, below.error_field) == ("CONFLICT", "seatCapacity")
    assert equal.ok()["updateIntake"]["seatsAvailable"] == 0


async def test_update_switches_to_continuous_and_keeps_the_rest(
    db: Database, gql: GraphQLClient
) -> None:
    _, course_id, location_id, token = await arrange(db)
    intake = ids.encode(
        "Intake",
        await add_intake(
            db, course_id, location_id, starts_on=today() + timedelta(days=3), waitlist_weeks=2
        ),
    )

    result = await gql(
        UPDATE, {"id": intake, "input": {"continuous": True, "startsOn": None}}, token=token
    )

    updated = result.ok()["updateIntake"]
    assert (updated["continuous"], updated["startsOn"], updated["waitlistWeeks"]) == (
        True,
        None,
        2,
    )


async def test_an_intake_already_started_can_still_be_edited(
    db: Database, gql: GraphQLClient
) -> None:
    _, course_id, location_id, token = await arrange(db)
    started = today() - timedelta(days=7)
    intake = ids.encode("Intake", await add_intake(db, course_id, location_id, starts_on=started))

    result = await gql(UPDATE, {"id": intake, "input": {"waitlistWeeks": 0}}, token=token)
    moved = await gql(
        UPDATE,
        {"id": intake, "input": {"startsOn": (started - timedelta(days=1)).isoformat()}},
        token=token,
    )

    assert result.ok()["updateIntake"]["startsOn"] == started.isoformat()
    assert (moved.error_code, moved.error_field) == ("BAD_USER_INPUT", "startsOn")


async def test_no_intakes_on_archived_courses(db: Database, gql: GraphQLClient) -> None:
    from market.catalog.models import CourseStatus

    _, course_id, location_id, token = await arrange(db, status=CourseStatus.ARCHIVED)

    result = await gql(CREATE, {"input": intake_input(course_id, location_id)}, token=token)

    assert result.error_code == "CONFLICT"
    async with db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(Intake)) == 0
