"""Booking a seat: choosing an intake and a way to pay, and the payment step with
Stripe's Payment Element (the only page that runs a script, Stripe's and ours)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template

from market.catalog import service as catalog
from market.catalog.models import Course, Intake
from market.db.database import Database
from market.enrollment import policies
from market.enrollment import service as enrollment_service
from market.enrollment.errors import EnrollmentNotFound
from market.enrollment.models import EnrollmentState, PaymentMethod
from market.enrollment.policies import BookingRules
from market.identity.policies import Actor
from market.kernel.errors import DomainError
from market.payments import errors as payment_errors
from market.payments import service as payments_service
from market.payments.gateway import GatewayUnavailable
from market.payments.service import Payments
from market.settings import Settings
from market.web.forms import error_message, error_status
from market.web.page import Page

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
# The ways to pay, in the order the form offers them.
METHODS = (PaymentMethod.CARD, PaymentMethod.IDEAL, PaymentMethod.DUO_LOAN)
# The form's fields by the service's names of the inputs a refusal may be about.
_FIELDS = {
    "intakeId": "intake",
    "paymentMethod": "method",
    "duoLoanReference": "duo_reference",
    "duoAmountCents": "duo_reference",
}
# Refusals of the payment step that leave nothing to pay: the status page says why.
_NOTHING_TO_PAY = (
    payment_errors.NotAwaitingPayment,
    payment_errors.NothingToPay,
    payment_errors.NotPaidOnline,
)


@dataclass(frozen=True, slots=True)
class Offer:
    course: Course
    intakes: list[Intake]


async def _offer(db: Database, actor: Actor, course_id: uuid.UUID) -> Offer:
    """The course the visitor may see and its intakes open for booking; else no page."""
    async with db.reader() as session:
        course = await catalog.find_course(session, actor, course_id)
        if course is None:
            raise NotFoundException()
        intakes = await catalog.upcoming_intakes(session, [course_id])
    return Offer(course, intakes.get(course_id, []))


def _form(
    page: Page,
    offer: Offer,
    values: dict[str, str],
    *,
    error: DomainError | None = None,
    field: str | None = None,
    message: str | None = None,
) -> Template:
    if error is not None:
        message = error_message(page, error)
        field = _FIELDS.get(error.field or "")
    return page.render(
        "booking/book.html",
        status_code=error_status(error) if error is not None else 400 if message else 200,
        offer=offer,
        methods=[method.value for method in METHODS],
        withdrawal_days=policies.WITHDRAWAL_DAYS,
        values=values,
        error=message,
        error_field=field,
    )


@get("/courses/{course_id:uuid}/book")
async def booking_form(
    page: Page,
    db: Database,
    course_id: uuid.UUID,
    intake: uuid.UUID | None = None,
) -> Template | Redirect:
    page.signed_in()
    offer = await _offer(db, page.actor, course_id)
    chosen = str(intake) if intake else ""
    if not chosen and len(offer.intakes) == 1:
        chosen = str(offer.intakes[0].id)
    return _form(page, offer, {"intake": chosen, "method": "", "duo_reference": ""})


def _chosen_intake(offer: Offer, value: str) -> uuid.UUID | None:
    return next((intake.id for intake in offer.intakes if str(intake.id) == value), None)


@post("/courses/{course_id:uuid}/book", status_code=303)
async def book(
    page: Page,
    db: Database,
    settings: Settings,
    payments: Payments | None,
    course_id: uuid.UUID,
    data: Form,
) -> Template | Redirect:
    """Hold a seat (or a place in line) through the checkout startCheckout runs; paying
    online follows on the payment step, after this transaction committed."""
    page.signed_in()
    offer = await _offer(db, page.actor, course_id)
    values = {key: data.get(key, "").strip() for key in ("intake", "method", "duo_reference")}
    intake_id = _chosen_intake(offer, values["intake"])
    if intake_id is None:
        message = page.texts.gettext("Kies een startmoment.")
        return _form(page, offer, values, field="intake", message=message)
    if values["method"] not in {method.value for method in METHODS}:
        message = page.texts.gettext("Kies hoe u wilt betalen.")
        return _form(page, offer, values, field="method", message=message)
    method = PaymentMethod(values["method"])
    try:
        async with db.transaction() as session:
            booked = await payments_service.start_checkout(
                session,
                page.actor,
                BookingRules.of(settings),
                payments,
                intake_id,
                method,
                values["duo_reference"] if method is PaymentMethod.DUO_LOAN else None,
            )
    except DomainError as fact:
        return _form(page, offer, values, error=fact)
    # Asking again while the booking is open gives that booking back: the page says so.
    again = {"again": 1} if booked.resumed else {}
    if booked.enrollment is None:
        assert booked.waitlist_entry is not None
        line = {"waitlisted": booked.waitlist_entry.id, **again}
        return Redirect(page.url("/bookings", line), status_code=303)
    enrollment = booked.enrollment
    step = "/pay" if enrollment.state is EnrollmentState.HELD else ""
    return Redirect(page.url(f"/bookings/{enrollment.id}{step}", again), status_code=303)


def stripe_origins(settings: Settings) -> tuple[str, ...]:
    """The origins the payment page lets in: where Stripe.js comes from and those it talks
    to (Stripe's API and its 3-D Secure frames), or localstripe's one origin."""
    script = _origin(settings.stripe_js_url)
    if settings.stripe_api_base:
        return tuple(dict.fromkeys((script, _origin(settings.stripe_api_base))))
    return tuple(dict.fromkeys((script, "https://api.stripe.com", "https://hooks.stripe.com")))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@get("/bookings/{enrollment_id:uuid}/pay")
async def payment_step(
    request: Request[Any, Any, Any],
    page: Page,
    db: Database,
    settings: Settings,
    payments: Payments | None,
    enrollment_id: uuid.UUID,
    again: bool = False,
) -> Template | Redirect:
    """Stripe's Payment Element for the held booking: the same PaymentIntent each time the
    page is opened (prepare_payment), never a second charge. `again`: the learner had
    booked this intake already."""
    page.signed_in()
    status = page.url(f"/bookings/{enrollment_id}")
    try:
        async with db.transaction() as session:
            given = await payments_service.prepare_payment(
                session, page.actor, payments, enrollment_id
            )
    except EnrollmentNotFound:
        raise NotFoundException() from None
    except _NOTHING_TO_PAY:
        return Redirect(status, status_code=303)
    except GatewayUnavailable:
        return page.render(
            "booking/pay.html",
            status_code=503,
            payment=None,
            status_url=status,
            again=again,
            error=None,
        )
    except DomainError as fact:
        return page.render(
            "booking/pay.html",
            status_code=error_status(fact),
            payment=None,
            status_url=status,
            error=error_message(page, fact),
            again=again,
        )
    return page.render(
        "booking/pay.html",
        stripe_origins=stripe_origins(settings),
        payment=given,
        course=await _booked_course(db, page.actor, enrollment_id),
        stripe_js_url=settings.stripe_js_url,
        return_url=str(request.base_url).rstrip("/") + status,
        status_url=status,
        error=None,
        again=again,
    )


async def _booked_course(db: Database, actor: Actor, enrollment_id: uuid.UUID) -> Course:
    async with db.reader() as session:
        enrollment = await enrollment_service.find_enrollment(session, actor, enrollment_id)
        assert enrollment is not None  # prepare_payment found it the learner's
        courses = await catalog.booked_courses(session, [enrollment.course_id])
    return courses[enrollment.course_id]


ROUTES = [booking_form, book, payment_step]
