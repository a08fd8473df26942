"""Writing the generated world into the database: `market seed --demo` and `--scale N`.

Providers, locations, courses and intakes go in with COPY, so the benchmark world of
100,000 courses loads in seconds; the handful of demo accounts go through the ORM. This
is tooling that fills every domain's tables at once, so it writes them directly rather
than through the domain services (which would validate each of 100,000 rows one by one).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import (
    Component,
    CourseStatus,
    Format,
    Level,
    Route,
    ScheduleKind,
    StarRating,
    Stream,
)
from market.demo import bookings, tenders
from market.demo.generator import DemoProvider, Generator, Municipal
from market.geo import reference
from market.identity.models import Membership, Organisation, OrganisationKind, Role, User

PLATFORM_ADMIN = "admin@market.example"
LEARNER = "leerling@market.example"
# Municipalities whose procurement teams have demo accounts.
MUNICIPAL_TEAMS = {
    "GM0363": "amsterdam",
    "GM0599": "rotterdam",
    "GM0344": "utrecht",
    "GM0014": "groningen",
    "GM0193": "zwolle",
    "GM0268": "nijmegen",
}


@dataclass(frozen=True)
class SeedSummary:
    providers: int
    courses: int
    intakes: int
    accounts: list[tuple[str, str]]  # (email, what the account is)


async def demo_is_present(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(exists().where(Organisation.id.is_not(None)))))


def generator(today: date, seed: int = 2021) -> Generator:
    municipalities = [
        Municipal(m["cbs_code"], m["name"], m["region_code"], m["population"])
        for m in reference.municipalities()
    ]
    postcodes: dict[str, list[tuple[str, float, float]]] = {}
    for area in reference.postcode_areas():
        postcodes.setdefault(area["municipality_code"], []).append(
            (area["pc4"], area["latitude"], area["longitude"])
        )
    return Generator(municipalities, postcodes, today=today, seed=seed)


async def seed_demo(
    session: AsyncSession, *, password: str, today: date, with_tenders: bool = True
) -> SeedSummary:
    """The demo world; without tenders (most of the seeding's time, they go through the
    tender services step by step) for the learners' browser tests."""
    providers = generator(today).providers()
    ids = _Ids(seed=2021)
    await _copy_providers(session, providers, ids, now=datetime.now(UTC))
    password_hash = PasswordHasher().hash(password)
    accounts = await _add_accounts(session, providers, ids, password_hash, today, with_tenders)
    return _summary(providers, accounts)


async def seed_scale(session: AsyncSession, *, courses: int, today: date) -> SeedSummary:
    """Adds to whatever is there: the seed moves on with the organisations already present."""
    seed = courses + 1_000_003 * (await session.scalar(select(func.count(Organisation.id))) or 0)
    providers = generator(today, seed=seed).scale_providers(courses)
    await _copy_providers(session, providers, _Ids(seed=seed), now=datetime.now(UTC))
    return _summary(providers, [])


def _summary(providers: Sequence[DemoProvider], accounts: list[tuple[str, str]]) -> SeedSummary:
    courses = [c for p in providers for c in p.courses]
    return SeedSummary(
        providers=len(providers),
        courses=len(courses),
        intakes=sum(len(c.intakes) for c in courses),
        accounts=accounts,
    )


