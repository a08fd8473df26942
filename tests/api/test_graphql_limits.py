"""What one request may ask: depth, aliases and cost are measured over the document with
each fragment measured once, refused with a typed error before anything runs; a query that
still runs too long is stopped. The defaults: depth 12, 15 aliases, a cost of 50,000, and
5 seconds for a query."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from graphql import parse
from litestar.testing import AsyncTestClient

from market.api.graphql.limits import LIST_SIZE, measure
from market.api.graphql.schema import build_schema
from market.app import create_app
from market.settings import Settings
from tests.support.graphql import GraphQLClient, doubling_fragments

SCHEMA = build_schema()._schema


def cost(query: str) -> int:
    (operation,) = measure(SCHEMA, parse(query), max_page_size=100)
    return operation.cost


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app served to concurrent requests (the test client serves one at a time). The
    lifespan runs in a task of its own, as its cancel scope must end where it began."""
    app = create_app(settings)
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    running = asyncio.create_task(lifespan())
    await started.wait()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://market.test"
    ) as client:
        yield client
    stop.set()
    await running


@pytest.mark.parametrize("levels", [16, 20, 39])
async def test_doubling_fragments_are_refused_at_once_while_the_server_answers(
    served: httpx.AsyncClient, levels: int
) -> None:
    started = time.perf_counter()
    answer, health = await asyncio.wait_for(
        asyncio.gather(
            served.post(
                "/graphql",
                json={"query": doubling_fragments(levels)},
                headers={"Accept-Language": "en"},
            ),
            served.get("/healthz"),
        ),
        timeout=10,
    )
    took = time.perf_counter() - started

    assert health.status_code == 200
    (error,) = answer.json()["errors"]
    assert answer.json().get("data") is None
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "QueryTooCostly",
        "params": {"cost": 2**levels, "budget": 50_000},
    }
    assert error["message"].startswith(f"The query costs {2**levels}, more than the budget")
    # Before each fragment was measured once, 20 levels took 5 s and 39 froze the server.
    assert took < 1, took


async def test_fifteen_aliased_wide_searches_are_refused_by_the_cost_budget(
    gql: GraphQLClient,
) -> None:
    search = (
        'searchCourses(first: 100, filter: {near: {postcode: "1011 AB", radiusKm: 250}}) {'
        " nodes { course { title intakes { startDate }"
        " provider { courses(first: 100) { nodes { title } } } } } }"
    )
    query = "{ " + " ".join(f"s{i}: {search}" for i in range(15)) + " }"

    result = await gql(query, language="en")

    assert result.data is None
    assert result.errors[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "QueryTooCostly",
        "params": {"cost": cost(query), "budget": 50_000},
    }
    assert result.errors[0]["message"] == (
        f"The query costs {cost(query)}, more than the budget of 50000: ask for smaller "
        "pages (first), fewer fields or fewer aliases."
    )


async def test_the_budget_is_a_setting(settings: Settings) -> None:
    query = "{ searchCourses(first: 10) { totalCount nodes { waitWeeks } } }"
    tight = dataclasses.replace(settings, graphql_max_cost=cost(query) - 1)
    async with AsyncTestClient(app=create_app(tight)) as http:
        refused = await GraphQLClient(http)(query)
    assert refused.errors[0]["extensions"]["reason"] == "QueryTooCostly"

    exact = dataclasses.replace(settings, graphql_max_cost=cost(query))
    async with AsyncTestClient(app=create_app(exact)) as http:
        assert (await GraphQLClient(http)(query)).ok()["searchCourses"]["totalCount"] == 0


def test_a_page_multiplies_its_nodes_only() -> None:
    # searchCourses 1 + totalCount 1 + nodes 1 + 3 x (waitWeeks 1 + course 1 + title 1)
    assert (
        cost("{ searchCourses(first: 3) { totalCount nodes { waitWeeks course { title } } } }")
        == 12
    )


def test_a_page_given_by_a_variable_counts_as_the_largest_page() -> None:
    query = "query($n: Int) { searchCourses(first: $n) { nodes { waitWeeks } } }"
    assert cost(query) == 1 + 1 + 100 * 1


def test_a_page_left_out_counts_as_the_default_page() -> None:
    assert cost("{ searchCourses { nodes { waitWeeks } } }") == 1 + 1 + 20 * 1


def test_other_lists_of_objects_count_as_a_few_items() -> None:
    assert cost("{ labourMarketRegions { code name } }") == 1 + LIST_SIZE * 2


def test_aliases_and_fragments_add_up() -> None:
    once = cost("{ labourMarketRegions { code } }")
    assert cost("{ a: labourMarketRegions { code } b: labourMarketRegions { code } }") == 2 * once
    assert cost("{ ...R ...R } fragment R on Query { labourMarketRegions { code } }") == 2 * once


async def test_a_query_past_the_time_budget_is_stopped(settings: Settings) -> None:
    # A millisecond: a search waits longer than that for the database alone. (With no time
    # at all, it would be stopped before its resolvers even start.)
    app = create_app(dataclasses.replace(settings, graphql_time_budget_ms=1))
    async with AsyncTestClient(app=app) as http:
        gql = GraphQLClient(http)
        stopped = await gql("{ searchCourses { totalCount } }", language="en")
        # A mutation is never stopped halfway: its outcome would be unknown.
        created = await gql(
            "mutation($input: RegisterInput!) { register(input: $input) { email } }",
            {
                "input": {
                    "email": "budget@example.test",
                    "password": "a long enough passphrase",
                    "displayName": "Budget",
                    "preferredLanguage": "nl",
                }
            },
        )

    assert stopped.data is None
    assert stopped.errors[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "QueryTimedOut",
        "params": {"seconds": 0.001},
    }
    assert stopped.errors[0]["message"].startswith("The query took longer than 0.001 seconds")
    assert created.ok() == {"register": {"email": "budget@example.test"}}
