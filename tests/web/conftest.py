"""The browser tests' world: the real app served by uvicorn on a free loopback port, over a
database holding the demo world, taking payments on localstripe, driven by Debian's
Chromium through Playwright (never a downloaded browser).

Fixtures:
- `live_server` (session): the running app, `.url` its base address, `.settings` its
  settings, `.database_url` its database. One per test process: tests share its world, so
  a test that books or signs up makes its own learner rather than relying on another
  test's leftovers. Its payment page loads localstripe's stand-in for Stripe.js.
- `live_db` (session): a Database on the live server's database, for arranging.
- `browser` (session): one headless /usr/bin/chromium for the process.
- `page` (function): a fresh context (no cookies, no cache) and page at `viewport_width`
  (1280 unless a test parametrizes `viewport_width`, see browser.WIDTHS), its base URL the
  live server, so `await page.goto("/nl/")` works. At 360 px it is a phone: touch, and the
  page's meta viewport honoured. Its browser asks for Dutch (Accept-Language nl-NL).
- `open_page` (function): `await open_page(width, locale)` for more visitors in one test
  (each its own cookies) or a browser asking for another language.
The demo learner signs in as market.demo.seed.LEARNER with `live_server.settings.
demo_password`. The demo world comes without its tenders (they took two thirds of the
seeding); instead Amsterdam (CONTRACTED_BY) has a contract with the provider first by
name, so its cards show the contracted-by badge.
The helpers (accessibility, screenshots, transferred bytes) are in tests/web/browser.py.

A missing Chromium fails the browser tests rather than skipping them: `make test` installs
it (as root) or stops, printing the command, so its absence is a broken set-up, not a
reason to pass. A developer without root sets MARKET_SKIP_BROWSER=1 (honoured by `make test` and
here) to skip the tests that need the browser; the tests using only `live_server` still run.
MARKET_CHROMIUM names another Chromium binary.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from sqlalchemy import select

from market.app import create_app
from market.db.database import Database
from market.demo import seed
from market.identity.models import Organisation, OrganisationKind
from market.payments import local_stripe
from market.search import postgres as search_tables
from market.settings import Settings
from tests.conftest import cloned_database
from tests.payments.support import WEBHOOK_SECRET, paying_settings
from tests.search.contracts import contract

# Amsterdam has a contract with the demo provider first by name: its cards show the badge.
CONTRACTED_BY = "GM0363"
CHROMIUM = Path(os.environ.get("MARKET_CHROMIUM", "/usr/bin/chromium"))
# What `market serve` asks localstripe to send to the app's webhook.
PAYMENT_EVENTS = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
]


@dataclasses.dataclass(frozen=True)
class LiveServer:
    url: str
    settings: Settings
    database_url: str


@pytest.fixture(scope="session")
def live_server(template_url: str, localstripe: local_stripe.LocalStripe) -> Iterator[LiveServer]:
    """The app as `market serve --demo` runs it (the job worker inside, localstripe for
    payments with its webhooks delivered here), on 127.0.0.1 and a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    scratch = Path(tempfile.mkdtemp(prefix="market-web-"))
    with cloned_database(template_url) as database_url:
        settings = dataclasses.replace(
            paying_settings(database_url, localstripe),
            embedded_worker=True,
            stripe_js_url=local_stripe.js_url(localstripe.base),
            mail_dir=scratch / "mail",
            files_dir=scratch / "files",
        )
        asyncio.run(_seed_demo(settings))
        localstripe.register_webhook(
            f"market-web-{os.getpid()}", f"{url}/webhooks/stripe", WEBHOOK_SECRET, PAYMENT_EVENTS
        )
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), log_config=None, lifespan="on")
        )
        thread = threading.Thread(
            target=lambda: asyncio.run(server.serve(sockets=[sock])), name="live-server"
        )
        thread.start()
        _wait_until_started(server, thread)
        yield LiveServer(url, settings, database_url)
        server.should_exit = True
        thread.join(timeout=10)
    sock.close()
    shutil.rmtree(scratch, ignore_errors=True)


async def _seed_demo(settings: Settings) -> None:
    db = Database(settings.database_url, pool_size=1)
    try:
        today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
        async with db.transaction() as session:
            await seed.seed_demo(
                session, password=settings.demo_password, today=today, with_tenders=False
            )
        await search_tables.compact(db.engine)
        async with db.reader() as session:
            provider = await session.scalar(
                select(Organisation.id)
                .where(Organisation.kind == OrganisationKind.PROVIDER)
                .order_by(Organisation.name)
                .limit(1)
            )
        assert provider is not None
        await contract(
            db, provider, CONTRACTED_BY, starts_on=today, ends_on=today + timedelta(days=365)
        )
    finally:
        await db.dispose()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the live server did not start (its log is above)")
        time.sleep(0.01)


@pytest.fixture(scope="session")
async def live_db(live_server: LiveServer) -> AsyncIterator[Database]:
    """Direct access to the live server's database, for arranging what a test needs."""
    database = Database(live_server.database_url, pool_size=2)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
def chromium() -> Path:
    if os.environ.get("MARKET_SKIP_BROWSER") == "1":
        pytest.skip("MARKET_SKIP_BROWSER=1")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs it as root (see the Makefile's "
            "`browser` target), or set MARKET_SKIP_BROWSER=1 to skip the browser tests",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, headless=True)
        yield launched
        await launched.close()


@pytest.fixture
def viewport_width() -> int:
    return 1280


OpenPage = Callable[..., Awaitable[Page]]


@pytest.fixture
async def open_page(browser: Browser, live_server: LiveServer) -> AsyncIterator[OpenPage]:
    """`await open_page(width=1280, locale="nl-NL")`: a page in a fresh browser context (its
    own cookies: another visitor), closed when the test ends."""
    contexts: list[BrowserContext] = []

    async def open_(width: int = 1280, locale: str = "nl-NL") -> Page:
        phone = width < 600
        context = await browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 740 if phone else 800},
            device_scale_factor=1,
            is_mobile=phone,
            has_touch=phone,
            locale=locale,
            timezone_id="Europe/Amsterdam",
        )
        contexts.append(context)
        return await context.new_page()

    try:
        yield open_
    finally:
        for context in contexts:
            await context.close()


@pytest.fixture
async def page(open_page: OpenPage, viewport_width: int) -> Page:
    return await open_page(viewport_width)