class _Ids:
    """Deterministic UUIDs, so the same seed gives the same ids on every machine."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self.providers: list[uuid.UUID] = []

    def new(self) -> uuid.UUID:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4)


async def _copy_providers(
    session: AsyncSession, providers: Sequence[DemoProvider], ids: _Ids, *, now: datetime
) -> None:
    organisations, profiles, locations, courses, intakes = [], [], [], [], []
    for p in providers:
        provider_id = ids.new()
        ids.providers.append(provider_id)
        organisations.append((provider_id, "provider", p.name, p.kvk_number))
        profiles.append(
            (
                provider_id,
                p.website,
                p.description,
                p.certification_number,
                p.certified_from,
                p.certified_until,
                now if p.certification_verified else None,
                StarRating(p.star_rating).value if p.star_rating else None,
                p.diploma_recognition,
                now if p.diploma_recognition else None,
            )
        )
        location_ids = [ids.new() for _ in p.locations]
        locations += [
            (lid, provider_id, loc.name, loc.address, loc.postcode, loc.municipality_code,
             loc.latitude, loc.longitude)
            for lid, loc in zip(location_ids, p.locations, strict=True)
        ]  # fmt: skip
        for c in p.courses:
            course_id = ids.new()
            courses.append(
                (
                    course_id, provider_id, c.title, c.description, Route[c.route].value,
                    Level[c.target_level].value, Stream[c.stream].value if c.stream else None,
                    _values(Component, c.components), c.total_hours, c.language_hours,
                    c.hours_per_week, Format[c.format].value,
                    _values(ScheduleKind, c.schedule_kinds), c.max_class_size,
                    c.support_languages, c.price_cents, c.price_includes,
                    c.exam_training_included, c.cancellation_terms,
                    CourseStatus.PUBLISHED.value, now,
                )
            )  # fmt: skip
            intakes += [
                (
                    ids.new(), course_id,
                    None if i.location_index is None else location_ids[i.location_index],
                    i.start_date, json.dumps(i.weekly_schedule), i.capacity, i.seats_taken,
                    i.waitlist_weeks,
                )
                for i in c.intakes
            ]  # fmt: skip
    await _copy(session, "organisations", ["id", "kind", "name", "kvk_number"], organisations)
    await _copy(
        session,
        "provider_profiles",
        [
            "organisation_id", "website", "description", "certification_number",
            "certification_valid_from", "certification_valid_until",
            "certification_verified_at", "star_rating", "diploma_recognition_claimed",
            "diploma_recognition_verified_at",
        ],
        profiles,
    )  # fmt: skip
    await _copy(
        session,
        "locations",
        ["id", "provider_id", "name", "address_line", "postcode", "municipality_code",
         "latitude", "longitude"],
        locations,
    )  # fmt: skip
    await _copy(
        session,
        "courses",
        [
            "id", "provider_id", "title", "description", "route", "target_level", "stream",
            "components", "total_hours", "language_hours", "hours_per_week", "format",
            "schedule_kinds", "max_class_size", "support_languages", "price_cents",
            "price_includes", "exam_training_included", "cancellation_terms", "status",
            "published_at",
        ],
        courses,
    )  # fmt: skip
    await _copy(
        session,
        "intakes",
        ["id", "course_id", "location_id", "starts_on", "weekly_schedule", "seat_capacity",
         "seats_taken", "waitlist_weeks"],
        intakes,
    )  # fmt: skip


def _values(kind: Any, names: Iterable[str]) -> list[str]:
    return [kind[name].value for name in names]


async def _copy(
    session: AsyncSession, table: str, columns: list[str], records: list[tuple[Any, ...]]
) -> None:
    """COPY rows in on the session's own connection, inside its transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(  # type: ignore[union-attr]
        table, records=records, columns=columns
    )


async def _add_accounts(
    session: AsyncSession,
    providers: Sequence[DemoProvider],
    ids: _Ids,
    password_hash: str,
    today: date,
    with_tenders: bool,
) -> list[tuple[str, str]]:
    """The demo accounts, then their bookings (market.demo.bookings); all share one
    password (so one argon2 hash). Memberships are added after the accounts: they name
    users and organisations that must be flushed first."""
    accounts: list[tuple[str, str]] = []
    memberships: list[Membership] = []

    def person(email: str, name: str, what: str) -> User:
        user = User(id=ids.new(), email=email, password_hash=password_hash, display_name=name)
        session.add(user)
        accounts.append((email, what))
        return user

    def member(user: User, organisation_id: uuid.UUID, role: Role) -> None:
        memberships.append(Membership(user_id=user.id, organisation_id=organisation_id, role=role))

    platform = Organisation(id=ids.new(), kind=OrganisationKind.PLATFORM, name="Market platform")
    session.add(platform)
    learner = person(LEARNER, "Demo Leerling", "learner")
    admin = person(PLATFORM_ADMIN, "Demo Beheerder", "platform admin")
    member(admin, platform.id, Role.ADMIN)

    names = {m["cbs_code"]: m["name"] for m in reference.municipalities()}
    teams: dict[str, uuid.UUID] = {}
    for code, slug in MUNICIPAL_TEAMS.items():
        team = Organisation(
            id=ids.new(),
            kind=OrganisationKind.MUNICIPALITY,
            name=f"Gemeente {names[code]}",
            municipality_code=code,
        )
        session.add(team)
        teams[code] = team.id
        officer = person(f"inkoop.{slug}@market.example", f"Inkoper {names[code]}",
                         f"procurement officer, Gemeente {names[code]}")  # fmt: skip
        evaluator = person(f"beoordelaar.{slug}@market.example", f"Beoordelaar {names[code]}",
                           f"evaluator, Gemeente {names[code]}")  # fmt: skip
        member(officer, team.id, Role.PROCUREMENT_OFFICER)
        member(evaluator, team.id, Role.EVALUATOR)

    for provider, provider_id in zip(providers, ids.providers, strict=True):
        owner = person(f"eigenaar@{provider.slug}.example", f"Eigenaar {provider.name}",
                       f"owner, {provider.name}")  # fmt: skip
        member(owner, provider_id, Role.OWNER)
    first = providers[0]
    editor = person(f"redacteur@{first.slug}.example", f"Redacteur {first.name}",
                    f"editor, {first.name}")  # fmt: skip
    member(editor, ids.providers[0], Role.EDITOR)
    await session.flush()
    session.add_all(memberships)
    await session.flush()
    await bookings.seed_bookings(
        session, learner_id=learner.id, provider_id=ids.providers[0], person=person, today=today
    )
    if with_tenders:
        await tenders.seed_tenders(
            session, lead_id=teams[tenders.LEAD], person=person, now=datetime.now(UTC)
        )
    return accounts
