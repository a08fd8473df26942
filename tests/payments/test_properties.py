"""PAYMENTS.md's properties, one test each, against localstripe, the real app and the
embedded PostgreSQL: webhooks with real signatures, concurrent requests, the worker's jobs.
Each asserts on the tables (stored events, payments, ledger, enrollment, seats) and on what
the client sees."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
import stripe
from sqlalchemy import text, update

import market.app
from market.api.graphql import ids
from market.db.database import Database
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod
from market.payments import service
from market.payments.errors import NotPaidOnline
from market.payments.models import PaymentState
from market.payments.service import Payments
from tests.payments import support
from tests.payments.support import CONFIRM, PREPARE, Booking
from tests.support import actors


async def paid_booking(
    db: Database, pay: Payments, stripe_client: stripe.StripeClient, *, seats: int = 12
) -> tuple[Booking, dict[str, Any]]:
    """A held booking whose PaymentIntent the learner has paid at Stripe (no webhook yet):
    the booking and the PaymentIntent as Stripe sends it in events."""
    intake, provider = await support.add_intake_for_sale(db, seats=seats)
    booking = await support.hold(db, pay, intake, provider)
    instructions = await support.prepare(db, pay, booking)
    paid = await support.pay_at_stripe(stripe_client, support.intent_id(instructions))
    return booking, support.intent_object(paid)


async def test_property_01_same_event_delivered_twice_or_ten_times_concurrently(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    booking, intent = await paid_booking(db, pay, stripe_client)
    body = support.event_body("payment_intent.succeeded", intent)

    first = await support.deliver(client, body)
    again = await support.deliver(client, body)
    concurrent = await asyncio.gather(*(support.deliver(client, body) for _ in range(10)))
    queued = await support.jobs_of(db, service.PROCESS_EVENT)
    await support.run_jobs(db, pay)
    # Delivered once more after it was processed.
    late = await support.deliver(client, body)
    await support.run_jobs(db, pay)

    assert [r.status_code for r in (first, again, *concurrent, late)] == [200] * 13
    assert first.json() == {"received": True, "duplicate": False}
    assert {r.json()["duplicate"] for r in (again, *concurrent, late)} == {True}
    assert len(queued) == 1
    seen = await support.tables(db, booking)
    assert len(seen.events) == 1
    assert seen.events[0].processed_at is not None
    assert "client_secret" in intent
    assert "client_secret" not in seen.events[0].payload["data"]["object"]
    assert [p.state for p in seen.payments] == [PaymentState.PAID]
    assert seen.ledger == [("payment", 300_000, intent["id"])]
    assert seen.enrollment_state is EnrollmentState.CONFIRMED
    assert seen.seats_taken == 1
    assert seen.confirmed_events == 1


async def test_property_02_events_out_of_order_never_step_backwards(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    booking, intent = await paid_booking(db, pay, stripe_client)
    succeeded = support.event_body("payment_intent.succeeded", intent)
    # Older news arriving late: the PaymentIntent as it was while processing, and a failure.
    processing = support.event_body("payment_intent.processing", intent | {"status": "processing"})
    failed = support.event_body(
        "payment_intent.payment_failed", intent | {"status": "requires_payment_method"}
    )

    assert (await support.deliver(client, succeeded)).status_code == 200
    await support.run_jobs(db, pay)
    for late in (processing, failed):
        assert (await support.deliver(client, late)).status_code == 200
    await support.run_jobs(db, pay)
    status = await support.graphql(
        client, CONFIRM, {"enrollment": booking.global_id}, booking.learner.token
    )

    seen = await support.tables(db, booking)
    assert [e.processed_at is not None for e in seen.events] == [True, True, True]
    assert [p.state for p in seen.payments] == [PaymentState.PAID]
    assert seen.ledger == [("payment", 300_000, intent["id"])]
    assert seen.enrollment_state is EnrollmentState.CONFIRMED
    assert seen.seats_taken == 1
    assert status["data"]["confirmPayment"]["state"] == "PAID"
    assert status["data"]["confirmPayment"]["enrollmentConfirmed"] is True


async def test_property_03_an_event_before_its_enrollment_is_committed_is_processed_once_later(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    intake, provider = await support.add_intake_for_sale(db)
    learner = await support.actors.learner(db)
    actor = await support.actor_of(db, learner)
    async with db.transaction() as session:
        # The checkout's transaction: the PaymentIntent exists at Stripe, is paid and its
        # event delivered and worked on before this commits.
        booked = await service.enrollment_service.start_checkout(
            session, actor, pay.booking, intake, PaymentMethod.CARD, None
        )
        assert booked.enrollment is not None
        instructions = await service.prepare_payment(session, actor, pay, booked.enrollment.id)
        paid = await support.pay_at_stripe(stripe_client, support.intent_id(instructions))
        body = support.event_body("payment_intent.succeeded", support.intent_object(paid))
        assert (await support.deliver(client, body)).status_code == 200
        await support.run_jobs(db, pay)
        early = await support.tables(db, intake_id=intake)
    booking = Booking(booked.enrollment.id, intake, provider, learner)
    # The reconciliation sweep passes by, and again (nothing left the second time).
    for _ in range(2):
        async with db.transaction() as session:
            await service.reconcile(session, older_than=timedelta(0))
        await support.run_jobs(db, pay)

    assert len(early.events) == 1
    assert early.events[0].processed_at is None
    assert early.events[0].attempts == 1
    assert "no payment stored" in (early.events[0].last_error or "")
    seen = await support.tables(db, booking)
    assert seen.events[0].processed_at is not None
    assert seen.events[0].attempts == 2
    assert seen.events[0].last_error is None
    assert seen.ledger == [("payment", 300_000, paid.id)]
    assert seen.enrollment_state is EnrollmentState.CONFIRMED
    assert seen.seats_taken == 1
    assert seen.confirmed_events == 1


async def test_property_04_return_page_and_webhook_racing_confirm_once(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    booking, intent = await paid_booking(db, pay, stripe_client)
    body = support.event_body("payment_intent.succeeded", intent)
    assert (await support.deliver(client, body)).status_code == 200

    returned, _, again = await asyncio.gather(
        support.graphql(client, CONFIRM, {"enrollment": booking.global_id}, booking.learner.token),
        support.run_jobs(db, pay),
        support.graphql(client, CONFIRM, {"enrollment": booking.global_id}, booking.learner.token),
    )

    for answer in (returned, again):
        assert "errors" not in answer, answer
        assert answer["data"]["confirmPayment"]["state"] == "PAID"
        assert answer["data"]["confirmPayment"]["enrollmentConfirmed"] is True
    seen = await support.tables(db, booking)
    assert seen.enrollment_state is EnrollmentState.CONFIRMED
    assert seen.seats_taken == 1
    assert seen.ledger == [("payment", 300_000, intent["id"])]
    # One confirmation stated, so one mail for whoever mails it.
    assert seen.confirmed_events == 1


async def test_property_05_n_concurrent_checkouts_for_the_last_k_seats(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    seats, learners = 3, 8
    intake, provider = await support.add_intake_for_sale(db, seats=seats)
    people = [await support.actors.learner(db) for _ in range(learners)]

    async def checkout(person: support.Person) -> Any:
        actor = await support.actor_of(db, person)
        async with db.transaction() as session:
            return await service.enrollment_service.start_checkout(
                session, actor, pay.booking, intake, PaymentMethod.CARD, None
            )

    booked = await asyncio.gather(*(checkout(person) for person in people))
    holders = [
        Booking(b.enrollment.id, intake, provider, person)
        for b, person in zip(booked, people, strict=True)
        if b.enrollment is not None
    ]
    waiting = [b for b in booked if b.waitlist_entry is not None]
    # Every holder pays; the webhooks arrive together.
    bodies = []
    for holder in holders:
        instructions = await support.prepare(db, pay, holder)
        paid = await support.pay_at_stripe(stripe_client, support.intent_id(instructions))
        bodies.append(support.event_body("payment_intent.succeeded", support.intent_object(paid)))
    answers = await asyncio.gather(*(support.deliver(client, body) for body in bodies))
    await support.run_jobs(db, pay)
    # Someone on the waitlist has no booking to pay for.
    refused = await support.graphql(
        client,
        PREPARE,
        {"enrollment": support.ids.encode("Enrollment", waiting[0].waitlist_entry.id)},
        people[booked.index(waiting[0])].token,
    )

    assert len(holders) == seats
    assert len(waiting) == learners - seats
    assert [a.status_code for a in answers] == [200] * seats
    seen = await support.tables(db, intake_id=intake)
    assert seen.seats_taken == seats
    assert [p.state for p in seen.payments] == [PaymentState.PAID] * seats
    assert len(seen.ledger) == seats
    assert seen.confirmed_events == seats
    async with db.reader() as session:
        confirmed = await session.scalar(
            text("SELECT count(*) FROM enrollments WHERE intake_id = :i AND state = 'confirmed'"),
            {"i": intake},
        )
    assert confirmed == seats
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_property_06_paid_after_the_hold_lapsed_on_a_full_intake_is_refunded(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    booking, intent = await paid_booking(db, pay, stripe_client, seats=1)
    async with db.transaction() as session:
        await session.execute(
            update(Enrollment)
            .where(Enrollment.id == booking.enrollment_id)
            .values(hold_expires_at=Enrollment.created_at - timedelta(minutes=1))
        )
    # Someone else takes the seat the lapsed hold let go.
    other = await support.hold(db, pay, booking.intake_id, booking.provider_id)

    body = support.event_body("payment_intent.succeeded", intent)
    assert (await support.deliver(client, body)).status_code == 200
    await support.run_jobs(db, pay)
    status = await support.graphql(
        client, CONFIRM, {"enrollment": booking.global_id}, booking.learner.token
    )
    refunds = await stripe_client.v1.refunds.list_async(params={"payment_intent": intent["id"]})

    seen = await support.tables(db, booking)
    assert seen.enrollment_state is EnrollmentState.LAPSED
    assert seen.seats_taken == 1
    assert [p.state for p in seen.payments] == [PaymentState.REFUNDED]
    assert seen.payments[0].refunded_cents == 300_000
    assert len(refunds.data) == 1
    assert refunds.data[0].amount == 300_000
    assert seen.ledger == [
        ("payment", 300_000, intent["id"]),
        ("refund", -300_000, refunds.data[0].id),
    ]
    assert seen.confirmed_events == 0
    assert status["data"]["confirmPayment"] == {
        "enrollmentId": booking.global_id,
        "state": "REFUNDED",
        "amountCents": 300_000,
        "currency": "eur",
        "refundedCents": 300_000,
        "enrollmentConfirmed": False,
        "refundPending": False,
    }
    async with db.reader() as session:
        assert (
            await session.scalar(
                text("SELECT state::text FROM enrollments WHERE id = :i"),
                {"i": other.enrollment_id},
            )
            == "held"
        )


class RecordingGateway:
    """The real gateway, noting every PaymentIntent creation's idempotency key."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.keys: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def create_payment_intent(self, params: Any, *, idempotency_key: str) -> Any:
        self.keys.append(idempotency_key)
        return await self.inner.create_payment_intent(params, idempotency_key=idempotency_key)


