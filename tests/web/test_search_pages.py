"""The search page: what it lists is what the API's searchCourses answers for the same
filters; its facet counts, pages and wrong inputs as a learner sees them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from market.api.graphql import ids
from market.catalog.models import Format, Level, Route, ScheduleKind
from market.db.database import Database
from tests.search.contracts import contract
from tests.support.catalog import (
    add_listed_course,
    add_location,
    add_provider,
    today,
)
from tests.support.graphql import GraphQLClient
from tests.support.pages import words

SEARCH = """
query($query: String, $filter: CourseFilter, $sort: CourseSort, $first: Int, $after: String) {
  searchCourses(query: $query, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount
    pageInfo { endCursor }
    nodes { course { id } }
  }
}
"""
_CARD = re.compile(r'<li class="card" data-course="([0-9a-f-]{36})">')
_FOUND = re.compile(r'<h2 id="results-title">(\d+) cursus(?:sen)? gevonden</h2>')


def listed(html: str) -> tuple[int, list[uuid.UUID]]:
    """The total the page states and the courses on its cards, in order."""
    found = _FOUND.search(html)
    assert found, "the page states no number of courses found"
    return int(found.group(1)), [uuid.UUID(value) for value in _CARD.findall(html)]


def counted(html: str, name: str, value: str) -> tuple[str, int]:
    """An option's label and the number of courses beside it."""
    found = re.search(
        rf'name="{name}" value="{value}"(?: checked)?> ([^<]*) <span class="muted">\((\d+)\)', html
    )
    assert found, (name, value)
    return found.group(1), int(found.group(2))


async def answered(gql: GraphQLClient, **variables: Any) -> tuple[int, list[uuid.UUID]]:
    result = (await gql(SEARCH, {"first": 20, **variables})).ok()["searchCourses"]
    nodes = [ids.decode("Course", node["course"]["id"]) for node in result["nodes"]]
    return result["totalCount"], nodes


async def build_catalog(db: Database) -> dict[str, uuid.UUID]:
    """Four distinct courses near Amsterdam and in Utrecht, and 18 alike to fill pages."""
    school = await add_provider(db, name="Taalschool Fictief")
    utrecht = await add_location(
        db, school, postcode="3511 AA", municipality_code="GM0344", latitude=52.09, longitude=5.12
    )
    courses = {
        "evening": await add_listed_course(
            db,
            school,
            title="Avondcursus B1",
            price_cents=240_000,
            schedule_kinds=[ScheduleKind.EVENING],
            support_languages=["ar", "ti"],
        ),
        "weekend": await add_listed_course(
            db,
            school,
            location_id=utrecht,
            title="Weekendcursus B1",
            price_cents=150_000,
            schedule_kinds=[ScheduleKind.WEEKEND],
        ),
        "online": await add_listed_course(
            db,
            school,
            title="Online Z-route",
            route=Route.Z,
            target_level=Level.A1,
            format=Format.ONLINE,
            price_cents=500_000,
        ),
    }
    for number in range(18):
        await add_listed_course(db, school, title=f"Dagcursus {number}", price_cents=320_000)
    return courses


