"""Notifications' background jobs. `blueprint()` declares them; the worker registers them
under the `notifications` namespace and subscribes the mail handlers to their events
(`market.worker.SUBSCRIPTIONS`): identity's two mails, and one job per booking mail
(`market.notifications.bookings.BOOKING_MAILS`, named by `mail_task`), and one job per
tender event that mails its parties (`market.notifications.tenders.TENDER_MAILS`, named
the same way). Each handler sends at most one mail per event id and recipient and is
retried when sending fails (a mail server down for a while)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from procrastinate import Blueprint, JobContext, RetryStrategy

from market.db import jobs, outbox
from market.identity.events import InvitationIssued, RegistrationForExistingEmail
from market.kernel.events import Event
from market.notifications import bookings, service, tenders
from market.notifications.bookings import BookingMail
from market.notifications.service import Post
from market.notifications.tenders import TenderMail

log = structlog.get_logger("market.notifications.tasks")

QUEUE = "mail"
DAILY = "23 3 * * *"
# A mail server down for a while: waits that double (2 s, 4 s, 8 s...) up to some 9 hours,
# about 18 hours of attempts in all; then the job stays failed, to be looked into.
RETRY = RetryStrategy(max_attempts=15, exponential_wait=2)
_POST = "post"

NAMESPACE = "notifications"
MAIL_EXISTING_ACCOUNT = f"{NAMESPACE}:mail_existing_account"
MAIL_INVITATION = f"{NAMESPACE}:mail_invitation"


def _mail_task(event: type[Event]) -> str:
    return "mail_" + event.name.replace(".", "_")


def mail_task(event: type[Event]) -> str:
    """The full name of the job that mails about `event` (a BOOKING_MAILS or TENDER_MAILS
    entry), e.g. `notifications:mail_enrollment_seat_held`."""
    return f"{NAMESPACE}:{_mail_task(event)}"


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


def _booking_handler(
    spec: BookingMail[Any, Any],
) -> Callable[[JobContext, dict[str, Any]], Awaitable[None]]:
    async def mail_learner(context: JobContext, event: dict[str, Any]) -> None:
        delivery = outbox.received(spec.event, event)
        async with jobs.transaction(context) as session:
            sent = await bookings.mail_learner(session, _post(context), spec, delivery)
        log.info("booking mail", event_name=spec.event.name, event_id=str(delivery.id), sent=sent)

    return mail_learner


def _tender_handler(
    spec: TenderMail[Any],
) -> Callable[[JobContext, dict[str, Any]], Awaitable[None]]:
    async def mail_parties(context: JobContext, event: dict[str, Any]) -> None:
        delivery = outbox.received(spec.event, event)
        async with jobs.transaction(context) as session:
            outgoing = await spec.write(session, delivery)
        sent = 0
        # Each mail claimed and sent in a transaction of its own: when sending one fails,
        # those sent before it stay claimed, and the job's retry sends only the rest.
        for mail in outgoing:
            async with jobs.transaction(context) as session:
                sent += await tenders.send(session, _post(context), mail)
        log.info(
            "tender mails",
            event_name=spec.event.name,
            event_id=str(delivery.id),
            written=len(outgoing),
            sent=sent,
        )

    return mail_parties


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
    for spec in bookings.BOOKING_MAILS:
        name = _mail_task(spec.event)
        tasks.task(name=name, queue=QUEUE, pass_context=True, retry=RETRY)(_booking_handler(spec))
    for tender_mail in tenders.TENDER_MAILS:
        name = _mail_task(tender_mail.event)
        mail_parties = _tender_handler(tender_mail)
        tasks.task(name=name, queue=QUEUE, pass_context=True, retry=RETRY)(mail_parties)
    purge = tasks.task(name="purge_sent_mails", pass_context=True)(purge_sent_mails)
    tasks.periodic(cron=DAILY)(purge)
    return tasks
