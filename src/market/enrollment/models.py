"""Enrollment: seats held and booked on intakes, and the waitlist in front of full ones.

An enrollment is one learner's booking of one intake. It holds a seat from the moment it
is made until it ends (cancelled, lapsed, declined), so "seats taken" on the intake is the
count of live enrollments plus the seats offered to the waitlist; enrollment keeps that
count (and the queue's length) on the intake through the catalog, under the intake's row
lock (market.enrollment.service).

States move forward only (`FORWARD`):

    held ───────────────┬──> confirmed ──> cancelled
    awaiting_provider ──┘        (paid, or accepted by the provider for a DUO loan)
    held / awaiting_provider ──> lapsed | cancelled;  awaiting_provider ──> declined
    lapsed ──> confirmed  (paid late, with a seat still free; else the payment goes back)
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from market.db.base import Base, created_at, uuid_pk


class PaymentMethod(StrEnum):
    CARD = "card"
    IDEAL = "ideal"
    DUO_LOAN = "duo_loan"


class EnrollmentState(StrEnum):
    HELD = "held"  # a seat held until the payment lands or the hold lapses
    AWAITING_PROVIDER = "awaiting_provider"  # a DUO booking the provider has to accept
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"
    DECLINED = "declined"


# The states that hold a seat.
LIVE = frozenset(
    {EnrollmentState.HELD, EnrollmentState.AWAITING_PROVIDER, EnrollmentState.CONFIRMED}
)

FORWARD: dict[EnrollmentState, frozenset[EnrollmentState]] = {
    EnrollmentState.HELD: frozenset(
        {EnrollmentState.CONFIRMED, EnrollmentState.LAPSED, EnrollmentState.CANCELLED}
    ),
    EnrollmentState.AWAITING_PROVIDER: frozenset(
        {
            EnrollmentState.CONFIRMED,
            EnrollmentState.DECLINED,
            EnrollmentState.LAPSED,
            EnrollmentState.CANCELLED,
        }
    ),
    EnrollmentState.CONFIRMED: frozenset({EnrollmentState.CANCELLED}),
    # A payment that lands after its hold lapsed still books the seat, if one is free.
    EnrollmentState.LAPSED: frozenset({EnrollmentState.CONFIRMED}),
}


class WaitlistState(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"  # a seat is kept for this learner until the offer expires
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    LEFT = "left"


def _enum(enum: type[StrEnum], name: str) -> Enum:
    return Enum(enum, name=name, values_callable=lambda e: [m.value for m in e])


def _values(states: frozenset[EnrollmentState] | tuple[WaitlistState, ...]) -> str:
    return ", ".join(f"'{s.value}'" for s in sorted(states))


class Enrollment(Base):
    __tablename__ = "enrollments"

    id: Mapped[uuid.UUID] = uuid_pk()
    # NULL once the learner's account is deleted: the booking stays, for the ledger and
    # the invoices the fiscal retention keeps (market.identity's account deletion).
    learner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    intake_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("intakes.id"), index=True)
    # Copied from the intake's course when booked: what the learner agreed to.
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id"))
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("provider_profiles.organisation_id"), index=True
    )
    state: Mapped[EnrollmentState] = mapped_column(_enum(EnrollmentState, "enrollment_state"))
    payment_method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod, "payment_method"))
    price_cents: Mapped[int] = mapped_column(Integer)
    # The part of the price a DUO loan pays (the rest is the learner's own money).
    duo_cents: Mapped[int] = mapped_column(Integer, default=0)
    duo_loan_reference: Mapped[str | None] = mapped_column(String(20))
    cancellation_terms: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    hold_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What a cancellation gives back (set when cancelled).
    refund_cents: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("duo_cents >= 0 AND duo_cents <= price_cents", name="duo_within_price"),
        CheckConstraint(
            "(payment_method = 'duo_loan') = (duo_loan_reference IS NOT NULL)",
            name="duo_reference_with_duo_loan",
        ),
        # One live booking per learner and intake: a second checkout resumes the first.
        Index(
            "uq_enrollments_live_learner_intake",
            "learner_id",
            "intake_id",
            unique=True,
            postgresql_where=text(f"state IN ({_values(LIVE)})"),
        ),
        Index(
            "ix_enrollments_hold_expires_at",
            "hold_expires_at",
            postgresql_where=text("state IN ('held', 'awaiting_provider')"),
        ),
    )


OPEN = (WaitlistState.WAITING, WaitlistState.OFFERED)


class WaitlistEntry(Base):
    __tablename__ = "waitlist_entries"

    id: Mapped[uuid.UUID] = uuid_pk()
    # Arrival order, across all intakes: first come, first served.
    position: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    intake_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("intakes.id"))
    learner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[WaitlistState] = mapped_column(_enum(WaitlistState, "waitlist_state"))
    # How the learner means to pay once a seat is theirs.
    payment_method: Mapped[PaymentMethod] = mapped_column(_enum(PaymentMethod, "payment_method"))
    duo_loan_reference: Mapped[str | None] = mapped_column(String(20))
    duo_cents: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime] = created_at()
    offered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    offer_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("enrollments.id"))

    __table_args__ = (
        Index(
            "uq_waitlist_entries_open_learner_intake",
            "learner_id",
            "intake_id",
            unique=True,
            postgresql_where=text(f"state IN ({_values(OPEN)})"),
        ),
        Index(
            "ix_waitlist_entries_open_intake",
            "intake_id",
            "position",
            postgresql_where=text(f"state IN ({_values(OPEN)})"),
        ),
    )
