"""One search on the Meilisearch backend, at its HTTP boundary: the multi-search requests it
sends (hits, exhaustive total, facet counts under the other filters, then the regions it
found, the municipalities contracting providers it found and the support languages it
found) and the result it builds
from Meilisearch's documented answers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from market.app import create_app
from market.catalog.models import Level, Route
from market.db.database import Database
from market.kernel.pagination import PageRequest, decode_cursor
from market.search.criteria import CourseSearch, FacetField, SearchSort
from market.search.documents import day_number
from market.search.meilisearch import MeilisearchSearch, filters_for
from market.settings import Settings
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient
from tests.support.meilisearch import FakeMeilisearch, search_result

FOUND = {
    'route = "b1"': 2,
    'level = "b1"': 2,
    'level = "a2"': 1,
    'region_code = "AM18"': 2,
    'contracted_by = "GM0363"': 1,
    'support_languages = "ti"': 2,
    'support_languages = "tr"': 1,
}


async def test_a_search_asks_for_hits_total_and_facets_and_loads_the_hits(db: Database) -> None:
    provider = await add_provider(db)
    location = await add_location(db, provider)
    cheap = await add_course(db, provider, price_cents=200_000)
    dear = await add_course(db, provider, price_cents=300_000)
    for course in (cheap, dear):
        await add_intake(db, course, location)
    day = day_number(today())
    certified = f"(certification_valid_from <= {day} AND certification_valid_until >= {day})"

    def answer(query: dict[str, Any]) -> dict[str, Any]:
        if query["facets"] == ["region_code"]:
            return search_result(query, facets={"region_code": {"AM18": 2, "AM03": 0}})
        if query["facets"] == ["contracted_by"]:
            return search_result(query, facets={"contracted_by": {"GM0363": 3, "GM0014": 0}})
        if query["facets"] == ["support_languages"]:
            found = {"tr": 1, "ti": 3, "ar": 0}
            return search_result(query, facets={"support_languages": found})
        if query["hitsPerPage"] is None:
            return search_result(query, hits=[{"course_id": str(cheap)}], total=2)
        extra = query["filter"][-1]
        return search_result(query, total=FOUND.get(extra, 2 if extra == certified else 0))

    fake = FakeMeilisearch(answer_search=answer)
    criteria = CourseSearch(query="nt2", routes=(Route.B1,), sort=SearchSort.PRICE)

    async with db.reader() as session:
        result = await fake.engine().search(session, criteria, PageRequest(first=1))

    first, second = fake.bodies("POST", "/multi-search")
    shared = [
        f"(continuous = true OR starts_on >= {day})",
        f'(route != "z" OR {certified})',
        '(route != "onderwijs" OR diploma_recognised = true)',
    ]
    hits, total, regions, contracting, languages, *counts = first["queries"]
    keys = ("indexUid", "q", "matchingStrategy", "offset", "limit", "filter", "sort")
    assert {k: hits[k] for k in keys} == {
        "indexUid": "courses",
        "q": "nt2",
        "matchingStrategy": "all",
        "offset": 0,
        "limit": 1,
        "filter": [*shared, 'route IN ["b1"]', certified],
        "sort": ["price_cents:asc", "course_id:asc"],
    }
    assert hits["hitsPerPage"] is None
    assert (total["filter"], total["hitsPerPage"], total["page"]) == (hits["filter"], 0, 1)
    assert (regions["filter"], regions["facets"]) == (hits["filter"], ["region_code"])
    assert (contracting["filter"], contracting["facets"]) == (hits["filter"], ["contracted_by"])
    assert (languages["filter"], languages["facets"]) == (hits["filter"], ["support_languages"])
    # The route facet is counted without the route filter, per route.
    assert [c["filter"] for c in counts[:3]] == [
        [*shared, certified, 'route = "b1"'],
        [*shared, certified, 'route = "onderwijs"'],
        [*shared, certified, 'route = "z"'],
    ]
    assert len(counts) == 20
    # Only the region, the municipality and the languages found with courses are counted,
    # in a second request.
    assert [q["filter"] for q in second["queries"]] == [
        [*shared, 'route IN ["b1"]', certified, 'region_code = "AM18"'],
        [*shared, 'route IN ["b1"]', certified, 'contracted_by = "GM0363"'],
        [*shared, 'route IN ["b1"]', certified, 'support_languages = "ti"'],
        [*shared, 'route IN ["b1"]', certified, 'support_languages = "tr"'],
    ]

    page = result.page
    assert [hit.course.id for hit in page.items] == [cheap]
    assert (page.total_count, page.has_next_page) == (2, True)
    assert page.end_cursor is not None
    assert decode_cursor(page.end_cursor, (str, int)) == ("price", 1)
    facets = {facet.field: [(v.value, v.label, v.count) for v in facet.values]
              for facet in result.facets}  # fmt: skip
    assert facets[FacetField.ROUTE] == [("B1", "B1-route", 2)]
    assert facets[FacetField.LEVEL] == [("A2", Level.A2.name, 1), ("B1", Level.B1.name, 2)]
    assert facets[FacetField.REGION] == [("AM18", "Groot Amsterdam", 2)]
    assert facets[FacetField.CERTIFICATION] == [("CERTIFIED", "Blik op Werk keurmerk", 2)]
    assert facets[FacetField.PRICE_BAND] == []
    assert facets[FacetField.CONTRACTED_BY] == [("GM0363", "Amsterdam", 1)]
    assert facets[FacetField.SUPPORT_LANGUAGE] == [("ti", "Tigrinya", 2), ("tr", "Turks", 1)]


def test_support_languages_filter_on_any_of_them_apart_from_their_facet() -> None:
    filters = filters_for(CourseSearch(support_languages=("ti", "prs")), 20_000)

    assert filters.owned[FacetField.SUPPORT_LANGUAGE] == ('support_languages IN ["ti", "prs"]',)
    assert 'support_languages IN ["ti", "prs"]' in filters.expression()
    assert 'support_languages IN ["ti", "prs"]' not in filters.expression(
        without=FacetField.SUPPORT_LANGUAGE
    )


async def test_the_app_searches_with_meilisearch_when_it_is_configured(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeMeilisearch(answer_search=lambda query: search_result(query, total=0))
    engine = fake.engine()
    monkeypatch.setattr(MeilisearchSearch, "connect", lambda *args, **kwargs: engine)
    configured = dataclasses.replace(settings, meilisearch_url="http://meilisearch.test:7700")

    async with AsyncTestClient(app=create_app(configured)) as http:
        result = await GraphQLClient(http)('{ searchCourses(query: "knm") { totalCount } }')

    assert result.ok() == {"searchCourses": {"totalCount": 0}}
    [request] = fake.bodies("POST", "/multi-search")
    assert request["queries"][0]["q"] == "knm"
