"""Repeated failed sign-ins for one email are refused for a while, whoever owns it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from market.db.database import Database
from market.identity import tokens
from market.identity.models import LoginAttempt
from market.settings import Settings
from tests.identity.state import count
from tests.support import actors
from tests.support.graphql import GraphQLClient

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token }
}
"""
DELETE = "mutation Delete($password: String!) { deleteMyAccount(password: $password) }"
REFUSED = {"code": "FORBIDDEN", "reason": "TooManyLoginAttempts"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        embedded_worker=False,
        db_pool_size=5,
        login_failures_allowed=3,
        login_failure_window_minutes=10,
    )


async def fail(gql: GraphQLClient, email: str, times: int = 3) -> None:
    for _ in range(times):
        result = await gql(LOGIN, {"email": email, "password": "not the password"})
        assert result.errors[0]["extensions"]["reason"] == "LoginFailed"


async def test_after_the_allowed_failures_even_the_right_password_is_refused(
    gql: GraphQLClient, db: Database
) -> None:
    person = await actors.learner(db)
    await fail(gql, person.email)

    refused = await gql(LOGIN, {"email": person.email, "password": actors.PASSWORD})

    assert refused.errors[0]["extensions"] == REFUSED
    assert refused.errors[0]["message"] == (
        "Too many failed sign-in attempts for this email address. Try again in 10 minute(s)."
    )
    # Refusals are not failures: the wait does not grow while someone keeps trying.
    assert await count(db, "login_failures") == 3


async def test_unknown_emails_are_throttled_alike(gql: GraphQLClient, db: Database) -> None:
    person = await actors.learner(db)
    await fail(gql, person.email)
    await fail(gql, "nobody@example.test")

    known = await gql(LOGIN, {"email": person.email, "password": "not the password"})
    unknown = await gql(LOGIN, {"email": "nobody@example.test", "password": "not the password"})

    assert known.errors[0]["extensions"] == unknown.errors[0]["extensions"] == REFUSED
    assert known.errors[0]["message"] == unknown.errors[0]["message"]


async def test_other_emails_are_not_affected(gql: GraphQLClient, db: Database) -> None:
    person = await actors.learner(db)
    other = await actors.learner(db)
    await fail(gql, person.email)

    (await gql(LOGIN, {"email": other.email, "password": actors.PASSWORD})).ok()


async def test_fewer_failures_than_allowed_are_let_through(
    gql: GraphQLClient, db: Database
) -> None:
    person = await actors.learner(db)
    await fail(gql, person.email, times=2)

    (await gql(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()


async def test_the_refusal_ends_when_failures_leave_the_window(
    gql: GraphQLClient, db: Database
) -> None:
    person = await actors.learner(db)
    await fail(gql, person.email)
    await _age_failures(db, person.email, timedelta(minutes=7))

    still = await gql(LOGIN, {"email": person.email, "password": actors.PASSWORD})
    assert still.errors[0]["message"].endswith("Try again in 3 minute(s).")

    await _age_failures(db, person.email, timedelta(minutes=3, seconds=1))
    (await gql(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()


async def test_wrong_passwords_when_deleting_the_account_count_too(
    gql: GraphQLClient, db: Database
) -> None:
    person = await actors.learner(db)
    for _ in range(3):
        wrong = await gql(DELETE, {"password": "not the password"}, token=person.token)
        assert wrong.errors[0]["extensions"]["reason"] == "WrongPassword"

    refused = await gql(DELETE, {"password": actors.PASSWORD}, token=person.token)
    login = await gql(LOGIN, {"email": person.email, "password": actors.PASSWORD})

    assert refused.errors[0]["extensions"] == REFUSED
    assert login.errors[0]["extensions"] == REFUSED
    assert await count(db, "users") == 1


async def _age_failures(db: Database, email: str, by: timedelta) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(LoginAttempt)
            .where(LoginAttempt.email_hash == tokens.digest(email))
            .values(attempted_at=LoginAttempt.attempted_at - by)
        )
