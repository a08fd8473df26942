"""Booking in the browser, as a learner does it: signing up, the booking form, Stripe's
payment step (localstripe's stand-in for Stripe.js and its 3-D Secure dialog), a DUO loan,
a seat offered from a waitlist, and cancelling with the refund stated first."""

from __future__ import annotations

import re

import pytest
import stripe
from playwright.async_api import Page, expect

from market.db.database import Database
from market.demo import seed
from tests.payments.support import pay_at_stripe
from tests.support.enrollment import Offer, add_offer
from tests.web.browser import sign_up
from tests.web.conftest import LiveServer, OpenPage

_CLIENT_SECRET = re.compile(r"^(pi_\w+?)_secret_\w+$")
# Stripe's test card that asks for 3-D Secure: localstripe's Stripe.js completes only that.
THREE_D_SECURE_CARD = "4000002760003184"
STATUS_PAGE = re.compile(r".*/nl/bookings/[0-9a-f-]{36}$")
PAY_PAGE = re.compile(r".*/nl/bookings/[0-9a-f-]{36}/pay$")


@pytest.fixture(scope="module")
def stripe_client(live_server: LiveServer) -> stripe.StripeClient:
    settings = live_server.settings
    return stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses={"api": settings.stripe_api_base},
        http_client=stripe.HTTPXClient(),
    )


async def book(page: Page, db: Database, method: str, *, price_cents: int = 150_000) -> Offer:
    """A new learner signs up on the way to a new course's booking form and books it."""
    offer = await add_offer(db, price_cents=price_cents)
    await sign_up(page, f"/nl/courses/{offer.course_id}/book?intake={offer.intake_id}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Boeken")
    await page.locator(f"#method-{method}").check()
    return offer


async def payment_intent(page: Page) -> str:
    secret = await page.locator("#payment").get_attribute("data-client-secret")
    found = _CLIENT_SECRET.match(secret or "")
    assert found, secret
    return found.group(1)


async def awaiting_3d_secure(client: stripe.StripeClient, payment_intent_id: str) -> None:
    """What Stripe's real Payment Element would have sent: the card, confirmed, and Stripe
    asking the learner's bank to authenticate the payment."""
    card = await client.v1.payment_methods.create_async(
        params={
            "type": "card",
            "card": {
                "number": THREE_D_SECURE_CARD,
                "exp_month": 12,
                "exp_year": 2035,
                "cvc": "123",
            },
        }
    )
    await client.v1.payment_intents.update_async(
        payment_intent_id, params={"payment_method": card.id}
    )
    confirmed = await client.v1.payment_intents.confirm_async(payment_intent_id)
    assert confirmed.status == "requires_action"


async def test_a_card_booking_is_paid_on_the_payment_step_and_confirmed(
    open_page: OpenPage, live_db: Database, stripe_client: stripe.StripeClient
) -> None:
    page = await open_page()
    await book(page, live_db, "card", price_cents=120_000)
    await page.get_by_role("button", name="Boeken").click()
    await expect(page).to_have_url(PAY_PAGE)
    await expect(page.locator("#payment-element input").first).to_be_attached()
    await awaiting_3d_secure(stripe_client, await payment_intent(page))

    await page.get_by_role("button", name="Betalen").click()
    await page.get_by_role("button", name="Complete authentication").click()

    await expect(page).to_have_url(STATUS_PAGE)
    await expect(page.locator("#booking-state")).to_have_text("Bevestigd")
    facts = page.locator("dl.facts")
    await expect(facts).to_contain_text("Online betaald")
    await expect(facts).to_contain_text("€ 1.200,00")


async def test_a_duo_booking_ends_on_its_status_page(
    open_page: OpenPage, live_db: Database
) -> None:
    page = await open_page()
    await book(page, live_db, "duo_loan")
    await page.get_by_label("Nummer van uw DUO-lening").fill("1234 567 890")
    await page.get_by_role("button", name="Boeken").click()

    await expect(page).to_have_url(STATUS_PAGE)
    await expect(page.locator("#booking-state")).to_have_text("Wacht op de school (DUO-lening)")
    await expect(page.locator("dl.facts")).to_contain_text("1234567890")
    await expect(page.get_by_role("main")).to_contain_text(
        "De school kijkt of uw DUO-lening de cursus betaalt"
    )


async def test_the_demo_learner_takes_the_seat_offered_from_the_waitlist(
    open_page: OpenPage, live_server: LiveServer
) -> None:
    page = await open_page()
    await page.goto("/nl/sign-in?next=/nl/bookings")
    await page.get_by_label("E-mailadres").fill(seed.LEARNER)
    await page.get_by_label("Wachtwoord").fill(live_server.settings.demo_password)
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page).to_have_url(re.compile(r".*/nl/bookings$"))
    offered = page.locator("li.card", has_text="Er is een plaats voor u vrij!")
    await expect(offered).to_have_count(1)
    course = await offered.get_by_role("heading").inner_text()

    await offered.get_by_role("button", name="Plaats aannemen").click()

    await expect(page).to_have_url(PAY_PAGE)
    await expect(page.locator("dl.facts")).to_contain_text(course)
    await page.goto("/nl/bookings")
    await expect(page.get_by_role("button", name="Plaats aannemen")).to_have_count(0)
    held = page.locator("li.card", has=page.get_by_role("heading", name=course))
    await expect(held).to_contain_text("Wacht op betaling")


async def test_a_cancellation_states_its_refund_first_and_gives_it(
    open_page: OpenPage, live_db: Database, stripe_client: stripe.StripeClient
) -> None:
    page = await open_page()
    await book(page, live_db, "card", price_cents=90_000)
    await page.get_by_role("button", name="Boeken").click()
    await expect(page).to_have_url(PAY_PAGE)
    await pay_at_stripe(stripe_client, await payment_intent(page))
    status_page = page.url.removesuffix("/pay")
    await page.goto(status_page)  # it asks Stripe how the payment stands
    await expect(page.locator("#booking-state")).to_have_text("Bevestigd")

    await page.get_by_role("link", name="Boeking annuleren").click()
    await expect(page.locator("#refund")).to_have_text(
        "Als u nu annuleert, krijgt u € 900,00 terug."
    )
    await page.get_by_role("button", name="Ja, annuleer mijn boeking").click()

    await expect(page).to_have_url(status_page)
    await expect(page.locator("#booking-state")).to_have_text("Geannuleerd")
    await expect(page.get_by_role("main")).to_contain_text(
        "U krijgt € 900,00 terug op de rekening waarmee u betaalde."
    )
    await expect(page.get_by_role("link", name="Boeking annuleren")).to_have_count(0)
