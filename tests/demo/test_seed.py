"""The demo world: the figures DOMAIN.md promises, the same on every run, and loadable."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date

from sqlalchemy import func, select

from market.catalog.models import Course, Intake, ProviderProfile
from market.catalog.policies import SUPPORT_LANGUAGES
from market.catalog.service import ScheduleSlot
from market.db.database import Database
from market.demo import bookings, seed, tenders
from market.identity.models import User
from tests.support.graphql import GraphQLClient

TODAY = date(2026, 11, 28)


def test_the_world_matches_the_domain_figures() -> None:
    providers = seed.generator(TODAY).providers()

    certified = [
        p for p in providers
        if p.certification_verified and p.certified_until and p.certified_until >= TODAY
    ]  # fmt: skip
    assert (len(providers), len(certified)) == (146, 137)
    assert all(2 <= len(p.courses) <= 6 for p in providers)
    routes = Counter(c.route for p in providers for c in p.courses)
    assert routes["B1"] > routes["Z"] > routes["ONDERWIJS"] > 0
    waits = [max(i.waitlist_weeks for c in p.courses for i in c.intakes) for p in providers]
    with_wait = [w for w in waits if w]
    assert len(with_wait) > len(providers) / 2
    assert 8 <= statistics.mean(with_wait) <= 12
    regions = {p.municipality_code for p in providers}
    assert len(regions) > 60


def test_every_schedule_is_stored_the_way_the_catalog_reads_it() -> None:
    intakes = [i for p in seed.generator(TODAY).providers() for c in p.courses for i in c.intakes]
    slots = [ScheduleSlot.from_json(slot) for i in intakes for slot in i.weekly_schedule]
    assert all(i.weekly_schedule for i in intakes)
    assert all(slot.start < slot.end for slot in slots)


def test_courses_declare_listed_support_languages_and_amsterdam_has_tigrinya() -> None:
    courses = [(p, c) for p in seed.generator(TODAY).providers() for c in p.courses]
    declared = [c.support_languages for _, c in courses]
    in_amsterdam = [
        c
        for p, c in courses
        if "ti" in c.support_languages
        and any(loc.municipality_code == "GM0363" for loc in p.locations)
    ]

    assert all(set(languages) <= set(SUPPORT_LANGUAGES) for languages in declared)
    assert all(len(languages) <= 3 for languages in declared)
    assert sum(1 for languages in declared if languages) > len(courses) / 2
    # A learner who speaks Tigrinya finds a few schools' courses in Amsterdam.
    assert len(in_amsterdam) >= 3


def test_the_same_seed_gives_the_same_world() -> None:
    assert seed.generator(TODAY).providers() == seed.generator(TODAY).providers()


async def test_seeding_loads_providers_courses_and_accounts(db: Database) -> None:
    async with db.transaction() as session:
        assert not await seed.demo_is_present(session)
        summary = await seed.seed_demo(session, password="demo-password", today=TODAY)

    async with db.reader() as session:
        assert await seed.demo_is_present(session)
        assert await session.scalar(select(func.count()).select_from(ProviderProfile)) == 146
        assert await session.scalar(select(func.count()).select_from(Course)) == summary.courses
        assert await session.scalar(select(func.count()).select_from(Intake)) == summary.intakes
        users = await session.scalar(select(func.count()).select_from(User))
    learners = 1 + len(bookings.LEARNERS)
    officers = 2 * len(seed.MUNICIPAL_TEAMS) + len(tenders.MEMBERS) + 2
    assert users == len(summary.accounts) == 1 + officers + 146 + 1 + learners


async def test_the_seeded_world_reads_back_through_the_api(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.transaction() as session:
        await seed.seed_demo(session, password="demo-password", today=date.today())

    result = await gql(
        """{ searchCourses(first: 100) { totalCount nodes { expectedStart course {
             title provider { name certified locations { postcode } }
             intakes { weeklySchedule { weekday startTime endTime } location { name } } } } }
           }"""
    )

    data = result.ok()["searchCourses"]
    assert data["totalCount"] > 400
    courses = [node["course"] for node in data["nodes"]]
    assert all(course["provider"]["certified"] for course in courses)
    assert all(course["intakes"] and course["intakes"][0]["weeklySchedule"] for course in courses)
    login = await gql(
        'mutation { login(email: "admin@market.example", password: "demo-password") { token } }'
    )
    assert login.ok()["login"]["token"]


async def test_the_demo_learner_finds_a_booking_of_every_kind(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.transaction() as session:
        await seed.seed_demo(session, password="demo-password", today=date.today())
    login = await gql(
        f'mutation {{ login(email: "{seed.LEARNER}", password: "demo-password") {{ token }} }}'
    )
    token = login.ok()["login"]["token"]

    mine = await gql(
        """{ myEnrollments { nodes { state paymentMethod } }
             myWaitlistPlaces {
               state placeInLine intake { seatCapacity seatsTaken queueLength } } }""",
        token=token,
    )

    data = mine.ok()
    assert sorted((e["state"], e["paymentMethod"]) for e in data["myEnrollments"]["nodes"]) == [
        ("AWAITING_PROVIDER", "DUO_LOAN"),
        ("CONFIRMED", "CARD"),
    ]
    places = sorted(data["myWaitlistPlaces"], key=lambda place: place["state"])
    assert [(p["state"], p["placeInLine"]) for p in places] == [("OFFERED", None), ("WAITING", 3)]
    full = places[1]["intake"]
    assert full["seatsTaken"] == full["seatCapacity"]
    assert full["queueLength"] == 3
