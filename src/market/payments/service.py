"""Payments' verbs: a PaymentIntent per booking attempt, fulfilment (one function for the
webhook and the return page), refunds, the webhook events' processing, and the providers'
Stripe accounts.

Invariants:
- one PaymentIntent per attempt: the attempt's row is inserted (unique per enrollment and
  attempt) before Stripe is called with the key `pi:{enrollment}:{attempt}`, and a
  concurrent or retried request waits on that row and re-uses its PaymentIntent;
- a payment moves forward only (models.FORWARD), under its row lock, and is fulfilled
  at most once: the webhook's job and the return page both go through `_settle_intent`;
- money is never kept without a seat: a payment whose booking cannot have its seat is
  refunded by a job queued in the same transaction;
- the ledger has one row per (kind, Stripe object): a replayed event writes nothing new.

Functions only flush; the caller's boundary commits. Refunds are made in jobs (after the
commit that decided them), never in a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import timedelta
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import service as catalog
from market.catalog.policies import may_manage
from market.db import outbox
from market.enrollment import service as enrollment_service
from market.enrollment.errors import EnrollmentNotFound
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod
from market.enrollment.policies import BookingRules
from market.identity.models import Role
from market.identity.policies import Actor
from market.payments import errors
from market.payments.gateway import (
    CANCELED,
    SUCCEEDED,
    AccountInfo,
    Gateway,
    GatewayUnavailable,
    Intent,
    RefundInfo,
)
from market.payments.models import (
    FORWARD,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentAccount,
    PaymentState,
    StripeEvent,
)

log = structlog.get_logger("market.payments")

CURRENCY = "eur"
ONLINE = frozenset({PaymentMethod.CARD, PaymentMethod.IDEAL})
# The task that processes a stored Stripe event, and the one that refunds (tasks.py).
QUEUE = "payments"
PROCESS_EVENT = "payments:process_stripe_event"
REFUND_PAYMENT = "payments:refund_payment"
# Refund reasons, part of the refund's idempotency key `refund:{payment}:{reason}`.
NO_SEAT = "no_seat"
CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PaymentRules:
    """The settings payments runs on (market.settings.Settings has these fields)."""

    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_connect_webhook_secret: str = ""
    stripe_connect: bool = True
    platform_fee_basis_points: int = 1000
    stripe_onboarding_return_url: str = ""
    stripe_onboarding_refresh_url: str = ""

    @classmethod
    def of(cls, settings: object) -> PaymentRules:
        return cls(**{field.name: getattr(settings, field.name) for field in fields(cls)})

    def fee(self, amount_cents: int) -> int:
        """The platform's application fee on a destination charge (rounded down)."""
        return amount_cents * self.platform_fee_basis_points // 10_000 if self.stripe_connect else 0


@dataclass(frozen=True, slots=True)
class Payments:
    """What every payments verb needs: Stripe, its rules, and the booking rules that
    confirming a seat runs on."""

    gateway: Gateway
    rules: PaymentRules
    booking: BookingRules


@dataclass(frozen=True, slots=True)
class PaymentInstructions:
    """What the browser needs to pay with Stripe's Payment Element."""

    enrollment_id: uuid.UUID
    client_secret: str
    publishable_key: str
    amount_cents: int
    currency: str
    payment_method: PaymentMethod


class Fulfilment(StrEnum):
    CONFIRMED = "confirmed"  # paid now, and the seat is the learner's
    ALREADY_SETTLED = "already_settled"  # seen before: nothing changed
    PENDING = "pending"  # not paid (yet)
    CANCELLED = "cancelled"  # the PaymentIntent was cancelled unpaid
    FLAGGED = "flagged"  # paid, but not as ordered: not fulfilled; someone must look
    REFUNDING = "refunding"  # paid, but the seat is gone: the money goes back


@dataclass(frozen=True, slots=True)
class PaymentStatus:
    payment: Payment
    fulfilment: Fulfilment
    enrollment_state: EnrollmentState


