"""Generated operations against the live schema: no input produces a server error.

hypothesis-graphql builds queries and mutations (valid ones, and ones with one schema
violation) with random arguments from the schema the code exports right now, so every
field another part adds is covered without touching this file. Each is posted through
the real app, anonymously or as a signed-in learner.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema
from litestar.testing import AsyncTestClient

from market.api.graphql.schema import build_schema
from market.db.database import Database
from market.identity import tokens
from market.identity.models import AuthToken, User
from tests.support import actors

EXPECTED_CODES = {"BAD_USER_INPUT", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT"}


def as_string_node(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[graphql.ValueNode]:
    return strategy.map(lambda value: graphql.StringValueNode(value=str(value)))


def scalar_values(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[graphql.ValueNode]:
    """Mostly well-formed values of a custom scalar, sometimes any text at all."""
    return st.one_of(as_string_node(valid), as_string_node(st.text(max_size=30)))


CUSTOM_SCALARS: dict[str, st.SearchStrategy[graphql.ValueNode]] = {
    "Date": scalar_values(st.dates(min_value=date(1900, 1, 1)).map(date.isoformat)),
    "DateTime": scalar_values(st.datetimes(min_value=datetime(1900, 1, 1)).map(datetime.isoformat)),
    "Time": scalar_values(st.times().map(time.isoformat)),
    "JSON": scalar_values(st.just('{"a": 1}')),
}

SCHEMA = build_schema().as_str()
_parsed = graphql.build_schema(SCHEMA)
# Root field name -> whether it takes arguments (only those can be sent invalid ones).
ROOT_FIELDS = {
    name: bool(field.args)
    for root in (_parsed.query_type, _parsed.mutation_type)
    if root is not None
    for name, field in root.fields.items()
}


def operations_on(field: str) -> st.SearchStrategy[str]:
    """Valid operations on one root field, or ones with a single schema violation. One field
    at a time, so a failing neighbour never hides what a field does with its input."""
    options: dict[str, Any] = {
        "fields": [field],
        "custom_scalars": CUSTOM_SCALARS,
        "allow_x00": False,
    }
    valid = from_schema(SCHEMA, **options)
    if not ROOT_FIELDS[field]:
        return valid
    return st.one_of(valid, from_schema(SCHEMA, **options, mode=Mode.NEGATIVE))


OPERATIONS = st.sampled_from(sorted(ROOT_FIELDS)).flatmap(operations_on)


class Learner:
    """One learner signing in afresh for each example (a generated logout or deleteMyAccount
    may have ended the last session); replaced only once the account is gone, as hashing
    a password for every example would take most of the run."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.user_id: uuid.UUID | None = None

    async def new_token(self) -> str:
        async with self.db.reader() as session:
            exists = self.user_id and await session.get(User, self.user_id)
        if not exists:
            person = await actors.learner(self.db)
            self.user_id = person.user_id
            return person.token
        token = tokens.new_secret()
        async with self.db.transaction() as session:
            session.add(
                AuthToken(
                    user_id=self.user_id,
                    token_hash=tokens.digest(token),
                    expires_at=datetime.now(UTC) + timedelta(hours=1),
                )
            )
        return token


@pytest.fixture
def learner(db: Database) -> Learner:
    return Learner(db)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(operation=OPERATIONS, signed_in=st.booleans())
async def test_no_generated_operation_causes_a_server_error(
    http: AsyncTestClient[Any], learner: Learner, operation: str, signed_in: bool
) -> None:
    headers = {"Authorization": f"Bearer {await learner.new_token()}"} if signed_in else {}

    response = await http.post("/graphql", json={"query": operation}, headers=headers)

    assert response.status_code < 500, response.text
    body = response.json()
    codes = [error.get("extensions", {}).get("code") for error in body.get("errors") or []]
    assert set(codes) <= EXPECTED_CODES, (operation, body)


def test_the_generator_sees_queries_and_mutations() -> None:
    schema = graphql.build_schema(SCHEMA)
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    assert schema.mutation_type.fields
