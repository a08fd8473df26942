"""Every catalog change that search must see records one outbox row, in the same
transaction as the change: committed with it, gone when it rolls back."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from market.api.graphql import ids
from market.catalog import outbox, service
from market.catalog.models import CatalogChange
from market.db.database import Database
from market.identity.service import actor_for_token
from tests.catalog.test_authorization import OPERATIONS, World, build_world
from tests.support.actors import platform_admin, provider_staff
from tests.support.catalog import add_course, add_intake, add_location, add_provider
from tests.support.graphql import GraphQLClient

# What each mutation's outbox row names: (column, the world's id it holds).
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


async def outbox_rows(db: Database) -> list[tuple[uuid.UUID | None, ...]]:
    async with db.reader() as session:
        rows = await session.execute(
            select(
                CatalogChange.course_id, CatalogChange.provider_id, CatalogChange.location_id
            ).order_by(CatalogChange.id)
        )
        return [tuple(row) for row in rows]


def _subject(world: World, name: str) -> uuid.UUID:
    kind = {"provider": "Provider", "location": "Location", "intake": "Intake"}.get(name, "Course")
    return ids.decode(kind, getattr(world, name))


def test_every_search_relevant_mutation_is_covered() -> None:
    # A new location has no intakes yet, so nothing in search changes.
    assert set(OPERATIONS) - set(EXPECTED_SUBJECT) == {"createLocation"}


@pytest.mark.parametrize("operation", EXPECTED_SUBJECT)
async def test_a_catalog_change_records_one_outbox_row(
    db: Database, gql: GraphQLClient, operation: str
) -> None:
    world = await build_world(db)
    admin = await platform_admin(db)
    spec = OPERATIONS[operation]

    result = await gql(spec.query, spec.variables(world), token=admin.token)

    data = result.ok()
    column, name = EXPECTED_SUBJECT[operation]
    subject = (
        _subject(world, name) if name else ids.decode("Course", next(iter(data.values()))["id"])
    )
    expected = tuple(subject if c == column else None for c in OUTBOX_COLUMNS)
    assert await outbox_rows(db) == [expected]


OUTBOX_COLUMNS = ("course_id", "provider_id", "location_id")


async def test_a_refused_change_records_nothing(db: Database, gql: GraphQLClient) -> None:
    world = await build_world(db)
    other = await provider_staff(db, await add_provider(db))

    result = await gql(OPERATIONS["updateCourse"].query, {"id": world.course}, token=other.token)

    assert result.error_code == "FORBIDDEN"
    assert await outbox_rows(db) == []


async def test_a_rolled_back_change_leaves_no_outbox_row(db: Database) -> None:
    provider_id = await add_provider(db)
    course_id = await add_course(db, provider_id)
    staff = await provider_staff(db, provider_id)

    async def change_then_fail() -> None:
        async with db.transaction() as session:
            actor = await actor_for_token(session, staff.token)
            await service.update_course(session, actor, course_id, {"price_cents": 250_000})
            raise RuntimeError("a later step failed")

    with pytest.raises(RuntimeError, match="later step failed"):
        await change_then_fail()

    assert await outbox_rows(db) == []


async def test_changes_expand_to_the_courses_they_touch(db: Database) -> None:
    provider_id = await add_provider(db)
    north = await add_location(db, provider_id)
    south = await add_location(db, provider_id)
    at_north = await add_course(db, provider_id)
    at_south = await add_course(db, provider_id)
    await add_intake(db, at_north, north)
    await add_intake(db, at_south, south)
    other_course = await add_course(db, await add_provider(db))
    gone = uuid.uuid4()

    async with db.transaction() as session:
        outbox.location_changed(session, north)
        outbox.course_changed(session, gone)
    async with db.transaction() as session:
        by_location = await outbox.affected_courses(
            session, await outbox.claim_pending(session, 10)
        )
    async with db.transaction() as session:
        outbox.provider_changed(session, provider_id)
        outbox.course_changed(session, other_course)
    async with db.transaction() as session:
        pending = await outbox.claim_pending(session, 10)
        everything = await outbox.affected_courses(session, pending)

    # A course that no longer exists is still named: it must leave the index.
    assert by_location == {at_north, gone}
    assert everything == {at_north, at_south, other_course, gone}


async def test_processed_rows_are_purged_after_a_while_and_can_be_reopened(db: Database) -> None:
    course_id = await add_course(db, await add_provider(db))
    async with db.transaction() as session:
        for _ in range(3):
            outbox.course_changed(session, course_id)
    async with db.transaction() as session:
        [first, second, _third] = await outbox.claim_pending(session, 10)
        await outbox.mark_processed(session, [first.id, second.id])
        # The first was processed two days ago.
        await session.execute(
            update(CatalogChange)
            .where(CatalogChange.id == first.id)
            .values(processed_at=func.now() - timedelta(days=2))
        )

    async with db.transaction() as session:
        purged = await outbox.purge_processed(session, timedelta(days=1))
        pending = await outbox.pending_count(session)
    async with db.transaction() as session:
        since = await session.scalar(select(func.min(CatalogChange.created_at)))
        assert since is not None
        reopened = await outbox.reopen_since(session, since)
        pending_after = await outbox.pending_count(session)

    assert (purged, pending) == (1, 1)
    assert (reopened, pending_after) == (1, 2)