def intent_params(
    rules: PaymentRules,
    enrollment: Enrollment,
    *,
    amount_cents: int,
    fee_cents: int,
    destination: str | None,
) -> dict[str, Any]:
    """The PaymentIntent Stripe is asked for (https://docs.stripe.com/api/payment_intents/
    create): the server's amount in EUR, the booking in its metadata, card and iDEAL; with
    Connect a destination charge to the provider with the platform's fee."""
    params: dict[str, Any] = {
        "amount": amount_cents,
        "currency": CURRENCY,
        "metadata": {
            "enrollment_id": str(enrollment.id),
            "intake_id": str(enrollment.intake_id),
            "provider_id": str(enrollment.provider_id),
        },
    }
    if rules.stripe_connect:
        assert destination is not None
        params["automatic_payment_methods"] = {"enabled": True}
        params["application_fee_amount"] = fee_cents
        params["transfer_data"] = {"destination": destination}
    else:
        params["payment_method_types"] = ["card", "ideal"]
    return params


# -- paying ------------------------------------------------------------------------------


async def start_checkout(
    session: AsyncSession,
    actor: Actor,
    rules: BookingRules,
    payments: Payments | None,
    intake_id: uuid.UUID,
    method: PaymentMethod,
    duo_loan_reference: str | None,
    duo_cents: int | None = None,
) -> enrollment_service.Booked:
    """Enrollment's checkout, refused when the seat would be paid online to a school that
    cannot be paid online now (the caller's transaction then rolls back: no hold, no place
    in line). The PaymentIntent comes after the commit (`prepare_payment`)."""
    booked = await enrollment_service.start_checkout(
        session, actor, rules, intake_id, method, duo_loan_reference, duo_cents
    )
    if method in ONLINE:
        provider_id = (
            booked.enrollment.provider_id
            if booked.enrollment is not None
            else await catalog.provider_of_intake(session, intake_id)
        )
        assert provider_id is not None  # the checkout found the intake
        await payable_to(session, payments, provider_id, field="paymentMethod")
    return booked


async def prepare_payment(
    session: AsyncSession, actor: Actor, payments: Payments | None, enrollment_id: uuid.UUID
) -> PaymentInstructions:
    """The PaymentIntent for the signed-in learner's held booking (card or iDEAL): the
    attempt's own if it has one still payable, else a new attempt's. Call it after the
    hold's transaction committed; it calls Stripe holding the attempt's row lock, so a
    retried or concurrent request gets the same PaymentIntent, never a second charge."""
    learner_id = actor.require_user()
    enrollment = await session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.learner_id != learner_id:
        raise EnrollmentNotFound(field="enrollmentId")
    if payments is None:
        raise errors.OnlinePaymentUnavailable()
    if enrollment.payment_method not in ONLINE:
        raise errors.NotPaidOnline(field="enrollmentId", method=enrollment.payment_method.value)
    if enrollment.state is not EnrollmentState.HELD:
        raise errors.NotAwaitingPayment(field="enrollmentId", state=enrollment.state.value)
    amount = enrollment.price_cents - enrollment.duo_cents
    if amount <= 0:
        raise errors.NothingToPay(field="enrollmentId")
    destination = await payable_to(session, payments, enrollment.provider_id)
    for _ in range(3):
        latest = await _latest_attempt(session, enrollment.id)
        if latest is not None and latest.state is PaymentState.PENDING:
            assert latest.payment_intent_id is not None
            intent = await payments.gateway.retrieve_payment_intent(latest.payment_intent_id)
            if intent.status != CANCELED and intent.client_secret:
                return _instructions(payments, enrollment, latest, intent)
            if intent.status == CANCELED:
                _advance(latest, PaymentState.CANCELLED)
                latest.ended_at = func.now()
        elif latest is not None and latest.state is not PaymentState.CANCELLED:
            raise errors.NotAwaitingPayment(field="enrollmentId", state=latest.state.value)
        attempt = 1 if latest is None else latest.attempt + 1
        fee = payments.rules.fee(amount)
        payment_id = await session.scalar(
            insert(Payment)
            .values(
                id=uuid.uuid4(),
                enrollment_id=enrollment.id,
                attempt=attempt,
                amount_cents=amount,
                currency=CURRENCY,
                application_fee_cents=fee,
                destination_account_id=destination,
                state=PaymentState.PENDING,
                refunded_cents=0,
            )
            .on_conflict_do_nothing(index_elements=[Payment.enrollment_id, Payment.attempt])
            .returning(Payment.id)
        )
        if payment_id is None:
            continue  # a concurrent request made this attempt (and committed): re-use it
        payment = await session.get(Payment, payment_id, with_for_update=True)
        assert payment is not None
        params = intent_params(
            payments.rules, enrollment, amount_cents=amount, fee_cents=fee, destination=destination
        )
        intent = await payments.gateway.create_payment_intent(
            params, idempotency_key=f"pi:{enrollment.id}:{attempt}"
        )
        payment.payment_intent_id = intent.id
        await session.flush()
        return _instructions(payments, enrollment, payment, intent)
    raise GatewayUnavailable()