async def test_property_07_retried_payment_intent_creation_gives_the_same_payment_intent(
    db: Database,
    pay: Payments,
    settings: Any,
    stripe_client: stripe.StripeClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    intake, provider = await support.add_intake_for_sale(db)
    booking = await support.hold(db, pay, intake, provider)
    recording = RecordingGateway(pay.gateway)
    recorded = Payments(recording, pay.rules, pay.booking)  # type: ignore[arg-type]
    monkeypatch.setattr(market.app, "payments", lambda _: recorded)

    # A first try whose transaction is lost after Stripe answered (a crash, a timeout).
    async def lost_try() -> None:
        async with db.transaction() as session:
            actor = await support.actor_of(db, booking.learner)
            await service.prepare_payment(session, actor, recorded, booking.enrollment_id)
            raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        await lost_try()
    # The client retries, once and then five times at once.
    variables = {"enrollment": booking.global_id}
    token = booking.learner.token
    transport = httpx.ASGITransport(app=market.app.create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://market.test") as client:
        first = await support.graphql(client, PREPARE, variables, token)
        retries = await asyncio.gather(
            *(support.graphql(client, PREPARE, variables, token) for _ in range(5))
        )
    again = await support.prepare(db, recorded, booking)

    secrets = {a["data"]["preparePayment"]["clientSecret"] for a in (first, *retries)}
    assert secrets == {again.client_secret}
    assert first["data"]["preparePayment"] == {
        "enrollmentId": booking.global_id,
        "clientSecret": again.client_secret,
        "publishableKey": "pk_test_localstripe",
        "amountCents": 300_000,
        "currency": "eur",
    }
    # The lost try and the one that stuck asked Stripe with the same key, so Stripe
    # answered both with one PaymentIntent; every later request re-used the stored one.
    assert recording.keys == [f"pi:{booking.enrollment_id}:1"] * 2
    seen = await support.tables(db, booking)
    assert [(p.attempt, p.state) for p in seen.payments] == [(1, PaymentState.PENDING)]
    stored = seen.payments[0].payment_intent_id
    assert stored == support.intent_id(again)
    # localstripe ignores idempotency keys (README): the lost try's PaymentIntent exists
    # there too, but its client secret never reached a client: it can never be charged.
    intents = await stripe_client.v1.payment_intents.list_async(params={"limit": 100})
    ours = [
        i
        for i in intents.data
        if i.metadata.to_dict().get("enrollment_id") == str(booking.enrollment_id)
    ]
    assert stored in [i.id for i in ours]
    assert {i.status for i in ours} == {"requires_payment_method"}
    assert len(ours) == 2


@pytest.mark.parametrize(
    "case", ["tampered body", "wrong secret", "missing signature", "stale signature", "garbage"]
)
async def test_property_08_bad_signatures_are_rejected_and_nothing_is_written(
    db: Database,
    pay: Payments,
    client: httpx.AsyncClient,
    stripe_client: stripe.StripeClient,
    case: str,
) -> None:
    booking, intent = await paid_booking(db, pay, stripe_client)
    body = support.event_body("payment_intent.succeeded", intent)
    jobs_before = await support.job_count(db)
    if case == "tampered body":
        answer = await support.deliver(
            client, body.replace(b'"succeeded"', b'"canceled"', 1), signature=support.signed(body)
        )
    elif case == "wrong secret":
        answer = await support.deliver(client, body, signature=support.signed(body, "whsec_other"))
    elif case == "missing signature":
        answer = await support.deliver(client, body, signature=None)
    elif case == "stale signature":
        stale = support.signed(body, timestamp=int(support.time.time()) - 600)
        answer = await support.deliver(client, body, signature=stale)
    else:
        answer = await support.deliver(client, body, signature="t=x,v1=\x7f")
    await support.run_jobs(db, pay)

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["reason"] == "InvalidWebhookSignature"
    seen = await support.tables(db, booking)
    assert seen.events == []
    assert seen.ledger == []
    assert [p.state for p in seen.payments] == [PaymentState.PENDING]
    assert seen.enrollment_state is EnrollmentState.HELD
    assert await support.jobs_of(db, service.PROCESS_EVENT) == []
    assert await support.job_count(db) >= jobs_before


async def test_property_09_a_crash_between_commit_and_job_is_swept_and_a_rollback_enqueues_nothing(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    booking, intent = await paid_booking(db, pay, stripe_client)
    body = support.event_body("payment_intent.succeeded", intent)

    # A rolled-back transaction: no event, no job.
    async def rolled_back() -> None:
        async with db.transaction() as session:
            await service.receive_event(session, pay, body, support.signed(body), connect=False)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await rolled_back()
    after_rollback = await support.tables(db, booking)
    jobs_after_rollback = await support.jobs_of(db, service.PROCESS_EVENT)
    # Stored and committed, but the process died before its job ran: the job is lost.
    assert (await support.deliver(client, body)).status_code == 200
    async with db.transaction() as session:
        await session.execute(
            text("DELETE FROM procrastinate_jobs WHERE task_name = :t"),
            {"t": service.PROCESS_EVENT},
        )
    await support.run_jobs(db, pay)
    before_sweep = await support.tables(db, booking)
    async with db.transaction() as session:
        swept = await service.reconcile(session, older_than=timedelta(0))
    await support.run_jobs(db, pay)

    assert after_rollback.events == []
    assert jobs_after_rollback == []
    assert before_sweep.events[0].processed_at is None
    assert before_sweep.enrollment_state is EnrollmentState.HELD
    assert swept == 1
    seen = await support.tables(db, booking)
    assert seen.events[0].processed_at is not None
    assert seen.enrollment_state is EnrollmentState.CONFIRMED
    assert seen.ledger == [("payment", 300_000, intent["id"])]


async def test_property_10_a_replayed_refund_event_refunds_once_and_releases_one_seat(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    booking, intent = await paid_booking(db, pay, stripe_client, seats=2)
    assert (
        await support.deliver(client, support.event_body("payment_intent.succeeded", intent))
    ).status_code == 200
    await support.run_jobs(db, pay)
    confirmed = await support.tables(db, booking)
    # Refunded in Stripe's dashboard; Stripe tells us twice over, and repeats itself.
    refund = await stripe_client.v1.refunds.create_async(params={"payment_intent": intent["id"]})
    charge = {
        "id": refund.charge,
        "object": "charge",
        "payment_intent": intent["id"],
        "refunded": True,
    }
    refunded = support.event_body("charge.refunded", charge)
    created = support.event_body("refund.created", refund.to_dict())
    answers = await asyncio.gather(
        *(support.deliver(client, body) for body in (refunded, refunded, created, refunded))
    )
    await support.run_jobs(db, pay)
    assert (await support.deliver(client, refunded)).status_code == 200
    await support.run_jobs(db, pay)
    status = await support.graphql(
        client, CONFIRM, {"enrollment": booking.global_id}, booking.learner.token
    )

    assert [a.status_code for a in answers] == [200] * 4
    assert confirmed.seats_taken == 1
    seen = await support.tables(db, booking)
    assert len(seen.events) == 3
    assert all(e.processed_at is not None for e in seen.events)
    assert seen.ledger == [
        ("payment", 300_000, intent["id"]),
        ("refund", -300_000, refund.id),
    ]
    assert [p.state for p in seen.payments] == [PaymentState.REFUNDED]
    assert seen.enrollment_state is EnrollmentState.CANCELLED
    assert seen.seats_taken == 0
    assert seen.cancelled_events == 1
    # The cancellation's own refund handler finds the payment refunded: no second refund.
    refunds = await stripe_client.v1.refunds.list_async(params={"payment_intent": intent["id"]})
    assert [r.id for r in refunds.data] == [refund.id]
    assert status["data"]["confirmPayment"]["state"] == "REFUNDED"
    assert status["data"]["confirmPayment"]["enrollmentConfirmed"] is False


@pytest.mark.parametrize(
    ("change", "flag"),
    [
        ({"amount": 100}, "amount 100 instead of 300000"),
        (
            {"metadata": {"enrollment_id": "00000000-0000-0000-0000-000000000000"}},
            "metadata enrollment_id",
        ),
    ],
)
async def test_property_11_a_payment_intent_that_disagrees_with_the_order_is_flagged_not_fulfilled(
    db: Database,
    pay: Payments,
    client: httpx.AsyncClient,
    stripe_client: stripe.StripeClient,
    change: dict[str, Any],
    flag: str,
) -> None:
    intake, provider = await support.add_intake_for_sale(db)
    booking = await support.hold(db, pay, intake, provider)
    instructions = await support.prepare(db, pay, booking)
    payment_intent = support.intent_id(instructions)
    await stripe_client.v1.payment_intents.update_async(payment_intent, params=change)  # type: ignore[arg-type]
    paid = await support.pay_at_stripe(stripe_client, payment_intent)
    body = support.event_body("payment_intent.succeeded", support.intent_object(paid))

    assert (await support.deliver(client, body)).status_code == 200
    await support.run_jobs(db, pay)
    status = await support.graphql(
        client, CONFIRM, {"enrollment": booking.global_id}, booking.learner.token
    )

    seen = await support.tables(db, booking)
    assert seen.payments[0].flagged == flag
    assert seen.enrollment_state is EnrollmentState.HELD
    assert seen.confirmed_events == 0
    assert seen.events[0].processed_at is not None
    assert status["data"]["confirmPayment"]["enrollmentConfirmed"] is False


DUO_CHECKOUT = """
mutation($intake: ID!) {
  startCheckout(intakeId: $intake, paymentMethod: DUO_LOAN, duoLoanReference: "1234567890") {
    outcome enrollment { id } payment { clientSecret }
  }
}
"""
ACCEPT_DUO = "mutation($id: ID!) { acceptDuoBooking(id: $id) { state } }"


async def test_property_12_a_duo_booking_never_creates_a_stripe_charge(
    db: Database, pay: Payments, client: httpx.AsyncClient
) -> None:
    intake, provider = await support.add_intake_for_sale(db)
    learner = await actors.learner(db)
    checkout = await support.graphql(
        client,
        DUO_CHECKOUT,
        {"intake": ids.encode("Intake", intake)},
        learner.token,
    )
    held = checkout["data"]["startCheckout"]
    assert (held["outcome"], held["payment"]) == ("AWAITING_PROVIDER", None)
    enrollment_id = held["enrollment"]["id"]
    booking = Booking(ids.decode("Enrollment", enrollment_id), intake, provider, learner)

    with pytest.raises(NotPaidOnline):
        await support.prepare(db, pay, booking)
    answer = await support.graphql(
        client, PREPARE, {"enrollment": booking.global_id}, booking.learner.token
    )
    staff = await actors.provider_staff(db, provider)
    accepted = await support.graphql(client, ACCEPT_DUO, {"id": enrollment_id}, staff.token)

    assert answer["errors"][0]["extensions"]["reason"] == "NotPaidOnline"
    assert answer["errors"][0]["extensions"]["params"] == {"method": "duo_loan"}
    assert accepted["data"]["acceptDuoBooking"]["state"] == "CONFIRMED"
    seen = await support.tables(db, booking)
    assert seen.payments == []
    assert seen.ledger == []
