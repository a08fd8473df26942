"""The browser tests' set-up works: the served app answers the browser, the demo world is
in it, and the helpers see what they claim to see."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from playwright.async_api import Page

from tests.web import browser
from tests.web.browser import assert_accessible, screenshot, transferred_bytes

SEARCH = """{
  all: searchCourses(first: 1) { totalCount nodes { course { title } } }
  contracted: searchCourses(filter: {contractedBy: "GM0363"}) { totalCount }
}"""
FETCH_GRAPHQL = """query => fetch('/graphql', {
    method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({query})
}).then(answer => answer.json())"""


async def test_the_browser_reaches_the_served_app(page: Page) -> None:
    answer = await page.goto("/healthz")

    assert answer is not None
    assert answer.status == 200
    assert json.loads(await page.inner_text("body")) == {"status": "ok"}


async def test_a_script_on_the_apps_origin_finds_the_demo_courses(page: Page) -> None:
    # The API's own answers forbid scripts (Content-Security-Policy), so the page the script
    # runs in is answered by the browser itself, on the app's origin.
    await page.route("**/blank", lambda route: route.fulfill(content_type="text/html", body=""))
    await page.goto("/blank")

    found = await page.evaluate(FETCH_GRAPHQL, SEARCH)

    assert "errors" not in found
    assert found["data"]["all"]["totalCount"] > 100
    assert found["data"]["all"]["nodes"][0]["course"]["title"]
    assert 0 < found["data"]["contracted"]["totalCount"] < 10


async def test_transferred_bytes_counts_the_bodies_on_the_wire(page: Page) -> None:
    transfer = await transferred_bytes(page, "/healthz")

    assert list(transfer.responses) == [page.url]
    assert transfer.total == len(b'{"status":"ok"}')


async def test_an_accessible_page_passes_axe(page: Page) -> None:
    await page.set_content(
        '<!doctype html><html lang="nl"><head><title>Cursussen</title></head>'
        "<body><main><h1>Cursussen</h1><p>Vind een taalschool.</p></main></body></html>"
    )

    await assert_accessible(page)


async def test_axe_names_each_violation_and_where_it_is(page: Page) -> None:
    await page.set_content(
        "<!doctype html><html><head><title>Zoeken</title></head><body><main>"
        '<img src="data:," id="logo"><input type="text" id="query"></main></body></html>'
    )

    with pytest.raises(AssertionError) as failure:
        await assert_accessible(page)

    lines = str(failure.value).splitlines()
    assert any(line.startswith("- html-has-lang (serious)") for line in lines)
    assert any(line.startswith("- image-alt (critical)") and "#logo" in line for line in lines)
    assert any(line.startswith("- label (critical)") and "#query" in line for line in lines)


@pytest.mark.parametrize("viewport_width", browser.WIDTHS)
async def test_a_screenshot_is_the_page_at_the_viewport_width(
    page: Page, viewport_width: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browser, "SCREENSHOTS", tmp_path)
    await page.set_content('<html lang="nl"><body style="height:5000px">Lang</body></html>')

    path = await screenshot(page, "long")

    png = path.read_bytes()
    assert path == tmp_path / "long.png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (viewport_width, browser.SCREENSHOT_MAX_HEIGHT)
