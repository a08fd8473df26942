"""The transactional outbox: jobs and events queued in the business transaction run when it
commits, once, and never when it rolls back."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

import pytest
from procrastinate import App, Blueprint
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from market import worker
from market.db import jobs, outbox
from market.db.database import Database
from market.kernel.events import Event


@dataclass(frozen=True, slots=True)
class SeatTaken(Event):
    name: ClassVar[str] = "test.seat_taken"
    intake_id: uuid.UUID
    starts_on: date


@dataclass(frozen=True, slots=True)
class Unheard(Event):
    name: ClassVar[str] = "test.unheard"


class Ran:
    """What the test's tasks were run with, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def blueprint(self) -> Blueprint:
        tasks = Blueprint()

        @tasks.task(name="note", queue="test")
        async def note(value: str) -> None:
            self.calls.append(("note", value))

        @tasks.task(name="mail", queue="test")
        async def mail(event: dict[str, Any]) -> None:
            self.calls.append(("mail", outbox.received(SeatTaken, event)))

        @tasks.task(name="webhook", queue="test")
        async def webhook(event: dict[str, Any]) -> None:
            self.calls.append(("webhook", outbox.received(SeatTaken, event)))

        return tasks


def job_app(db: Database, ran: Ran) -> App:
    app = worker.job_app(
        db.url,
        subscriptions=outbox.subscriptions((SeatTaken, "test:mail"), (SeatTaken, "test:webhook")),
    )
    app.add_tasks_from(ran.blueprint(), namespace="test")
    return app


async def run_jobs(app: App, db: Database) -> None:
    async with app.open_async():
        # wait=False: work until the queues are empty, then return.
        await app.run_worker_async(
            queues=["test", outbox.QUEUE],
            wait=False,
            install_signal_handlers=False,
            additional_context=jobs.job_context(db),
        )


async def in_a_failed_transaction(
    db: Database, queue: Callable[[AsyncSession], Awaitable[object]]
) -> None:
    """Queue something, then fail before the commit."""

    async def attempt() -> None:
        async with db.transaction() as session:
            await queue(session)
            raise RuntimeError("a later step failed")

    with pytest.raises(RuntimeError, match="a later step failed"):
        await attempt()


async def queued(db: Database) -> list[tuple[str, str, dict[str, Any]]]:
    async with db.reader() as session:
        rows = await session.execute(
            text(
                "SELECT task_name, status::text, args FROM procrastinate_jobs"
                " WHERE queue_name IN ('test', 'events') ORDER BY id"
            )
        )
        return [(task, status, args) for task, status, args in rows]


async def test_a_job_deferred_in_a_transaction_runs_once_if_it_commits_and_never_if_not(
    db: Database,
) -> None:
    ran = Ran()
    async with db.transaction() as session:
        await outbox.defer(session, "test:note", queue="test", args={"value": "committed"})
    await in_a_failed_transaction(
        db, lambda session: outbox.defer(session, "test:note", queue="test", args={"value": "no"})
    )

    assert await queued(db) == [("test:note", "todo", {"value": "committed"})]
    await run_jobs(job_app(db, ran), db)
    await run_jobs(job_app(db, ran), db)

    assert ran.calls == [("note", "committed")]
    assert await queued(db) == [("test:note", "succeeded", {"value": "committed"})]


async def test_an_event_reaches_each_handler_once_as_its_own_job(db: Database) -> None:
    ran = Ran()
    intake = uuid.uuid4()
    async with db.transaction() as session:
        event_id = await outbox.record(session, SeatTaken(intake, date(2027, 3, 1)))
        await outbox.record(session, Unheard())
    await in_a_failed_transaction(
        db, lambda session: outbox.record(session, SeatTaken(uuid.uuid4(), date(2027, 3, 1)))
    )

    await run_jobs(job_app(db, ran), db)

    delivered = outbox.Delivery(event_id, SeatTaken(intake, date(2027, 3, 1)))
    assert sorted(ran.calls, key=lambda call: call[0]) == [
        ("mail", delivered),
        ("webhook", delivered),
    ]
    # Two dispatches (the unheard event's defers nothing), then one job per handler.
    assert [(task, status) for task, status, _ in await queued(db)] == [
        (outbox.DISPATCH, "succeeded"),
        (outbox.DISPATCH, "succeeded"),
        ("test:mail", "succeeded"),
        ("test:webhook", "succeeded"),
    ]


def test_a_handler_refuses_an_event_of_another_name() -> None:
    message = {"id": str(uuid.uuid4()), "name": Unheard.name, "data": {}}

    with pytest.raises(ValueError, match=r"expected a test\.seat_taken event"):
        outbox.received(SeatTaken, message)


def test_every_subscribed_handler_is_a_task_of_the_worker() -> None:
    queue = worker.job_app("postgresql+asyncpg://unused/unused")
    handlers = {task for tasks in worker.SUBSCRIPTIONS.values() for task in tasks}

    assert handlers <= set(queue.tasks)
    assert outbox.DISPATCH in queue.tasks
