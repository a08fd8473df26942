"""Refunds on localstripe: a withdrawal within 14 days gives back everything paid, made by
the job that handles enrollment's EnrollmentCancelled, after the cancellation committed;
a cancellation before payment refunds nothing."""

from __future__ import annotations

import httpx
import stripe

from market.db.database import Database
from market.enrollment import service as enrollment_service
from market.enrollment.models import EnrollmentState
from market.payments.models import PaymentState
from market.payments.service import Payments
from tests.payments import support


async def test_a_withdrawal_within_fourteen_days_is_refunded_in_full_once(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    intake, provider = await support.add_intake_for_sale(db)
    booking = await support.hold(db, pay, intake, provider)
    instructions = await support.prepare(db, pay, booking)
    paid = await support.pay_at_stripe(stripe_client, support.intent_id(instructions))
    body = support.event_body("payment_intent.succeeded", support.intent_object(paid))
    assert (await support.deliver(client, body)).status_code == 200
    await support.run_jobs(db, pay)
    actor = await support.actor_of(db, booking.learner)

    async with db.transaction() as session:
        await enrollment_service.cancel_enrollment(
            session, actor, pay.booking, booking.enrollment_id
        )
    # No refund inside the cancelling transaction: the job makes it after the commit.
    before_jobs = await stripe_client.v1.refunds.list_async(params={"payment_intent": paid.id})
    await support.run_jobs(db, pay)
    # Stripe's own refund event arrives afterwards: nothing more happens.
    refunds = await stripe_client.v1.refunds.list_async(params={"payment_intent": paid.id})
    charge = {"id": "ch_x", "object": "charge", "payment_intent": paid.id, "refunded": True}
    assert (
        await support.deliver(client, support.event_body("charge.refunded", charge))
    ).status_code == 200
    await support.run_jobs(db, pay)

    assert before_jobs.data == []
    assert [(r.amount, r.metadata.to_dict()["reason"]) for r in refunds.data] == [
        (300_000, "cancelled")
    ]
    seen = await support.tables(db, booking)
    assert seen.ledger == [
        ("payment", 300_000, paid.id),
        ("refund", -300_000, refunds.data[0].id),
    ]
    assert [p.state for p in seen.payments] == [PaymentState.REFUNDED]
    assert seen.enrollment_state is EnrollmentState.CANCELLED
    assert seen.seats_taken == 0
    assert seen.cancelled_events == 1


async def test_a_booking_cancelled_before_payment_refunds_nothing(
    db: Database, pay: Payments, stripe_client: stripe.StripeClient
) -> None:
    intake, provider = await support.add_intake_for_sale(db)
    booking = await support.hold(db, pay, intake, provider)
    instructions = await support.prepare(db, pay, booking)
    actor = await support.actor_of(db, booking.learner)

    async with db.transaction() as session:
        await enrollment_service.cancel_enrollment(
            session, actor, pay.booking, booking.enrollment_id
        )
    await support.run_jobs(db, pay)

    seen = await support.tables(db, booking)
    assert [p.state for p in seen.payments] == [PaymentState.PENDING]
    assert seen.ledger == []
    assert seen.enrollment_state is EnrollmentState.CANCELLED
    assert support.intent_id(instructions) == seen.payments[0].payment_intent_id
