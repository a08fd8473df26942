"""The search contract's fixtures: a small hand-built catalog with known answers, and the
engines that must give them.

`search_backend` is PostgreSQL always (listing small results' bits, and walking the sort's
index as larger results do), and Meilisearch too when MARKET_MEILISEARCH_URL is
set: then `tests.search.contract.meilisearch_engine.make_backend(db, settings)` (written with
the Meilisearch backend) indexes the arranged catalog and returns the backend.
"""

from __future__ import annotations

import importlib
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from market.catalog.models import (
    CourseStatus,
    Format,
    Level,
    Route,
    ScheduleKind,
    StarRating,
    Stream,
)
from market.db.database import Database
from market.search.backend import SearchBackend
from market.search.postgres import PostgresSearch
from market.settings import Settings
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today

AMSTERDAM = {
    "postcode": "1011 AB",
    "municipality_code": "GM0363",
    "latitude": 52.3719,
    "longitude": 4.9055,
}
UTRECHT = {
    "postcode": "3511 AB",
    "municipality_code": "GM0344",
    "latitude": 52.0883,
    "longitude": 5.1160,
}
GRONINGEN = {
    "postcode": "9711 AB",
    "municipality_code": "GM0014",
    "latitude": 53.2163,
    "longitude": 6.5693,
}


@dataclass(frozen=True)
class Catalog:
    """Course ids by name. Listed under the default filters: dagles, avondles, online, z,
    schakel; `goedkoop` only without certifiedOnly."""

    courses: dict[str, uuid.UUID]
    intakes: dict[str, uuid.UUID]

    def name_of(self, course_id: uuid.UUID) -> str:
        return next(name for name, known in self.courses.items() if known == course_id)


async def build(db: Database) -> Catalog:
    mark = await add_provider(db, name="Taalschool Fictief")  # three stars
    uncertified = await add_provider(db, name="Leerhuis Groningen", certified=False)
    college = await add_provider(
        db, name="Hogeschool Voorbeeld", diploma_recognition=True, star_rating=StarRating.FOUR
    )
    amsterdam = await add_location(db, mark, **AMSTERDAM)
    utrecht = await add_location(db, college, **UTRECHT)
    groningen = await add_location(db, uncertified, **GRONINGEN)
    day = today()
    courses: dict[str, uuid.UUID] = {}
    intakes: dict[str, uuid.UUID] = {}

    async def course(name: str, provider: uuid.UUID, **fields: object) -> uuid.UUID:
        courses[name] = await add_course(db, provider, **fields)
        return courses[name]

    # Starts today, a free seat: wait 0. 3000 euros, 300 hours: 10 euros an hour.
    await course("dagles", mark, title="Dagles Nederlands B1", price_cents=300_000)
    intakes["dagles"] = await add_intake(db, courses["dagles"], amsterdam)
    # Starts in 3 weeks: wait 3. 2000 euros, 100 hours: 20 an hour.
    await course(
        "avondles",
        college,
        title="Avondlessen B1",
        price_cents=200_000,
        total_hours=100,
        language_hours=90,
        schedule_kinds=[ScheduleKind.EVENING],
    )
    intakes["avondles"] = await add_intake(
        db, courses["avondles"], utrecht, starts_on=day + timedelta(weeks=3)
    )
    # A started intake is not bookable and matches nothing.
    await add_intake(db, courses["avondles"], amsterdam, starts_on=day - timedelta(days=1))
    # Continuous but full, 5 weeks declared: wait 5. 1500 euros, 300 hours: 5 an hour.
    await course(
        "online",
        mark,
        title="Online A2 met weekendles",
        target_level=Level.A2,
        price_cents=150_000,
        format=Format.ONLINE,
        schedule_kinds=[ScheduleKind.EVENING, ScheduleKind.WEEKEND],
    )
    intakes["online"] = await add_intake(
        db, courses["online"], None, seat_capacity=10, seats_taken=10, waitlist_weeks=5
    )
    # Z-route: 9000 euros, 1000 hours: 9 an hour; starts today at Amsterdam.
    await course(
        "z",
        mark,
        title="Zelfredzaam",
        route=Route.Z,
        target_level=Level.A1,
        total_hours=1000,
        language_hours=900,
        price_cents=900_000,
    )
    intakes["z"] = await add_intake(db, courses["z"], amsterdam, starts_on=day)
    # Onderwijsroute: 12000 euros, 1000 hours: 12 an hour; starts in 10 weeks at Utrecht.
    await course(
        "schakel",
        college,
        title="Schakeltraject naar mbo",
        route=Route.ONDERWIJS,
        target_level=Level.B2,
        stream=Stream.MBO,
        total_hours=1000,
        language_hours=900,
        hours_per_week=20,
        price_cents=1_200_000,
        format=Format.BLENDED,
    )
    intakes["schakel"] = await add_intake(
        db, courses["schakel"], utrecht, starts_on=day + timedelta(weeks=10)
    )
    # Uncertified, blended, 1000 euros / 300 hours (333 an hour), continuous at Groningen.
    await course(
        "goedkoop",
        uncertified,
        title="Goedkoop B1",
        price_cents=100_000,
        format=Format.BLENDED,
    )
    intakes["goedkoop"] = await add_intake(db, courses["goedkoop"], groningen)
    # Never listed: a draft, an archived course, a Z-route course without a mark, a course
    # whose only intake has started, a course without intakes.
    for status in (CourseStatus.DRAFT, CourseStatus.ARCHIVED):
        hidden = await add_course(db, mark, status=status, title="Verborgen")
        await add_intake(db, hidden, amsterdam)
    z_unmarked = await add_course(
        db,
        uncertified,
        route=Route.Z,
        target_level=Level.A1,
        total_hours=1000,
        language_hours=900,
    )
    await add_intake(db, z_unmarked, groningen)
    started = await add_course(db, mark, title="Al begonnen")
    await add_intake(db, started, amsterdam, starts_on=day - timedelta(days=7))
    await add_course(db, mark, title="Zonder intake")
    return Catalog(courses, intakes)


@pytest.fixture
async def catalog(db: Database) -> Catalog:
    return await build(db)


@pytest.fixture(params=["postgres", "postgres-walking", "postgres-at-once", "meilisearch"])
async def search_backend(
    request: pytest.FixtureRequest, catalog: Catalog, db: Database, settings: Settings
) -> SearchBackend:
    if request.param == "postgres":
        return PostgresSearch()
    if request.param == "postgres-walking":
        # Pages found by walking the sort's index, as results above a few hundred are.
        return PostgresSearch(listed_at_most=0)
    if request.param == "postgres-at-once":
        # The page and the counts on two connections at once, as a search alone runs.
        return PostgresSearch(spare=db.spare_read_connection)
    if not os.environ.get("MARKET_MEILISEARCH_URL"):
        pytest.skip("MARKET_MEILISEARCH_URL is not set")
    engine = importlib.import_module("tests.search.contract.meilisearch_engine")
    return await engine.make_backend(db, settings)  # type: ignore[no-any-return]
