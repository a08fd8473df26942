"""Every page in every language in the browser: no axe-core violation of WCAG 2.1 A/AA, no
script from another site but Stripe's on the payment step, Arabic laid out right to left,
and the screenshots in docs/screenshots/ with each page's weight on the wire."""

from __future__ import annotations

import dataclasses
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.async_api import BrowserContext, FloatRect, Locator, Page, Request, expect
from sqlalchemy import func, select

from market.app import payments
from market.catalog.models import Course, CourseStatus, Intake
from market.db.database import Database
from market.web import session
from tests.payments.support import hold
from tests.support import actors
from tests.support.enrollment import add_offer
from tests.web import browser
from tests.web.browser import assert_accessible, screenshot, transferred_bytes
from tests.web.conftest import LiveServer, OpenPage

LANGUAGES = ("nl", "en", "ar", "tr", "ti")
# The languages the screenshots show: the source, one right to left, one in Ge'ez script.
PICTURED = ("nl", "ar", "ti")
MAX_BYTES = 150 * 1024


@dataclasses.dataclass(frozen=True)
class Visitor:
    """A learner with a card booking waiting for its payment, and a demo course to book."""

    token: str
    booking: uuid.UUID
    course: uuid.UUID

    def pages(self) -> dict[str, str]:
        """The pages a signed-in learner sees, by name, as paths without the language."""
        booking = f"/bookings/{self.booking}"
        return {
            "account": "/account",
            "account-delete": "/account/delete",
            "booking": f"/courses/{self.course}/book",
            "pay": f"{booking}/pay",
            "status": booking,
            "bookings": "/bookings",
            "cancel": f"{booking}/cancel",
        }


# The pages anyone sees, by name.
PUBLIC = {"sign-in": "/sign-in", "sign-up": "/sign-up", "not-found": "/no-such-page"}


@pytest.fixture(scope="module")
async def visitor(live_server: LiveServer, live_db: Database) -> Visitor:
    offer = await add_offer(live_db, price_cents=80_000)
    pay = payments(live_server.settings)
    assert pay is not None
    learner = await actors.learner(live_db)
    booked = await hold(live_db, pay, offer.intake_id, offer.provider_id, learner=learner)
    return Visitor(learner.token, booked.enrollment_id, await _demo_course(live_db))


async def _demo_course(db: Database) -> uuid.UUID:
    """The demo course with the most intakes to choose from (first by title among those)."""
    async with db.reader() as reading:
        found = await reading.scalar(
            select(Course.id)
            .join(Intake, Intake.course_id == Course.id)
            .where(Course.status == CourseStatus.PUBLISHED, Intake.starts_on > func.current_date())
            .group_by(Course.id)
            .order_by(func.count().desc(), Course.title)
            .limit(1)
        )
    assert found is not None
    return found


async def signed_in(page: Page, live_server: LiveServer, visitor: Visitor) -> None:
    await page.context.add_cookies(
        [{"name": session.COOKIE, "value": visitor.token, "url": live_server.url}]
    )


def scripts_from_elsewhere(context: BrowserContext, live_server: LiveServer) -> set[str]:
    """The scripts the context's pages load from now on from another origin than the site's
    (the caller empties it between pages)."""
    loaded: set[str] = set()

    def record(request: Request) -> None:
        if request.resource_type == "script" and origin(request.url) != live_server.url:
            loaded.add(request.url)

    context.on("request", record)
    return loaded


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_page_passes_axe_and_runs_only_its_own_scripts(
    open_page: OpenPage, live_server: LiveServer, visitor: Visitor, lang: str
) -> None:
    page = await open_page()
    foreign = scripts_from_elsewhere(page.context, live_server)
    stripe_js = {live_server.settings.stripe_js_url}
    for name, path in PUBLIC.items():
        await page.goto(f"/{lang}{path}")
        await assert_accessible(page)
        assert not foreign, (name, foreign)
    await signed_in(page, live_server, visitor)
    for name, path in visitor.pages().items():
        foreign.clear()
        await page.goto(f"/{lang}{path}")
        if name == "pay":  # Stripe.js has mounted its card form
            await expect(page.locator("#payment-element input").first).to_be_attached()
        await expect(page.locator("html")).to_have_attribute("lang", lang)
        await assert_accessible(page)
        assert foreign == (stripe_js if name == "pay" else set()), (name, foreign)


async def box(locator: Locator) -> FloatRect:
    found = await locator.bounding_box()
    assert found is not None, locator
    return found


def right(rect: FloatRect) -> float:
    return rect["x"] + rect["width"]


@dataclasses.dataclass(frozen=True)
class Header:
    """Where the header's parts are drawn at 1280 px, the skip link focused."""

    brand: FloatRect
    first_item: FloatRect
    second_item: FloatRect
    skip: FloatRect

    @classmethod
    async def of(cls, page: Page) -> Header:
        menu = page.locator("header.site nav").first.locator("li")
        await page.keyboard.press("Tab")
        await expect(page.locator(".skip")).to_be_focused()
        return cls(
            await box(page.locator("header.site .brand")),
            await box(menu.nth(0)),
            await box(menu.nth(1)),
            await box(page.locator(".skip")),
        )


async def test_arabic_pages_are_laid_out_right_to_left(open_page: OpenPage) -> None:
    headers = {}
    for lang, direction in (("nl", "ltr"), ("ar", "rtl")):
        page = await open_page(1280)
        await page.goto(f"/{lang}/sign-in")
        await expect(page.locator("html")).to_have_attribute("dir", direction)
        headers[lang] = await Header.of(page)

    # 16 px: the header's padding; 8 px: the focused skip link's distance from the edge.
    arabic, dutch = headers["ar"], headers["nl"]
    assert right(arabic.brand) == pytest.approx(1280 - 16, abs=1)
    assert arabic.first_item["x"] > right(arabic.second_item)  # the menu reads from the right
    assert right(arabic.skip) == pytest.approx(1280 - 8, abs=1)
    assert dutch.brand["x"] == pytest.approx(16, abs=1)
    assert right(dutch.first_item) < dutch.second_item["x"]
    assert dutch.skip["x"] == pytest.approx(8, abs=1)


@pytest.mark.parametrize("width", browser.WIDTHS)
@pytest.mark.parametrize("lang", PICTURED)
async def test_pages_are_light_and_pictured(
    open_page: OpenPage, live_server: LiveServer, visitor: Visitor, lang: str, width: int
) -> None:
    pictured = {"booking": visitor.pages()["booking"]}
    for name, path in pictured.items():
        page = await open_page(width)  # a fresh context: nothing cached
        await signed_in(page, live_server, visitor)
        transfer = await transferred_bytes(page, f"/{lang}{path}")
        assert transfer.total < MAX_BYTES, str(transfer)
        await screenshot(page, f"{name}-{lang}-{width}")
