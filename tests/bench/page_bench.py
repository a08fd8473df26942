"""The search page against the GraphQL search it wraps (part of `make bench`, run by
tests/bench/search_bench.py while its server is up): the searches of the mix that the
page's form can ask (the others filter by region, municipality, price per lesson hour or
start date, which the form does not offer), each asked as the page's address and as the
bench's GraphQL operation, the two taking turns at concurrency 1.

Figures: p50 per search on each path and their ratio (the issue's bound: the page at most
1.5x the search it wraps), the server's CPU per request on each path, and what a page
transfers: its HTML and the stylesheet it loads (the pages load no other file but the
payment step's script).
"""

from __future__ import annotations

import statistics
from typing import Any

import aiohttp

from tests.bench.searches import Search

# The bench's searches as the page's address carries them (tests/bench/searches.py).
PAGE_QUERIES = {
    "text_avondles_b1": "q=avondles&route=B1",
    "typo_nederlnds_b1": "q=nederlnds&level=B1",
    "near_utrecht_distance": "postcode=3511+AB&radius=15&sort=distance",
    "weekend_short_wait": "weekend=1&max_wait=4&sort=shortest_wait",
}
ASSETS = ("/static/site.css",)


def page_caller(client: aiohttp.ClientSession, sizes: dict[str, int]) -> Any:
    async def call(search: Search) -> None:
        async with client.get(f"/nl/search?{PAGE_QUERIES[search.name]}") as response:
            body = await response.read()
        if response.status != 200 or b'class="errors"' in body:
            raise SystemExit(f"search page {search.name} failed: {body[:500]!r}")
        sizes[search.name] = len(body)

    return call


async def asset_bytes(client: aiohttp.ClientSession) -> int:
    total = 0
    for path in ASSETS:
        async with client.get(path) as response:
            total += len(await response.read())
    return total


def page_figures(page: Any, graphql: Any, sizes: dict[str, int], assets: int) -> dict[str, Any]:
    """`page` and `graphql`: the two paths' runs (search_bench.Run) over the page's searches."""
    by_search = {
        name: {
            "page_p50_ms": page.percentile(50, page.by_search[name]),
            "graphql_p50_ms": graphql.percentile(50, graphql.by_search[name]),
        }
        for name in PAGE_QUERIES
    }
    for figures in by_search.values():
        figures["ratio"] = figures["page_p50_ms"] / figures["graphql_p50_ms"]
    return {
        "page_search_p50_ms_c1_by_search": by_search,
        "page_to_graphql_p50_ratio": statistics.median(f["ratio"] for f in by_search.values()),
        "page_to_graphql_worst_ratio": max(f["ratio"] for f in by_search.values()),
        "page_server_cpu_ms_per_search": page.server_cpu / len(page.latencies) * 1000,
        "page_graphql_server_cpu_ms_per_search": graphql.server_cpu / len(graphql.latencies) * 1000,
        "page_html_bytes": max(sizes.values()),
        "page_asset_bytes": assets,
        "page_requests_c1": len(page.latencies),
    }


def print_page_report(result: dict[str, Any]) -> None:
    print("search page against its GraphQL search at concurrency 1: p50 ms page / GraphQL")
    for name, figures in result["page_search_p50_ms_c1_by_search"].items():
        print(
            f"  {name:28} {figures['page_p50_ms']:7.1f} / {figures['graphql_p50_ms']:6.1f}"
            f"  x{figures['ratio']:.2f}"
        )
    print(
        f"page-to-GraphQL p50: median x{result['page_to_graphql_p50_ratio']:.2f}, worst "
        f"x{result['page_to_graphql_worst_ratio']:.2f} (target <= 1.5); server CPU per "
        f"request {result['page_server_cpu_ms_per_search']:.1f} ms (page) / "
        f"{result['page_graphql_server_cpu_ms_per_search']:.1f} ms (GraphQL)"
    )
    print(
        f"search page transfers {result['page_html_bytes'] / 1024:.1f} KB of HTML (the "
        f"largest) + {result['page_asset_bytes'] / 1024:.1f} KB stylesheet (target < 150 KB)"
    )
