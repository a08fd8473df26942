"""Keeping the Meilisearch index true: the drain of catalog changes sends each changed course's
documents (and removals) and marks its rows processed; a failure keeps them pending; a
rebuild creates, fills, swaps and deletes in that order. Meilisearch's HTTP API is
played by tests/support/meilisearch.py."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from meilisearch_python_sdk.errors import MeilisearchTaskFailedError
from sqlalchemy import select

from market import worker
from market.catalog import changes
from market.catalog.models import CatalogChange, CourseStatus, Format, ScheduleKind
from market.db import jobs
from market.db.database import Database
from market.search import indexer, tasks
from market.search.documents import day_number
from tests.search.contracts import contract, move_term
from tests.support.catalog import (
    add_course,
    add_intake,
    add_location,
    add_provider,
    settle_changes,
    today,
)
from tests.support.meilisearch import FakeMeilisearch

SEARCH_DIR = Path(__file__).resolve().parents[2] / "search"


async def pending(db: Database) -> int:
    async with db.reader() as session:
        return await changes.pending_count(session)


async def only_pending(db: Database, *course_ids: uuid.UUID) -> None:
    """The drain finds these courses changed, and nothing else (arranging them recorded
    changes of its own)."""
    await settle_changes(db)
    async with db.transaction() as session:
        session.add_all(CatalogChange(course_id=course_id) for course_id in course_ids)


async def test_the_drain_sends_documents_and_removals_and_marks_rows_processed(
    db: Database,
) -> None:
    provider = await add_provider(db, name="Taalschool De Brug")
    location = await add_location(db, provider, name="Centrum")
    course = await add_course(
        db,
        provider,
        title="Avondles NT2",
        price_cents=360_000,
        total_hours=240,
        language_hours=200,
        schedule_kinds=[ScheduleKind.EVENING],
        support_languages=["ti", "ar"],
    )
    starts = today() + timedelta(days=14)
    upcoming = await add_intake(db, course, location, starts_on=starts, seats_taken=12)
    started = await add_intake(db, course, location, starts_on=today() - timedelta(days=1))
    draft = await add_course(db, provider, status=CourseStatus.DRAFT)
    draft_intake = await add_intake(db, draft, location)
    unrated = await add_provider(db, certified=False)
    online = await add_course(db, unrated, format=Format.ONLINE)
    continuous = await add_intake(db, online)
    gone = uuid.uuid4()
    await only_pending(db, course, draft, online, gone)
    fake = FakeMeilisearch()

    applied = await indexer.drain(db.transaction, fake.engine())

    assert applied == 4
    assert await pending(db) == 0
    assert fake.calls == [
        ("POST", "/indexes/courses/documents"),
        ("POST", "/indexes/courses/documents/delete-batch"),
        ("POST", "/indexes/courses/documents/delete"),
    ]
    [documents] = fake.bodies("POST", "/indexes/courses/documents")
    by_id = {d["id"]: d for d in documents}
    assert set(by_id) == {str(upcoming), str(continuous)}
    dated = by_id[str(upcoming)]
    # The intake is full (12 of 12 seats): the next learner starts a week later.
    assert {k: dated[k] for k in DATED_KEYS} == {
        "course_id": str(course),
        "title": "Avondles NT2",
        "provider_name": "Taalschool De Brug",
        "route": "b1",
        "level": "b1",
        "format": "classroom",
        "schedule_kinds": ["evening"],
        "price_cents": 360_000,
        "price_per_hour_cents": 1_500,
        "price_band": "2500_5000",
        "star_rating": 3,
        "continuous": False,
        "starts_on": day_number(starts),
        "delay_days": 7,
        "expected_start": day_number(starts) + 7,
        "municipality_code": "GM0363",
        "region_code": "AM18",
        "location_name": "Centrum",
        "_geo": {"lat": 52.37, "lng": 4.90},
        "contracted_by": [],
        "support_languages": ["ti", "ar"],
    }
    assert dated["certification_valid_until"] == day_number(today() + timedelta(days=365))
    online_document = by_id[str(continuous)]
    assert online_document["continuous"] is True
    # Unrated after aspirant (0) when sorting by stars; no mark, so no validity days.
    assert online_document["star_rating"] == -1
    assert "certification_valid_from" not in online_document
    assert online_document["expected_start"] == day_number(today())
    assert "_geo" not in online_document
    assert "region_code" not in online_document
    assert fake.bodies("POST", "/indexes/courses/documents/delete-batch") == [
        sorted([str(started), str(draft_intake)])
    ]
    assert fake.bodies("POST", "/indexes/courses/documents/delete") == [
        {"filter": f'course_id IN ["{gone}"]'}
    ]


DATED_KEYS = (
    "course_id", "title", "provider_name", "route", "level", "format", "schedule_kinds",
    "price_cents", "price_per_hour_cents", "price_band", "star_rating", "continuous",
    "starts_on", "delay_days", "expected_start", "municipality_code", "region_code",
    "location_name", "_geo", "contracted_by", "support_languages",
)  # fmt: skip


async def test_a_failed_index_task_leaves_the_rows_pending(db: Database) -> None:
    course = await add_course(db, await add_provider(db))
    await add_intake(db, course)
    await only_pending(db, course)
    fake = FakeMeilisearch(task_status="failed")

    with pytest.raises(MeilisearchTaskFailedError):
        await indexer.drain(db.transaction, fake.engine())

    assert await pending(db) == 1


async def test_without_meilisearch_rows_are_marked_processed_and_later_purged(
    db: Database,
) -> None:
    course = await add_course(db, await add_provider(db))
    await only_pending(db, course, course)

    assert await indexer.drain(db.transaction, None) == 2
    assert await pending(db) == 0
    async with db.transaction() as session:
        # Nothing is old enough yet.
        assert await indexer.purge(session) == 0


async def test_a_new_day_queues_continuous_and_just_started_courses(db: Database) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider)
    continuous = await add_course(db, provider)
    await add_intake(db, continuous, location)
    started = await add_course(db, provider)
    await add_intake(db, started, location, starts_on=today() - timedelta(days=1))
    later = await add_course(db, provider)
    await add_intake(db, later, location, starts_on=today() + timedelta(days=30))
    draft = await add_course(db, provider, status=CourseStatus.DRAFT)
    await add_intake(db, draft, location)
    await settle_changes(db)

    async with db.transaction() as session:
        assert await indexer.record_new_day(session) == 2
    async with db.reader() as session:
        queued = set(
            await session.scalars(
                select(CatalogChange.course_id).where(CatalogChange.processed_at.is_(None))
            )
        )
    assert queued == {continuous, started}


@pytest.mark.parametrize("live_exists", [True, False])
async def test_reindex_builds_a_new_index_then_swaps_and_deletes(
    db: Database, live_exists: bool
) -> None:
    provider = await add_provider(db)
    for _ in range(3):
        await add_intake(db, await add_course(db, provider))
    await add_course(db, provider, status=CourseStatus.DRAFT)
    await add_course(db, provider)
    async with db.transaction() as session:
        # The changes arranging recorded, processed just before the rebuild.
        recorded = await indexer.apply_pending(session, None)
    fake = FakeMeilisearch(indexes={"courses"} if live_exists else set())

    rebuilt = await indexer.reindex(db, fake.engine(), SEARCH_DIR, batch=2)

    new = rebuilt.index
    assert re.fullmatch(r"courses_\d{14}", new)
    assert (rebuilt.courses, rebuilt.documents, rebuilt.reopened) == (4, 3, recorded)
    create_live = [] if live_exists else [("POST", "/indexes"), ("GET", "/indexes/courses")]
    assert fake.calls == [
        ("POST", "/indexes"),
        ("GET", f"/indexes/{new}"),
        ("PATCH", f"/indexes/{new}/settings"),
        # Two batches of two courses; the fourth course has no intake.
        ("POST", f"/indexes/{new}/documents"),
        ("POST", f"/indexes/{new}/documents"),
        ("GET", "/indexes/courses"),
        *create_live,
        ("POST", "/swap-indexes"),
        ("DELETE", f"/indexes/{new}"),
    ]
    assert fake.bodies("POST", "/swap-indexes") == [[{"indexes": ["courses", new]}]]
    [settings] = fake.bodies("PATCH", f"/indexes/{new}/settings")
    assert settings["distinctAttribute"] == "course_id"
    assert "avondlessen" in settings["synonyms"]["avondles"]
    # Every write (each a task) was waited for.
    polled = [r.path for r in fake.requests if r.path.startswith("/tasks/")]
    assert len(polled) == len([call for call in fake.calls if call[0] != "GET"])
    # Changes processed shortly before the build are applied again to the new index.
    assert await pending(db) == recorded


def test_the_worker_runs_the_index_jobs_periodically() -> None:
    queue = worker.job_app("postgresql+asyncpg://unused/unused")
    crons = {
        p.task.name: p.cron
        for p in queue.periodic_registry.periodic_tasks.values()
        if p.task.name.startswith("search:")
    }

    assert crons == {
        "search:sync_index": "* * * * *",
        "search:record_new_day": "7 23 * * *",
        "search:compact_slots": "37 23 * * *",
        "search:purge": "41 * * * *",
    }


async def test_the_sync_job_drains_the_outbox(db: Database) -> None:
    course = await add_course(db, await add_provider(db))
    await only_pending(db, course)
    queue = worker.job_app(db.url)
    async with queue.open_async():
        await queue.configure_task("search:sync_index").defer_async(timestamp=0)
        await queue.run_worker_async(
            wait=False,
            install_signal_handlers=False,
            additional_context=jobs.job_context(db) | tasks.job_context(None),
        )

    assert await pending(db) == 0


async def test_a_contract_starting_sends_its_providers_documents_with_the_municipality(
    db: Database,
) -> None:
    provider = await add_provider(db)
    course = await add_course(db, provider)
    intake = await add_intake(db, course, await add_location(db, provider))
    signed = await contract(
        db,
        provider,
        "GM0363",
        starts_on=today() + timedelta(days=1),
        ends_on=today() + timedelta(days=90),
    )
    await settle_changes(db)
    fake = FakeMeilisearch()
    # The day it starts: the daily job queues the provider's courses, the drain sends them.
    await move_term(db, signed, today(), today() + timedelta(days=89))
    async with db.transaction() as session:
        assert await indexer.contracts_changed(session) == 1

    assert await indexer.drain(db.transaction, fake.engine()) == 1

    [documents] = fake.bodies("POST", "/indexes/courses/documents")
    assert [(d["id"], d["contracted_by"]) for d in documents] == [(str(intake), ["GM0363"])]