async def test_the_page_lists_what_the_api_finds_for_the_same_filters(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    courses = await build_catalog(db)
    gql = GraphQLClient(pages)
    cases: list[tuple[str, dict[str, Any]]] = [
        ("", {}),
        ("?route=B1&evening=1", {"filter": {"routes": ["B1"], "evening": True}}),
        ("?max_price=3000&sort=price", {"filter": {"maxPriceCents": 300_000}, "sort": "PRICE"}),
        (
            "?postcode=1011+AB&radius=10&sort=distance",
            {"filter": {"near": {"postcode": "1011 AB", "radiusKm": 10}}, "sort": "DISTANCE"},
        ),
        ("?online=1", {"filter": {"online": True}}),
        ("?q=weekendcursus", {"query": "weekendcursus"}),
        ("?support_language=ti", {"filter": {"supportLanguages": ["ti"]}}),
    ]
    for query, variables in cases:
        page = await pages.get(f"/nl/search{query}")
        assert page.status_code == 200, query
        assert listed(page.text) == await answered(gql, **variables), query

    evening = (await pages.get("/nl/search?route=B1&evening=1")).text
    assert listed(evening) == (1, [courses["evening"]])
    # Each option counts what choosing it instead would find.
    assert counted(evening, "route", "Z") == ("Z-route", 0)
    assert counted(evening, "route", "B1") == ("B1-route", 1)
    assert counted(evening, "evening", "1") == ("Lessen in de avond", 1)
    assert counted(evening, "weekend", "1") == ("Lessen in het weekend", 1)
    # Only the languages some found course offers are offered.
    assert counted(evening, "support_language", "ti") == ("Tigrinya", 1)
    assert 'value="ps"' not in evening
    card = words(evening[evening.index(f'data-course="{courses["evening"]}"') :])
    assert "Taalschool Fictief" in card
    assert "Prijs € 2.400,00 Per lesuur € 8,00 Verwachte start" in card  # of 300 hours
    assert "Wachttijd Geen" in card
    assert "Uitleg ook in Arabisch, Tigrinya" in card
    assert "Keurmerk Blik op Werk" in card
    assert "Sterren van Blik op Werk 3 sterren" in card
    assert "Nog geen beoordelingen" in card
    # The results are the compare form: ticked cards go to the compare page as they are.
    assert '<form method="get" action="/nl/compare" id="compare">' in evening
    assert f'name="course" value="{courses["evening"]}"' in evening

    near = (await pages.get("/nl/search?postcode=1011AB&radius=5&sort=distance")).text
    assert listed(near)[0] == 19  # Utrecht and online are farther than 5 km, or nowhere
    assert "0 km" in near
    assert '<input type="hidden" name="postcode" value="1011AB">' in near


async def test_pages_follow_each_other_forward_and_back(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    await build_catalog(db)
    first = (await pages.get("/nl/search?sort=price")).text
    total, on_first = listed(first)
    assert (total, len(on_first)) == (21, 20)
    assert 'rel="prev"' not in first
    following = re.search(r'<a href="([^"]+)" rel="next">Volgende pagina</a>', first)
    assert following
    second = (await pages.get(following.group(1).replace("&amp;", "&"))).text
    _, on_second = listed(second)
    assert len(on_second) == 1
    assert set(on_second).isdisjoint(on_first)
    assert "Pagina 2" in second
    assert 'rel="next"' not in second
    back = re.search(r'<a href="([^"]+)" rel="prev">Vorige pagina</a>', second)
    assert back
    assert listed((await pages.get(back.group(1).replace("&amp;", "&"))).text) == (21, on_first)


async def test_a_course_of_a_contracted_school_wears_the_municipalitys_badge(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    contracted_school = await add_provider(db)
    contracted = await add_listed_course(db, contracted_school, price_cents=200_000)
    other = await add_listed_course(db, await add_provider(db), price_cents=300_000)
    since, until = today() - timedelta(days=1), today() + timedelta(days=30)
    await contract(db, contracted_school, "GM0363", starts_on=since, ends_on=until)

    html = (await pages.get("/nl/search?sort=price")).text

    assert listed(html) == (2, [contracted, other])
    badge = '<span class="badge">Contract met gemeente Amsterdam</span>'
    assert html.count(badge) == 1
    assert html.index(f'data-course="{contracted}"') < html.index(badge)
    assert html.index(badge) < html.index(f'data-course="{other}"')


async def test_nothing_found_says_so_and_offers_to_clear_the_filters(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    await add_listed_course(db, await add_provider(db), price_cents=300_000)
    page = await pages.get("/nl/search?max_price=100")
    assert page.status_code == 200
    assert "Geen cursussen gevonden" in page.text
    assert '<a href="/nl/search">Alle filters wissen</a>' in page.text


async def test_what_was_typed_comes_back_as_text(pages: AsyncTestClient[Any]) -> None:
    page = await pages.get('/nl/search?q="><script>alert(1)</script>&max_price=<b>')
    assert page.status_code == 400
    assert "<script>alert" not in page.text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page.text
    assert 'value="&lt;b&gt;"' in page.text


async def test_wrong_inputs_are_shown_beside_their_fields(pages: AsyncTestClient[Any]) -> None:
    for query, field, text in [
        ("postcode=1000+AA", "postcode", "Dit postcodegebied kennen we niet."),
        ("postcode=hello", "postcode", ""),
        ("max_price=-5", "max_price", "Dit filter kan niet negatief zijn."),
        ("max_price=vijf", "max_price", "Vul een bedrag in hele euro's in."),
        ("max_price=99999999999999999999", "max_price", "Vul een bedrag in van hoogstens"),
        ("max_wait=-1", "max_wait", "Dit filter kan niet negatief zijn."),
        ("sort=distance", "postcode", "Vul uw postcode in om op afstand te sorteren."),
        ("route=X", "route", "Kies uit de lijst."),
        ("support_language=xx", "support_language", ""),
        ("after=nonsense", "", "Deze cursor is hier niet geldig"),
    ]:
        page = await pages.get(f"/nl/search?{query}")
        assert page.status_code == 400, query
        assert "Controleer wat u heeft ingevuld." in page.text, query
        if field:
            error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page.text)
            assert error, query
            assert error.group(1).startswith(text), query
            assert f'aria-describedby="{field}-error"' in page.text or (
                f'aria-describedby="{field}-hint {field}-error"' in page.text
            ), query
        else:
            assert text in page.text, query