async def payable_to(
    session: AsyncSession,
    payments: Payments | None,
    provider_id: uuid.UUID,
    *,
    field: str = "enrollmentId",
) -> str | None:
    """Whether the school can be paid online now: online payment configured, the school's
    Blik op Werk mark valid and (with Connect) its Stripe account able to take charges.
    Returns the connected account the money goes to (None without Connect); raises why
    not. startCheckout asks before it holds a seat to be paid by card or iDEAL."""
    if payments is None:
        raise errors.OnlinePaymentUnavailable()
    if not await catalog.provider_certified(session, provider_id):
        raise errors.ProviderNotCertifiedForPayment(field=field)
    if not payments.rules.stripe_connect:
        return None
    account = await session.get(PaymentAccount, provider_id)
    if account is None or not account.charges_enabled:
        raise errors.ProviderCannotTakePayments(field=field)
    return account.stripe_account_id


def _instructions(
    payments: Payments, enrollment: Enrollment, payment: Payment, intent: Intent
) -> PaymentInstructions:
    assert intent.client_secret is not None
    return PaymentInstructions(
        enrollment_id=enrollment.id,
        client_secret=intent.client_secret,
        publishable_key=payments.rules.stripe_publishable_key,
        amount_cents=payment.amount_cents,
        currency=payment.currency,
        payment_method=enrollment.payment_method,
    )


