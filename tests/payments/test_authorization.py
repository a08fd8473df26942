"""Who may do what with payments: each new operation as anonymous, a learner, another
provider's staff, the provider's own staff, a platform admin (and the booking's own
learner), asserting that nothing changed on denial."""

from __future__ import annotations

import httpx
import stripe
from sqlalchemy import func, select

from market.db.database import Database
from market.identity.models import Role
from market.payments.models import LedgerEntry, Payment, PaymentAccount, PaymentState
from market.payments.service import Payments
from tests.payments import support
from tests.payments.support import CONFIRM, PREPARE
from tests.payments.test_connect import ACCOUNT_QUERY, ONBOARD
from tests.support import actors


async def _world(db: Database, pay: Payments) -> tuple[support.Booking, dict[str, str | None]]:
    intake, provider = await support.add_intake_for_sale(db)
    booking = await support.hold(db, pay, intake, provider)
    other_provider = await actors.add_organisation(db, actors.OrganisationKind.PROVIDER)
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "learner": (await actors.learner(db)).token,
        "other provider's staff": (await actors.provider_staff(db, other_provider)).token,
        "own editor": (await actors.provider_staff(db, provider, Role.EDITOR)).token,
        "own owner": (await actors.provider_staff(db, provider, Role.OWNER)).token,
        "admin": (await actors.platform_admin(db)).token,
    }
    return booking, tokens


async def _count(db: Database, model: type) -> int:
    async with db.reader() as session:
        return await session.scalar(select(func.count()).select_from(model)) or 0


async def test_only_the_booking_learner_may_prepare_and_confirm_its_payment(
    db: Database, pay: Payments, client: httpx.AsyncClient, stripe_client: stripe.StripeClient
) -> None:
    booking, tokens = await _world(db, pay)
    variables = {"enrollment": booking.global_id}

    denied_prepare = {
        who: await support.graphql(client, PREPARE, variables, token)
        for who, token in tokens.items()
    }
    payments_after_denials = await _count(db, Payment)
    allowed = await support.graphql(client, PREPARE, variables, booking.learner.token)
    secret = allowed["data"]["preparePayment"]["clientSecret"]
    await support.pay_at_stripe(stripe_client, secret.split("_secret_")[0])
    denied_confirm = {
        who: await support.graphql(client, CONFIRM, variables, token)
        for who, token in tokens.items()
    }
    ledger_after_denials = await _count(db, LedgerEntry)
    state_after_denials = (await support.tables(db, booking)).payments[0].state
    confirmed = await support.graphql(client, CONFIRM, variables, booking.learner.token)

    expected = {who: "NOT_FOUND" for who in tokens} | {"anonymous": "UNAUTHENTICATED"}
    assert {w: a["errors"][0]["extensions"]["code"] for w, a in denied_prepare.items()} == expected
    assert {w: a["errors"][0]["extensions"]["code"] for w, a in denied_confirm.items()} == expected
    assert all(a["data"] is None for a in (*denied_prepare.values(), *denied_confirm.values()))
    assert payments_after_denials == 0
    assert ledger_after_denials == 0
    assert state_after_denials is PaymentState.PENDING
    assert confirmed["data"]["confirmPayment"]["enrollmentConfirmed"] is True


async def test_only_the_owner_or_an_admin_may_onboard_and_only_staff_see_the_account(
    db: Database, connect: Payments, connect_client: httpx.AsyncClient
) -> None:
    booking, tokens = await _world(db, connect)
    variables = {"provider": support.ids.encode("Provider", booking.provider_id)}

    denied = {
        who: await support.graphql(connect_client, ONBOARD, variables, token)
        for who, token in tokens.items()
        if who not in {"own owner", "admin"}
    }
    accounts_after_denials = await _count(db, PaymentAccount)
    by_owner = await support.graphql(connect_client, ONBOARD, variables, tokens["own owner"])
    by_admin = await support.graphql(connect_client, ONBOARD, variables, tokens["admin"])
    seen = {
        who: (await support.graphql(connect_client, ACCOUNT_QUERY, variables, token))["data"][
            "paymentAccount"
        ]
        for who, token in tokens.items()
    }
    unknown = await support.graphql(
        connect_client,
        ONBOARD,
        {"provider": support.ids.encode("Provider", booking.enrollment_id)},
        tokens["admin"],
    )

    assert {w: a["errors"][0]["extensions"]["code"] for w, a in denied.items()} == {
        "anonymous": "UNAUTHENTICATED",
        "learner": "FORBIDDEN",
        "other provider's staff": "FORBIDDEN",
        "own editor": "FORBIDDEN",
    }
    assert accounts_after_denials == 0
    assert "errors" not in by_owner
    assert "errors" not in by_admin
    assert await _count(db, PaymentAccount) == 1
    visible = {who for who, account in seen.items() if account is not None}
    assert visible == {"own editor", "own owner", "admin"}
    assert unknown["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_course_of_an_uncertified_provider_cannot_be_paid_online(
    db: Database, pay: Payments, client: httpx.AsyncClient
) -> None:
    intake, provider = await support.add_intake_for_sale(db, certified=False)
    booking = await support.hold(db, pay, intake, provider)

    answer = await support.graphql(
        client, PREPARE, {"enrollment": booking.global_id}, booking.learner.token
    )

    assert answer["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert answer["errors"][0]["extensions"]["reason"] == "ProviderNotCertifiedForPayment"
    assert await _count(db, Payment) == 0
