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


# Near the Dam: the demo has courses around it, and a municipality's contract there.
POSTCODE = "1011AB"


@dataclasses.dataclass(frozen=True)
class Site:
    """What the pages show: two demo courses, and a learner with a card booking waiting for
    its payment."""

    token: str
    booking: uuid.UUID
    course: uuid.UUID
    other_course: uuid.UUID

    def public_pages(self) -> dict[str, str]:
        """The pages anyone sees, by name, as paths without the language."""
        return {
            "search": f"/search?postcode={POSTCODE}&radius=25",
            "search-empty": "/search?q=qwxzv",
            "course": f"/courses/{self.course}?postcode={POSTCODE}",
            "compare": f"/compare?course={self.course}&course={self.other_course}"
            f"&postcode={POSTCODE}",
            "sign-in": "/sign-in",
            "sign-up": "/sign-up",
            "not-found": "/no-such-page",
        }

    def learner_pages(self) -> dict[str, str]:
        """The pages of the signed-in learner."""
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


@pytest.fixture(scope="module")
async def site(live_server: LiveServer, live_db: Database) -> Site:
    offer = await add_offer(live_db, price_cents=80_000)
    pay = payments(live_server.settings)
    assert pay is not None
    learner = await actors.learner(live_db)
    booked = await hold(live_db, pay, offer.intake_id, offer.provider_id, learner=learner)
    course, other_course = await _demo_courses(live_db)
    return Site(learner.token, booked.enrollment_id, course, other_course)


async def _demo_courses(db: Database) -> list[uuid.UUID]:
    """The two demo courses with the most intakes to choose from (first by title)."""
    async with db.reader() as reading:
        found = await reading.scalars(
            select(Course.id)
            .join(Intake, Intake.course_id == Course.id)
            .where(Course.status == CourseStatus.PUBLISHED, Intake.starts_on > func.current_date())
            .group_by(Course.id)
            .order_by(func.count().desc(), Course.title)
            .limit(2)
        )
        return list(found)


async def signed_in(page: Page, live_server: LiveServer, site: Site) -> None:
    await page.context.add_cookies(
        [{"name": session.COOKIE, "value": site.token, "url": live_server.url}]
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
    open_page: OpenPage, live_server: LiveServer, site: Site, lang: str
) -> None:
    page = await open_page()
    foreign = scripts_from_elsewhere(page.context, live_server)
    for name, path in site.public_pages().items():
        answer = await page.goto(f"/{lang}{path}")
        assert answer is not None
        assert answer.status == (404 if name == "not-found" else 200), name
        if name.startswith("search"):  # one search finds courses, the other none
            found = await page.locator("ol.cards > li").count()
            assert (found > 0) == (name == "search"), (name, found)
        await assert_accessible(page)
        assert not foreign, (name, foreign)
    await page.goto(f"/{lang}/sign-up")  # a form refused: its errors linked to their fields
    await page.locator("main form button[type=submit]").click()
    await expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    await assert_accessible(page)
    await signed_in(page, live_server, site)
    for name, path in site.learner_pages().items():
        await page.goto(f"/{lang}{path}")
        if name == "pay":  # Stripe.js has mounted its card form
            await expect(page.locator("#payment-element input").first).to_be_attached()
        await expect(page.locator("html")).to_have_attribute("lang", lang)
        await assert_accessible(page)
        stripe_js = {live_server.settings.stripe_js_url} if name == "pay" else set()
        assert foreign == stripe_js, (name, foreign)
        foreign.clear()


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


@pytest.mark.parametrize("lang", PICTURED)
async def test_pages_are_light_and_pictured(
    open_page: OpenPage, live_server: LiveServer, site: Site, lang: str
) -> None:
    """On a phone each page comes fresh (nothing cached) and must fit the screen; on a
    laptop one visitor looks at them all."""
    phone, laptop = browser.WIDTHS
    public, learners = site.public_pages(), site.learner_pages()
    pictured = {
        "search": public["search"],
        "course": public["course"],
        "compare": public["compare"],
        "booking": learners["booking"],
    }
    desk = await open_page(laptop)
    await signed_in(desk, live_server, site)
    for name, path in pictured.items():
        page = await open_page(phone)
        await signed_in(page, live_server, site)
        transfer = await transferred_bytes(page, f"/{lang}{path}")
        assert transfer.total < MAX_BYTES, str(transfer)
        wide = await page.evaluate("document.documentElement.scrollWidth")
        assert wide <= phone, f"{name} is {wide} px wide: it scrolls sideways"
        await screenshot(page, f"{name}-{lang}-{phone}")
        await desk.goto(f"/{lang}{path}")
        await screenshot(desk, f"{name}-{lang}-{laptop}")
