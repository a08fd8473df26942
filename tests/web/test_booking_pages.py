"""Booking and following it up on the pages: as a learner without JavaScript would (the
payment step's Stripe part done as the browser's Stripe.js would, against localstripe)."""

from __future__ import annotations

import dataclasses
import re
import uuid
from typing import Any

import pytest
import stripe
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from market.app import payments
from market.catalog import service as catalog
from market.db.database import Database
from market.enrollment import service as enrollment_service
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod
from market.payments import duo, local_stripe
from market.payments.models import DuoInvoiceState
from market.payments.service import Payments
from market.settings import Settings
from market.web import session
from tests.payments.support import (
    actor_of,
    event_body,
    hold,
    intent_object,
    pay_at_stripe,
    paying_settings,
    run_jobs,
    signed,
)
from tests.support import actors
from tests.support.actors import Person
from tests.support.enrollment import Offer, add_offer
from tests.support.pages import csrf_token, submit

_CLIENT_SECRET = re.compile(r'data-client-secret="(pi_\w+?)_secret_\w+"')


@pytest.fixture
def settings(database_url: str, localstripe: local_stripe.LocalStripe) -> Settings:
    return dataclasses.replace(
        paying_settings(database_url, localstripe),
        stripe_js_url=local_stripe.js_url(localstripe.base),
    )


@pytest.fixture
def pay(settings: Settings) -> Payments:
    found = payments(settings)
    assert found is not None
    return found


@pytest.fixture
def stripe_client(localstripe: local_stripe.LocalStripe) -> stripe.StripeClient:
    return stripe.StripeClient(
        local_stripe.SECRET_KEY,
        base_addresses={"api": localstripe.base},
        http_client=stripe.HTTPXClient(),
    )


def sign_in(pages: AsyncTestClient[Any], person: Person) -> None:
    pages.cookies.set(session.COOKIE, person.token, domain="testserver.local")


def shown(answer: Any) -> str:
    """The page's text with the no-break spaces money and dates are written with."""
    text: str = answer.text
    return text.replace("\xa0", " ")


async def state_of(db: Database, offer: Offer) -> EnrollmentState | None:
    async with db.reader() as session:
        return await session.scalar(
            select(Enrollment.state).where(Enrollment.intake_id == offer.intake_id)
        )


def booking_page(offer: Offer) -> str:
    return f"/nl/courses/{offer.course_id}/book?intake={offer.intake_id}"


async def book(
    pages: AsyncTestClient[Any], offer: Offer, method: str, duo_reference: str = ""
) -> Any:
    return await submit(
        pages,
        booking_page(offer),
        f"/nl/courses/{offer.course_id}/book",
        {"intake": str(offer.intake_id), "method": method, "duo_reference": duo_reference},
    )


