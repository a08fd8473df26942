"""compareCourses: a learner sets courses side by side and sees the same measures for each."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from market.api.graphql import ids
from market.catalog.models import CourseStatus, Format, Level, Route, ScheduleKind, StarRating
from market.db.database import Database
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements

# The centroid of postcode area 3511 (Utrecht centre) in the shipped reference data.
UTRECHT = (52.08833, 5.11599)
# 0.05 and 0.1 degrees of latitude due north: 5.56 and 11.12 km on the haversine sphere.
KM_5_6 = (UTRECHT[0] + 0.05, UTRECHT[1])
KM_11_1 = (UTRECHT[0] + 0.1, UTRECHT[1])

COMPARE = """
query($ids: [ID!]!, $postcode: String, $loan: Int) {
  compareCourses(ids: $ids, postcode: $postcode, duoLoanRemainingCents: $loan) {
    course { id title }
    provider { name }
    priceCents pricePerHourCents totalHours hoursPerWeek scheduleKinds format
    supportLanguages expectedStart waitWeeks soonestIntake { id }
    distanceKm certified starRating
    cancellationTerms priceIncludes examTrainingIncluded
    examPolicy {
      level freeAttemptsPerPart furtherAttemptOfEveryPartCents
      parts { part feePerFurtherAttemptCents }
    }
    duoLoan { coveredCents toPayCents reason }
  }
}
"""

LANGUAGE_EXAM = [
    {"part": part, "feePerFurtherAttemptCents": 5000}
    for part in ("READING", "LISTENING", "WRITING", "SPEAKING", "KNM")
]


def gid(course_id: uuid.UUID) -> str:
    return ids.encode("Course", course_id)


async def located(db: Database, provider_id: uuid.UUID, point: tuple[float, float]) -> uuid.UUID:
    return await add_location(
        db, provider_id, postcode="3512 AA", municipality_code="GM0344",
        latitude=point[0], longitude=point[1],
    )  # fmt: skip


@pytest.fixture
async def world(db: Database) -> dict[str, Any]:
    """Three courses, each a different case:
    - `b1`: certified school; bookable intakes in 2 weeks (5.6 km) and continuous but full
      (11.1 km, 3 weeks' declared wait); a past intake at the postcode itself (ignored);
    - `online`: an A2 online course at a school without a mark, continuous with seats;
    - `z`: a Z-route course at the certified school starting in 10 weeks, 11.1 km away."""
    school = await add_provider(db, name="Taalhuis Noord")
    loose = await add_provider(db, name="Praatpaal Online", certified=False, star_rating=None)
    near, far = await located(db, school, KM_5_6), await located(db, school, KM_11_1)
    at_postcode = await located(db, school, UTRECHT)
    b1 = await add_course(
        db, school, title="B1 in de avond", price_cents=300_000, total_hours=300,
        hours_per_week=6, schedule_kinds=[ScheduleKind.DAYTIME, ScheduleKind.EVENING],
        price_includes=["lesmateriaal", "examentraining"], support_languages=["ti", "ar"],
    )  # fmt: skip
    soonest = await add_intake(db, b1, near, starts_on=today() + timedelta(days=14))
    await add_intake(db, b1, far, seats_taken=12, waitlist_weeks=3)
    await add_intake(db, b1, at_postcode, starts_on=today() - timedelta(days=7))
    online = await add_course(
        db, loose, title="A2 online", target_level=Level.A2, format=Format.ONLINE,
        price_cents=150_000, total_hours=200, language_hours=200, hours_per_week=4,
        exam_training_included=False, price_includes=[], cancellation_terms="Geen restitutie.",
        support_languages=[],
    )  # fmt: skip
    online_intake = await add_intake(db, online)
    z = await add_course(
        db, school, title="Z-route", route=Route.Z, target_level=Level.A1,
        price_cents=1_100_000, total_hours=1000, language_hours=900, hours_per_week=12,
    )  # fmt: skip
    z_intake = await add_intake(db, z, far, starts_on=today() + timedelta(weeks=10))
    return {
        "b1": b1, "online": online, "z": z,
        "soonest": soonest, "online_intake": online_intake, "z_intake": z_intake,
    }  # fmt: skip


async def test_three_courses_side_by_side_with_distance_and_a_duo_loan(
    gql: GraphQLClient, world: dict[str, Any]
) -> None:
    """Given three courses, when a learner in 3511 with EUR 5,000 of DUO loan left compares
    them, then each shows its price, hours, start, distance, exams and what the loan pays."""
    data = (
        await gql(
            COMPARE,
            {
                "ids": [gid(world[k]) for k in ("b1", "online", "z")],
                "postcode": "3511 AB",
                "loan": 500_000,
            },
        )
    ).ok()
    b1, online, z = data["compareCourses"]

    assert b1 == {
        "course": {"id": gid(world["b1"]), "title": "B1 in de avond"},
        "provider": {"name": "Taalhuis Noord"},
        "priceCents": 300_000,
        "pricePerHourCents": 1000,
        "totalHours": 300,
        "hoursPerWeek": 6,
        "scheduleKinds": ["DAYTIME", "EVENING"],
        "format": "CLASSROOM",
        "supportLanguages": ["ti", "ar"],
        "expectedStart": (today() + timedelta(days=14)).isoformat(),
        "waitWeeks": 2,
        "soonestIntake": {"id": ids.encode("Intake", world["soonest"])},
        "distanceKm": 5.6,  # the past intake at the postcode itself does not count
        "certified": True,
        "starRating": "THREE",
        "cancellationTerms": "Kosteloos annuleren tot 14 dagen voor de start.",
        "priceIncludes": ["lesmateriaal", "examentraining"],
        "examTrainingIncluded": True,
        "examPolicy": {
            "level": "B1",
            "freeAttemptsPerPart": 2,
            "furtherAttemptOfEveryPartCents": 25_000,
            "parts": LANGUAGE_EXAM,
        },
        "duoLoan": {"coveredCents": 300_000, "toPayCents": 0, "reason": None},
    }

    assert online["pricePerHourCents"] == 750
    assert online["format"] == "ONLINE"
    assert online["supportLanguages"] == []
    assert z["supportLanguages"] == ["en"]
    assert (online["expectedStart"], online["waitWeeks"]) == (today().isoformat(), 0)
    assert online["soonestIntake"] == {"id": ids.encode("Intake", world["online_intake"])}
    assert online["distanceKm"] is None  # online only: no place to travel to
    assert (online["certified"], online["starRating"]) == (False, None)
    assert online["examPolicy"]["level"] == "A2"
    assert online["examPolicy"]["furtherAttemptOfEveryPartCents"] == 25_000
    assert online["duoLoan"] == {
        "coveredCents": 0,
        "toPayCents": 150_000,
        "reason": "DUO lends only for courses at schools with a valid Blik op Werk mark.",
    }

    assert z["pricePerHourCents"] == 1100
    assert (z["expectedStart"], z["waitWeeks"]) == (
        (today() + timedelta(weeks=10)).isoformat(),
        10,
    )
    assert z["distanceKm"] == 11.1
    assert z["examPolicy"] == {
        "level": "A1",
        "freeAttemptsPerPart": 2,
        "furtherAttemptOfEveryPartCents": 0,
        "parts": [],  # the Z-route ends with an interview, not an exam
    }
    assert z["duoLoan"] == {"coveredCents": 500_000, "toPayCents": 600_000, "reason": None}


async def test_a_full_intake_starts_after_the_declared_wait(
    db: Database, gql: GraphQLClient
) -> None:
    """The only bookable intake is full with a declared 3-week wait: the learner starts in
    3 weeks, not today. No postcode and no loan: those measures are null."""
    school = await add_provider(db)
    course = await add_course(db, school)
    await add_intake(db, course, await add_location(db, school), seats_taken=12, waitlist_weeks=3)
    other = await add_course(db, school)

    first, second = (await gql(COMPARE, {"ids": [gid(course), gid(other)]})).ok()["compareCourses"]

    assert (first["expectedStart"], first["waitWeeks"]) == (
        (today() + timedelta(weeks=3)).isoformat(),
        3,
    )
    assert (first["distanceKm"], first["duoLoan"]) == (None, None)
    # A published course without any bookable intake is still compared, with no start.
    assert (second["expectedStart"], second["waitWeeks"], second["soonestIntake"]) == (
        None,
        None,
        None,
    )


async def test_an_empty_loan_covers_nothing_without_a_reason(
    gql: GraphQLClient, world: dict[str, Any]
) -> None:
    data = (await gql(COMPARE, {"ids": [gid(world["b1"]), gid(world["z"])], "loan": 0})).ok()
    assert [c["duoLoan"] for c in data["compareCourses"]] == [
        {"coveredCents": 0, "toPayCents": 300_000, "reason": None},
        {"coveredCents": 0, "toPayCents": 1_100_000, "reason": None},
    ]


async def test_the_order_asked_is_the_order_answered(
    gql: GraphQLClient, world: dict[str, Any]
) -> None:
    order = [world["z"], world["online"], world["b1"]]
    data = (await gql(COMPARE, {"ids": [gid(i) for i in order]})).ok()
    assert [c["course"]["id"] for c in data["compareCourses"]] == [gid(i) for i in order]


async def test_four_courses_take_as_many_statements_as_two(
    db: Database, gql: GraphQLClient, world: dict[str, Any]
) -> None:
    fourth = await add_course(db, await add_provider(db))
    two = [gid(world["b1"]), gid(world["online"])]
    four = [*two, gid(world["z"]), gid(fourth)]
    (await gql(COMPARE, {"ids": two, "postcode": "3511"})).ok()  # the area, read once
    with counting_statements() as for_two:
        (await gql(COMPARE, {"ids": two, "postcode": "3511"})).ok()
    with counting_statements() as for_four:
        (await gql(COMPARE, {"ids": four, "postcode": "3511"})).ok()
    # The courses, the intakes; the provider by its DataLoader is already loaded, so
    # nothing per course.
    assert len(for_four) == len(for_two) == 2


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"ids": ["b1"]}, "ids"),
        ({"ids": ["b1", "z", "online", "x", "y"]}, "ids"),
        ({"ids": ["b1", "b1"]}, "ids"),
        ({"ids": ["b1", "z"], "postcode": "12AB"}, "postcode"),
        ({"ids": ["b1", "z"], "postcode": "1000 AA"}, "postcode"),  # no such area
        ({"ids": ["b1", "z"], "loan": -1}, "duoLoanRemainingCents"),
        ({"ids": ["b1", "z"], "loan": 1_000_001}, "duoLoanRemainingCents"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    gql: GraphQLClient, world: dict[str, Any], variables: dict[str, Any], field: str
) -> None:
    known = {k: gid(world[k]) for k in ("b1", "z", "online")}
    variables = variables | {"ids": [known.get(i, i) for i in variables["ids"]]}
    result = await gql(COMPARE, variables)
    assert (result.error_code, result.error_field, result.data) == ("BAD_USER_INPUT", field, None)


async def test_unknown_and_unpublished_courses_are_not_found(
    db: Database, gql: GraphQLClient, world: dict[str, Any]
) -> None:
    school = await add_provider(db)
    draft = await add_course(db, school, status=CourseStatus.DRAFT)
    archived = await add_course(db, school, status=CourseStatus.ARCHIVED)
    for other in (gid(uuid.uuid4()), gid(draft), gid(archived),
                  ids.encode("Intake", world["soonest"])):  # fmt: skip
        result = await gql(COMPARE, {"ids": [gid(world["b1"]), other]})
        assert (result.error_code, result.error_field) == ("NOT_FOUND", "ids"), other

    malformed = await gql(COMPARE, {"ids": [gid(world["b1"]), "not-an-id"]})
    assert (malformed.error_code, malformed.error_field) == ("BAD_USER_INPUT", "ids")


async def test_a_provider_without_stars_or_mark_shows_as_such(
    db: Database, gql: GraphQLClient, world: dict[str, Any]
) -> None:
    """A mark that expired yesterday no longer counts, whatever stars it had."""
    expired = await add_provider(
        db, certification_valid_until=today() - timedelta(days=1), star_rating=StarRating.FOUR
    )
    course = await add_course(db, expired)
    data = (await gql(COMPARE, {"ids": [gid(course), gid(world["b1"])], "loan": 900})).ok()
    first = data["compareCourses"][0]
    assert (first["certified"], first["starRating"]) == (False, "FOUR")
    assert first["duoLoan"]["coveredCents"] == 0