async def _latest_attempt(session: AsyncSession, enrollment_id: uuid.UUID) -> Payment | None:
    """The enrollment's newest attempt, locked."""
    return await session.scalar(
        select(Payment)
        .where(Payment.enrollment_id == enrollment_id)
        .order_by(Payment.attempt.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _advance(payment: Payment, state: PaymentState) -> bool:
    """Move forward; a step back (or sideways) is ignored. True when it moved."""
    if state not in FORWARD.get(payment.state, frozenset()):
        return False
    payment.state = state
    return True


# -- fulfilling --------------------------------------------------------------------------


async def confirm_payment(
    session: AsyncSession, actor: Actor, payments: Payments | None, enrollment_id: uuid.UUID
) -> PaymentStatus:
    """The return page: the learner is back from paying; ask Stripe how the payment stands
    and fulfil it if it succeeded (the same function the webhook's job runs)."""
    learner_id = actor.require_user()
    enrollment = await session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.learner_id != learner_id:
        raise EnrollmentNotFound(field="enrollmentId")
    if payments is None:
        raise errors.OnlinePaymentUnavailable()
    payment = await _latest_attempt(session, enrollment_id)
    if payment is None or payment.payment_intent_id is None:
        raise errors.PaymentNotFound(field="enrollmentId")
    intent = await payments.gateway.retrieve_payment_intent(payment.payment_intent_id)
    fulfilment = await _settle_intent(session, payments, payment, intent)
    await session.refresh(enrollment)
    return PaymentStatus(payment, fulfilment, enrollment.state)


async def _settle_intent(
    session: AsyncSession, payments: Payments, payment: Payment, intent: Intent
) -> Fulfilment:
    """Apply what Stripe says of the payment's PaymentIntent (`intent`, fetched now) to the
    payment, locked by the caller: the one way a payment is fulfilled."""
    if payment.state is not PaymentState.PENDING:
        return Fulfilment.FLAGGED if payment.flagged else Fulfilment.ALREADY_SETTLED
    if intent.status == CANCELED:
        _advance(payment, PaymentState.CANCELLED)
        payment.ended_at = func.now()
        await session.flush()
        return Fulfilment.CANCELLED
    if intent.status != SUCCEEDED:
        return Fulfilment.PENDING
    enrollment = await session.get(Enrollment, payment.enrollment_id)
    assert enrollment is not None
    _advance(payment, PaymentState.PAID)
    payment.paid_at = func.now()
    await session.flush()
    await _ledger(session, payment, LedgerKind.PAYMENT, intent.amount, intent.id, intent.currency)
    if payment.application_fee_cents:
        await _ledger(
            session, payment, LedgerKind.PLATFORM_FEE, payment.application_fee_cents, intent.id
        )
    mismatch = _mismatch(payment, enrollment, intent)
    if mismatch is not None:
        payment.flagged = mismatch
        await session.flush()
        log.warning("payment flagged", payment_id=str(payment.id), reason=mismatch)
        return Fulfilment.FLAGGED
    confirmation = await enrollment_service.confirm_payment(
        session, payments.booking, payment.enrollment_id
    )
    if confirmation is enrollment_service.Confirmation.NO_SEAT:
        await queue_refund(session, payment, NO_SEAT, payment.amount_cents)
        return Fulfilment.REFUNDING
    if confirmation is enrollment_service.Confirmation.ALREADY_CONFIRMED:
        return Fulfilment.ALREADY_SETTLED
    return Fulfilment.CONFIRMED


def _mismatch(payment: Payment, enrollment: Enrollment, intent: Intent) -> str | None:
    """How the PaymentIntent disagrees with the server's order, if it does."""
    if intent.amount != payment.amount_cents:
        return f"amount {intent.amount} instead of {payment.amount_cents}"
    if intent.currency.lower() != payment.currency:
        return f"currency {intent.currency} instead of {payment.currency}"
    expected = {
        "enrollment_id": str(enrollment.id),
        "intake_id": str(enrollment.intake_id),
        "provider_id": str(enrollment.provider_id),
    }
    wrong = sorted(key for key, value in expected.items() if intent.metadata.get(key) != value)
    if wrong:
        return "metadata " + ", ".join(wrong)
    return None


async def _ledger(
    session: AsyncSession,
    payment: Payment,
    kind: LedgerKind,
    amount_cents: int,
    stripe_object_id: str,
    currency: str | None = None,
) -> bool:
    """One ledger row per (kind, Stripe object); True when it was written now."""
    written = await session.scalar(
        insert(LedgerEntry)
        .values(
            id=uuid.uuid4(),
            enrollment_id=payment.enrollment_id,
            payment_id=payment.id,
            kind=kind,
            amount_cents=amount_cents,
            currency=(currency or payment.currency).lower(),
            stripe_object_id=stripe_object_id,
        )
        .on_conflict_do_nothing(index_elements=[LedgerEntry.kind, LedgerEntry.stripe_object_id])
        .returning(LedgerEntry.id)
    )
    return written is not None


# -- refunds -----------------------------------------------------------------------------


async def queue_refund(
    session: AsyncSession, payment: Payment, reason: str, amount_cents: int
) -> None:
    """A refund of the payment, made by a job once this transaction commits."""
    await outbox.defer(
        session,
        REFUND_PAYMENT,
        queue=QUEUE,
        args={"payment_id": str(payment.id), "reason": reason, "amount_cents": amount_cents},
    )


async def refund_payment(
    session: AsyncSession,
    payments: Payments,
    payment_id: uuid.UUID,
    reason: str,
    amount_cents: int,
) -> RefundInfo | None:
    """Give back up to `amount_cents` of a paid payment (never more than is left), with
    the idempotency key `refund:{payment}:{reason}`; with Connect the transfer to the
    provider is reversed and the platform's fee given back. None when nothing was due."""
    payment = await session.get(Payment, payment_id, with_for_update=True, populate_existing=True)
    if payment is None or payment.state is not PaymentState.PAID or payment.flagged:
        return None
    amount = min(amount_cents, payment.amount_cents - payment.refunded_cents)
    if amount <= 0 or payment.payment_intent_id is None:
        return None
    params: dict[str, Any] = {
        "payment_intent": payment.payment_intent_id,
        "amount": amount,
        "metadata": {"enrollment_id": str(payment.enrollment_id), "reason": reason},
    }
    if payments.rules.stripe_connect and payment.destination_account_id:
        params["reverse_transfer"] = True
        params["refund_application_fee"] = True
    made = await payments.gateway.create_refund(
        params, idempotency_key=f"refund:{payment.id}:{reason}"
    )
    await _record_refunds(session, payments, payment, [made])
    return made


async def refund_cancelled(
    session: AsyncSession, payments: Payments, enrollment_id: uuid.UUID, refund_cents: int
) -> RefundInfo | None:
    """A booking was cancelled (enrollment.events.EnrollmentCancelled): refund what its
    terms give back of what was paid, if anything was."""
    if refund_cents <= 0:
        return None
    payment_id = await session.scalar(
        select(Payment.id)
        .where(Payment.enrollment_id == enrollment_id, Payment.state == PaymentState.PAID)
        .order_by(Payment.attempt.desc())
        .limit(1)
    )
    if payment_id is None:
        return None
    return await refund_payment(session, payments, payment_id, CANCELLED, refund_cents)


async def _record_refunds(
    session: AsyncSession, payments: Payments, payment: Payment, refunds: Sequence[RefundInfo]
) -> None:
    """Write the refunds Stripe made of the payment (locked) into the ledger, once each;
    a payment given back in full is refunded, and its booking, if still live, ends."""
    for made in refunds:
        if made.status not in ("succeeded", "pending"):
            continue
        if not await _ledger(session, payment, LedgerKind.REFUND, -made.amount, made.id):
            continue
        payment.refunded_cents = min(payment.amount_cents, payment.refunded_cents + made.amount)
        if payment.destination_account_id and payments.rules.stripe_connect:
            fee = payment.application_fee_cents * made.amount // payment.amount_cents
            await _ledger(
                session, payment, LedgerKind.TRANSFER_REVERSAL, -(made.amount - fee), made.id
            )
            if fee:
                await _ledger(session, payment, LedgerKind.PLATFORM_FEE, -fee, made.id)
    await session.flush()
    if payment.refunded_cents >= payment.amount_cents and _advance(payment, PaymentState.REFUNDED):
        payment.ended_at = func.now()
        await session.flush()
        await enrollment_service.cancel_refunded(
            session, payments.booking, payment.enrollment_id, payment.refunded_cents
        )


# -- webhook events ----------------------------------------------------------------------

# The event types processing acts on; every other one is stored as processed.
PAYMENT_INTENT_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.processing",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "payment_intent.requires_action",
    }
)
REFUND_EVENTS = frozenset(
    {"charge.refunded", "charge.refund.updated", "refund.created", "refund.updated"}
)
ACCOUNT_EVENTS = frozenset({"account.updated"})
HANDLED = PAYMENT_INTENT_EVENTS | REFUND_EVENTS | ACCOUNT_EVENTS
# After this many failed attempts an event is left for someone to look at.
MAX_EVENT_ATTEMPTS = 25


