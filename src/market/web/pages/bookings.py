"""Following a booking up: its status page, my bookings (payments, waitlist offers, DUO
invoices, reviews), cancelling with the refund it gives, accepting an offered seat."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from litestar import get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import service as catalog
from market.catalog.models import Course, Intake
from market.db.database import Database
from market.enrollment import eligibility, policies
from market.enrollment import service as enrollment_service
from market.enrollment.errors import EnrollmentNotFound, WaitlistPlaceNotFound
from market.enrollment.models import Enrollment, EnrollmentState, WaitlistEntry
from market.enrollment.policies import BookingRules
from market.identity.policies import Actor
from market.kernel.errors import DomainError
from market.kernel.pagination import PageRequest
from market.payments import duo
from market.payments import errors as payment_errors
from market.payments import service as payments_service
from market.payments.gateway import GatewayUnavailable
from market.payments.models import DuoInvoice, Payment, PaymentState
from market.payments.service import Payments
from market.reviews import service as reviews
from market.settings import Settings
from market.web.forms import error_message, error_status
from market.web.page import Page

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
# The bookings one page lists, newest first.
LISTED = 50
# The marks a review's form offers.
_MARKS = {str(mark) for mark in range(1, 6)}


@dataclass(frozen=True, slots=True)
class BookingView:
    """A booking as its learner follows it up."""

    enrollment: Enrollment
    course: Course
    intake: Intake
    payments: Sequence[Payment]
    invoices: Sequence[DuoInvoice]

    @property
    def paid_cents(self) -> int:
        kept = (PaymentState.PAID, PaymentState.REFUNDED)
        return sum(payment.amount_cents for payment in self.payments if payment.state in kept)

    @property
    def refunded_cents(self) -> int:
        return sum(payment.refunded_cents for payment in self.payments)

    @property
    def live(self) -> bool:
        return self.enrollment.state in (
            EnrollmentState.HELD,
            EnrollmentState.AWAITING_PROVIDER,
            EnrollmentState.CONFIRMED,
        )


@dataclass(frozen=True, slots=True)
class PlaceView:
    """A place on a waitlist: in line (`place`), or offered a seat until its expiry."""

    entry: WaitlistEntry
    course: Course
    intake: Intake
    place: int | None


async def _views(session: AsyncSession, rows: Sequence[Enrollment]) -> list[BookingView]:
    ids = [row.id for row in rows]
    courses = await catalog.booked_courses(session, {row.course_id for row in rows})
    intakes = await catalog.booked_intakes(session, {row.intake_id for row in rows})
    payments = await payments_service.payments_of_enrollments(session, ids)
    invoices = await duo.invoices_of_enrollments(session, ids)
    return [
        BookingView(
            row, courses[row.course_id], intakes[row.intake_id], payments[row.id], invoices[row.id]
        )
        for row in rows
    ]


async def _own(db: Database, actor: Actor, enrollment_id: uuid.UUID) -> BookingView:
    """The signed-in learner's booking; no page for anyone else's (its school's staff
    follow it up elsewhere)."""
    async with db.reader() as session:
        row = await enrollment_service.find_enrollment(session, actor, enrollment_id)
        if row is None or row.learner_id != actor.user_id:
            raise NotFoundException()
        return (await _views(session, [row]))[0]


async def _settle_payment(
    db: Database, actor: Actor, payments: Payments | None, enrollment_id: uuid.UUID
) -> None:
    """Back from Stripe (the return page) or just looking: a booking waiting for its online
    payment asks Stripe how the payment stands, as the webhook does (safe to repeat)."""
    try:
        async with db.transaction() as session:
            await payments_service.confirm_payment(session, actor, payments, enrollment_id)
    except (
        payment_errors.PaymentNotFound,
        payment_errors.OnlinePaymentUnavailable,
        GatewayUnavailable,
    ):
        return  # nothing to ask Stripe about, or it is out of reach: the page says so


@get("/bookings/{enrollment_id:uuid}")
async def booking_status(
    page: Page,
    db: Database,
    settings: Settings,
    payments: Payments | None,
    enrollment_id: uuid.UUID,
    again: bool = False,
) -> Template | Redirect:
    """`again`: the learner had booked this intake already (the booking they had)."""
    page.signed_in()
    view = await _own(db, page.actor, enrollment_id)
    held = view.enrollment.state is EnrollmentState.HELD
    if held and view.enrollment.payment_method in payments_service.ONLINE:
        await _settle_payment(db, page.actor, payments, enrollment_id)
        view = await _own(db, page.actor, enrollment_id)
    return page.render(
        "bookings/status.html",
        booking=view,
        withdrawal_ends_at=policies.withdrawal_ends(view.enrollment),
        duo_planned_cents=await _duo_over_maximum(db, page.actor, settings, view),
        duo_maximum_cents=settings.duo_loan_maximum_cents,
        again=again,
    )


async def _duo_over_maximum(
    db: Database, actor: Actor, settings: Settings, view: BookingView
) -> int | None:
    """What the learner's live DUO bookings borrow together, when that passes DUO's
    maximum loan (a warning: their own maximum may be lower still)."""
    if not view.enrollment.duo_cents or not view.live:
        return None
    async with db.reader() as session:
        planned = await enrollment_service.planned_duo_spending(session, actor.require_user())
    return planned if BookingRules.of(settings).passes_duo_maximum(planned) else None


@get("/bookings")
async def my_bookings(
    page: Page,
    db: Database,
    waitlisted: uuid.UUID | None = None,
    reviewed: uuid.UUID | None = None,
    again: bool = False,
) -> Template | Redirect:
    """`waitlisted`: the place in line a booking just took (`again`: it had it already);
    `reviewed`: the course just reviewed."""
    page.signed_in()
    return await _my_bookings(
        page, db, waitlisted=waitlisted, reviewed=reviewed is not None, again=again
    )


async def _my_bookings(
    page: Page,
    db: Database,
    *,
    waitlisted: uuid.UUID | None = None,
    reviewed: bool = False,
    again: bool = False,
    error: str | None = None,
    status_code: int = 200,
) -> Template:
    actor = page.actor
    learner_id = actor.require_user()
    async with db.reader() as session:
        found = await enrollment_service.my_enrollments(session, actor, PageRequest(LISTED))
        views = await _views(session, found.items)
        places = await _places(session, actor)
        started = await eligibility.started_enrollments(session, learner_id)
        reviewed_courses = {review.course_id for review in await reviews.my_reviews(session, actor)}
    return page.render(
        "bookings/list.html",
        status_code=status_code,
        bookings=views,
        more=found.has_next_page,
        places=places,
        waitlisted=waitlisted,
        reviewed=reviewed,
        again=again,
        # The bookings that carry a review form: one per started course not yet reviewed.
        may_review={
            booking for course, booking in started.items() if course not in reviewed_courses
        },
        error=error,
    )


async def _places(session: AsyncSession, actor: Actor) -> list[PlaceView]:
    entries = await enrollment_service.my_waitlist_places(session, actor)
    lines = await enrollment_service.places_in_line(session, [entry.id for entry in entries])
    intakes = await catalog.booked_intakes(session, {entry.intake_id for entry in entries})
    courses = await catalog.booked_courses(session, {row.course_id for row in intakes.values()})
    return [
        PlaceView(
            entry,
            courses[intakes[entry.intake_id].course_id],
            intakes[entry.intake_id],
            lines.get(entry.id),
        )
        for entry in entries
    ]


@get("/bookings/{enrollment_id:uuid}/cancel")
async def cancel_step(page: Page, db: Database, enrollment_id: uuid.UUID) -> Template | Redirect:
    """What cancelling would give back, before the learner confirms it."""
    page.signed_in()
    view = await _own(db, page.actor, enrollment_id)
    try:
        async with db.reader() as session:
            quote = await enrollment_service.cancellation_quote(session, page.actor, enrollment_id)
    except DomainError as fact:
        return page.render(
            "bookings/cancel.html",
            status_code=error_status(fact),
            booking=view,
            quote=None,
            error=error_message(page, fact),
        )
    return page.render("bookings/cancel.html", booking=view, quote=quote, error=None)


@post("/bookings/{enrollment_id:uuid}/cancel", status_code=303)
async def cancel(
    page: Page,
    db: Database,
    settings: Settings,
    enrollment_id: uuid.UUID,
) -> Template | Redirect:
    page.signed_in()
    try:
        async with db.transaction() as session:
            await enrollment_service.cancel_enrollment(
                session, page.actor, BookingRules.of(settings), enrollment_id
            )
    except EnrollmentNotFound:
        raise NotFoundException() from None
    except DomainError as fact:
        view = await _own(db, page.actor, enrollment_id)
        return page.render(
            "bookings/cancel.html",
            status_code=error_status(fact),
            booking=view,
            quote=None,
            error=error_message(page, fact),
        )
    return Redirect(page.url(f"/bookings/{enrollment_id}"), status_code=303)


@post("/waitlist/{entry_id:uuid}/accept", status_code=303)
async def accept_offer(
    page: Page,
    db: Database,
    settings: Settings,
    entry_id: uuid.UUID,
) -> Template | Redirect:
    """Take the offered seat: a hold like a checkout's, to pay (or for the school to
    accept a DUO booking)."""
    page.signed_in()
    try:
        async with db.transaction() as session:
            held = await enrollment_service.accept_waitlist_offer(
                session, page.actor, BookingRules.of(settings), entry_id
            )
    except WaitlistPlaceNotFound:
        raise NotFoundException() from None
    except DomainError as fact:
        return await _my_bookings(
            page, db, error=error_message(page, fact), status_code=error_status(fact)
        )
    step = "/pay" if held.state is EnrollmentState.HELD else ""
    return Redirect(page.url(f"/bookings/{held.id}{step}"), status_code=303)


@post("/bookings/{enrollment_id:uuid}/review", status_code=303)
async def review(
    page: Page,
    db: Database,
    enrollment_id: uuid.UUID,
    data: Form,
) -> Template | Redirect:
    """Rate the course of a started booking (1 to 5) and say why."""
    page.signed_in()
    view = await _own(db, page.actor, enrollment_id)
    rating = data.get("rating", "")
    try:
        async with db.transaction() as session:
            await reviews.review_course(
                session,
                page.actor,
                view.course.id,
                # (Only the marks 1 to 5 are read; anything else is refused as a 0.)
                rating=int(rating) if rating in _MARKS else 0,
                body=data.get("body", ""),
            )
    except DomainError as fact:
        return await _my_bookings(
            page, db, error=error_message(page, fact), status_code=error_status(fact)
        )
    return Redirect(page.url("/bookings", {"reviewed": view.course.id}), status_code=303)


ROUTES = [booking_status, my_bookings, cancel_step, cancel, accept_offer, review]
