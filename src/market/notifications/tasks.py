"""Notifications' background jobs. `blueprint()` declares them; the worker registers them
under the `notifications` namespace and subscribes the mail handlers to their events
(`market.worker.SUBSCRIPTIONS`). Each handler sends at most one mail per event id and is
retried when sending fails (a mail server down for a while)."""

from __future__ import annotations

from typing import Any

import structlog
from procrastinate import Blueprint, JobContext, RetryStrategy

from market.db import jobs, outbox
from market.identity.events import InvitationIssued, RegistrationForExistingEmail
from market.notifications import service
from market.notifications.service import Post

log = structlog.get_logger("market.notifications.tasks")

QUEUE = "mail"
DAILY = "23 3 * * *"
# A mail server down for a while: waits that double (2 s, 4 s, 8 s...) up to some 9 hours,
# about 18 hours of attempts in all; then the job stays failed, to be looked into.
RETRY = RetryStrategy(max_attempts=15, exponential_wait=2)
_POST = "post"

MAIL_EXISTING_ACCOUNT = "notifications:mail_existing_account"
MAIL_INVITATION = "notifications:mail_invitation"


def job_context(post: Post) -> dict[str, Any]:
    """What the worker adds to every job's context: where mails go."""
    return {_POST: post}


def _post(context: JobContext) -> Post:
    post: Post = context.additional_context[_POST]
    return post


async def mail_existing_account(context: JobContext, event: dict[str, Any]) -> None:
    delivery = outbox.received(RegistrationForExistingEmail, event)
    async with jobs.transaction(context) as session:
        sent = await service.mail_existing_account(session, _post(context), delivery)
    log.info("existing account mail", event_id=str(delivery.id), sent=sent)


async def mail_invitation(context: JobContext, event: dict[str, Any]) -> None:
    delivery = outbox.received(InvitationIssued, event)
    async with jobs.transaction(context) as session:
        sent = await service.mail_invitation(session, _post(context), delivery)
    log.info("invitation mail", event_id=str(delivery.id), sent=sent)


async def purge_sent_mails(context: JobContext, timestamp: int) -> None:
    async with jobs.transaction(context) as session:
        removed = await service.purge_sent_mails(session)
    log.info("purged sent mails", removed=removed, scheduled_for=timestamp)


def blueprint() -> Blueprint:
    """A fresh set of task objects (procrastinate renames a blueprint's tasks when an App
    adopts them, so every App needs its own)."""
    tasks = Blueprint()
    for handler in (mail_existing_account, mail_invitation):
        tasks.task(name=handler.__name__, queue=QUEUE, pass_context=True, retry=RETRY)(handler)
    purge = tasks.task(name="purge_sent_mails", pass_context=True)(purge_sent_mails)
    tasks.periodic(cron=DAILY)(purge)
    return tasks
