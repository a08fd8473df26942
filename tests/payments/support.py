"""Arranging bookings and payments, Stripe's side of them, signed webhook deliveries, and
reading what the tables hold."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import stripe
from sqlalchemy import func, select, text

from market import worker
from market.api.graphql import ids
from market.catalog.models import Intake
from market.db import jobs, outbox
from market.db.database import Database
from market.enrollment import service as enrollment_service
from market.enrollment import tasks as enrollment_tasks
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod
from market.identity import service as identity
from market.identity.policies import Actor
from market.payments import local_stripe, service
from market.payments import tasks as payments_tasks
from market.payments.models import LedgerEntry, Payment, StripeEvent
from market.payments.service import Payments
from market.payments.stripe_gateway import signature_header
from market.settings import Settings
from tests.support import actors
from tests.support.actors import Person
from tests.support.catalog import add_course, add_intake, add_provider

WEBHOOK_SECRET = "whsec_test_platform"
CONNECT_WEBHOOK_SECRET = "whsec_test_connect"


def paying_settings(database_url: str, localstripe: local_stripe.LocalStripe) -> Settings:
    """An app's settings taking payments on localstripe, the Connect parameters off
    (localstripe knows no Connect)."""
    return Settings(
        database_url=database_url,
        embedded_worker=False,
        db_pool_size=5,
        stripe_secret_key=local_stripe.SECRET_KEY,
        stripe_publishable_key=local_stripe.PUBLISHABLE_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_connect_webhook_secret=CONNECT_WEBHOOK_SECRET,
        stripe_api_base=localstripe.base,
        stripe_connect=False,
    )


PREPARE = """
mutation Prepare($enrollment: ID!) {
  preparePayment(enrollmentId: $enrollment) {
    enrollmentId clientSecret publishableKey amountCents currency
  }
}
"""
CONFIRM = """
mutation Confirm($enrollment: ID!) {
  confirmPayment(enrollmentId: $enrollment) {
    enrollmentId state amountCents currency refundedCents enrollmentConfirmed refundPending
  }
}
"""


@dataclass(frozen=True)
class Booking:
    enrollment_id: uuid.UUID
    intake_id: uuid.UUID
    provider_id: uuid.UUID
    learner: Person

    @property
    def global_id(self) -> str:
        return ids.encode("Enrollment", self.enrollment_id)


async def add_intake_for_sale(
    db: Database, *, seats: int = 12, price_cents: int = 300_000, certified: bool = True
) -> tuple[uuid.UUID, uuid.UUID]:
    """A certified provider's published course with one continuous intake: (intake, provider)."""
    provider_id = await add_provider(db, certified=certified)
    course_id = await add_course(db, provider_id, price_cents=price_cents)
    return await add_intake(db, course_id, seat_capacity=seats), provider_id


async def actor_of(db: Database, person: Person) -> Actor:
    async with db.reader() as session:
        return await identity.actor_for_token(session, person.token)


async def hold(
    db: Database,
    pay: Payments,
    intake_id: uuid.UUID,
    provider_id: uuid.UUID,
    *,
    method: PaymentMethod = PaymentMethod.CARD,
    duo_reference: str | None = None,
    learner: Person | None = None,
) -> Booking:
    """A learner's checkout on the intake, committed: a held seat."""
    learner = learner or await actors.learner(db)
    actor = await actor_of(db, learner)
    async with db.transaction() as session:
        booked = await enrollment_service.start_checkout(
            session, actor, pay.booking, intake_id, method, duo_reference
        )
        assert booked.enrollment is not None
        enrollment_id = booked.enrollment.id
    return Booking(enrollment_id, intake_id, provider_id, learner)


async def prepare(db: Database, pay: Payments, booking: Booking) -> service.PaymentInstructions:
    """What the checkout does after the hold committed."""
    actor = await actor_of(db, booking.learner)
    async with db.transaction() as session:
        return await service.prepare_payment(session, actor, pay, booking.enrollment_id)


def intent_id(instructions: service.PaymentInstructions) -> str:
    return instructions.client_secret.split("_secret_")[0]


