"""The course page: the facts a learner weighs before booking, and a button per start."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from market.catalog.models import CourseStatus, Format, Level, Route
from market.db.database import Database
from market.reviews.models import Review
from tests.support.catalog import (
    add_course,
    add_intake,
    add_listed_course,
    add_location,
    add_provider,
    today,
)
from tests.support.pages import words


async def test_a_course_page_shows_price_terms_exams_duo_places_and_starts(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    school = await add_provider(db, name="Taalschool Fictief")
    place = await add_location(db, school, name="Leslocatie Centrum")
    course = await add_course(
        db,
        school,
        title="Nederlands B1 overdag",
        price_cents=1_200_000,
        price_includes=["lesmateriaal", "oefenexamens"],
        cancellation_terms="Kosteloos annuleren tot 14 dagen voor de start.",
        rating_count=2,
        rating_sum=9,
        support_languages=["so", "ar"],
    )
    soon = today() + timedelta(days=10)
    full = await add_intake(
        db, course, place, starts_on=soon, seat_capacity=12, seats_taken=12, queue_length=3
    )
    open_intake = await add_intake(db, course, place, seats_taken=4)
    await add_intake(db, course, place, starts_on=today() - timedelta(days=1))
    async with db.transaction() as session:
        session.add(
            Review(
                course_id=course,
                provider_id=school,
                rating=4,
                body="Goede lessen, aardige docent.",
                reply_body="Dank u wel!",
                replied_at=datetime.now(UTC),
            )
        )

    answer = await pages.get(f"/nl/courses/{course}?postcode=1011AB")

    assert answer.status_code == 200
    page = words(answer.text)
    assert "Nederlands B1 overdag" in page
    assert "Door Taalschool Fictief · B1-route · Niveau B1" in page
    assert "Prijs, alles inbegrepen € 12.000,00 Per lesuur € 40,00" in page
    assert "lesmateriaal oefenexamens Training voor het examen" in page
    assert "Kosteloos annuleren tot 14 dagen voor de start." in page
    assert re.search(r"Keurmerk Blik op Werk BOW-\d{5} geldig tot", page)
    assert "Sterren van Blik op Werk 3 sterren" in page
    assert "Uitleg ook in Somalisch, Arabisch" in page
    assert "4,5 van 5 (2 beoordelingen)" in page
    # DUO lends at most EUR 10,000: the rest the learner pays.
    assert "Met de hoogste lening betaalt u zelf nog € 2.000,00." in page
    assert "U mag elk onderdeel 2 keer gratis doen." in page
    assert "Lezen € 50,00 Luisteren € 50,00 Schrijven € 50,00 Spreken € 50,00 KNM € 50,00" in page
    assert re.search(r"Leslocatie Centrum, Voorbeeldstraat 1, 1011 AB — \d,\d km", page)
    # Starts: continuous intake first; the past one is gone.
    starts = re.findall(r'data-intake="([0-9a-f-]{36})"', answer.text)
    assert starts == [str(open_intake), str(full)]
    assert "Vrije plaatsen 8 Op de wachtlijst 0 personen" in page
    assert "Vrije plaatsen 0 Op de wachtlijst 3 personen" in page
    assert f'href="/nl/courses/{course}/book?intake={open_intake}">Boeken' in answer.text
    assert f'href="/nl/courses/{course}/book?intake={full}">Zet mij op de wachtlijst' in answer.text
    assert "4 van 5" in page
    assert "Goede lessen, aardige docent. Antwoord van de school: Dank u wel!" in page


async def test_without_a_mark_duo_pays_nothing_and_the_z_route_has_no_exam(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    unmarked = await add_listed_course(db, await add_provider(db, certified=False))
    z_route = await add_listed_course(
        db, await add_provider(db), route=Route.Z, target_level=Level.A1, format=Format.ONLINE
    )

    page = words((await pages.get(f"/nl/courses/{unmarked}")).text)
    assert "DUO betaalt deze cursus niet" in page
    assert "Geen keurmerk" in page
    page = words((await pages.get(f"/nl/courses/{z_route}")).text)
    assert "Er is geen examen." in page
    assert "De lessen zijn online." in page


async def test_an_unknown_a_malformed_or_a_draft_course_is_not_found(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    draft = await add_course(db, await add_provider(db), status=CourseStatus.DRAFT)
    for course_id in (uuid.uuid4(), "not-an-id", draft):
        answer = await pages.get(f"/nl/courses/{course_id}")
        assert answer.status_code == 404
        assert "Pagina niet gevonden" in answer.text


async def test_an_unknown_postcode_is_shown_beside_its_field(
    pages: AsyncTestClient[Any], db: Database
) -> None:
    course = await add_listed_course(db, await add_provider(db))
    answer = await pages.get(f"/nl/courses/{course}?postcode=1000+AA")
    assert answer.status_code == 400
    assert '<p class="error" id="postcode-error">Dit postcodegebied kennen we niet.</p>' in (
        answer.text
    )
    assert 'aria-describedby="postcode-error" aria-invalid="true"' in answer.text
