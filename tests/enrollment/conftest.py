"""Booking tests run against an app that takes payments (on localstripe), as a real one
does: a seat held for card or iDEAL comes with its PaymentIntent."""

from __future__ import annotations

import pytest

from market.payments import local_stripe
from market.settings import Settings
from tests.payments.support import paying_settings


@pytest.fixture
def settings(database_url: str, localstripe: local_stripe.LocalStripe) -> Settings:
    return paying_settings(database_url, localstripe)
