"""The rules of booking: how long a seat is held, what a cancellation gives back, what a
DUO loan reference looks like."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from market.enrollment import errors
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod

# Dutch distance-selling law: 14 days to withdraw with a full refund.
WITHDRAWAL_DAYS = 14

_DUO_REFERENCE = re.compile(r"^[0-9]{10}$")
_SEPARATORS = re.compile(r"[\s-]")


@dataclass(frozen=True, slots=True)
class BookingRules:
    """The settings booking runs on (market.settings: MARKET_SEAT_HOLD_MINUTES, ...)."""

    seat_hold_minutes: int = 20
    waitlist_offer_hours: int = 48
    # A DUO booking waits this many working days (Monday to Friday) for the provider.
    duo_response_working_days: int = 3
    # DUO lends at most this (EUR 10,000; less on a lower income): planned spending beyond
    # it is warned about, not refused.
    duo_loan_maximum_cents: int = 1_000_000

    @classmethod
    def of(cls, settings: object) -> BookingRules:
        """The rules from the app's settings (market.settings.Settings has these fields)."""
        return cls(**{field.name: getattr(settings, field.name) for field in fields(cls)})

    @property
    def seat_hold(self) -> timedelta:
        return timedelta(minutes=self.seat_hold_minutes)

    @property
    def waitlist_offer(self) -> timedelta:
        return timedelta(hours=self.waitlist_offer_hours)

    def passes_duo_maximum(self, planned_cents: int) -> bool:
        """The learner's DUO bookings together would borrow more than DUO lends at most."""
        return planned_cents > self.duo_loan_maximum_cents

    def duo_response_deadline(self, now: datetime) -> datetime:
        """`now` plus the working days; a weekend day does not count."""
        deadline, left = now, self.duo_response_working_days
        while left:
            deadline += timedelta(days=1)
            if deadline.isoweekday() <= 5:
                left -= 1
        return deadline


def duo_loan_reference(method: PaymentMethod, reference: str | None) -> str | None:
    """The reference as stored (digits only), checked against the payment method."""
    if method is not PaymentMethod.DUO_LOAN:
        if reference:
            raise errors.DuoLoanReferenceNotExpected(field="duoLoanReference")
        return None
    if not reference:
        raise errors.DuoLoanReferenceRequired(field="duoLoanReference")
    digits = _SEPARATORS.sub("", reference)
    if not _DUO_REFERENCE.match(digits):
        raise errors.InvalidDuoLoanReference(field="duoLoanReference")
    return digits


def duo_part(method: PaymentMethod, price_cents: int, duo_cents: int | None) -> int:
    """The part of the price the DUO loan pays: all of it unless the learner says less (the
    rest is their own money, paid to the school)."""
    if method is not PaymentMethod.DUO_LOAN:
        if duo_cents is not None:
            raise errors.DuoAmountNotExpected(field="duoAmountCents")
        return 0
    if duo_cents is None:
        return price_cents
    if not 1 <= duo_cents <= price_cents:
        raise errors.DuoAmountOutOfRange(field="duoAmountCents", min=1, max=price_cents)
    return duo_cents


def has_started(enrollment: Enrollment, today: date) -> bool:
    """A dated intake has started on its date; continuous intake starts when the learner
    and the school agree, after booking, so it never blocks a cancellation."""
    return enrollment.starts_on is not None and enrollment.starts_on <= today


def withdrawal_ends(enrollment: Enrollment) -> datetime:
    return enrollment.created_at + timedelta(days=WITHDRAWAL_DAYS)


def refund_on_cancel(enrollment: Enrollment, now: datetime) -> int:
    """What a cancellation gives back of the money paid online (the DUO part is never paid
    before lessons are given): nothing before payment, everything within the withdrawal
    period, and afterwards what the course's published terms say, settled by the school."""
    if enrollment.state is not EnrollmentState.CONFIRMED:
        return 0
    if now < withdrawal_ends(enrollment):
        return enrollment.price_cents - enrollment.duo_cents
    return 0
