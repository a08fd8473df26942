"""Mails to learners about their bookings, one per enrollment event.

Each event's mail is one `BookingMail`: which summary it reads (`market.enrollment.
summaries`: the learner's address and language, the course, the school, the start) and which
mail it writes from the event and the summary (`Letter`: a mail of `messages` and the
values only it names; or None, for an event that needs no mail). Every booking mail also
gets `{name}`, `{course}`, `{school}`, `{start}` and `{details}` (the three lines naming the
course, the school and the start).
`market.notifications.tasks` makes a job of each entry in `BOOKING_MAILS`; the worker
subscribes it (`market.worker.SUBSCRIPTIONS`). A learner whose account is gone is mailed
nothing; a redelivered event is mailed once (`service.send_once`).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from market.db.outbox import Delivery
from market.enrollment import summaries
from market.enrollment.events import (
    DuoBookingDeclined,
    EnrollmentCancelled,
    EnrollmentConfirmed,
    HoldExpired,
    SeatHeld,
    WaitlistOfferMade,
)
from market.enrollment.models import PaymentMethod
from market.enrollment.summaries import BookingSummary, WaitlistSummary
from market.kernel.events import Event
from market.notifications import messages
from market.notifications.messages import Mail
from market.notifications.render import Money, Phrase, Value
from market.notifications.service import Post, compose, language, send_once
from market.payments.events import DuoInvoiceStepped

E = TypeVar("E", bound=Event)
S = TypeVar("S", bound="Summary")


class Summary(Protocol):
    """What every booking mail reads: whom it goes to and which course it is about."""

    @property
    def learner(self) -> summaries.Learner: ...

    @property
    def course(self) -> summaries.CourseStart: ...


class AboutAnEnrollment(Protocol):
    @property
    def enrollment_id(self) -> uuid.UUID: ...


@dataclass(frozen=True, slots=True)
class Letter:
    mail: Mail
    values: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BookingMail(Generic[E, S]):
    event: type[E]
    read: Callable[[AsyncSession, E], Awaitable[S | None]]
    # None: this event needs no mail (a state the learner need not hear about).
    write: Callable[[E, S], Letter | None]


def enrollment(session: AsyncSession, event: AboutAnEnrollment) -> Awaitable[BookingSummary | None]:
    """The summary of the enrollment the event is about (an event with `enrollment_id`)."""
    return summaries.booking_summary(session, event.enrollment_id)


def waitlist_place(
    session: AsyncSession, event: WaitlistOfferMade
) -> Awaitable[WaitlistSummary | None]:
    return summaries.waitlist_summary(session, event.waitlist_entry_id)


def working_days(start: datetime, end: datetime) -> int:
    """Monday-to-Friday days after `start`'s day up to `end`'s (UTC), as the DUO deadline
    counts them (market.enrollment.policies.BookingRules.duo_response_deadline)."""
    days, day = 0, start
    while day.date() < end.date():
        day += timedelta(days=1)
        days += day.isoweekday() <= 5
    return days


def _duo(booking: BookingSummary) -> bool:
    return booking.payment_method is PaymentMethod.DUO_LOAN


def seat_held(event: SeatHeld, booking: BookingSummary) -> Letter:
    """Card or iDEAL: pay before the hold ends. DUO: the school answers within its working
    days."""
    if _duo(booking):
        days = working_days(booking.created_at, event.expires_at)
        within = Phrase(messages.WORKING_DAYS, count=days)
        return Letter(messages.DUO_BOOKING_RECEIVED, {"until": event.expires_at, "within": within})
    price = Money(booking.price_cents - booking.duo_cents)
    return Letter(messages.SEAT_HELD, {"until": event.expires_at, "price": price})


def confirmed(event: EnrollmentConfirmed, booking: BookingSummary) -> Letter:
    if _duo(booking):
        own = booking.price_cents - booking.duo_cents
        rest = Phrase(messages.OWN_PART, {"own": Money(own)}) if own > 0 else ""
        values = {"price": Money(booking.price_cents), "duo": Money(booking.duo_cents)}
        return Letter(messages.DUO_ACCEPTED, {**values, "rest": rest})
    paid = Money(booking.price_cents - booking.duo_cents)
    return Letter(messages.CONFIRMED, {"paid": paid})


def cancelled(event: EnrollmentCancelled, booking: BookingSummary) -> Letter:
    if event.refund_cents > 0:
        return Letter(messages.CANCELLED_WITH_REFUND, {"refund": Money(event.refund_cents)})
    return Letter(messages.CANCELLED)


def hold_expired(event: HoldExpired, booking: BookingSummary) -> Letter:
    assert booking.hold_expires_at is not None
    mail = messages.DUO_BOOKING_LAPSED if _duo(booking) else messages.HOLD_EXPIRED
    return Letter(mail, {"until": booking.hold_expires_at})


def duo_declined(event: DuoBookingDeclined, booking: BookingSummary) -> Letter:
    return Letter(messages.DUO_DECLINED)


def waitlist_offer(event: WaitlistOfferMade, place: WaitlistSummary) -> Letter:
    return Letter(messages.WAITLIST_OFFER, {"until": event.expires_at})


_INVOICE_MAILS = {
    "sent": messages.DUO_INVOICE_SENT,
    "approved": messages.DUO_INVOICE_APPROVED,
    "rejected": messages.DUO_INVOICE_REJECTED,
    "paid": messages.DUO_INVOICE_PAID,
}


def duo_invoice(event: DuoInvoiceStepped, booking: BookingSummary) -> Letter | None:
    """Each step of an invoice the learner acts on or hears of; a draft is the school's."""
    mail = _INVOICE_MAILS.get(event.state)
    if mail is None:
        return None
    return Letter(mail, {"number": event.number, "amount": Money(event.amount_cents)})


# One line per event that mails its learner.
BOOKING_MAILS: tuple[BookingMail[Any, Any], ...] = (
    BookingMail(SeatHeld, enrollment, seat_held),
    BookingMail(EnrollmentConfirmed, enrollment, confirmed),
    BookingMail(EnrollmentCancelled, enrollment, cancelled),
    BookingMail(HoldExpired, enrollment, hold_expired),
    BookingMail(DuoBookingDeclined, enrollment, duo_declined),
    BookingMail(WaitlistOfferMade, waitlist_place, waitlist_offer),
    BookingMail(DuoInvoiceStepped, enrollment, duo_invoice),
)


def values(summary: Summary, letter: Letter) -> dict[str, Value]:
    """The letter's values with those every booking mail names."""
    course = summary.course
    common: dict[str, Value] = {
        "name": summary.learner.display_name,
        "course": course.title,
        "school": course.provider_name,
        "start": course.starts_on or Phrase(messages.CONTINUOUS_INTAKE),
    }
    common["details"] = Phrase(messages.DETAILS, dict(common))
    return {**common, **letter.values}


async def mail_learner(
    session: AsyncSession, post: Post, spec: BookingMail[E, S], delivery: Delivery[E]
) -> bool:
    """The learner's mail about `delivery`'s event, in their language, once; False when
    nothing was sent (sent before, or no learner to send to)."""
    summary = await spec.read(session, delivery.event)
    if summary is None:
        return False
    letter = spec.write(delivery.event, summary)
    if letter is None:
        return False
    message = compose(
        post,
        event_id=delivery.id,
        to=summary.learner.email,
        mail=letter.mail,
        language=language(summary.learner.preferred_language),
        values=values(summary, letter),
    )
    return await send_once(session, post, delivery.id, message, letter.mail.key)
