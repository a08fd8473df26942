"""Races run for real: transactions at once, on separate connections."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from market.db.database import Database
from market.identity.policies import Actor
from market.reviews import errors, service
from tests.reviews.world import build_world, course_rating, enrolled_learner, reviews


async def _review_at_once(db: Database, actors: list[Actor], course_id: object) -> list[object]:
    """Each actor reviews in a transaction of its own, all at once: none commits before the
    others have reached the database."""
    inserted = asyncio.Barrier(len(actors))

    async def one(actor: Actor) -> object:
        try:
            async with db.transaction() as session:
                view = await service.review_course(
                    session,
                    actor,
                    course_id,
                    rating=4,
                    body="Goed.",  # type: ignore[arg-type]
                )
                # Until the others have written too, or, when they wait on this
                # transaction's rows (the same review, the course's tally), a moment.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(inserted.wait(), timeout=0.5)
                return view
        except errors.AlreadyReviewed as refused:
            return refused

    return list(await asyncio.gather(*(one(actor) for actor in actors)))


async def test_two_first_reviews_by_one_learner_at_once_keep_one(db: Database) -> None:
    world = await build_world(db)
    person = await enrolled_learner(db, world)
    actor = Actor(person.user_id)

    outcomes = await _review_at_once(db, [actor, actor], world.course_id)

    assert sorted(type(o).__name__ for o in outcomes) == ["AlreadyReviewed", "ReviewView"]
    assert len(await reviews(db)) == 1
    assert (await course_rating(db, world.course_id))[:2] == (1, 4)


@pytest.mark.parametrize("learners", [2, 4])
async def test_reviews_of_one_course_at_once_all_count(db: Database, learners: int) -> None:
    world = await build_world(db)
    actors = [Actor((await enrolled_learner(db, world)).user_id) for _ in range(learners)]

    outcomes = await _review_at_once(db, actors, world.course_id)

    assert all(isinstance(o, service.ReviewView) for o in outcomes)
    assert await course_rating(db, world.course_id) == (
        learners,
        4 * learners,
        (1000 * (15 + 4 * learners) + (5 + learners) // 2) // (5 + learners),
    )
