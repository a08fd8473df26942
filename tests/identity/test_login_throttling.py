"""Repeated failed sign-ins slow down the client address they come from, more with every
further failure, and never hold back the owner signing in from elsewhere."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from market.db.database import Database
from market.identity import service, throttling, tokens
from market.identity.models import LoginAttempt
from market.settings import Settings
from tests.identity.clients import PROXY_HEADER, ClientAt
from tests.identity.state import count
from tests.support import actors
from tests.support.graphql import Result, waited

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token }
}
"""
DELETE = "mutation Delete($password: String!) { deleteMyAccount(password: $password) }"
REFUSED = {"code": "FORBIDDEN", "reason": "TooManyLoginAttempts"}
ATTACKER = "203.0.113.7"
OWNER = "192.0.2.10"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        embedded_worker=False,
        db_pool_size=5,
        login_failures_allowed=3,
        login_client_failures_allowed=5,
        login_first_delay_seconds=60,
        login_max_delay_minutes=8,
        login_failure_window_minutes=60,
        trusted_proxy_header=PROXY_HEADER,
    )


@pytest.fixture
def attacker(http: AsyncTestClient[Any]) -> ClientAt:
    return ClientAt(http, ATTACKER)


@pytest.fixture
def owner(http: AsyncTestClient[Any]) -> ClientAt:
    return ClientAt(http, OWNER)


async def fail(client: ClientAt, email: str, times: int = 3) -> None:
    for _ in range(times):
        result = await client(LOGIN, {"email": email, "password": "not the password"})
        assert result.errors[0]["extensions"]["reason"] == "LoginFailed"


def wait_seconds(result: Result) -> int:
    """The wait a refusal to sign in names, in seconds."""
    extensions, wait = waited(result.errors[0])
    assert extensions == REFUSED
    return wait


