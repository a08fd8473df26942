"""Races run for real: two transactions at once, on separate connections."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from market.db.database import Database
from market.identity import service
from market.identity.errors import LastManager
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor, Grant
from market.identity.throttling import FailureThrottle
from tests.identity.state import count
from tests.support import actors

POLICY = service.SignInPolicy(
    token_ttl=timedelta(hours=1),
    throttle=FailureThrottle(
        allowed_per_account=5,
        allowed_per_client=20,
        first_delay=timedelta(seconds=30),
        max_delay=timedelta(minutes=15),
        window=timedelta(hours=1),
    ),
)


async def test_two_owners_leaving_at_once_leave_one_behind(db: Database) -> None:
    first = await actors.provider_staff(db)
    assert first.organisation_id is not None
    second = await actors.provider_staff(db, first.organisation_id, Role.OWNER)

    async def leave(person: actors.Person) -> object:
        actor = Actor(
            person.user_id, (Grant(first.organisation_id, OrganisationKind.PROVIDER, Role.OWNER),)
        )
        try:
            async with db.transaction() as session:
                attempt = await service.delete_my_account(
                    session, actor, password=actors.PASSWORD, client="192.0.2.1", policy=POLICY
                )
            return attempt.unwrap()
        except LastManager as refusal:
            return refusal

    outcomes = await asyncio.gather(leave(first), leave(second))

    assert sorted(type(o).__name__ for o in outcomes) == ["LastManager", "NoneType"]
    assert await count(db, "memberships", "role = 'owner'") == 1


async def test_two_registrations_of_one_email_at_once_make_one_account(db: Database) -> None:
    async def register() -> service.Profile:
        async with db.transaction() as session:
            return await service.register(
                session,
                email="same@example.test",
                password="long enough password",
                display_name="Same",
                preferred_language="en",
            )

    outcomes = await asyncio.gather(register(), register())

    # Both answer alike; only one of the two ids stands for a stored account.
    assert [o.user.email for o in outcomes] == ["same@example.test"] * 2
    assert await count(db, "users") == 1
    stored = [await count(db, "users", "id = :u", u=o.user.id) for o in outcomes]
    assert sorted(stored) == [0, 1]