class NotYetKnown(Exception):
    """The event is about a payment not (yet) stored: its transaction has not committed.
    Processing is tried again later."""


class EventOutcome(StrEnum):
    PROCESSED = "processed"
    ALREADY_PROCESSED = "already_processed"
    RETRY_LATER = "retry_later"


async def receive_event(
    session: AsyncSession,
    payments: Payments | None,
    payload: bytes,
    signature: str | None,
    *,
    connect: bool,
) -> bool:
    """A webhook delivery: verified on the raw body with the endpoint's secret (raising an
    InvalidInput fact otherwise, before anything is written), stored once per event id,
    and its processing queued in this transaction. True when the event was new."""
    if payments is None:
        raise errors.WebhookNotConfigured()
    rules = payments.rules
    secret = rules.stripe_connect_webhook_secret if connect else rules.stripe_webhook_secret
    event = payments.gateway.verify_event(payload, signature, secret)
    handled = event.type in HANDLED
    _forget_client_secret(event.payload)
    stored = await session.scalar(
        insert(StripeEvent)
        .values(
            id=event.id,
            type=event.type,
            account=event.account,
            payload=event.payload,
            attempts=0,
            processed_at=None if handled else func.now(),
        )
        .on_conflict_do_nothing(index_elements=[StripeEvent.id])
        .returning(StripeEvent.id)
    )
    if stored is not None and handled:
        await outbox.defer(session, PROCESS_EVENT, queue=QUEUE, args={"event_id": event.id})
    return stored is not None


