"""What the page tests check in the browser: axe-core's WCAG 2.1 A/AA rules, the bytes a
page load transfers, and the screenshots committed under docs/screenshots/; and a new
learner signing up on the way to a page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page, Request

# The widths every page is checked at: a cheap phone and a laptop.
WIDTHS = (360, 1280)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# WCAG 2.1 levels A and AA; axe's best practices and AAA rules are not the acceptance.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# A full-page screenshot stops here: the top of a long page shows what it looks like.
SCREENSHOT_MAX_HEIGHT = 1600

_axe = Axe()


async def assert_accessible(page: Page) -> None:
    """No axe-core violation of WCAG 2.1 A/AA on the page as it is now."""
    results = await _axe.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": []}
    )
    violations = results.response["violations"]
    assert not violations, f"{page.url}: axe-core found\n" + "\n".join(
        _described(violation) for violation in violations
    )


def _described(violation: dict) -> str:  # type: ignore[type-arg]
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
    return f"- {violation['id']} ({violation['impact']}): {violation['help']}; at {targets}"


async def screenshot(page: Page, name: str) -> Path:
    """docs/screenshots/<name>.png: the whole page at the viewport's width, at most
    SCREENSHOT_MAX_HEIGHT tall."""
    path = SCREENSHOTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 1280
    height = await page.evaluate("document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, SCREENSHOT_MAX_HEIGHT)}
    await page.screenshot(path=path, full_page=True, clip=clip, type="png")
    return path


@dataclass
class Transfer:
    """What one page load took over the network, images left out: encoded (compressed)
    response bodies, by URL."""

    responses: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.responses.values())

    def __str__(self) -> str:
        lines = (f"  {size:>8} {url}" for url, size in self.responses.items())
        return f"{self.total} bytes before images:\n" + "\n".join(lines)


async def transferred_bytes(page: Page, path: str) -> Transfer:
    """Loads `path` in `page` (a fresh context: nothing cached) until the network is idle
    and sums what its responses' bodies took on the wire, images not counted."""
    finished: list[Request] = []

    def record(request: Request) -> None:
        finished.append(request)

    page.on("requestfinished", record)
    try:
        await page.goto(path, wait_until="networkidle")
    finally:
        page.remove_listener("requestfinished", record)
    transfer = Transfer()
    for request in finished:
        if request.resource_type != "image":
            sizes = await request.sizes()
            transfer.responses[request.url] = (
                transfer.responses.get(request.url, 0) + sizes["responseBodySize"]
            )
    return transfer


# A new learner's password on the sign-up form.
PASSWORD = "paarse olifant 42"


async def sign_up(page: Page, then: str, lang: str = "nl") -> str:
    """A new learner signs up on the `lang` pages and lands on `then` (a path of this
    site); answers their email address."""
    email = f"leerling-{uuid.uuid4().hex[:12]}@example.nl"
    await page.goto(f"/{lang}/sign-up?next={quote(then)}")
    await page.locator("#displayName").fill("Amina Yusuf")
    await page.locator("#email").fill(email)
    await page.locator("#password").fill(PASSWORD)
    async with page.expect_navigation():
        await page.locator("main form button[type=submit]").click()
    return email
