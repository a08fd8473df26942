"""Registering a learner account."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import User
from tests.identity.state import count, identity_rows
from tests.support.graphql import GraphQLClient

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { id email displayName preferredLanguage memberships { role } }
}
"""

VALID = {
    "email": "  Amina.Yusuf@Example.NL ",
    "password": "tien tekens!",
    "displayName": " Amina Yusuf ",
    "preferredLanguage": "so",
}


async def test_register_creates_a_learner_with_normalised_email(
    gql: GraphQLClient, db: Database
) -> None:
    data = (await gql(REGISTER, {"input": VALID})).ok()

    user = data["register"]
    assert user["email"] == "amina.yusuf@example.nl"
    assert user["displayName"] == "Amina Yusuf"
    assert user["preferredLanguage"] == "so"
    assert user["memberships"] == []
    async with db.reader() as session:
        stored = await session.scalar(select(User))
    assert stored is not None
    assert user["id"] == ids.encode("User", stored.id)
    assert stored.email == "amina.yusuf@example.nl"
    assert stored.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(stored.password_hash, "tien tekens!")


async def test_the_same_email_in_other_case_is_a_conflict(gql: GraphQLClient, db: Database) -> None:
    (await gql(REGISTER, {"input": VALID})).ok()

    again = await gql(REGISTER, {"input": {**VALID, "email": "AMINA.YUSUF@example.nl"}})

    assert again.error_code == "CONFLICT"
    assert again.error_field == "email"
    assert again.errors[0]["extensions"]["reason"] == "EmailTaken"
    assert await count(db, "users") == 1


HUGE = "x" * 10_000


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("email", "not-an-email", "MalformedEmail"),
        ("email", "two@@example.nl", "MalformedEmail"),
        ("email", "no-domain-dot@example", "MalformedEmail"),
        ("email", "spaces in@example.nl", "MalformedEmail"),
        ("email", HUGE + "@example.nl", "MalformedEmail"),
        ("email", "a" * 64 + "@" + "b" * 187 + ".nl", "MalformedEmail"),  # 255 characters
        ("password", "nine char", "PasswordTooShort"),
        ("password", HUGE, "PasswordTooLong"),
        ("displayName", "   ", "InvalidDisplayName"),
        ("displayName", HUGE, "InvalidDisplayName"),
        ("displayName", "tab\there", "InvalidDisplayName"),
        ("preferredLanguage", "xx", "UnsupportedLanguage"),
        ("preferredLanguage", HUGE, "UnsupportedLanguage"),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(
    gql: GraphQLClient, db: Database, field: str, value: str, reason: str
) -> None:
    result = await gql(REGISTER, {"input": {**VALID, field: value}})

    assert result.error_code == "BAD_USER_INPUT"
    assert result.error_field == field
    assert result.errors[0]["extensions"]["reason"] == reason
    assert await count(db, "users") == 0


async def test_limits_are_inclusive(gql: GraphQLClient) -> None:
    longest_email = "a" * 64 + "@" + "b" * 187 + ".n"  # 254 characters
    data = (
        await gql(
            REGISTER,
            {
                "input": {
                    "email": longest_email,
                    "password": "p" * 200,
                    "displayName": "d" * 100,
                    "preferredLanguage": "NL",
                }
            },
        )
    ).ok()

    assert data["register"]["email"] == longest_email
    assert data["register"]["preferredLanguage"] == "nl"


async def test_wrong_graphql_types_are_bad_user_input(gql: GraphQLClient, db: Database) -> None:
    before = await identity_rows(db)

    wrong_type = await gql(REGISTER, {"input": {**VALID, "password": 12345678901}})
    missing = await gql(REGISTER, {"input": {"email": "x@example.nl"}})

    assert wrong_type.error_code == "BAD_USER_INPUT"
    assert missing.error_code == "BAD_USER_INPUT"
    assert await identity_rows(db) == before