async def pay_at_stripe(client: stripe.StripeClient, payment_intent_id: str) -> Any:
    """What the learner's browser does with Stripe.js: a card, then confirm."""
    card = await client.v1.payment_methods.create_async(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"},
        }
    )
    await client.v1.payment_intents.update_async(
        payment_intent_id, params={"payment_method": card.id}
    )
    paid = await client.v1.payment_intents.confirm_async(payment_intent_id)
    assert paid.status == "succeeded"
    return paid


def event_body(
    event_type: str,
    subject: dict[str, Any],
    *,
    event_id: str | None = None,
    account: str | None = None,
) -> bytes:
    """A Stripe event as Stripe sends it."""
    event: dict[str, Any] = {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-01-27.acacia",
        "created": int(time.time()),
        "type": event_type,
        "livemode": False,
        "pending_webhooks": 1,
        "data": {"object": subject},
    }
    if account is not None:
        event["account"] = account
    return json.dumps(event).encode()


def intent_object(paid: Any) -> dict[str, Any]:
    found: dict[str, Any] = paid.to_dict()
    return found


def signed(body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=...,v1=HMAC-SHA256(secret, f"{t}.{body}")."""
    return signature_header(body, secret, int(time.time()) if timestamp is None else timestamp)


async def deliver(
    client: httpx.AsyncClient,
    body: bytes,
    *,
    signature: str | None = "sign",
    path: str = "/webhooks/stripe",
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = signed(body)
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return await client.post(path, content=body, headers=headers)


async def run_jobs(db: Database, pay: Payments) -> None:
    """What the worker does with the queued events, refunds and processing, until none is
    left."""
    app = worker.job_app(db.url)
    async with app.open_async():
        await app.run_worker_async(
            queues=[outbox.QUEUE, payments_tasks.QUEUE],
            wait=False,
            install_signal_handlers=False,
            additional_context=jobs.job_context(db)
            | payments_tasks.job_context(pay)
            | enrollment_tasks.job_context(pay.booking),
        )


@dataclass(frozen=True)
class Tables:
    events: list[StripeEvent]
    payments: list[Payment]
    ledger: list[tuple[str, int, str]]
    enrollment_state: EnrollmentState | None
    seats_taken: int
    confirmed_events: int
    cancelled_events: int


async def tables(
    db: Database, booking: Booking | None = None, intake_id: uuid.UUID | None = None
) -> Tables:
    intake_id = intake_id or (booking.intake_id if booking else None)
    async with db.reader() as session:
        events = list(
            (await session.scalars(select(StripeEvent).order_by(StripeEvent.received_at))).all()
        )
        payments = list((await session.scalars(select(Payment).order_by(Payment.created_at))).all())
        ledger = [
            (entry.kind.value, entry.amount_cents, entry.stripe_object_id)
            for entry in (
                await session.scalars(
                    select(LedgerEntry).order_by(LedgerEntry.created_at, LedgerEntry.kind)
                )
            ).all()
        ]
        state = None
        if booking is not None:
            state = await session.scalar(
                select(Enrollment.state).where(Enrollment.id == booking.enrollment_id)
            )
        seats = 0
        if intake_id is not None:
            seats = (
                await session.scalar(select(Intake.seats_taken).where(Intake.id == intake_id)) or 0
            )
        named = text(
            "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'outbox:dispatch'"
            " AND args->'event'->>'name' = :name"
        )
        confirmed = await session.scalar(named, {"name": "enrollment.confirmed"}) or 0
        cancelled = await session.scalar(named, {"name": "enrollment.cancelled"}) or 0
    return Tables(events, payments, ledger, state, seats, confirmed, cancelled)


async def jobs_of(db: Database, task: str) -> list[dict[str, Any]]:
    async with db.reader() as session:
        rows = await session.execute(
            text("SELECT args FROM procrastinate_jobs WHERE task_name = :task ORDER BY id"),
            {"task": task},
        )
        return [args for (args,) in rows]


async def job_count(db: Database) -> int:
    async with db.reader() as session:
        return (
            await session.scalar(select(func.count()).select_from(text("procrastinate_jobs"))) or 0
        )


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
