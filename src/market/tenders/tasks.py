"""Tenders' background jobs, registered under the `tenders` namespace: every minute, the
chronograph makes the transitions whose deadline has passed (market.tenders.schedule);
every hour, uploads left unattached for a day are forgotten (market.tenders.documents)."""

from __future__ import annotations

from typing import Any

import structlog
from procrastinate import Blueprint, JobContext

from market.db import jobs
from market.files import FileStore
from market.tenders import documents, schedule

_FILES = "files"

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


def job_context(files: FileStore | None) -> dict[str, Any]:
    """What the worker adds to every job's context: the documents' store."""
    return {_FILES: files}


async def forget_abandoned_uploads(context: JobContext, timestamp: int) -> None:
    files: FileStore | None = context.additional_context.get(_FILES)
    if files is None:
        return
    async with jobs.transaction(context) as session:
        forgotten = await documents.forget_abandoned(session, files)
    if forgotten:
        log.info("abandoned uploads forgotten", count=forgotten, scheduled_for=timestamp)


def blueprint() -> Blueprint:
    """A fresh set of task objects per App (see market.identity.tasks)."""
    tasks = Blueprint()
    task = tasks.task(name="advance_tenders", pass_context=True)(advance_tenders)
    tasks.periodic(cron="* * * * *")(task)
    forget = tasks.task(name="forget_abandoned_uploads", pass_context=True)(
        forget_abandoned_uploads
    )
    tasks.periodic(cron="17 * * * *")(forget)
    return tasks
