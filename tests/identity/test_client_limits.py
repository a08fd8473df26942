"""One client address may register, sign in and accept invitations only so often; the
count lives in PostgreSQL, so it holds across server processes."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from market.app import create_app
from market.db.database import Database
from market.identity import throttling
from market.identity.models import ClientRequestCount
from market.identity.throttling import ClientAction, RequestLimit
from market.settings import Settings
from tests.identity.clients import PROXY_HEADER, ClientAt
from tests.identity.state import count
from tests.support import actors
from tests.support.graphql import waited

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { id email displayName preferredLanguage memberships { role } }
}
"""
LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token }
}
"""
ACCEPT = "mutation Accept($token: String!) { acceptInvitation(token: $token) { role } }"
TOO_MANY = {"code": "FORBIDDEN", "reason": "TooManyRequests"}
HERE = "203.0.113.20"
ELSEWHERE = "203.0.113.21"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        embedded_worker=False,
        db_pool_size=5,
        register_requests_per_client=3,
        login_requests_per_client=4,
        accept_invitation_requests_per_client=2,
        client_limit_window_minutes=60,
        trusted_proxy_header=PROXY_HEADER,
    )


@pytest.fixture
def here(http: AsyncTestClient[Any]) -> ClientAt:
    return ClientAt(http, HERE)


@pytest.fixture
def elsewhere(http: AsyncTestClient[Any]) -> ClientAt:
    return ClientAt(http, ELSEWHERE)


def registration(number: int) -> dict[str, Any]:
    return {
        "input": {
            "email": f"learner{number}@example.test",
            "password": "een lang wachtwoord",
            "displayName": f"Learner {number}",
            "preferredLanguage": "nl",
        }
    }


async def test_registrations_from_one_address_are_limited(
    here: ClientAt, elsewhere: ClientAt, db: Database
) -> None:
    for number in range(3):
        (await here(REGISTER, registration(number))).ok()

    refused = await here(REGISTER, registration(3))

    extensions, wait = waited(refused.errors[0])
    assert extensions == TOO_MANY
    assert 0 < wait <= 3600  # until the window ends
    assert await count(db, "users") == 3
    (await elsewhere(REGISTER, registration(3))).ok()


async def test_refused_registrations_count_too(here: ClientAt, db: Database) -> None:
    bad = registration(0)
    bad["input"]["password"] = "1234567890"
    for _ in range(3):
        assert (await here(REGISTER, bad)).errors[0]["extensions"]["reason"] == "PasswordTooCommon"

    assert waited((await here(REGISTER, registration(1))).errors[0])[0] == TOO_MANY


async def test_a_new_window_starts_afresh(here: ClientAt, db: Database) -> None:
    for number in range(4):
        await here(REGISTER, registration(number))
    async with db.transaction() as session:
        await session.execute(
            update(ClientRequestCount).values(
                counted_until=ClientRequestCount.counted_until - timedelta(hours=1)
            )
        )

    (await here(REGISTER, registration(4))).ok()


async def test_sign_ins_from_one_address_are_limited(
    here: ClientAt, elsewhere: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    credentials = {"email": person.email, "password": actors.PASSWORD}
    for _ in range(4):
        (await here(LOGIN, credentials)).ok()

    refused = await here(LOGIN, credentials)

    assert waited(refused.errors[0])[0] == {"code": "FORBIDDEN", "reason": "TooManyLoginAttempts"}
    (await elsewhere(LOGIN, credentials)).ok()


async def test_invitation_acceptances_from_one_address_are_limited(
    here: ClientAt, db: Database
) -> None:
    person = await actors.learner(db)
    for _ in range(2):
        guess = await here(ACCEPT, {"token": "a guessed token"}, token=person.token)
        assert guess.errors[0]["extensions"]["reason"] == "InvitationNotFound"

    refused = await here(ACCEPT, {"token": "a guessed token"}, token=person.token)

    assert waited(refused.errors[0])[0] == TOO_MANY


async def test_without_a_trusted_proxy_the_header_is_ignored(database_url: str) -> None:
    settings = Settings(
        database_url=database_url, embedded_worker=False, register_requests_per_client=2
    )
    async with AsyncTestClient(app=create_app(settings)) as http:
        # Each claims another address; all come from the test client's own.
        outcomes = [
            await ClientAt(http, f"192.0.2.{number}")(REGISTER, registration(number))
            for number in range(3)
        ]

    assert [waited(outcome.errors[0])[0] if outcome.errors else None for outcome in outcomes] == [
        None,
        None,
        TOO_MANY,
    ]


async def test_concurrent_requests_are_each_counted_once(db: Database) -> None:
    limit = RequestLimit(ClientAction.REGISTER, 5, timedelta(hours=1))

    async def one() -> timedelta | None:
        async with db.transaction() as session:
            return await throttling.count_request(session, HERE, limit)

    waits = await asyncio.gather(*(one() for _ in range(8)))

    assert sum(wait is None for wait in waits) == 5
    assert await count(db, "client_request_counts", "requests = 8") == 1


def test_an_ipv6_client_is_keyed_by_its_64_network() -> None:
    key = throttling.client_hash

    assert key("2001:db8:0:1::1") == key("2001:db8:0:1:ffff::2")
    assert key("2001:db8:0:1::1") != key("2001:db8:0:2::1")
    assert key("::ffff:192.0.2.1") == key("192.0.2.1")
    assert key("192.0.2.1") != key("192.0.2.2")
