"""What payments needs from Stripe, in plain values: the `Gateway` protocol the service
calls, implemented by `market.payments.stripe_gateway.StripeGateway` (the one module that
imports `stripe`). Tests of the parts localstripe lacks (Connect) hand the service a
gateway whose answers are Stripe's recorded objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from market.kernel.errors import Conflict

# The PaymentIntent statuses a payment reacts to (Stripe's names).
SUCCEEDED = "succeeded"
CANCELED = "canceled"


class GatewayUnavailable(Conflict):
    """Stripe did not answer, or refused: nothing changed; try again later."""

    reason = "PaymentProviderUnavailable"
    message = "The payment provider could not be reached; try again in a moment."


@dataclass(frozen=True, slots=True)
class Intent:
    """A PaymentIntent as Stripe has it now."""

    id: str
    status: str
    amount: int
    currency: str
    metadata: Mapping[str, str]
    client_secret: str | None


@dataclass(frozen=True, slots=True)
class RefundInfo:
    id: str
    status: str
    amount: int
    currency: str
    payment_intent: str | None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """A connected (Express) account."""

    id: str
    charges_enabled: bool
    details_submitted: bool


@dataclass(frozen=True, slots=True)
class VerifiedEvent:
    """A webhook event whose signature checked out."""

    id: str
    type: str
    account: str | None
    payload: dict[str, Any]


class Gateway(Protocol):
    async def create_payment_intent(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> Intent: ...

    async def retrieve_payment_intent(self, payment_intent_id: str) -> Intent: ...

    async def create_refund(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> RefundInfo: ...

    async def list_refunds(self, payment_intent_id: str) -> list[RefundInfo]: ...

    async def create_account(
        self, params: Mapping[str, Any], *, idempotency_key: str
    ) -> AccountInfo: ...

    async def retrieve_account(self, account_id: str) -> AccountInfo: ...

    async def create_account_link(self, params: Mapping[str, Any]) -> str: ...

    def verify_event(self, payload: bytes, signature: str | None, secret: str) -> VerifiedEvent:
        """The event in `payload`, if `signature` (the Stripe-Signature header) is a valid,
        recent signature of it with `secret`; raises errors.InvalidWebhook otherwise."""
        ...
