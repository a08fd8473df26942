"""A learner whose confirmed enrollment has started reviews the course once; the provider's
staff reply once; a platform admin hides a review with a reason. The course's and the
provider's rating count the visible reviews."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text

from market.db.database import Database
from market.enrollment.models import EnrollmentState
from market.reviews.service import MAX_BODY_LENGTH
from tests.reviews.world import (
    COURSE,
    HIDE,
    REPLY,
    REVIEW,
    World,
    build_world,
    course_rating,
    enrolled_learner,
    reviews,
)
from tests.support.actors import learner, platform_admin, provider_staff
from tests.support.catalog import today
from tests.support.graphql import GraphQLClient, Result


def reason(result: Result) -> tuple[str | None, str | None, str | None]:
    assert result.data is None, result.body
    extensions = result.errors[0]["extensions"]
    return extensions["code"], extensions.get("reason"), extensions.get("field")


async def review(
    gql: GraphQLClient, world: World, token: str, rating: int = 4, body: str = "Fijne les."
) -> Result:
    return await gql(REVIEW, {"course": world.course, "rating": rating, "body": body}, token=token)


async def shown(gql: GraphQLClient, world: World, token: str | None = None, **page: Any) -> Any:
    return (await gql(COURSE, {"id": world.course, **page}, token=token)).ok()["course"]


async def test_a_learner_whose_enrollment_started_reviews_the_course(
    db: Database, gql: GraphQLClient
) -> None:
    world = await build_world(db)
    amina = await enrolled_learner(db, world, name="Amina Yusuf")

    written = (await review(gql, world, amina.token, 4, "  Goede docent, veel geoefend.  ")).ok()

    assert written["reviewCourse"]["rating"] == 4
    assert written["reviewCourse"]["body"] == "Goede docent, veel geoefend."
    assert written["reviewCourse"]["reviewerFirstName"] == "Amina"
    [row] = await reviews(db)
    assert (row["learner_id"], row["course_id"], row["provider_id"]) == (
        amina.user_id,
        world.course_id,
        world.provider_id,
    )
    assert row["enrollment_id"] is not None
    # Counted on the course at once, and search's row carries the score (5 x 3 + 4) / 6.
    assert await course_rating(db, world.course_id) == (1, 4, 3167)
    course = await shown(gql, world)
    assert course["rating"] == {"average": 4.0, "count": 1}
    assert course["provider"]["rating"] == {"average": 4.0, "count": 1}
    assert course["reviews"]["totalCount"] == 1
    assert course["reviews"]["nodes"] == [
        {
            "rating": 4,
            "body": "Goede docent, veel geoefend.",
            "reviewerFirstName": "Amina",
            "hiddenAt": None,
            "hiddenReason": None,
            "reply": None,
        }
    ]
    # No email or other detail of the reviewer anywhere in what is shown.
    assert amina.email not in str(course)


async def test_a_continuous_intake_started_today_counts(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    today_start = await enrolled_learner(db, world, starts_on=today())

    assert (await review(gql, world, today_start.token)).ok()


@pytest.mark.parametrize(
    "booking",
    ["none", "held", "cancelled", "awaiting_provider", "starts_tomorrow", "confirmed_elsewhere"],
)
async def test_without_a_started_confirmed_enrollment_nothing_is_written(
    db: Database, gql: GraphQLClient, booking: str
) -> None:
    world = await build_world(db)
    other = await build_world(db)
    match booking:
        case "none":
            person = await learner(db)
        case "starts_tomorrow":
            person = await enrolled_learner(db, world, starts_on=today() + timedelta(days=1))
        case "confirmed_elsewhere":
            person = await enrolled_learner(db, other)
        case state:
            person = await enrolled_learner(db, world, state=EnrollmentState(state))

    result = await review(gql, world, person.token)

    assert reason(result) == ("FORBIDDEN", "NoStartedEnrollment", "courseId")
    assert await reviews(db) == []
    assert await course_rating(db, world.course_id) == (0, 0, 0)


async def test_an_unknown_course_is_not_found(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    person = await enrolled_learner(db, world)
    unknown = World(world.provider_id, world.intake_id, world.intake_id)  # an id nothing has

    result = await review(gql, unknown, person.token)

    assert reason(result) == ("NOT_FOUND", "CourseNotFound", "courseId")


async def test_one_review_per_learner_and_course(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    person = await enrolled_learner(db, world)
    (await review(gql, world, person.token, 2, "Matig.")).ok()

    again = await review(gql, world, person.token, 5, "Toch goed!")

    assert reason(again) == ("CONFLICT", "AlreadyReviewed", "courseId")
    assert [(row["rating"], row["body"]) for row in await reviews(db)] == [(2, "Matig.")]
    assert await course_rating(db, world.course_id) == (1, 2, 2833)


@pytest.mark.parametrize(
    ("rating", "body", "expected"),
    [
        (0, "Goed.", ("ValueOutOfRange", "rating", {"min": 1, "max": 5})),
        (6, "Goed.", ("ValueOutOfRange", "rating", {"min": 1, "max": 5})),
        (3, "x" * (MAX_BODY_LENGTH + 1), ("TextTooLong", "body", {"max": 2000})),
        (3, "   ", ("TextRequired", "body", None)),
    ],
)
async def test_bad_ratings_and_bodies_are_refused(
    db: Database, gql: GraphQLClient, rating: int, body: str, expected: tuple[Any, ...]
) -> None:
    world = await build_world(db)
    person = await enrolled_learner(db, world)

    result = await review(gql, world, person.token, rating, body)

    assert reason(result) == ("BAD_USER_INPUT", expected[0], expected[1])
    assert result.errors[0]["extensions"].get("params") == expected[2]
    assert await reviews(db) == []


async def test_a_body_of_the_longest_length_is_kept_whole(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    person = await enrolled_learner(db, world)

    assert (await review(gql, world, person.token, 5, "é" * MAX_BODY_LENGTH)).ok()
    assert len((await reviews(db))[0]["body"]) == MAX_BODY_LENGTH


async def test_the_provider_replies_once(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    person = await enrolled_learner(db, world)
    review_id = (await review(gql, world, person.token)).ok()["reviewCourse"]["id"]
    staff = await provider_staff(db, world.provider_id)

    replied = await gql(REPLY, {"id": review_id, "body": " Dank je wel! "}, token=staff.token)
    again = await gql(REPLY, {"id": review_id, "body": "Nogmaals dank."}, token=staff.token)

    assert replied.ok()["replyToReview"]["reply"]["body"] == "Dank je wel!"
    assert reason(again) == ("CONFLICT", "ReviewAlreadyReplied", "id")
    [row] = await reviews(db)
    assert (row["reply_body"], row["replied_by"]) == ("Dank je wel!", staff.user_id)
    nodes = (await shown(gql, world))["reviews"]["nodes"]
    assert nodes[0]["reply"] == {"body": "Dank je wel!"}


async def test_a_hidden_review_leaves_the_rating_and_the_public_list(
    db: Database, gql: GraphQLClient
) -> None:
    world = await build_world(db)
    kept = await enrolled_learner(db, world)
    hidden = await enrolled_learner(db, world)
    (await review(gql, world, kept.token, 4)).ok()
    review_id = (await review(gql, world, hidden.token, 1, "Scheldwoorden")).ok()["reviewCourse"][
        "id"
    ]
    assert await course_rating(db, world.course_id) == (2, 5, 2857)
    admin = await platform_admin(db)

    blank = await gql(HIDE, {"id": review_id, "reason": "  "}, token=admin.token)
    assert reason(blank) == ("BAD_USER_INPUT", "TextRequired", "reason")
    assert await course_rating(db, world.course_id) == (2, 5, 2857)

    result = await gql(HIDE, {"id": review_id, "reason": "Beledigend"}, token=admin.token)

    assert result.ok()["hideReview"]["hiddenReason"] == "Beledigend"
    assert await course_rating(db, world.course_id) == (1, 4, 3167)
    assert [row["hidden_by"] for row in await reviews(db)] == [None, admin.user_id]
    public = await shown(gql, world)
    assert public["rating"] == {"average": 4.0, "count": 1}
    assert public["provider"]["rating"] == {"average": 4.0, "count": 1}
    assert [node["rating"] for node in public["reviews"]["nodes"]] == [4]
    assert public["reviews"]["totalCount"] == 1
    # The provider's staff do not see it either, nor can they reply to it.
    staff = await provider_staff(db, world.provider_id)
    assert (await shown(gql, world, staff.token))["reviews"]["totalCount"] == 1
    reply = await gql(REPLY, {"id": review_id, "body": "Sorry"}, token=staff.token)
    assert reason(reply) == ("NOT_FOUND", "ReviewNotFound", "id")
    # Admins see it, with the reason.
    for_admin = (await shown(gql, world, admin.token))["reviews"]["nodes"]
    assert [(n["rating"], n["hiddenReason"]) for n in for_admin] == [(1, "Beledigend"), (4, None)]
    # Hiding twice changes nothing.
    twice = await gql(HIDE, {"id": review_id, "reason": "Nogmaals"}, token=admin.token)
    assert reason(twice) == ("CONFLICT", "ReviewAlreadyHidden", "id")
    assert await course_rating(db, world.course_id) == (1, 4, 3167)


async def test_reviews_come_in_pages_newest_first(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    for rating in (1, 2, 3):
        person = await enrolled_learner(db, world)
        (await review(gql, world, person.token, rating)).ok()

    first = (await shown(gql, world, first=2))["reviews"]
    rest = (await shown(gql, world, first=2, after=first["pageInfo"]["endCursor"]))["reviews"]

    assert [n["rating"] for n in first["nodes"]] == [3, 2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert [n["rating"] for n in rest["nodes"]] == [1]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert first["totalCount"] == rest["totalCount"] == 3
    # Averages show one decimal: 6 / 3.
    assert (await shown(gql, world))["rating"] == {"average": 2.0, "count": 3}


async def test_a_deleted_account_leaves_its_review_anonymised(
    db: Database, gql: GraphQLClient
) -> None:
    world = await build_world(db)
    person = await enrolled_learner(db, world, name="Amina Yusuf")
    (await review(gql, world, person.token, 5)).ok()

    async with db.transaction() as session:
        await session.execute(text("DELETE FROM users WHERE id = :id"), {"id": person.user_id})

    [row] = await reviews(db)
    assert row["learner_id"] is None
    course = await shown(gql, world)
    assert course["reviews"]["nodes"][0]["reviewerFirstName"] is None
    assert course["rating"] == {"average": 5.0, "count": 1}


async def test_my_data_lists_the_reviews_i_wrote(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    person = await enrolled_learner(db, world)
    written = (await review(gql, world, person.token, 5, "Heel leerzaam.")).ok()["reviewCourse"]

    data = (await gql("{ myData }", token=person.token)).ok()["myData"]

    assert [(r["id"], r["courseId"], r["rating"], r["body"]) for r in data["reviews"]] == [
        (written["id"], world.course, 5, "Heel leerzaam.")
    ]
