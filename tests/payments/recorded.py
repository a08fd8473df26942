"""Stripe's answers where localstripe has none (Connect: accounts, account links,
destination charges, transfer reversals): objects as Stripe's API reference shows them,
built with the library's own constructors and read through the gateway's own
conversions. `RecordedConnect` is the real gateway with those calls answered so, noting
what it was asked."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping
from typing import Any

import stripe

from market.payments import stripe_gateway
from market.payments.gateway import AccountInfo, Intent, RefundInfo

KEY = "sk_test_recorded"

# https://docs.stripe.com/api/accounts/object (an Express account, fields payments reads).
ACCOUNT: dict[str, Any] = {
    "id": "acct_1Nv0FGQ9RKHgCVdK",
    "object": "account",
    "type": "express",
    "country": "NL",
    "default_currency": "eur",
    "business_type": None,
    "capabilities": {
        "card_payments": "inactive",
        "ideal_payments": "inactive",
        "transfers": "inactive",
    },
    "charges_enabled": False,
    "payouts_enabled": False,
    "details_submitted": False,
    "email": None,
    "metadata": {},
}
# https://docs.stripe.com/api/account_links/object
ACCOUNT_LINK: dict[str, Any] = {
    "object": "account_link",
    "created": 1680577733,
    "expires_at": 1680578033,
    "url": "https://connect.stripe.com/setup/e/acct_1Nv0FGQ9RKHgCVdK/TqckGNUHg2mG",
}
# https://docs.stripe.com/api/payment_intents/object (a destination charge).
PAYMENT_INTENT: dict[str, Any] = {
    "id": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
    "object": "payment_intent",
    "amount": 0,
    "amount_received": 0,
    "application_fee_amount": 0,
    "automatic_payment_methods": {"enabled": True},
    "capture_method": "automatic",
    "client_secret": "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH",
    "confirmation_method": "automatic",
    "currency": "eur",
    "latest_charge": None,
    "livemode": False,
    "metadata": {},
    "on_behalf_of": None,
    "status": "requires_payment_method",
    "transfer_data": {"destination": "acct_1Nv0FGQ9RKHgCVdK"},
}
# https://docs.stripe.com/api/refunds/object
REFUND: dict[str, Any] = {
    "id": "re_1Nispe2eZvKYlo2Cd31jOCgZ",
    "object": "refund",
    "amount": 0,
    "charge": "ch_1NirD82eZvKYlo2CIvbtLWuY",
    "currency": "eur",
    "metadata": {},
    "payment_intent": "pi_3MtwBwLkdIwHu7ix28a3tqPa",
    "reason": None,
    "status": "succeeded",
    "transfer_reversal": "trr_1Nispe2eZvKYlo2CJiPu2cPa",
}


class RecordedConnect(stripe_gateway.StripeGateway):
    def __init__(self) -> None:
        super().__init__(KEY, api_base="http://127.0.0.1:9")
        self.calls: list[tuple[str, dict[str, Any], str | None]] = []
        self.account = copy.deepcopy(ACCOUNT)
        self.intents: dict[str, dict[str, Any]] = {}
        self.refunds: list[dict[str, Any]] = []
        self._serial = itertools.count(1)

    def _note(self, name: str, params: Mapping[str, Any], key: str | None = None) -> None:
        self.calls.append((name, dict(params), key))

    async def create_account(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> AccountInfo:
        self._note("create_account", params, idempotency_key)
        return stripe_gateway.account(stripe.Account.construct_from(self.account, KEY))

    async def retrieve_account(self, account_id: str) -> AccountInfo:
        assert account_id == self.account["id"]
        return stripe_gateway.account(stripe.Account.construct_from(self.account, KEY))

    async def create_account_link(self, params: Mapping[str, Any]) -> str:
        self._note("create_account_link", params)
        link = stripe.AccountLink.construct_from(ACCOUNT_LINK, KEY)
        return str(link.url)

    async def create_payment_intent(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> Intent:
        self._note("create_payment_intent", params, idempotency_key)
        number = next(self._serial)
        made = copy.deepcopy(PAYMENT_INTENT) | {
            "id": f"pi_recorded{number}",
            "client_secret": f"pi_recorded{number}_secret_abc",
            "amount": params["amount"],
            "application_fee_amount": params.get("application_fee_amount"),
            "metadata": params["metadata"],
            "transfer_data": params.get("transfer_data"),
        }
        self.intents[made["id"]] = made
        return stripe_gateway.intent(stripe.PaymentIntent.construct_from(made, KEY))

    async def retrieve_payment_intent(self, payment_intent_id: str) -> Intent:
        found = self.intents[payment_intent_id]
        return stripe_gateway.intent(stripe.PaymentIntent.construct_from(found, KEY))

    def succeed(self, payment_intent_id: str) -> dict[str, Any]:
        """The learner paid (as Stripe.js would have it)."""
        self.intents[payment_intent_id] |= {"status": "succeeded", "latest_charge": "ch_recorded"}
        return self.intents[payment_intent_id]

    async def create_refund(self, params: Mapping[str, Any], *, idempotency_key: str) -> RefundInfo:
        self._note("create_refund", params, idempotency_key)
        made = copy.deepcopy(REFUND) | {
            "id": f"re_recorded{next(self._serial)}",
            "amount": params["amount"],
            "payment_intent": params["payment_intent"],
            "metadata": params.get("metadata", {}),
        }
        self.refunds.append(made)
        return stripe_gateway.refund(stripe.Refund.construct_from(made, KEY))

    async def list_refunds(self, payment_intent_id: str) -> list[RefundInfo]:
        return [
            stripe_gateway.refund(stripe.Refund.construct_from(made, KEY))
            for made in self.refunds
            if made["payment_intent"] == payment_intent_id
        ]
