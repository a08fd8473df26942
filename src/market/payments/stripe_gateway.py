"""Stripe, through its own library's async client: the only module that imports `stripe`
(an import-linter contract holds every other module to it)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import stripe

from market.payments import errors
from market.payments.gateway import (
    AccountInfo,
    GatewayUnavailable,
    Intent,
    RefundInfo,
    VerifiedEvent,
)

# Stripe's own default: a signature older than five minutes is a replay.
SIGNATURE_TOLERANCE_SECONDS = 300


class StripeGateway:
    """The `Gateway` on a StripeClient; `api_base` points it elsewhere (localstripe)."""

    def __init__(self, secret_key: str, *, api_base: str = "", max_network_retries: int = 2):
        addresses: dict[str, str] = {"api": api_base} if api_base else {}
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses=cast(Any, addresses),
            http_client=stripe.HTTPXClient(),
            max_network_retries=max_network_retries,
        )

    async def create_payment_intent(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> Intent:
        try:
            found = await self.client.v1.payment_intents.create_async(
                params=cast(Any, dict(params)), options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        return intent(found)

    async def retrieve_payment_intent(self, payment_intent_id: str) -> Intent:
        try:
            found = await self.client.v1.payment_intents.retrieve_async(payment_intent_id)
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        return intent(found)

    async def create_refund(self, params: Mapping[str, Any], *, idempotency_key: str) -> RefundInfo:
        try:
            made = await self.client.v1.refunds.create_async(
                params=cast(Any, dict(params)), options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        return refund(made)

    async def list_refunds(self, payment_intent_id: str) -> list[RefundInfo]:
        try:
            page = await self.client.v1.refunds.list_async(
                params={"payment_intent": payment_intent_id, "limit": 100}
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        return [refund(item) for item in page.data]

    async def create_account(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> AccountInfo:
        try:
            made = await self.client.v1.accounts.create_async(
                params=cast(Any, dict(params)), options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        return account(made)

    async def retrieve_account(self, account_id: str) -> AccountInfo:
        try:
            found = await self.client.v1.accounts.retrieve_async(account_id)
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        return account(found)

    async def create_account_link(self, params: Mapping[str, Any]) -> str:
        try:
            link = await self.client.v1.account_links.create_async(params=cast(Any, dict(params)))
        except stripe.StripeError as error:
            raise GatewayUnavailable() from error
        return str(link.url)

    def verify_event(self, payload: bytes, signature: str | None, secret: str) -> VerifiedEvent:
        return verify_event(payload, signature, secret)


def verify_event(
    payload: bytes,
    signature: str | None,
    secret: str,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> VerifiedEvent:
    """Stripe's check of the `t=...,v1=...` header (an HMAC-SHA256 of `{t}.{body}`), then
    the body's shape: an event object with an id, a type and `data.object`."""
    if not secret:
        raise errors.WebhookNotConfigured()
    try:
        text = payload.decode("utf-8")
        stripe.WebhookSignature.verify_header(text, signature, secret, tolerance)
    except (stripe.SignatureVerificationError, UnicodeDecodeError):
        raise errors.InvalidWebhookSignature() from None
    try:
        body = json.loads(text)
    except ValueError:
        raise errors.NotAStripeEvent() from None
    if not (
        isinstance(body, dict)
        and body.get("object", "event") == "event"
        and isinstance(body.get("id"), str)
        and 0 < len(body["id"]) <= 255
        and isinstance(body.get("type"), str)
        and 0 < len(body["type"]) <= 255
        and isinstance(body.get("data"), dict)
        and isinstance(body["data"].get("object"), dict)
        and isinstance(body.get("account"), str | None)
        and len(body.get("account") or "") <= 255
    ):
        raise errors.NotAStripeEvent()
    return VerifiedEvent(body["id"], body["type"], body.get("account"), body)


def intent(found: stripe.PaymentIntent) -> Intent:
    """The values payments reads of a PaymentIntent (`latest_charge` may come expanded or
    as an id: not read)."""
    return Intent(
        id=found.id,
        status=str(found.status),
        amount=int(found.amount),
        currency=str(found.currency),
        metadata=_plain(found.metadata),
        client_secret=found.client_secret,
    )


def _plain(metadata: object) -> dict[str, str]:
    """Metadata as plain text pairs (stripe 16's objects are no dicts: `to_dict()`)."""
    to_dict = getattr(metadata, "to_dict", None)
    values = to_dict() if callable(to_dict) else metadata
    if not isinstance(values, dict):
        return {}
    return {str(key): str(value) for key, value in values.items()}


def refund(made: stripe.Refund) -> RefundInfo:
    payment_intent = getattr(made, "payment_intent", None)
    return RefundInfo(
        id=made.id,
        status=str(made.status),
        amount=int(made.amount),
        currency=str(made.currency),
        payment_intent=payment_intent if isinstance(payment_intent, str | None) else None,
    )


def account(found: stripe.Account) -> AccountInfo:
    return AccountInfo(
        id=found.id,
        charges_enabled=bool(getattr(found, "charges_enabled", False)),
        details_submitted=bool(getattr(found, "details_submitted", False)),
    )


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """The Stripe-Signature header Stripe would send with `payload` (for development and
    tests)."""
    return str(
        stripe.WebhookSignature.generate_signature_header(
            payload.decode("utf-8"), secret, timestamp=timestamp
        )
    )
