"""A learner searching in a real browser: what the filled-in form lists is what the API
answers for the same filters, and two ticked cards open side by side."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from playwright.async_api import Page

from tests.support.graphql import GraphQLClient
from tests.web.conftest import LiveServer
from tests.web.test_search_pages import answered


async def api_answer(live_server: LiveServer, **variables: Any) -> tuple[int, list[uuid.UUID]]:
    """searchCourses' total and first page for the same filters, over HTTP."""
    async with httpx.AsyncClient(base_url=live_server.url) as client:
        return await answered(GraphQLClient(client), **variables)  # type: ignore[arg-type]


async def listed(page: Page) -> list[uuid.UUID]:
    return [
        uuid.UUID(value)
        for value in await page.locator("li.card").evaluate_all(
            "cards => cards.map(card => card.dataset.course)"
        )
    ]


async def test_the_form_lists_what_the_api_answers_for_the_same_filters(
    page: Page, live_server: LiveServer
) -> None:
    await page.goto("/nl/")
    form = page.locator("#filters")
    await form.get_by_label("B1-route").check()
    await form.get_by_label("Lessen in de avond").check()
    await form.get_by_label("Hoogste prijs in euro").fill("9000")
    await form.get_by_label("Volgorde").select_option("price")
    await form.get_by_role("button", name="Zoeken", exact=True).click()
    await page.wait_for_url("**/nl/search?**")

    total, expected = await api_answer(
        live_server,
        filter={"routes": ["B1"], "evening": True, "maxPriceCents": 900_000},
        sort="PRICE",
    )
    assert total > 1
    assert await listed(page) == expected
    heading = await page.locator("#results-title").inner_text()
    assert heading == f"{total} cursussen gevonden"
    # The address is the search: opened afresh, it lists the same.
    await page.goto(page.url)
    assert await listed(page) == expected


async def test_two_ticked_cards_open_side_by_side(page: Page) -> None:
    await page.goto("/nl/search?route=B1")
    cards = page.locator("li.card")
    chosen = [await cards.nth(n).get_attribute("data-course") for n in (0, 1)]
    titles = [await cards.nth(n).locator("h3").inner_text() for n in (0, 1)]
    for n in (0, 1):
        await cards.nth(n).get_by_label("Vergelijk").check()
    await page.get_by_role("button", name="Vergelijk gekozen cursussen").click()

    await page.wait_for_url("**/nl/compare?**")
    assert all(f"course={course}" in page.url for course in chosen)
    header = page.locator("table thead th[scope=col]")
    assert [text.strip() for text in await header.all_inner_texts()][-2:] == titles
