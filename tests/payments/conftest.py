"""The payments tests' world: localstripe (a stateful fake Stripe) on a free loopback port
for the session, the real `stripe` library pointed at it, and apps whose settings take
payments there with the Connect parameters off (localstripe knows no Connect)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import stripe

import market.app
from market.app import create_app, payments
from market.payments import local_stripe
from market.payments.service import Payments
from market.settings import Settings
from tests.payments.recorded import RecordedConnect
from tests.payments.support import paying_settings


@pytest.fixture
def settings(database_url: str, localstripe: local_stripe.LocalStripe) -> Settings:
    return paying_settings(database_url, localstripe)


@pytest.fixture
def stripe_client(localstripe: local_stripe.LocalStripe) -> stripe.StripeClient:
    """Stripe as the learner's browser (and the dashboard) reach it, for the tests."""
    return stripe.StripeClient(
        local_stripe.SECRET_KEY,
        base_addresses={"api": localstripe.base},
        http_client=stripe.HTTPXClient(),
    )


@pytest.fixture
def pay(settings: Settings) -> Payments:
    found = payments(settings)
    assert found is not None
    return found


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """Concurrent requests through the real app (Litestar's test client serves one at a
    time); the app's lifespan only disposes of the pool, left to the database's drop."""
    app: Any = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://market.test"
    ) as http_client:
        yield http_client


@pytest.fixture
def recorded() -> RecordedConnect:
    """Stripe with Connect, answering from recorded objects (see recorded.py)."""
    return RecordedConnect()


@pytest.fixture
def connect(pay: Payments, recorded: RecordedConnect) -> Payments:
    return Payments(recorded, dataclasses.replace(pay.rules, stripe_connect=True), pay.booking)


@pytest.fixture
async def connect_client(
    settings: Settings, connect: Payments, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with Connect on, its Stripe answering from recorded objects."""
    monkeypatch.setattr(market.app, "payments", lambda _: connect)
    transport = httpx.ASGITransport(app=market.app.create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://market.test") as client:
        yield client
