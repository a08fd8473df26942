"""The compare page: two to four courses side by side, a clear message otherwise."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from market.db.database import Database
from tests.support.catalog import add_listed_course, add_provider
from tests.support.pages import words


def rows(html: str) -> dict[str, list[str]]:
    """Each measure's row header and its cells, as plain text."""
    found = re.findall(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', html)
    return {
        header: [words(cell).strip() for cell in cells]
        for header, cells in ((h, re.findall(r"<td>(.*?)</td>", body)) for h, body in found)
    }


async def test_courses_stand_side_by_side_in_the_order_ticked(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    school = await add_provider(db, name="Taalschool Fictief")
    unmarked = await add_provider(db, name="Taalschool Zonder", certified=False)
    cheap = await add_listed_course(
        db, school, title="Goedkoop", price_cents=250_000, support_languages=["tr", "en"]
    )
    dear = await add_listed_course(
        db, unmarked, title="Duur", price_cents=1_100_000, support_languages=[]
    )

    answer = await pages.get(f"/nl/compare?course={dear}&course={cheap}&postcode=1011AB")

    assert answer.status_code == 200
    headers = re.findall(r'<th scope="col"><a href="([^"]+)">([^<]+)</a></th>', answer.text)
    assert headers == [
        (f"/nl/courses/{dear}?postcode=1011AB", "Duur"),
        (f"/nl/courses/{cheap}?postcode=1011AB", "Goedkoop"),
    ]
    table = rows(answer.text)
    assert table["School"] == ["Taalschool Zonder", "Taalschool Fictief"]
    assert table["Prijs"] == ["€ 11.000,00", "€ 2.500,00"]
    assert table["Per lesuur"] == ["€ 36,67", "€ 8,33"]
    assert table["Uitleg ook in"] == ["Alleen Nederlands", "Turks, Engels"]
    assert table["Keurmerk"] == ["Geen keurmerk", "Keurmerk Blik op Werk"]
    assert table["Lenen bij DUO"] == ["Nee, de school heeft geen keurmerk", "Ja"]
    assert table["Afstand"] == ["0,4 km", "0,4 km"]
    assert table["Examen opnieuw doen (alle onderdelen)"] == ["€ 250,00", "€ 250,00"]
    assert 'href="/nl/search?postcode=1011AB">Terug naar zoeken' in answer.text


async def test_one_or_five_courses_or_an_unknown_one_get_a_message(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    school = await add_provider(db)
    courses: list[uuid.UUID | str] = [await add_listed_course(db, school) for _ in range(5)]
    cases: list[tuple[list[uuid.UUID | str], str]] = [
        (courses[:1], "Vergelijk 2 tot 4 cursussen."),
        (courses, "Vergelijk 2 tot 4 cursussen."),
        ([courses[0], uuid.uuid4()], "Er is geen cursus met dit id."),
        ([courses[0], "not-an-id"], "Er is geen cursus met dit id."),
    ]
    for asked, message in cases:
        query = "&".join(f"course={course}" for course in asked)
        answer = await pages.get(f"/nl/compare?{query}")
        assert answer.status_code == 400, asked
        assert f'<div class="errors" role="alert">\n  <p>{message}</p>' in answer.text
        assert "<table>" not in answer.text
        assert 'href="/nl/search">Terug naar zoeken' in answer.text
