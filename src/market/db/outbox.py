"""The transactional outbox: whatever a change sets in motion is queued in the change's own
transaction, so it is queued exactly when the change commits, never for a change that rolls
back, and nothing has to survive in memory between the commit and the queueing.

The outbox is procrastinate's job table, written on the session's own connection. Its
`defer_async` would insert the job over a connection of its own, outside the business
transaction (a job for a rolled-back change, or none for a committed one if the process
dies in between); `defer` below calls the same SQL function, `procrastinate_defer_jobs_v1`,
inside the caller's transaction instead. So there is no second table and no relay to poll:
the job row commits or rolls back with the change, and procrastinate's insert trigger
notifies the listening worker at commit.

Two ways in:

- `defer(session, task, args)`: a job the domain itself wants run (a hold that lapses, a
  payment to re-fetch).
- `record(session, event)`: a fact of the domain (`market.kernel.events.Event`) for whoever
  subscribed to it, without the domain knowing who: mails, webhooks, other domains. It
  defers one `outbox:dispatch` job; that job, in its own transaction, defers one job per
  handler subscribed to the event's name (the worker assembles the subscriptions, see
  `market.worker`), so each handler runs and retries alone: a failing webhook never sends a
  mail twice. Delivery is at least once (a worker killed after the dispatch committed but
  before its job was marked done dispatches again), so a handler makes its effect
  idempotent with the event's id, which stays the same on every delivery.

Jobs deferred here carry no procrastinate queueing lock: a second job under a lock already
waiting fails with a unique violation, which would abort the business transaction, and a
concurrent transaction holding the lock would block it until that one ends. A consumer that
wants its work coalesced reads what is pending itself, as the search sync does.

What the catalog changes for search is not written here but by triggers on the catalog's
tables, into `catalog_changes` (market.catalog.changes): search re-reads courses, and
coalesces many changes into one index write per batch, so it wants a feed of what changed
rather than a job per write (a seat count changes on every booking).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec
from procrastinate import Blueprint, JobContext
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from market.db import jobs
from market.kernel.events import Event

E = TypeVar("E", bound=Event)

NAMESPACE = "outbox"
QUEUE = "events"
DISPATCH = f"{NAMESPACE}:dispatch"

# An event's name -> the names of the tasks that handle it ("<namespace>:<task>").
Subscriptions = Mapping[str, tuple[str, ...]]

_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), 0, NULL, NULL, :args, NULL"
    ")]::procrastinate_job_to_defer_v1[]))"
).bindparams(bindparam("args", type_=JSONB))


async def defer(session: AsyncSession, task: str, *, queue: str, args: dict[str, Any]) -> int:
    """Queue `task` (its full name) with `args` (JSON values) on `queue`, in the session's
    transaction; returns the job's id."""
    job_id = await session.scalar(_DEFER, {"queue": queue, "task": task, "args": args})
    assert job_id is not None
    return int(job_id)


async def record(session: AsyncSession, event: Event) -> uuid.UUID:
    """State `event` in the session's transaction for its subscribers; returns its id."""
    event_id = uuid.uuid4()
    message = {"id": str(event_id), "name": event.name, "data": msgspec.to_builtins(event)}
    await defer(session, DISPATCH, queue=QUEUE, args={"event": message})
    return event_id


def subscriptions(*handlers: tuple[type[Event], str]) -> Subscriptions:
    """The handlers (event type, full task name) grouped by event name."""
    grouped: dict[str, tuple[str, ...]] = {}
    for event, task in handlers:
        grouped[event.name] = (*grouped.get(event.name, ()), task)
    return grouped


@dataclass(frozen=True, slots=True)
class Delivery(Generic[E]):
    """An event as its handler receives it; `id` is the same on every delivery."""

    id: uuid.UUID
    event: E


def received(event_type: type[E], message: dict[str, Any]) -> Delivery[E]:
    """The typed event in a handler's `event` argument."""
    if message["name"] != event_type.name:
        raise ValueError(f"expected a {event_type.name} event, got {message['name']}")
    return Delivery(uuid.UUID(message["id"]), msgspec.convert(message["data"], event_type))


def blueprint(handlers: Subscriptions) -> Blueprint:
    """The dispatch task for `handlers`, to be added under NAMESPACE."""
    tasks = Blueprint()

    async def dispatch(context: JobContext, event: dict[str, Any]) -> None:
        async with jobs.transaction(context) as session:
            for task in handlers.get(event["name"], ()):
                queue = context.app.tasks[task].queue
                await defer(session, task, queue=queue, args={"event": event})

    tasks.task(name="dispatch", queue=QUEUE, pass_context=True)(dispatch)
    return tasks
