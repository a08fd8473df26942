"""Signing in and out, and what a token is worth afterwards."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select, update

from market.db.database import Database
from market.identity import tokens
from market.identity.models import AuthToken, LoginAttempt, Role, User
from tests.identity.state import count
from tests.support import actors
from tests.support.graphql import GraphQLClient

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    token expiresAt user { email displayName memberships { role organisation { name kind } } }
  }
}
"""
ME = "{ me { email displayName preferredLanguage memberships { role organisation { name } } } }"
LOGOUT = "mutation { logout }"


async def test_login_returns_a_working_token_that_expires_after_the_configured_ttl(
    gql: GraphQLClient, db: Database
) -> None:
    owner = await actors.provider_staff(db)

    result = await gql(LOGIN, {"email": "  " + owner.email.upper(), "password": actors.PASSWORD})

    payload = result.ok()["login"]
    assert payload["user"]["email"] == owner.email
    assert payload["user"]["memberships"][0]["role"] == "OWNER"
    assert payload["user"]["memberships"][0]["organisation"]["kind"] == "PROVIDER"
    async with db.reader() as session:
        stored = await session.scalar(
            select(AuthToken).where(AuthToken.token_hash == tokens.digest(payload["token"]))
        )
    assert stored is not None  # only the digest is stored
    assert stored.expires_at - stored.created_at == timedelta(hours=24 * 14)
    assert payload["expiresAt"] == stored.expires_at.isoformat()
    me = (await gql(ME, token=payload["token"])).ok()["me"]
    assert me["email"] == owner.email


async def test_unknown_email_and_wrong_password_fail_identically(
    gql: GraphQLClient, db: Database
) -> None:
    person = await actors.learner(db)

    wrong_password = await gql(LOGIN, {"email": person.email, "password": "not the password"})
    unknown_email = await gql(
        LOGIN, {"email": "nobody@example.test", "password": "not the password"}
    )

    assert wrong_password.errors[0]["extensions"] == {
        "code": "UNAUTHENTICATED",
        "reason": "LoginFailed",
    }
    assert wrong_password.errors[0]["message"] == "Het e-mailadres of het wachtwoord klopt niet."
    assert _without_location(unknown_email.body) == _without_location(wrong_password.body)
    # Both count towards the throttle, keyed by the email's hash (not the email itself).
    assert await count(db, "login_failures") == 2
    assert await count(db, "login_failures", "email_hash = :h", h=tokens.digest(person.email)) == 1


async def test_an_unknown_email_costs_a_password_check_too(
    gql: GraphQLClient, db: Database
) -> None:
    person = await actors.learner(db)

    async def seconds(email: str) -> float:
        started = time.perf_counter()
        await gql(LOGIN, {"email": email, "password": "not the password"})
        return time.perf_counter() - started

    known = min([await seconds(person.email) for _ in range(3)])
    unknown = min([await seconds(f"nobody{i}@example.test") for i in range(3)])

    # Without the dummy check an unknown email answers many times faster.
    assert unknown > known * 0.5


async def test_success_clears_that_emails_failures_only(gql: GraphQLClient, db: Database) -> None:
    person = await actors.learner(db)
    other = await actors.learner(db)
    for email in (person.email, other.email):
        await gql(LOGIN, {"email": email, "password": "not the password"})

    (await gql(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()

    async with db.reader() as session:
        hashes = list(await session.scalars(select(LoginAttempt.email_hash)))
    assert hashes == [tokens.digest(other.email)]


async def test_a_hash_with_old_parameters_is_upgraded_on_login(
    gql: GraphQLClient, db: Database
) -> None:
    person = await actors.learner(db)
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    async with db.transaction() as session:
        await session.execute(
            update(User)
            .where(User.id == person.user_id)
            .values(password_hash=weak.hash(actors.PASSWORD))
        )

    (await gql(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()

    async with db.reader() as session:
        upgraded = await session.scalar(select(User.password_hash).where(User.id == person.user_id))
    assert upgraded is not None
    assert not PasswordHasher().check_needs_rehash(upgraded)
    assert PasswordHasher().verify(upgraded, actors.PASSWORD)


async def test_login_input_limits(gql: GraphQLClient, db: Database) -> None:
    huge_email = await gql(LOGIN, {"email": "x" * 10_000, "password": "whatever-long"})
    huge_password = await gql(LOGIN, {"email": "a@example.nl", "password": "x" * 10_000})
    wrong_type = await gql(LOGIN, {"email": ["a@example.nl"], "password": "whatever-long"})

    assert (huge_email.error_code, huge_email.error_field) == ("BAD_USER_INPUT", "email")
    assert (huge_password.error_code, huge_password.error_field) == ("BAD_USER_INPUT", "password")
    assert wrong_type.error_code == "BAD_USER_INPUT"
    assert await count(db, "login_failures") == 0


async def test_me_is_null_when_anonymous_and_with_an_unknown_token(gql: GraphQLClient) -> None:
    assert (await gql(ME)).ok() == {"me": None}
    assert (await gql(ME, token="made-up")).ok() == {"me": None}


async def test_me_lists_memberships(gql: GraphQLClient, db: Database) -> None:
    officer = await actors.municipality_staff(db, "GM0363", Role.EVALUATOR)

    me = (await gql(ME, token=officer.token)).ok()["me"]

    assert me == {
        "email": officer.email,
        "displayName": officer.email.split("@")[0],
        "preferredLanguage": "nl",
        "memberships": [{"role": "EVALUATOR", "organisation": {"name": "Gemeente GM0363"}}],
    }


async def test_an_expired_token_acts_as_anonymous(gql: GraphQLClient, db: Database) -> None:
    person = await actors.learner(db)
    async with db.transaction() as session:
        await session.execute(
            update(AuthToken)
            .where(AuthToken.user_id == person.user_id)
            .values(expires_at=func.now() - timedelta(seconds=1))
        )

    assert (await gql(ME, token=person.token)).ok() == {"me": None}
    assert (await gql(LOGOUT, token=person.token)).ok() == {"logout": False}


async def test_logout_revokes_only_the_presented_token(gql: GraphQLClient, db: Database) -> None:
    person = await actors.learner(db)
    second = (await gql(LOGIN, {"email": person.email, "password": actors.PASSWORD})).ok()

    assert (await gql(LOGOUT, token=person.token)).ok() == {"logout": True}

    assert (await gql(ME, token=person.token)).ok() == {"me": None}
    assert (await gql(LOGOUT, token=person.token)).ok() == {"logout": False}
    me = (await gql(ME, token=second["login"]["token"])).ok()["me"]
    assert me["email"] == person.email


async def test_logout_when_anonymous_changes_nothing(gql: GraphQLClient, db: Database) -> None:
    await actors.learner(db)

    assert (await gql(LOGOUT)).ok() == {"logout": False}
    assert await count(db, "auth_tokens", "revoked_at IS NOT NULL") == 0


def _without_location(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": body["data"],
        "errors": [
            {key: value for key, value in error.items() if key != "locations"}
            for error in body["errors"]
        ],
    }