async def test_a_visitor_signs_in_before_booking(pages: AsyncTestClient[Any], db: Database) -> None:
    offer = await add_offer(db)
    answer = await pages.get(booking_page(offer), follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/nl/sign-in?next=%2Fnl%2Fcourses%2F")
    assert f"intake%3D{offer.intake_id}" in answer.headers["location"]


async def test_a_form_sent_after_the_session_ended_returns_to_its_page_after_signing_in(
    pages: AsyncTestClient[Any],
) -> None:
    token = csrf_token((await pages.get("/nl/sign-in")).text)
    answer = await pages.post(
        f"/nl/waitlist/{uuid.uuid4()}/accept",
        data={"_csrf_token": token},
        headers={"referer": "https://testserver.local/nl/bookings?waitlisted=1"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    # The page the form was on, not the address it was sent to (which only takes forms).
    assert answer.headers["location"] == "/nl/sign-in?next=%2Fnl%2Fbookings%3Fwaitlisted%3D1"


async def test_a_duo_booking_ends_on_its_status_page(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    offer = await add_offer(db)
    sign_in(pages, await actors.learner(db))
    refused = await book(pages, offer, "duo_loan", "12-34")
    assert refused.status_code == 400
    assert "10 cijfers" in refused.text  # the fact's text, until the translated one lands
    assert 'id="duo_reference"' in refused.text
    assert 'aria-invalid="true" aria-describedby="form-error"' in refused.text

    booked = await book(pages, offer, "duo_loan", "1234 567 890")
    assert booked.status_code == 303
    status = await pages.get(booked.headers["location"])
    assert status.status_code == 200
    assert "Wacht op de school (DUO-lening)" in status.text
    assert "1234567890" in status.text
    assert "De school kijkt of uw DUO-lening de cursus betaalt" in status.text
    assert "<script" not in status.text

    for lang, direction in (("ar", "rtl"), ("ti", "ltr")):  # the same pages, other languages
        for path in (status.url.path, booking_page(offer)):
            other = await pages.get(path.replace("/nl/", f"/{lang}/"))
            assert other.status_code == 200
            assert f'<html lang="{lang}" dir="{direction}">' in other.text

    twice = await book(pages, offer, "duo_loan", "1234567890")
    assert twice.headers["location"] == booked.headers["location"] + "?again=1"
    again = await pages.get(twice.headers["location"])
    assert "U had dit startmoment al geboekt. Dit is die boeking." in again.text


async def test_a_card_booking_is_paid_with_stripe_and_confirmed_by_its_webhook(
    pages: AsyncTestClient[Any],
    db: Database,
    pay: Payments,
    stripe_client: stripe.StripeClient,
    localstripe: local_stripe.LocalStripe,
) -> None:
    offer = await add_offer(db, price_cents=120_000)
    sign_in(pages, await actors.learner(db))
    booked = await book(pages, offer, "card")
    assert booked.status_code == 303
    pay_page = booked.headers["location"]
    assert pay_page.endswith("/pay")

    payment = await pages.get(pay_page)
    assert payment.status_code == 200
    found = _CLIENT_SECRET.search(payment.text)
    assert found, "the payment step carries the PaymentIntent's client secret"
    assert 'data-publishable-key="pk_test_localstripe"' in payment.text
    assert f'<script src="{localstripe.base}/js.stripe.com/v3/"></script>' in payment.text
    assert '<script src="/static/payment.js"></script>' in payment.text
    policy = payment.headers["content-security-policy"]
    assert f"script-src 'self' {localstripe.base};" in policy
    assert f"connect-src 'self' {localstripe.base};" in policy
    assert f"frame-src {localstripe.base};" in policy
    again = await pages.get(pay_page)
    assert _CLIENT_SECRET.search(again.text).group(1) == found.group(1)  # type: ignore[union-attr]

    status_page = pay_page.removesuffix("/pay")
    waiting = await pages.get(status_page)
    assert "Wacht op betaling" in waiting.text
    paid = await pay_at_stripe(stripe_client, found.group(1))
    body = event_body("payment_intent.succeeded", intent_object(paid))
    delivered = await pages.post(
        "/webhooks/stripe",
        content=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": signed(body)},
    )
    assert delivered.status_code == 200
    await run_jobs(db, pay)
    assert await state_of(db, offer) is EnrollmentState.CONFIRMED  # before the page asks

    confirmed = shown(await pages.get(status_page))
    assert "Bevestigd" in confirmed
    assert "U bent ingeschreven" in confirmed
    assert "<dt>Online betaald</dt><dd>€ 1.200,00</dd>" in confirmed


async def test_a_cancellation_states_its_refund_first_and_gives_it(
    pages: AsyncTestClient[Any], db: Database, pay: Payments, stripe_client: stripe.StripeClient
) -> None:
    offer = await add_offer(db, price_cents=90_000)
    learner = await actors.learner(db)
    sign_in(pages, learner)
    booking = await hold(db, pay, offer.intake_id, offer.provider_id, learner=learner)
    status_page = f"/nl/bookings/{booking.enrollment_id}"
    payment = await pages.get(f"{status_page}/pay")
    secret = _CLIENT_SECRET.search(payment.text)
    assert secret
    await pay_at_stripe(stripe_client, secret.group(1))
    assert "Bevestigd" in (await pages.get(status_page)).text  # the return page asks Stripe

    step = await pages.get(f"{status_page}/cancel")
    assert "Als u nu annuleert, krijgt u € 900,00 terug." in shown(step)
    cancelled = await submit(pages, f"{status_page}/cancel", f"{status_page}/cancel", {})
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == status_page
    await run_jobs(db, pay)
    after = shown(await pages.get(status_page))
    assert "Geannuleerd" in after
    assert "U krijgt € 900,00 terug" in after
    assert "<dt>Terugbetaald</dt><dd>€ 900,00</dd>" in after  # the refund made at Stripe
    assert "Boeking annuleren" not in after


async def test_a_full_intake_puts_the_learner_in_line_and_its_offer_is_accepted(
    pages: AsyncTestClient[Any], db: Database, pay: Payments
) -> None:
    offer = await add_offer(db, seats=1)
    first = await hold(
        db,
        pay,
        offer.intake_id,
        offer.provider_id,
        method=PaymentMethod.DUO_LOAN,
        duo_reference="1234567890",
    )
    sign_in(pages, await actors.learner(db))
    booked = await book(pages, offer, "ideal")
    assert booked.status_code == 303
    assert booked.headers["location"].startswith("/nl/bookings?waitlisted=")
    line = await pages.get(booked.headers["location"])
    assert "U staat nu op de wachtlijst" in line.text
    assert "Uw plaats op de wachtlijst: 1" in line.text

    async with db.transaction() as session:
        await enrollment_service.cancel_enrollment(
            session, await actor_of(db, first.learner), pay.booking, first.enrollment_id
        )
    offered = await pages.get("/nl/bookings")
    assert "Er is een plaats voor u vrij!" in offered.text
    action = re.search(r'action="(/nl/waitlist/[^"]+/accept)"', offered.text)
    assert action
    accepted = await submit(pages, "/nl/bookings", action.group(1), {})
    assert accepted.status_code == 303
    assert re.fullmatch(r"/nl/bookings/[0-9a-f-]{36}/pay", accepted.headers["location"])
    mine = await pages.get("/nl/bookings")
    assert "U staat niet op een wachtlijst." in mine.text
    assert "Wacht op betaling" in mine.text


async def test_someone_elses_booking_is_no_page(
    pages: AsyncTestClient[Any], db: Database, pay: Payments
) -> None:
    offer = await add_offer(db)
    booking = await hold(db, pay, offer.intake_id, offer.provider_id)
    sign_in(pages, await actors.learner(db))
    for path in ("", "/pay", "/cancel"):
        answer = await pages.get(f"/nl/bookings/{booking.enrollment_id}{path}")
        assert answer.status_code == 404, path
        assert "Pagina niet gevonden" in answer.text
    nobody = await pages.get(f"/nl/bookings/{uuid.uuid4()}")
    assert nobody.status_code == 404


async def test_a_duo_booking_is_followed_up_to_its_invoice_and_review(
    pages: AsyncTestClient[Any], db: Database, pay: Payments
) -> None:
    offer = await add_offer(db, price_cents=1_100_000)
    sign_in(pages, await actors.learner(db))
    booked = await book(pages, offer, "duo_loan", "1234567890")
    status_page = booked.headers["location"]
    warned = shown(await pages.get(status_page))
    assert "met al uw boekingen samen leent u € 11.000,00 bij DUO" in warned
    assert "DUO leent u niet meer dan € 10.000,00" in warned

    school = await actor_of(db, offer.staff)
    enrollment_id = uuid.UUID(status_page.rsplit("/", 1)[1])
    async with db.transaction() as session:
        await enrollment_service.accept_duo_booking(session, school, pay.booking, enrollment_id)
        today = await catalog.today(session)
        invoice = await duo.record_duo_invoice(
            session, school, enrollment_id, duo.InvoiceSpec("F-1", today, today, 250_000)
        )
        await duo.step_duo_invoice(session, school, invoice.id, DuoInvoiceState.SENT)
    accepted = shown(await pages.get(status_page))
    assert "Bevestigd" in accepted
    assert "Keur deze factuur goed in Mijn Inburgering" in accepted
    assert "€ 2.500,00" in accepted

    mine = await pages.get("/nl/bookings")
    assert "Wat vindt u van deze cursus?" in mine.text  # continuous intake: started today
    action = f"/nl/bookings/{enrollment_id}/review"
    for mark in ("²", "9" * 5000, "0"):  # a digit but no number; too long; out of range
        refused = await submit(pages, "/nl/bookings", action, {"rating": mark, "body": "Les."})
        assert refused.status_code == 400, mark
    reviewed = await submit(pages, "/nl/bookings", action, {"rating": "4", "body": "Goede les."})
    assert reviewed.status_code == 303
    thanked = await pages.get(reviewed.headers["location"])
    assert "Bedankt voor uw mening." in thanked.text
    assert "Wat vindt u van deze cursus?" not in thanked.text
