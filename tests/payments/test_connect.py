"""Connect, where localstripe has nothing: the provider's Express account and onboarding
link, `account.updated` on the Connect webhook, destination charges with the platform's
fee, and refunds that reverse the transfer, all through the app and the worker, with
Stripe's answers built from recorded objects (tests/payments/recorded.py)."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx

from market.db.database import Database
from market.enrollment import service as enrollment_service
from market.enrollment.models import EnrollmentState
from market.identity.models import Role
from market.payments import service
from market.payments.models import PaymentAccount, PaymentState
from market.payments.service import Payments
from tests.payments import support
from tests.payments.recorded import ACCOUNT, ACCOUNT_LINK, RecordedConnect
from tests.payments.support import CONNECT_WEBHOOK_SECRET, PREPARE
from tests.support import actors

ONBOARD = """
mutation Onboard($provider: ID!) {
  startPaymentOnboarding(providerId: $provider) {
    url account { providerId chargesEnabled detailsSubmitted }
  }
}
"""
ACCOUNT_QUERY = """
query Account($provider: ID!) {
  paymentAccount(providerId: $provider) { providerId chargesEnabled detailsSubmitted }
}
"""


def test_the_payment_intent_is_a_destination_charge_as_stripe_documents_it() -> None:
    rules = service.PaymentRules(stripe_connect=True, platform_fee_basis_points=750)
    enrollment: Any = type("E", (), {"id": "e-1", "intake_id": "i-1", "provider_id": "p-1"})()

    params = service.intent_params(
        rules, enrollment, amount_cents=250_000, fee_cents=rules.fee(250_000), destination="acct_1"
    )
    local = service.intent_params(
        dataclasses.replace(rules, stripe_connect=False),
        enrollment,
        amount_cents=250_000,
        fee_cents=0,
        destination=None,
    )

    assert params == {
        "amount": 250_000,
        "currency": "eur",
        "metadata": {"enrollment_id": "e-1", "intake_id": "i-1", "provider_id": "p-1"},
        "automatic_payment_methods": {"enabled": True},
        "application_fee_amount": 18_750,
        "transfer_data": {"destination": "acct_1"},
    }
    assert local == {
        "amount": 250_000,
        "currency": "eur",
        "metadata": {"enrollment_id": "e-1", "intake_id": "i-1", "provider_id": "p-1"},
        "payment_method_types": ["card", "ideal"],
    }


async def test_a_provider_onboards_takes_a_destination_charge_and_refunds_with_a_reversal(
    db: Database,
    connect: Payments,
    recorded: RecordedConnect,
    connect_client: httpx.AsyncClient,
) -> None:
    intake, provider = await support.add_intake_for_sale(db)
    owner = await actors.provider_staff(db, provider, Role.OWNER)
    provider_gid = support.ids.encode("Provider", provider)
    booking = await support.hold(db, connect, intake, provider)

    # Before onboarding: the course cannot be paid online.
    early = await support.graphql(
        connect_client, PREPARE, {"enrollment": booking.global_id}, booking.learner.token
    )
    onboarded = await support.graphql(
        connect_client, ONBOARD, {"provider": provider_gid}, owner.token
    )
    again = await support.graphql(connect_client, ONBOARD, {"provider": provider_gid}, owner.token)
    before = await support.graphql(
        connect_client, PREPARE, {"enrollment": booking.global_id}, booking.learner.token
    )
    # Stripe says the account is ready, on the Connect endpoint.
    recorded.account |= {"charges_enabled": True, "details_submitted": True}
    update = support.event_body("account.updated", recorded.account, account=ACCOUNT["id"])
    wrong_secret = await support.deliver(connect_client, update, path="/webhooks/stripe/connect")
    answer = await support.deliver(
        connect_client,
        update,
        signature=support.signed(update, CONNECT_WEBHOOK_SECRET),
        path="/webhooks/stripe/connect",
    )
    await support.run_jobs(db, connect)
    seen_account = await support.graphql(
        connect_client, ACCOUNT_QUERY, {"provider": provider_gid}, owner.token
    )
    prepared = await support.graphql(
        connect_client, PREPARE, {"enrollment": booking.global_id}, booking.learner.token
    )

    assert early["errors"][0]["extensions"]["reason"] == "ProviderCannotTakePayments"
    assert onboarded["data"]["startPaymentOnboarding"] == {
        "url": ACCOUNT_LINK["url"],
        "account": {"providerId": provider_gid, "chargesEnabled": False, "detailsSubmitted": False},
    }
    assert again["data"]["startPaymentOnboarding"]["url"] == ACCOUNT_LINK["url"]
    made = [c for c in recorded.calls if c[0] == "create_account"]
    assert len(made) == 1
    assert made[0][2] == f"account:{provider}"
    assert made[0][1]["type"] == "express"
    assert made[0][1]["country"] == "NL"
    links = [c[1] for c in recorded.calls if c[0] == "create_account_link"]
    assert len(links) == 2
    assert links[0]["account"] == ACCOUNT["id"]
    assert links[0]["type"] == "account_onboarding"
    assert before["errors"][0]["extensions"]["reason"] == "ProviderCannotTakePayments"
    assert wrong_secret.status_code == 400
    assert answer.status_code == 200
    assert seen_account["data"]["paymentAccount"] == {
        "providerId": provider_gid,
        "chargesEnabled": True,
        "detailsSubmitted": True,
    }
    instructions = prepared["data"]["preparePayment"]
    assert instructions["amountCents"] == 300_000
    ((_, params, key),) = [c for c in recorded.calls if c[0] == "create_payment_intent"]
    assert key == f"pi:{booking.enrollment_id}:1"
    assert params["transfer_data"] == {"destination": ACCOUNT["id"]}
    assert params["application_fee_amount"] == 30_000
    assert params["automatic_payment_methods"] == {"enabled": True}

    # Paid; the webhook confirms; the learner withdraws within 14 days.
    intent = recorded.succeed(instructions["clientSecret"].split("_secret_")[0])
    body = support.event_body("payment_intent.succeeded", intent)
    assert (await support.deliver(connect_client, body)).status_code == 200
    await support.run_jobs(db, connect)
    actor = await support.actor_of(db, booking.learner)
    async with db.transaction() as session:
        await enrollment_service.cancel_enrollment(
            session, actor, connect.booking, booking.enrollment_id
        )
    await support.run_jobs(db, connect)
    await support.run_jobs(db, connect)

    ((_, refund_params, refund_key),) = [c for c in recorded.calls if c[0] == "create_refund"]
    seen = await support.tables(db, booking)
    payment = seen.payments[0]
    assert refund_key == f"refund:{payment.id}:cancelled"
    assert refund_params["reverse_transfer"] is True
    assert refund_params["refund_application_fee"] is True
    assert refund_params["amount"] == 300_000
    refund_id = recorded.refunds[0]["id"]
    assert sorted(seen.ledger) == sorted(
        [
            ("payment", 300_000, intent["id"]),
            ("platform_fee", 30_000, intent["id"]),
            ("refund", -300_000, refund_id),
            ("transfer_reversal", -270_000, refund_id),
            ("platform_fee", -30_000, refund_id),
        ]
    )
    assert payment.state is PaymentState.REFUNDED
    assert seen.enrollment_state is EnrollmentState.CANCELLED
    assert seen.seats_taken == 0
    async with db.reader() as session:
        row = await session.get(PaymentAccount, provider)
        assert row is not None
        assert row.charges_enabled
