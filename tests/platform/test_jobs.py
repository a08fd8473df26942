"""Background jobs: procrastinate's queue in the application's own database."""

from __future__ import annotations

import asyncio
import dataclasses

import procrastinate
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from market import worker
from market.app import create_app
from market.db import jobs
from market.db.database import Database, libpq_url
from market.identity import tokens
from market.settings import Settings
from tests.platform.jobs import (
    PURGE,
    add_stale_tokens,
    defer_purge,
    job_statuses,
    remaining_token_hashes,
)
from tests.support import actors


async def test_purge_job_removes_expired_and_revoked_tokens_only(db: Database) -> None:
    person = await actors.learner(db)
    await add_stale_tokens(db, person.user_id)
    await defer_purge(db.url)

    queue = worker.job_app(db.url)
    async with queue.open_async():
        # wait=False: work until the queue is empty, then return.
        await queue.run_worker_async(
            wait=False, install_signal_handlers=False, additional_context=jobs.job_context(db)
        )

    assert await job_statuses(db) == ["succeeded"]
    assert await remaining_token_hashes(db) == [tokens.digest(person.token)]


def test_purge_runs_every_hour() -> None:
    queue = worker.job_app("postgresql+asyncpg://unused/unused")
    [periodic] = [
        p for p in queue.periodic_registry.periodic_tasks.values() if p.task.name == PURGE
    ]
    assert periodic.cron == "17 * * * *"


async def test_embedded_worker_runs_jobs_within_the_app_lifespan(
    settings: Settings, db: Database
) -> None:
    person = await actors.learner(db)
    await add_stale_tokens(db, person.user_id)
    app = create_app(dataclasses.replace(settings, embedded_worker=True))

    async with AsyncTestClient(app=app) as http:
        await defer_purge(db.url)
        for _ in range(100):
            if await job_statuses(db) == ["succeeded"]:
                break
            await asyncio.sleep(0.05)
        assert await job_statuses(db) == ["succeeded"]
        assert (await http.get("/healthz")).status_code == 200

    assert await remaining_token_hashes(db) == [tokens.digest(person.token)]
    async with db.reader() as session:
        # A worker that stopped cleanly has unregistered itself.
        workers = await session.scalar(text("SELECT count(*) FROM procrastinate_workers"))
    assert workers == 0


async def test_without_embedded_worker_the_app_leaves_jobs_to_market_worker(
    settings: Settings, db: Database
) -> None:
    person = await actors.learner(db)
    await add_stale_tokens(db, person.user_id)
    async with AsyncTestClient(app=create_app(settings)):
        await defer_purge(db.url)
        await asyncio.sleep(0.3)
        assert await job_statuses(db) == ["todo"]
    assert len(await remaining_token_hashes(db)) == 3


async def test_a_failing_job_rolls_back_its_work(db: Database) -> None:
    person = await actors.learner(db)
    queue = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=libpq_url(db.url)))

    @queue.task(name="delete_tokens_then_fail", pass_context=True)
    async def delete_tokens_then_fail(context: procrastinate.JobContext) -> None:
        async with jobs.transaction(context) as session:
            await session.execute(text("DELETE FROM auth_tokens"))
            raise RuntimeError("half-way")

    async with queue.open_async():
        await delete_tokens_then_fail.defer_async()
        await queue.run_worker_async(
            wait=False, install_signal_handlers=False, additional_context=jobs.job_context(db)
        )

    assert await job_statuses(db, "delete_tokens_then_fail") == ["failed"]
    assert await remaining_token_hashes(db) == [tokens.digest(person.token)]


async def test_finished_jobs_of_every_queue_are_removed_after_a_day(db: Database) -> None:
    # Given two succeeded purge jobs and one failed one, one succeeded a day and more ago
    for _ in range(3):
        await defer_purge(db.url)
    queue = worker.job_app(db.url)
    async with queue.open_async():
        await queue.run_worker_async(
            wait=False, install_signal_handlers=False, additional_context=jobs.job_context(db)
        )
    async with db.transaction() as session:
        ids = list(
            await session.scalars(
                text("SELECT id FROM procrastinate_jobs WHERE task_name = :t ORDER BY id"),
                {"t": PURGE},
            )
        )
        old, recent, failed = ids[-3:]
        await session.execute(
            text("UPDATE procrastinate_events SET at = now() - interval '25 hours'"
                 " WHERE job_id IN (:old, :failed)"),
            {"old": old, "failed": failed},
        )  # fmt: skip
        await session.execute(
            text("UPDATE procrastinate_jobs SET status = 'failed' WHERE id = :id"),
            {"id": failed},
        )

    # When the hourly clean-up runs
    async with queue.open_async():
        await queue.configure_task("platform:remove_finished_jobs").defer_async(timestamp=0)
        await queue.run_worker_async(
            wait=False, install_signal_handlers=False, additional_context=jobs.job_context(db)
        )

    # Then only the old succeeded one is gone
    async with db.reader() as session:
        left = set(await session.scalars(text("SELECT id FROM procrastinate_jobs")))
    assert old not in left
    assert {recent, failed} <= left


def test_finished_jobs_are_removed_hourly() -> None:
    queue = worker.job_app("postgresql+asyncpg://unused/unused")
    crons = {p.task.name: p.cron for p in queue.periodic_registry.periodic_tasks.values()}
    assert crons["platform:remove_finished_jobs"] == "53 * * * *"