def _forget_client_secret(payload: dict[str, Any]) -> None:
    """A PaymentIntent's client secret lets its holder pay it: not kept in the event log."""
    subject = payload.get("data", {}).get("object")
    if isinstance(subject, dict):
        subject.pop("client_secret", None)


async def process_event(session: AsyncSession, payments: Payments, event_id: str) -> EventOutcome:
    """Act on a stored event, at most once: under its row lock, skipped when processed.
    The event is a hint: what it is about is fetched from Stripe afresh. An event about a
    payment not stored yet, or one Stripe could not be asked about, is counted and left
    for later (the reconciliation sweep)."""
    event = await session.get(StripeEvent, event_id, with_for_update=True, populate_existing=True)
    if event is None or event.processed_at is not None:
        return EventOutcome.ALREADY_PROCESSED
    try:
        async with session.begin_nested():
            await _handle(session, payments, event)
    except (NotYetKnown, GatewayUnavailable) as error:
        return await _failed(session, event, str(error) or type(error).__name__)
    except Exception as error:  # counted, kept and logged: the sweep tries again
        log.exception("stripe event failed", event_id=event.id, type=event.type)
        return await _failed(session, event, type(error).__name__)
    event.attempts += 1
    event.last_error = None
    event.processed_at = func.now()
    await session.flush()
    return EventOutcome.PROCESSED


async def _failed(session: AsyncSession, event: StripeEvent, error: str) -> EventOutcome:
    event.attempts += 1
    event.last_error = error[:500]
    await session.flush()
    return EventOutcome.RETRY_LATER


async def _handle(session: AsyncSession, payments: Payments, event: StripeEvent) -> None:
    subject: Mapping[str, Any] = event.payload.get("data", {}).get("object", {})
    if event.type in PAYMENT_INTENT_EVENTS:
        payment = await _payment_for(session, _text(subject.get("id")), subject)
        if payment is not None:
            assert payment.payment_intent_id is not None
            intent = await payments.gateway.retrieve_payment_intent(payment.payment_intent_id)
            await _settle_intent(session, payments, payment, intent)
    elif event.type in REFUND_EVENTS:
        payment = await _payment_for(session, _text(subject.get("payment_intent")), subject)
        if payment is not None:
            assert payment.payment_intent_id is not None
            refunds = await payments.gateway.list_refunds(payment.payment_intent_id)
            await _record_refunds(session, payments, payment, refunds)
    elif event.type in ACCOUNT_EVENTS:
        account_id = event.account or _text(subject.get("id"))
        if account_id is not None:
            await _refresh_account(session, payments, account_id)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


