"""Payments' tables: the providers' Stripe accounts, one row per PaymentIntent attempt, the
Stripe events received (stored once each), the ledger per enrollment, and the invoices a
school sends DUO for a DUO loan booking.

A payment's state moves forward only (`FORWARD`):

    pending ──> paid ──> refunded
    pending ──> cancelled

A DUO invoice too: draft -> sent -> approved | rejected, approved -> paid
(`INVOICE_FORWARD`). A rejected invoice stays as it was; the school records a corrected
one. Invoices are kept with their booking for the fiscal retention (7 years), also after
the learner's account is deleted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from market.db.base import Base, created_at, uuid_pk


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, values_callable=lambda e: [m.value for m in e])


class PaymentState(StrEnum):
    PENDING = "pending"  # a PaymentIntent waiting for the learner's card or bank
    PAID = "paid"
    REFUNDED = "refunded"  # all of it went back
    CANCELLED = "cancelled"  # the PaymentIntent was cancelled unpaid


FORWARD: dict[PaymentState, frozenset[PaymentState]] = {
    PaymentState.PENDING: frozenset({PaymentState.PAID, PaymentState.CANCELLED}),
    PaymentState.PAID: frozenset({PaymentState.REFUNDED}),
}


class LedgerKind(StrEnum):
    PAYMENT = "payment"  # the learner paid (positive)
    PLATFORM_FEE = "platform_fee"  # the platform's application fee (positive, ours)
    REFUND = "refund"  # money back to the learner (negative)
    TRANSFER_REVERSAL = "transfer_reversal"  # taken back from the provider (negative)


class PaymentAccount(Base):
    """A provider's Stripe Express account (connected account), kept in step by
    `account.updated` on the Connect webhook."""

    __tablename__ = "payment_accounts"

    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("provider_profiles.organisation_id"), primary_key=True
    )
    stripe_account_id: Mapped[str] = mapped_column(String(255), unique=True)
    charges_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    details_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Payment(Base):
    """One attempt to pay for an enrollment: one PaymentIntent, created with the
    idempotency key `pi:{enrollment_id}:{attempt}`."""

    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = uuid_pk()
    enrollment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enrollments.id"))
    attempt: Mapped[int] = mapped_column(Integer)
    # NULL only inside the transaction that creates the PaymentIntent.
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # What the server asked for: the enrollment's price less its DUO part, in EUR.
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    application_fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    # The connected account the money goes to (destination charge), if any.
    destination_account_id: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[PaymentState] = mapped_column(_enum(PaymentState, "payment_state"))
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Why this payment was not fulfilled: its PaymentIntent disagreed with the order
    # (amount, currency or metadata). Set once; someone has to look.
    flagged: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at()
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("enrollment_id", "attempt"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("attempt >= 1", name="attempt_positive"),
        CheckConstraint(
            "refunded_cents >= 0 AND refunded_cents <= amount_cents", name="refund_within_amount"
        ),
    )


class StripeEvent(Base):
    """A webhook event as received, once per Stripe event id; processed by a job after
    the commit that stored it, and by the reconciliation sweep if that job never ran."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(255))
    # The connected account the event happened on (Connect endpoint), if any.
    account: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(
            "ix_stripe_events_unprocessed",
            "received_at",
            postgresql_where=text("processed_at IS NULL"),
        ),
    )


class LedgerEntry(Base):
    """Money moved for an enrollment. One row per (kind, Stripe object), so replaying an
    event or a job never writes twice."""

    __tablename__ = "ledger_entries"

    id: Mapped[uuid.UUID] = uuid_pk()
    enrollment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enrollments.id"), index=True)
    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"))
    kind: Mapped[LedgerKind] = mapped_column(_enum(LedgerKind, "ledger_kind"))
    # Signed: money in is positive, money going back negative.
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    # The PaymentIntent (payment, platform fee) or the Refund (refund, transfer reversal).
    stripe_object_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = created_at()

    __table_args__ = (UniqueConstraint("kind", "stripe_object_id"),)


class DuoInvoiceState(StrEnum):
    DRAFT = "draft"
    SENT = "sent"  # sent to DUO; the learner approves it in Mijn Inburgering
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"  # DUO paid the school


INVOICE_FORWARD: dict[DuoInvoiceState, frozenset[DuoInvoiceState]] = {
    DuoInvoiceState.DRAFT: frozenset({DuoInvoiceState.SENT}),
    DuoInvoiceState.SENT: frozenset({DuoInvoiceState.APPROVED, DuoInvoiceState.REJECTED}),
    DuoInvoiceState.APPROVED: frozenset({DuoInvoiceState.PAID}),
}


class DuoInvoice(Base):
    __tablename__ = "duo_invoices"

    id: Mapped[uuid.UUID] = uuid_pk()
    enrollment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("enrollments.id"), index=True)
    # The school's own invoice number.
    number: Mapped[str] = mapped_column(String(40))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(Integer)
    state: Mapped[DuoInvoiceState] = mapped_column(
        Enum(
            DuoInvoiceState,
            name="duo_invoice_state",
            values_callable=lambda e: [m.value for m in e],
        )
    )
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    # Who recorded the last step (provider staff), and when each step happened.
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
    )
