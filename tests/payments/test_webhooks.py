"""The webhook endpoints' edge: what is answered 2xx and stored (or ignored), what is
refused with 400 and leaves nothing behind, and how the app answers without Stripe."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import stripe
from litestar.testing import AsyncTestClient

from market.app import create_app
from market.db.database import Database
from market.enrollment.models import EnrollmentState
from market.payments import service
from market.payments.models import PaymentState
from market.payments.service import Payments
from market.settings import Settings
from tests.payments import support


async def test_an_unknown_event_type_is_answered_200_stored_as_done_and_changes_nothing(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    intake, provider = await support.add_intake_for_sale(db)
    booking = await support.hold(db, pay, intake, provider)
    await support.prepare(db, pay, booking)
    body = support.event_body("customer.created", {"id": "cus_1", "object": "customer"})

    answer = await support.deliver(client, body)
    await support.run_jobs(db, pay)

    assert answer.status_code == 200
    seen = await support.tables(db, booking)
    assert [(e.type, e.processed_at is not None) for e in seen.events] == [
        ("customer.created", True)
    ]
    assert await support.jobs_of(db, service.PROCESS_EVENT) == []
    assert [p.state for p in seen.payments] == [PaymentState.PENDING]
    assert seen.ledger == []
    assert seen.enrollment_state is EnrollmentState.HELD


async def test_a_payment_intent_that_is_none_of_ours_is_processed_as_nothing_to_do(
    db: Database, pay: Payments, client: httpx.AsyncClient
) -> None:
    body = support.event_body(
        "payment_intent.succeeded",
        {"id": "pi_elsewhere", "object": "payment_intent", "metadata": {}, "status": "succeeded"},
    )

    assert (await support.deliver(client, body)).status_code == 200
    await support.run_jobs(db, pay)

    seen = await support.tables(db)
    assert seen.events[0].processed_at is not None
    assert seen.payments == []
    assert seen.ledger == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"[1, 2, 3]",
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded"}).encode(),
        json.dumps({"id": 5, "type": "x", "data": {"object": {}}}).encode(),
        json.dumps({"id": "evt_1", "type": "x", "data": {"object": []}}).encode(),
        json.dumps({"id": "evt_" + "1" * 300, "type": "x", "data": {"object": {}}}).encode(),
        b"\xff\xfe not utf-8",
    ],
)
async def test_a_signed_body_that_is_not_a_stripe_event_is_refused_and_nothing_written(
    db: Database, client: httpx.AsyncClient, body: bytes
) -> None:
    jobs_before = await support.job_count(db)

    signature = support.signed(body) if not body.startswith(b"\xff") else "t=1,v1=00"
    answer = await support.deliver(client, body, signature=signature)

    assert answer.status_code == 400
    reason = answer.json()["errors"][0]["extensions"]["reason"]
    assert reason in {"NotAStripeEvent", "InvalidWebhookSignature"}
    assert (await support.tables(db)).events == []
    assert await support.job_count(db) == jobs_before


async def test_the_platform_and_connect_endpoints_take_only_their_own_secret(
    db: Database, client: httpx.AsyncClient
) -> None:
    body = support.event_body("account.updated", {"id": "acct_1", "object": "account"})

    on_platform = await support.deliver(
        client, body, signature=support.signed(body, support.CONNECT_WEBHOOK_SECRET)
    )
    on_connect = await support.deliver(client, body, path="/webhooks/stripe/connect")

    assert on_platform.status_code == 400
    assert on_connect.status_code == 400
    assert (await support.tables(db)).events == []


async def test_without_stripe_configured_webhooks_are_refused_and_payment_is_unavailable(
    database_url: str, db: Database
) -> None:
    settings = Settings(database_url=database_url, embedded_worker=False, db_pool_size=2)
    body = support.event_body(
        "payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"}
    )
    async with AsyncTestClient(app=create_app(settings)) as http:
        answer = await http.post(
            "/webhooks/stripe", content=body, headers={"Stripe-Signature": support.signed(body)}
        )
        get: Any = await http.get("/webhooks/stripe")

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["extensions"]["reason"] == "WebhookNotConfigured"
    assert get.status_code == 405
    assert (await support.tables(db)).events == []
