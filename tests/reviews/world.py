"""The world review tests share: a certified provider with a listed course, and what is
written about it, read straight from the tables."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.enrollment.models import EnrollmentState
from tests.support.actors import Person, learner
from tests.support.catalog import add_course, add_intake, add_location, add_provider
from tests.support.enrollment import add_enrollment

REVIEW = """mutation($course: ID!, $rating: Int!, $body: String!) {
  reviewCourse(courseId: $course, rating: $rating, body: $body) {
    id rating body createdAt reviewerFirstName reply { body } hiddenAt hiddenReason
  }
}"""
REPLY = """mutation($id: ID!, $body: String!) {
  replyToReview(id: $id, body: $body) { id reply { body repliedAt } }
}"""
HIDE = """mutation($id: ID!, $reason: String!) {
  hideReview(id: $id, reason: $reason) { id hiddenAt hiddenReason }
}"""
COURSE = """query($id: ID!, $first: Int, $after: String) {
  course(id: $id) {
    rating { average count }
    provider { rating { average count } }
    reviews(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { rating body reviewerFirstName hiddenAt hiddenReason reply { body } }
    }
  }
}"""


@dataclass(frozen=True)
class World:
    provider_id: uuid.UUID
    course_id: uuid.UUID
    intake_id: uuid.UUID

    @property
    def course(self) -> str:
        return ids.encode("Course", self.course_id)


async def build_world(db: Database) -> World:
    provider_id = await add_provider(db)
    course_id = await add_course(db, provider_id)
    intake_id = await add_intake(db, course_id, await add_location(db, provider_id))
    return World(provider_id, course_id, intake_id)


async def enrolled_learner(
    db: Database,
    world: World,
    *,
    state: EnrollmentState = EnrollmentState.CONFIRMED,
    starts_on: date | None = None,
    name: str | None = None,
) -> Person:
    person = await learner(db)
    await add_enrollment(db, person.user_id, world.intake_id, state=state, starts_on=starts_on)
    if name is not None:
        async with db.transaction() as session:
            await session.execute(
                text("UPDATE users SET display_name = :name WHERE id = :id"),
                {"name": name, "id": person.user_id},
            )
    return person


async def reviews(db: Database) -> list[dict[str, Any]]:
    """Every review as stored, oldest first."""
    async with db.reader() as session:
        rows = await session.execute(
            text(
                "SELECT learner_id, course_id, provider_id, enrollment_id, rating, body,"
                " reply_body, replied_by, hidden_reason, hidden_by, hidden_at IS NOT NULL"
                " AS hidden FROM reviews ORDER BY created_at, id"
            )
        )
        return [dict(row._mapping) for row in rows]


async def course_rating(db: Database, course_id: uuid.UUID) -> tuple[int, int, int | None]:
    """The course's (count, sum) and the score search's row carries (None: not listed)."""
    async with db.reader() as session:
        row = (
            await session.execute(
                text(
                    "SELECT c.rating_count, c.rating_sum, s.rating FROM courses c"
                    " LEFT JOIN search_courses s ON s.course_id = c.id WHERE c.id = :id"
                ),
                {"id": course_id},
            )
        ).one()
        return row[0], row[1], row[2]
