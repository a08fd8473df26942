"""Identity's background jobs. `blueprint()` declares them; the worker registers them under
the `identity` namespace (e.g. `identity:purge_expired_credentials`)."""

from __future__ import annotations

import structlog
from procrastinate import Blueprint, JobContext

from market.db import jobs
from market.identity import service

log = structlog.get_logger("market.identity.tasks")

HOURLY = "17 * * * *"  # off the hour, away from everyone else's hourly jobs


async def purge_expired_credentials(context: JobContext, timestamp: int) -> None:
    """Remove expired and revoked tokens, stale login failures and lapsed invitations."""
    async with jobs.transaction(context) as session:
        removed = await service.purge_expired_credentials(session)
    log.info("purged expired credentials", removed=removed, scheduled_for=timestamp)


def blueprint() -> Blueprint:
    """A fresh set of task objects: procrastinate renames a blueprint's tasks when an App
    adopts them, so every App (one per process, several in tests) needs its own."""
    tasks = Blueprint()
    task = tasks.task(name="purge_expired_credentials", pass_context=True)(
        purge_expired_credentials
    )
    tasks.periodic(cron=HOURLY)(task)
    return tasks
