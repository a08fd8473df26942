"""Who may call each review mutation. On every denial the reviews, the course's rating and
search's row stay exactly as they were."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from tests.reviews.world import HIDE, REPLY, REVIEW, World, build_world, enrolled_learner
from tests.support.actors import learner, platform_admin, provider_staff
from tests.support.catalog import add_provider
from tests.support.graphql import GraphQLClient

TABLES = {
    "reviews": "SELECT * FROM reviews ORDER BY id",
    "courses": "SELECT id, rating_count, rating_sum FROM courses ORDER BY id",
    "search_courses": "SELECT course_id, rating FROM search_courses ORDER BY course_id",
}


@dataclass(frozen=True)
class ReviewWorld:
    world: World
    review: str  # a review of the course by an enrolled learner


@dataclass(frozen=True)
class Operation:
    query: str
    variables: Callable[[ReviewWorld], dict[str, Any]]
    # The actor allowed, and what each other actor gets.
    allowed: str
    denied: dict[str, str]


DENIED_TO_ALL_BUT_STAFF = {
    "anonymous": "UNAUTHENTICATED",
    "learner": "FORBIDDEN",
    "other-provider-staff": "FORBIDDEN",
    "platform-admin": "FORBIDDEN",
    "enrolled-learner": "FORBIDDEN",
}

OPERATIONS = {
    "reviewCourse": Operation(
        REVIEW,
        lambda w: {"course": w.world.course, "rating": 5, "body": "Aanrader."},
        allowed="enrolled-learner",
        denied={
            "anonymous": "UNAUTHENTICATED",
            "learner": "FORBIDDEN",
            "other-provider-staff": "FORBIDDEN",
            "own-staff": "FORBIDDEN",
            "platform-admin": "FORBIDDEN",
        },
    ),
    "replyToReview": Operation(
        REPLY,
        lambda w: {"id": w.review, "body": "Bedankt."},
        allowed="own-staff",
        denied=DENIED_TO_ALL_BUT_STAFF,
    ),
    "hideReview": Operation(
        HIDE,
        lambda w: {"id": w.review, "reason": "Persoonsgegevens van een docent."},
        allowed="platform-admin",
        denied={
            "anonymous": "UNAUTHENTICATED",
            "learner": "FORBIDDEN",
            "other-provider-staff": "FORBIDDEN",
            "own-staff": "FORBIDDEN",
            "enrolled-learner": "FORBIDDEN",
        },
    ),
}


async def build(db: Database, gql: GraphQLClient) -> ReviewWorld:
    world = await build_world(db)
    author = await enrolled_learner(db, world)
    result = await gql(
        REVIEW, {"course": world.course, "rating": 3, "body": "Redelijk."}, token=author.token
    )
    return ReviewWorld(world, result.ok()["reviewCourse"]["id"])


async def snapshot(db: Database) -> dict[str, list[Any]]:
    async with db.reader() as session:
        return {
            name: [tuple(row) for row in await session.execute(text(query))]
            for name, query in TABLES.items()
        }


async def _anonymous(db: Database, w: ReviewWorld) -> str | None:
    return None


async def _learner(db: Database, w: ReviewWorld) -> str | None:
    return (await learner(db)).token


async def _enrolled_learner(db: Database, w: ReviewWorld) -> str | None:
    """Another learner whose enrollment on the course started (and who has not reviewed)."""
    return (await enrolled_learner(db, w.world)).token


async def _other_staff(db: Database, w: ReviewWorld) -> str | None:
    return (await provider_staff(db, await add_provider(db))).token


async def _own_staff(db: Database, w: ReviewWorld) -> str | None:
    return (await provider_staff(db, w.world.provider_id)).token


async def _admin(db: Database, w: ReviewWorld) -> str | None:
    return (await platform_admin(db)).token


ACTORS: dict[str, Callable[[Database, ReviewWorld], Awaitable[str | None]]] = {
    "anonymous": _anonymous,
    "learner": _learner,
    "enrolled-learner": _enrolled_learner,
    "other-provider-staff": _other_staff,
    "own-staff": _own_staff,
    "platform-admin": _admin,
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", OPERATIONS)
async def test_authorization_matrix(
    db: Database, gql: GraphQLClient, operation: str, actor: str
) -> None:
    w = await build(db, gql)
    token = await ACTORS[actor](db, w)
    spec = OPERATIONS[operation]
    before = await snapshot(db)

    result = await gql(spec.query, spec.variables(w), token=token)

    if actor == spec.allowed:
        assert ids.lookup("Review", result.ok()[operation]["id"]) is not None
        assert await snapshot(db) != before
    else:
        assert result.error_code == spec.denied[actor], result.errors
        assert result.data is None
        assert await snapshot(db) == before