async def _payment_for(
    session: AsyncSession, payment_intent_id: str | None, subject: Mapping[str, Any]
) -> Payment | None:
    """The payment of a PaymentIntent, locked; None for one that is none of ours; raises
    NotYetKnown for one of ours not stored yet (its metadata names an enrollment)."""
    if payment_intent_id is None:
        return None
    payment = await session.scalar(
        select(Payment)
        .where(Payment.payment_intent_id == payment_intent_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if payment is not None:
        return payment
    metadata = subject.get("metadata")
    ours = isinstance(metadata, dict) and "enrollment_id" in metadata
    # A charge or refund carries no metadata of ours: wait for the payment all the same.
    if ours or subject.get("object") in ("charge", "refund"):
        raise NotYetKnown(f"no payment stored for {payment_intent_id} yet")
    return None


async def reconcile(session: AsyncSession, *, older_than: timedelta = timedelta(minutes=1)) -> int:
    """The sweep: queue processing again for every stored event not processed (its job
    lost in a crash, or its payment not stored yet when it ran), received at least
    `older_than` ago and tried fewer than MAX_EVENT_ATTEMPTS times; returns how many."""
    event_ids = (
        await session.scalars(
            select(StripeEvent.id)
            .where(
                StripeEvent.processed_at.is_(None),
                StripeEvent.received_at <= func.now() - older_than,
                StripeEvent.attempts < MAX_EVENT_ATTEMPTS,
            )
            .order_by(StripeEvent.received_at)
            .limit(500)
        )
    ).all()
    for event_id in event_ids:
        await outbox.defer(session, PROCESS_EVENT, queue=QUEUE, args={"event_id": event_id})
    return len(event_ids)


# -- providers' accounts -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Onboarding:
    account: PaymentAccount
    url: str


def _may_set_up_payments(actor: Actor, provider_id: uuid.UUID) -> bool:
    return actor.is_platform_admin or actor.acts_for(provider_id, (Role.OWNER,))


async def start_onboarding(
    session: AsyncSession, actor: Actor, payments: Payments | None, provider_id: uuid.UUID
) -> Onboarding:
    """The provider's owner (or a platform admin) sets up online payment: the provider's
    Stripe Express account, created once, and a fresh onboarding link to Stripe's forms."""
    actor.require_user()
    if not _may_set_up_payments(actor, provider_id):
        raise errors.NotProviderOwner(field="providerId")
    provider = await catalog.find_provider(session, provider_id)
    if provider is None:
        raise errors.ProviderProfileNotFound(field="providerId")
    if payments is None or not payments.rules.stripe_connect:
        raise errors.OnlinePaymentUnavailable()
    account = await session.get(PaymentAccount, provider_id, with_for_update=True)
    if account is None:
        made = await payments.gateway.create_account(
            {
                "type": "express",
                "country": "NL",
                "default_currency": CURRENCY,
                "capabilities": {
                    "card_payments": {"requested": True},
                    "ideal_payments": {"requested": True},
                    "transfers": {"requested": True},
                },
                "business_profile": {"name": provider.name, "url": provider.website},
                "metadata": {"provider_id": str(provider_id)},
            },
            idempotency_key=f"account:{provider_id}",
        )
        await session.execute(
            insert(PaymentAccount)
            .values(
                provider_id=provider_id,
                stripe_account_id=made.id,
                charges_enabled=made.charges_enabled,
                details_submitted=made.details_submitted,
            )
            .on_conflict_do_nothing(index_elements=[PaymentAccount.provider_id])
        )
        account = await session.get(
            PaymentAccount, provider_id, with_for_update=True, populate_existing=True
        )
        assert account is not None
    url = await payments.gateway.create_account_link(
        {
            "account": account.stripe_account_id,
            "refresh_url": payments.rules.stripe_onboarding_refresh_url,
            "return_url": payments.rules.stripe_onboarding_return_url,
            "type": "account_onboarding",
        }
    )
    return Onboarding(account, url)


async def _refresh_account(session: AsyncSession, payments: Payments, account_id: str) -> None:
    """`account.updated`: what Stripe says of the account now, on its provider's row."""
    known = await session.scalar(
        select(PaymentAccount.provider_id).where(PaymentAccount.stripe_account_id == account_id)
    )
    if known is None:
        return
    found: AccountInfo = await payments.gateway.retrieve_account(account_id)
    await session.execute(
        update(PaymentAccount)
        .where(PaymentAccount.provider_id == known)
        .values(
            charges_enabled=found.charges_enabled,
            details_submitted=found.details_submitted,
            updated_at=func.now(),
        )
    )


async def payment_account(
    session: AsyncSession, actor: Actor, provider_id: uuid.UUID
) -> PaymentAccount | None:
    """The provider's Stripe account as its staff and platform admins see it; None for
    anyone else and for a provider without one."""
    if not actor.is_authenticated or not may_manage(actor, provider_id):
        return None
    return await session.get(PaymentAccount, provider_id)


async def payments_of(
    session: AsyncSession, actor: Actor, enrollment_id: uuid.UUID
) -> Sequence[Payment]:
    """An enrollment's payment attempts, oldest first, for whoever may see the enrollment."""
    if await enrollment_service.find_enrollment(session, actor, enrollment_id) is None:
        return []
    return (
        await session.scalars(
            select(Payment).where(Payment.enrollment_id == enrollment_id).order_by(Payment.attempt)
        )
    ).all()


async def payments_of_enrollments(
    session: AsyncSession, enrollment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Payment]]:
    """Each booking's payment attempts, oldest first (for bookings the reader may see, as
    `duo.invoices_of_enrollments`)."""
    rows = await session.scalars(
        select(Payment)
        .where(Payment.enrollment_id.in_(enrollment_ids))
        .order_by(Payment.enrollment_id, Payment.attempt)
    )
    found: dict[uuid.UUID, list[Payment]] = {key: [] for key in enrollment_ids}
    for row in rows:
        found[row.enrollment_id].append(row)
    return found
