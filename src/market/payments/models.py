"""Payments' tables: the invoices a school sends DUO for a DUO loan booking.

An invoice moves forward only: draft -> sent -> approved | rejected, approved -> paid
(`INVOICE_FORWARD`). A rejected invoice stays as it was; the school records a corrected
one. Invoices are kept with their booking for the fiscal retention (7 years), also after
the learner's account is deleted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, DateTime, Enum, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from market.db.base import Base, created_at, uuid_pk


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
