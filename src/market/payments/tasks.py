"""Payments' background jobs, registered under the `payments` namespace: processing a
stored Stripe event, refunding, the refund of a cancelled booking (subscribed to
enrollment's EnrollmentCancelled in market.worker.SUBSCRIPTIONS), and the reconciliation
sweep every minute that re-queues stored events never processed."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from procrastinate import Blueprint, JobContext, RetryStrategy

from market.db import jobs, outbox
from market.enrollment.events import EnrollmentCancelled
from market.payments import service
from market.payments.service import Payments

log = structlog.get_logger("market.payments.tasks")

QUEUE = service.QUEUE
REFUND_CANCELLED = "payments:refund_cancelled"
# Stripe down for a while: waits that double (2 s, 4 s...), about 9 hours of attempts.
RETRY = RetryStrategy(max_attempts=15, exponential_wait=2)
_PAYMENTS = "payments"


def job_context(payments: Payments | None) -> dict[str, Any]:
    """What the worker adds to every job's context: Stripe and the rules (None: online
    payment is off, and these jobs fail until it is configured)."""
    return {_PAYMENTS: payments}


def _payments(context: JobContext) -> Payments:
    payments: Payments | None = context.additional_context.get(_PAYMENTS)
    if payments is None:
        raise RuntimeError("payments are not configured (MARKET_STRIPE_SECRET_KEY)")
    return payments


async def process_stripe_event(context: JobContext, event_id: str) -> None:
    async with jobs.transaction(context) as session:
        outcome = await service.process_event(session, _payments(context), event_id)
    log.info("stripe event", event_id=event_id, outcome=outcome.value)


async def refund_payment(
    context: JobContext, payment_id: str, reason: str, amount_cents: int
) -> None:
    async with jobs.transaction(context) as session:
        made = await service.refund_payment(
            session, _payments(context), uuid.UUID(payment_id), reason, amount_cents
        )
    log.info("refund", payment_id=payment_id, reason=reason, refund=made and made.id)


async def refund_cancelled(context: JobContext, event: dict[str, Any]) -> None:
    delivery = outbox.received(EnrollmentCancelled, event)
    cancelled = delivery.event
    if cancelled.refund_cents <= 0:
        return
    async with jobs.transaction(context) as session:
        made = await service.refund_cancelled(
            session, _payments(context), cancelled.enrollment_id, cancelled.refund_cents
        )
    log.info(
        "cancellation refund", enrollment_id=str(cancelled.enrollment_id), refund=made and made.id
    )


async def reconcile_stripe_events(context: JobContext, timestamp: int) -> None:
    async with jobs.transaction(context) as session:
        queued = await service.reconcile(session)
    if queued:
        log.info("re-queued stripe events", queued=queued, scheduled_for=timestamp)


def blueprint() -> Blueprint:
    """A fresh set of task objects per App (see market.identity.tasks)."""
    tasks = Blueprint()
    for handler in (process_stripe_event, refund_payment, refund_cancelled):
        tasks.task(name=handler.__name__, queue=QUEUE, pass_context=True, retry=RETRY)(handler)
    sweep = tasks.task(name="reconcile_stripe_events", queue=QUEUE, pass_context=True)(
        reconcile_stripe_events
    )
    tasks.periodic(cron="* * * * *")(sweep)
    return tasks
