"""Enrollment's background jobs, registered under the `enrollment` namespace: every minute,
holds and waitlist offers past their time are released and their seats offered on, and
seats that came free otherwise (a capacity raised) are offered to the waitlist."""

from __future__ import annotations

from typing import Any

import structlog
from procrastinate import Blueprint, JobContext

from market.db import jobs
from market.enrollment import service
from market.enrollment.policies import BookingRules

log = structlog.get_logger("market.enrollment.tasks")

_RULES = "booking_rules"


def job_context(rules: BookingRules) -> dict[str, Any]:
    """What the worker adds to every job's context."""
    return {_RULES: rules}


async def settle_seats(context: JobContext, timestamp: int) -> None:
    rules: BookingRules = context.additional_context[_RULES]
    async with jobs.transaction(context) as session:
        expired = await service.expire_lapsed(session, rules)
        offered = await service.offer_free_seats(session, rules)
    if expired or offered:
        log.info("settled intakes", expired=expired, offered=offered, scheduled_for=timestamp)


def blueprint() -> Blueprint:
    """A fresh set of task objects per App (see market.identity.tasks)."""
    tasks = Blueprint()
    task = tasks.task(name="settle_seats", pass_context=True)(settle_seats)
    tasks.periodic(cron="* * * * *")(task)
    return tasks
