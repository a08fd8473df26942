"""Tenders' background jobs, registered under the `tenders` namespace: every minute, the
chronograph makes the transitions whose deadline has passed (market.tenders.schedule)."""

from __future__ import annotations

import structlog
from procrastinate import Blueprint, JobContext

from market.db import jobs
from market.tenders import schedule

log = structlog.get_logger("market.tenders.tasks")


async def advance_tenders(context: JobContext, timestamp: int) -> None:
    async with jobs.transaction(context) as session:
        steps = await schedule.advance_due(session)
    for step in steps:
        log.info(
            "tender deadline passed",
            tender_id=str(step.tender_id),
            before=step.before.value,
            after=step.after.value,
            due_at=step.due_at.isoformat(),
            scheduled_for=timestamp,
        )


def blueprint() -> Blueprint:
    """A fresh set of task objects per App (see market.identity.tasks)."""
    tasks = Blueprint()
    task = tasks.task(name="advance_tenders", pass_context=True)(advance_tenders)
    tasks.periodic(cron="* * * * *")(task)
    return tasks
