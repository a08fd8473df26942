"""Processing stored Stripe webhook events (part of `make bench`): N bookings on the scale
data, each held and paid at localstripe (in a process of its own), each payment's
`payment_intent.succeeded` received as Stripe sends it (signed, stored once, its job
queued); then the time one worker takes to process them all, as its jobs do: each event
in its own transaction, the PaymentIntent fetched from Stripe afresh, the booking
confirmed and the ledger written, as many at once as a worker runs jobs
(Settings.worker_concurrency).

Afterwards every trace is removed and the intakes get back their counts.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import stripe

from market.db.database import Database
from market.enrollment import service as enrollment
from market.enrollment.models import PaymentMethod
from market.enrollment.policies import BookingRules
from market.identity.policies import Actor
from market.payments import local_stripe, service
from market.payments.service import PaymentRules, Payments
from market.payments.stripe_gateway import StripeGateway, signature_header
from market.settings import Settings
from tests.bench.booking_bench import _bookable, _learners, clean_up

SECRET = "whsec_bench"


@contextmanager
def local_stripe_process() -> Iterator[str]:
    """localstripe in a process of its own (its base address): Stripe is far away in
    production, so neither the server nor the load generator should share a process, or
    its interpreter lock, with it."""
    child = subprocess.Popen(  # noqa: S603 (this interpreter, our own module)
        [sys.executable, "-c", _SERVE_LOCAL_STRIPE], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        child.terminate()
        child.wait(timeout=10)


_SERVE_LOCAL_STRIPE = """
import threading
from market.payments import local_stripe
print(local_stripe.start().base, flush=True)
threading.Event().wait()
"""


def stripe_env(base: str) -> dict[str, str]:
    """A server's settings for taking payments at the localstripe at `base`."""
    return {
        "MARKET_STRIPE_SECRET_KEY": local_stripe.SECRET_KEY,
        "MARKET_STRIPE_PUBLISHABLE_KEY": local_stripe.PUBLISHABLE_KEY,
        "MARKET_STRIPE_WEBHOOK_SECRET": SECRET,
        "MARKET_STRIPE_API_BASE": base,
        "MARKET_STRIPE_CONNECT": "false",
    }


async def webhook_figures(url: str, stripe_base: str, events: int) -> dict[str, Any]:
    concurrency = Settings().worker_concurrency
    db = Database(url.replace("postgresql://", "postgresql+asyncpg://", 1), pool_size=concurrency)
    conn = await asyncpg.connect(url)
    payments = Payments(
        StripeGateway(local_stripe.SECRET_KEY, api_base=stripe_base),
        PaymentRules(stripe_webhook_secret=SECRET, stripe_connect=False),
        BookingRules(),
    )
    browser = stripe.StripeClient(
        local_stripe.SECRET_KEY,
        base_addresses={"api": stripe_base},
        http_client=stripe.HTTPXClient(),
    )
    intakes = await _bookable(conn, events)
    learners = await _learners(conn, len(intakes))
    try:
        stored = [
            await _paid_and_received(db, payments, browser, who.user_id, intake["id"])
            for who, intake in zip(learners, intakes, strict=True)
        ]
        running = asyncio.Semaphore(concurrency)

        async def job(event_id: str) -> None:
            async with running, db.transaction() as session:
                await service.process_event(session, payments, event_id)

        started = time.perf_counter()
        await asyncio.gather(*(job(event_id) for event_id in stored))
        seconds = time.perf_counter() - started
        confirmed = await conn.fetchval(
            "SELECT count(*) FROM enrollments WHERE learner_id = ANY($1) AND state = 'confirmed'",
            [who.user_id for who in learners],
        )
    finally:
        await clean_up(conn, learners, intakes)
        await conn.close()
        await db.dispose()
    return {
        "webhook_events": len(stored),
        "webhook_processing_seconds": seconds,
        "webhook_events_confirmed": confirmed,
        "webhook_concurrency": concurrency,
    }


async def _paid_and_received(
    db: Database,
    payments: Payments,
    browser: stripe.StripeClient,
    learner_id: uuid.UUID,
    intake_id: uuid.UUID,
) -> str:
    """A seat held and paid by card at localstripe, its succeeded event received; the
    event's id."""
    learner = Actor(user_id=learner_id)
    async with db.transaction() as session:
        booked = await enrollment.start_checkout(
            session, learner, payments.booking, intake_id, PaymentMethod.CARD, None
        )
    assert booked.enrollment is not None
    async with db.transaction() as session:
        given = await service.prepare_payment(session, learner, payments, booked.enrollment.id)
    intent_id = given.client_secret.split("_secret_")[0]
    card = await browser.v1.payment_methods.create_async(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"},
        }
    )
    await browser.v1.payment_intents.update_async(intent_id, params={"payment_method": card.id})
    paid = await browser.v1.payment_intents.confirm_async(intent_id)
    event_id = f"evt_bench_{uuid.uuid4().hex[:20]}"
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "livemode": False,
            "data": {"object": paid.to_dict()},
        }
    ).encode()
    async with db.transaction() as session:
        signature = signature_header(body, SECRET, int(time.time()))
        await service.receive_event(session, payments, body, signature, connect=False)
    return event_id