async def test_after_the_allowed_failures_even_the_right_password_waits(
    attacker: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    await fail(attacker, person.email)

    refused = await attacker(LOGIN, {"email": person.email, "password": actors.PASSWORD})

    assert 55 <= wait_seconds(refused) <= 60
    # Refusals are not failures: the wait does not grow while someone keeps trying.
    assert await count(db, "login_failures") == 3


async def test_the_owner_signs_in_from_elsewhere_while_an_attacker_is_slowed(
    attacker: ClientAt, owner: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    await fail(attacker, person.email)
    for _ in range(3):
        refused = await attacker(LOGIN, {"email": person.email, "password": "not the password"})
        assert wait_seconds(refused)

    (await owner(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()
    # The owner's success does not wipe the attacker's record.
    still = await attacker(LOGIN, {"email": person.email, "password": actors.PASSWORD})
    assert wait_seconds(still)


async def test_the_spoofable_part_of_the_header_changes_nothing(
    http: AsyncTestClient[Any], db: Database
) -> None:
    person = await actors.learner(db)
    await fail(ClientAt(http, ATTACKER), person.email)

    # Whatever a client puts before the proxy's own entry, the proxy's entry counts.
    response = await http.post(
        "/graphql",
        json={"query": LOGIN, "variables": {"email": person.email, "password": actors.PASSWORD}},
        headers={PROXY_HEADER: f"{OWNER}, 10.1.2.3, {ATTACKER}"},
    )

    assert waited(response.json()["errors"][0])[0] == REFUSED


async def test_each_further_failure_doubles_the_wait_up_to_the_longest(
    attacker: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    await fail(attacker, person.email)
    waits = []
    for _ in range(5):
        refused = await attacker(LOGIN, {"email": person.email, "password": "not the password"})
        waits.append(wait_seconds(refused))
        # Let the wait pass, then fail once more.
        await _age_failures(db, timedelta(seconds=waits[-1] + 1))
        await fail(attacker, person.email, times=1)

    assert [round(wait / 60) for wait in waits] == [1, 2, 4, 8, 8]


async def test_the_wait_ends_and_a_success_clears_that_clients_failures(
    attacker: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    await fail(attacker, person.email)
    await _age_failures(db, timedelta(seconds=61))

    (await attacker(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()

    assert await count(db, "login_failures") == 0


async def test_failures_leave_the_window(attacker: ClientAt, db: Database) -> None:
    person = await actors.learner(db)
    await fail(attacker, person.email)
    await fail(attacker, "someone@example.test", times=2)
    await _age_failures(db, timedelta(minutes=61))

    await fail(attacker, person.email, times=1)
    (await attacker(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()


async def test_one_client_failing_over_many_emails_waits_for_every_email(
    attacker: ClientAt, owner: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    for number in range(5):
        await fail(attacker, f"guess{number}@example.test", times=1)

    refused = await attacker(LOGIN, {"email": person.email, "password": actors.PASSWORD})

    assert wait_seconds(refused)
    (await owner(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()


async def test_unknown_emails_are_throttled_alike(
    http: AsyncTestClient[Any], attacker: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    other = ClientAt(http, "203.0.113.8")
    await fail(attacker, person.email)
    await fail(other, "nobody@example.test")

    known = await attacker(LOGIN, {"email": person.email, "password": "not the password"})
    unknown = await other(LOGIN, {"email": "nobody@example.test", "password": "not the password"})

    assert waited(known.errors[0])[0] == waited(unknown.errors[0])[0] == REFUSED
    # The same words; only the seconds left may differ.
    assert re.sub(r"\d+", "N", known.errors[0]["message"]) == re.sub(
        r"\d+", "N", unknown.errors[0]["message"]
    )


async def test_fewer_failures_than_allowed_are_let_through(
    attacker: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    await fail(attacker, person.email, times=2)

    (await attacker(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()


async def test_wrong_passwords_when_deleting_the_account_count_too(
    attacker: ClientAt, owner: ClientAt, db: Database
) -> None:
    # Someone holding a stolen token guesses the password to delete the account.
    person = await actors.learner(db)
    for _ in range(3):
        wrong = await attacker(DELETE, {"password": "not the password"}, token=person.token)
        assert wrong.errors[0]["extensions"]["reason"] == "WrongPassword"

    refused = await attacker(DELETE, {"password": actors.PASSWORD}, token=person.token)
    login = await attacker(LOGIN, {"email": person.email, "password": actors.PASSWORD})

    assert wait_seconds(refused)
    assert wait_seconds(login)
    assert await count(db, "users") == 1
    (await owner(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()


async def test_failures_are_stored_as_hashes(attacker: ClientAt, db: Database) -> None:
    person = await actors.learner(db)
    await fail(attacker, person.email, times=1)

    assert (
        await count(
            db,
            "login_failures",
            "email_hash = :e AND client_hash = :c",
            e=tokens.digest(person.email),
            c=throttling.client_hash(ATTACKER),
        )
        == 1
    )


async def test_with_no_failures_allowed_only_a_failure_makes_one_wait(db: Database) -> None:
    person = await actors.learner(db)
    throttle = throttling.FailureThrottle(
        allowed_per_account=0,
        allowed_per_client=0,
        first_delay=timedelta(seconds=30),
        max_delay=timedelta(minutes=1),
        window=timedelta(hours=1),
    )
    policy = service.SignInPolicy(token_ttl=timedelta(hours=1), throttle=throttle)

    async def login(password: str) -> object:
        async with db.transaction() as session:
            attempt = await service.login(
                session, email=person.email, password=password, client=OWNER, policy=policy
            )
        return attempt.refusal

    assert await login(actors.PASSWORD) is None
    assert type(await login("not the password")).__name__ == "LoginFailed"
    assert type(await login(actors.PASSWORD)).__name__ == "TooManyLoginAttempts"


async def _age_failures(db: Database, by: timedelta) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(LoginAttempt).values(attempted_at=LoginAttempt.attempted_at - by)
        )
