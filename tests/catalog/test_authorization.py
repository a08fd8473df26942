"""Who may call each catalog mutation. On every denial the catalog stays exactly as it was."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from market.api.graphql import ids
from market.catalog.models import CourseStatus
from market.db.database import Database
from tests.support.actors import learner, platform_admin, provider_staff
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

CATALOG_TABLES = ("provider_profiles", "locations", "courses", "intakes")


@dataclass(frozen=True)
class World:
    provider: str
    location: str
    course: str
    draft: str
    intake: str


@dataclass(frozen=True)
class Operation:
    query: str
    variables: Callable[[World], dict[str, Any]]
    staff_allowed: bool = True


OPERATIONS = {
    "updateProvider": Operation(
        'mutation($id: ID!) { updateProvider(id: $id, input: {description: "Nieuw"}) { id } }',
        lambda w: {"id": w.provider},
    ),
    "verifyCertification": Operation(
        "mutation($id: ID!) { verifyCertification(providerId: $id,"
        " input: {starRating: FOUR}) { id } }",
        lambda w: {"id": w.provider},
        staff_allowed=False,
    ),
    "createLocation": Operation(
        'mutation($p: ID!) { createLocation(input: {providerId: $p, name: "Zuid",'
        ' addressLine: "Laan 1", postcode: "3511"}) { id } }',
        lambda w: {"p": w.provider},
    ),
    "updateLocation": Operation(
        'mutation($id: ID!) { updateLocation(id: $id, input: {name: "Noord"}) { id } }',
        lambda w: {"id": w.location},
    ),
    "createCourse": Operation(
        'mutation($p: ID!) { createCourse(input: {providerId: $p, title: "B1", route: B1,'
        " targetLevel: B1, totalHours: 100, languageHours: 100, hoursPerWeek: 4,"
        " format: ONLINE, scheduleKinds: [EVENING], maxClassSize: 8, priceCents: 1000})"
        " { id } }",
        lambda w: {"p": w.provider},
    ),
    "updateCourse": Operation(
        "mutation($id: ID!) { updateCourse(id: $id, input: {priceCents: 1}) { id } }",
        lambda w: {"id": w.course},
    ),
    "publishCourse": Operation(
        "mutation($id: ID!) { publishCourse(id: $id) { id } }", lambda w: {"id": w.draft}
    ),
    "archiveCourse": Operation(
        "mutation($id: ID!) { archiveCourse(id: $id) { id } }", lambda w: {"id": w.course}
    ),
    "createIntake": Operation(
        "mutation($c: ID!, $l: ID!, $d: Date!) { createIntake(input: {courseId: $c,"
        " locationId: $l, startsOn: $d, seatCapacity: 10}) { id } }",
        lambda w: {
            "c": w.course,
            "l": w.location,
            "d": (today() + timedelta(days=30)).isoformat(),
        },
    ),
    "updateIntake": Operation(
        "mutation($id: ID!) { updateIntake(id: $id, input: {seatCapacity: 20}) { id } }",
        lambda w: {"id": w.intake},
    ),
}


async def build_world(db: Database) -> World:
    provider_id = await add_provider(db)
    location_id = await add_location(db, provider_id)
    course_id = await add_course(db, provider_id)
    draft_id = await add_course(db, provider_id, status=CourseStatus.DRAFT)
    intake_id = await add_intake(db, course_id, location_id)
    return World(
        provider=ids.encode("Provider", provider_id),
        location=ids.encode("Location", location_id),
        course=ids.encode("Course", course_id),
        draft=ids.encode("Course", draft_id),
        intake=ids.encode("Intake", intake_id),
    )


async def snapshot(db: Database) -> dict[str, list[Any]]:
    async with db.reader() as session:
        return {
            table: [
                tuple(row)
                for row in await session.execute(
                    text(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 (fixed names)
                )
            ]
            for table in CATALOG_TABLES
        }


async def _anonymous(db: Database, world: World) -> str | None:
    return None


async def _learner(db: Database, world: World) -> str | None:
    return (await learner(db)).token


async def _other_staff(db: Database, world: World) -> str | None:
    return (await provider_staff(db, await add_provider(db))).token


async def _own_staff(db: Database, world: World) -> str | None:
    return (await provider_staff(db, ids.decode("Provider", world.provider))).token


async def _admin(db: Database, world: World) -> str | None:
    return (await platform_admin(db)).token


ACTORS: dict[str, tuple[Callable[[Database, World], Awaitable[str | None]], str | None]] = {
    # name: (arrange a token, the error code expected; None for "allowed")
    "anonymous": (_anonymous, "UNAUTHENTICATED"),
    "learner": (_learner, "FORBIDDEN"),
    "other-provider-staff": (_other_staff, "FORBIDDEN"),
    "own-staff": (_own_staff, None),
    "platform-admin": (_admin, None),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", OPERATIONS)
async def test_authorization_matrix(
    db: Database, gql: GraphQLClient, operation: str, actor: str
) -> None:
    world = await build_world(db)
    arrange, expected = ACTORS[actor]
    token = await arrange(db, world)
    spec = OPERATIONS[operation]
    if actor == "own-staff" and not spec.staff_allowed:
        expected = "FORBIDDEN"
    before = await snapshot(db)

    result = await gql(spec.query, spec.variables(world), token=token)

    if expected is None:
        assert result.ok()[operation]["id"]
        assert await snapshot(db) != before
    else:
        assert result.error_code == expected, result.errors
        assert result.data is None
        assert await snapshot(db) == before
