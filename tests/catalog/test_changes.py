"""Every catalog change that search must see records one change row, in the same
transaction as the change: committed with it, gone when it rolls back. The catalog's
triggers record them, so a write by any hand (a verb, another domain, plain SQL) does."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from market.api.graphql import ids
from market.catalog import changes, service
from market.catalog.models import CatalogChange
from market.db.database import Database
from market.identity.service import actor_for_token
from tests.catalog.test_authorization import OPERATIONS, World, build_world
from tests.support.actors import platform_admin, provider_staff
from tests.support.catalog import (
    add_course,
    add_intake,
    add_location,
    add_provider,
    settle_changes,
)
from tests.support.graphql import GraphQLClient

# What each mutation's change row names: (column, the world's id it holds).
EXPECTED_SUBJECT = {
    "updateProvider": ("provider_id", "provider"),
    "verifyCertification": ("provider_id", "provider"),
    "updateLocation": ("location_id", "location"),
    "createCourse": ("course_id", None),  # the new course
    "updateCourse": ("course_id", "course"),
    "publishCourse": ("course_id", "draft"),
    "archiveCourse": ("course_id", "course"),
    "createIntake": ("course_id", "course"),
    "updateIntake": ("course_id", "course"),
}


async def pending_rows(db: Database) -> list[tuple[uuid.UUID | None, ...]]:
    async with db.reader() as session:
        rows = await session.execute(
            select(CatalogChange.course_id, CatalogChange.provider_id, CatalogChange.location_id)
            .where(CatalogChange.processed_at.is_(None))
            .order_by(CatalogChange.id)
        )
        return [tuple(row) for row in rows]


async def execute(db: Database, statement: str, **values: object) -> None:
    async with db.transaction() as session:
        await session.execute(text(statement), values)


def _subject(world: World, name: str) -> uuid.UUID:
    kind = {"provider": "Provider", "location": "Location", "intake": "Intake"}.get(name, "Course")
    return ids.decode(kind, getattr(world, name))


def test_every_search_relevant_mutation_is_covered() -> None:
    # A new location has no intakes yet, so nothing in search changes.
    assert set(OPERATIONS) - set(EXPECTED_SUBJECT) == {"createLocation"}


@pytest.mark.parametrize("operation", EXPECTED_SUBJECT)
async def test_a_catalog_change_records_one_change_row(
    db: Database, gql: GraphQLClient, operation: str
) -> None:
    world = await build_world(db)
    admin = await platform_admin(db)
    spec = OPERATIONS[operation]
    await settle_changes(db)

    result = await gql(spec.query, spec.variables(world), token=admin.token)

    data = result.ok()
    column, name = EXPECTED_SUBJECT[operation]
    subject = (
        _subject(world, name) if name else ids.decode("Course", next(iter(data.values()))["id"])
    )
    expected = tuple(subject if c == column else None for c in SUBJECT_COLUMNS)
    assert await pending_rows(db) == [expected]


SUBJECT_COLUMNS = ("course_id", "provider_id", "location_id")


async def test_a_refused_change_records_nothing(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    other = await provider_staff(db, await add_provider(db))
    await settle_changes(db)

    result = await gql(OPERATIONS["updateCourse"].query, {"id": world.course}, token=other.token)

    assert result.error_code == "FORBIDDEN"
    assert await pending_rows(db) == []


async def test_a_rolled_back_change_leaves_no_change_row(db: Database) -> None:
    provider_id = await add_provider(db)
    course_id = await add_course(db, provider_id)
    staff = await provider_staff(db, provider_id)
    await settle_changes(db)

    async def change_then_fail() -> None:
        async with db.transaction() as session:
            actor = await actor_for_token(session, staff.token)
            await service.update_course(session, actor, course_id, {"price_cents": 250_000})
            raise RuntimeError("a later step failed")

    with pytest.raises(RuntimeError, match="later step failed"):
        await change_then_fail()

    assert await pending_rows(db) == []


async def test_any_writer_records_a_change_once_per_statement(db: Database) -> None:
    provider_id = await add_provider(db)
    course_id = await add_course(db, provider_id)
    for _ in range(3):
        await add_intake(db, course_id)
    await settle_changes(db)

    # The enrollment domain's seat count, written by no catalog verb: three intakes in one
    # statement record their course once.
    await execute(
        db, "UPDATE intakes SET seats_taken = seats_taken + 1 WHERE course_id = :c", c=course_id
    )
    # A provider's new name shows in search; another organisation's does not matter to it.
    await execute(db, "UPDATE organisations SET name = name || ' BV' WHERE id = :p", p=provider_id)
    await execute(db, "UPDATE organisations SET name = name WHERE id = :p", p=provider_id)
    await execute(db, "DELETE FROM courses WHERE id = :c", c=course_id)

    assert await pending_rows(db) == [
        (course_id, None, None),
        (None, provider_id, None),
        # The course, and its intakes deleted with it.
        (course_id, None, None),
        (course_id, None, None),
    ]


async def test_changes_expand_to_the_courses_they_touch(db: Database) -> None:
    provider_id = await add_provider(db)
    north = await add_location(db, provider_id)
    south = await add_location(db, provider_id)
    at_north = await add_course(db, provider_id)
    at_south = await add_course(db, provider_id)
    await add_intake(db, at_north, north)
    await add_intake(db, at_south, south)
    other_course = await add_course(db, await add_provider(db))
    gone = await add_course(db, provider_id)
    await settle_changes(db)

    await execute(db, "UPDATE locations SET name = 'Noord' WHERE id = :location", location=north)
    await execute(db, "DELETE FROM courses WHERE id = :c", c=gone)
    async with db.transaction() as session:
        by_location = await changes.affected_courses(
            session, await changes.claim_pending(session, 10)
        )
    await execute(db, "UPDATE provider_profiles SET star_rating = NULL WHERE organisation_id = :p",
                  p=provider_id)  # fmt: skip
    await execute(db, "UPDATE courses SET price_cents = 250000 WHERE id = :c", c=other_course)
    async with db.transaction() as session:
        pending = await changes.claim_pending(session, 10)
        everything = await changes.affected_courses(session, pending)

    # A course that no longer exists is still named: it must leave the index.
    assert by_location == {at_north, gone}
    assert everything == {at_north, at_south, other_course, gone}


async def test_processed_rows_are_purged_after_a_while_and_can_be_reopened(db: Database) -> None:
    async with db.transaction() as session:
        session.add_all(CatalogChange(course_id=uuid.uuid4()) for _ in range(3))
    async with db.transaction() as session:
        [first, second, _third] = await changes.claim_pending(session, 10)
        await changes.mark_processed(session, [first.id, second.id])
        # The first was processed two days ago.
        await session.execute(
            update(CatalogChange)
            .where(CatalogChange.id == first.id)
            .values(processed_at=func.now() - timedelta(days=2))
        )

    async with db.transaction() as session:
        purged = await changes.purge_processed(session, timedelta(days=1))
        pending = await changes.pending_count(session)
    async with db.transaction() as session:
        since = await session.scalar(select(func.min(CatalogChange.created_at)))
        assert since is not None
        reopened = await changes.reopen_since(session, since)
        pending_after = await changes.pending_count(session)

    assert (purged, pending) == (1, 1)
    assert (reopened, pending_after) == (1, 2)
