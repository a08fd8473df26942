"""The payments domain's GraphQL types: how to pay a booking, how a payment stands, and a
provider's Stripe account."""

from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.payments import models, service

PaymentState = models.PaymentState
strawberry.enum(
    PaymentState,
    description="PENDING (not paid yet), PAID, REFUNDED (all of it went back), CANCELLED.",
)


@strawberry.type(
    description="What the browser needs to pay a held booking with Stripe's Payment Element "
    "(card or iDEAL): confirm `clientSecret` with Stripe.js under `publishableKey`. The "
    "server never sees card data; it learns of the payment from Stripe."
)
class PaymentInstructions:
    enrollment_id: strawberry.ID
    client_secret: str
    publishable_key: str
    amount_cents: int = strawberry.field(description="What is paid online: all-in, in cents.")
    currency: str = strawberry.field(description="ISO 4217, lower case: eur.")

    @classmethod
    def of(cls, given: service.PaymentInstructions) -> PaymentInstructions:
        return cls(
            enrollment_id=strawberry.ID(ids.encode("Enrollment", given.enrollment_id)),
            client_secret=given.client_secret,
            publishable_key=given.publishable_key,
            amount_cents=given.amount_cents,
            currency=given.currency,
        )


@strawberry.type(description="How a booking's online payment stands, as Stripe says now.")
class PaymentStatus:
    enrollment_id: strawberry.ID
    state: PaymentState
    amount_cents: int
    currency: str
    refunded_cents: int
    enrollment_confirmed: bool = strawberry.field(
        description="The seat is the learner's (the payment confirmed the booking)."
    )
    refund_pending: bool = strawberry.field(
        description="Paid, but the seat was gone: the money is being sent back."
    )

    @classmethod
    def of(cls, status: service.PaymentStatus) -> PaymentStatus:
        payment = status.payment
        return cls(
            enrollment_id=strawberry.ID(ids.encode("Enrollment", payment.enrollment_id)),
            state=payment.state,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            refunded_cents=payment.refunded_cents,
            enrollment_confirmed=status.enrollment_state.value == "confirmed",
            refund_pending=status.fulfilment is service.Fulfilment.REFUNDING,
        )


@strawberry.type(description="A provider's Stripe account, which online payments go to.")
class PaymentAccount:
    provider_id: strawberry.ID
    charges_enabled: bool = strawberry.field(
        description="Stripe lets the account take payments: its courses can be paid online."
    )
    details_submitted: bool = strawberry.field(
        description="The provider has filled in Stripe's onboarding forms."
    )

    @classmethod
    def of(cls, row: models.PaymentAccount) -> PaymentAccount:
        return cls(
            provider_id=strawberry.ID(ids.encode("Provider", row.provider_id)),
            charges_enabled=row.charges_enabled,
            details_submitted=row.details_submitted,
        )


@strawberry.type(description="Where the provider's owner goes next to set up payments.")
class PaymentOnboarding:
    url: str = strawberry.field(
        description="Stripe's onboarding forms for the account; valid for a few minutes, once."
    )
    account: PaymentAccount
