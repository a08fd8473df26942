"""Platform administrators create organisations."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import Organisation, Role
from tests.identity.state import count, identity_rows
from tests.support import actors
from tests.support.graphql import GraphQLClient

CREATE = """
mutation Create($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) { id kind name kvkNumber municipalityCode }
}
"""
PROVIDER = {"kind": "PROVIDER", "name": "Taalschool De Brug (fictief)", "kvkNumber": "12345678"}


async def test_an_admin_creates_a_provider(gql: GraphQLClient, db: Database) -> None:
    admin = await actors.platform_admin(db)

    data = (
        await gql(CREATE, {"input": {**PROVIDER, "kvkNumber": " 12345678 "}}, token=admin.token)
    ).ok()

    created = data["createOrganisation"]
    async with db.reader() as session:
        row = await session.scalar(select(Organisation).where(Organisation.kvk_number.is_not(None)))
    assert row is not None
    assert created == {
        "id": ids.encode("Organisation", row.id),
        "kind": "PROVIDER",
        "name": "Taalschool De Brug (fictief)",
        "kvkNumber": "12345678",
        "municipalityCode": None,
    }
    # No members yet: the admin invites the first owner.
    assert await count(db, "memberships", "organisation_id = :o", o=row.id) == 0


async def test_an_admin_creates_a_municipality_for_a_known_municipality(
    gql: GraphQLClient, db: Database
) -> None:
    admin = await actors.platform_admin(db)

    data = (
        await gql(
            CREATE,
            {
                "input": {
                    "kind": "MUNICIPALITY",
                    "name": "Gemeente Utrecht",
                    "municipalityCode": "gm0344",
                }
            },
            token=admin.token,
        )
    ).ok()

    assert data["createOrganisation"]["municipalityCode"] == "GM0344"
    assert data["createOrganisation"]["kvkNumber"] is None


HUGE = "x" * 10_000


@pytest.mark.parametrize(
    ("changes", "code", "field", "reason"),
    [
        ({"name": "  "}, "BAD_USER_INPUT", "name", "InvalidOrganisationName"),
        ({"name": HUGE}, "BAD_USER_INPUT", "name", "InvalidOrganisationName"),
        ({"kvkNumber": "1234567"}, "BAD_USER_INPUT", "kvkNumber", "MalformedKvkNumber"),
        ({"kvkNumber": "1234567a"}, "BAD_USER_INPUT", "kvkNumber", "MalformedKvkNumber"),
        ({"kvkNumber": HUGE}, "BAD_USER_INPUT", "kvkNumber", "MalformedKvkNumber"),
        ({"kvkNumber": "87654321"}, "CONFLICT", "kvkNumber", "KvkNumberTaken"),
        (
            {"municipalityCode": "GM0363"},
            "BAD_USER_INPUT",
            "municipalityCode",
            "MunicipalityCodeNotApplicable",
        ),
        (
            {"kind": "MUNICIPALITY", "kvkNumber": None},
            "BAD_USER_INPUT",
            "municipalityCode",
            "MunicipalityCodeRequired",
        ),
        (
            {"kind": "MUNICIPALITY", "kvkNumber": None, "municipalityCode": "GM9999"},
            "NOT_FOUND",
            "municipalityCode",
            "UnknownMunicipality",
        ),
        (
            {"kind": "MUNICIPALITY", "kvkNumber": None, "municipalityCode": HUGE},
            "NOT_FOUND",
            "municipalityCode",
            "UnknownMunicipality",
        ),
        (
            {"kind": "MUNICIPALITY", "kvkNumber": None, "municipalityCode": "GM0363"},
            "CONFLICT",
            "municipalityCode",
            "MunicipalityAlreadyRepresented",
        ),
        ({"kind": "PLATFORM", "kvkNumber": None}, "CONFLICT", "kind", "PlatformOrganisationExists"),
    ],
)
async def test_rules_of_a_new_organisation(
    gql: GraphQLClient,
    db: Database,
    changes: dict[str, Any],
    code: str,
    field: str,
    reason: str,
) -> None:
    admin = await actors.platform_admin(db)
    await actors.municipality_staff(db, "GM0363")  # Amsterdam has its organisation
    taken = (
        await gql(CREATE, {"input": {**PROVIDER, "kvkNumber": "87654321"}}, token=admin.token)
    ).ok()
    assert taken["createOrganisation"]["kvkNumber"] == "87654321"
    before = await identity_rows(db)

    result = await gql(CREATE, {"input": {**PROVIDER, **changes}}, token=admin.token)

    assert result.error_code == code
    assert result.error_field == field
    assert result.errors[0]["extensions"]["reason"] == reason
    assert await identity_rows(db) == before


async def test_a_kind_that_does_not_exist_is_bad_input(gql: GraphQLClient, db: Database) -> None:
    admin = await actors.platform_admin(db)

    result = await gql(CREATE, {"input": {**PROVIDER, "kind": "SCHOOL"}}, token=admin.token)

    assert result.error_code == "BAD_USER_INPUT"
    assert await count(db, "organisations") == 1  # the platform's own


async def _anonymous(db: Database) -> None:
    return None


async def _provider_editor(db: Database) -> actors.Person:
    return await actors.provider_staff(db, role=Role.EDITOR)


Arrange = Callable[[Database], Awaitable[actors.Person | None]]


@pytest.mark.parametrize(
    ("arrange", "code"),
    [
        (_anonymous, "UNAUTHENTICATED"),
        (actors.learner, "FORBIDDEN"),
        (actors.provider_staff, "FORBIDDEN"),
        (_provider_editor, "FORBIDDEN"),
        (actors.municipality_staff, "FORBIDDEN"),
    ],
    ids=["anonymous", "learner", "provider owner", "provider editor", "municipality officer"],
)
async def test_only_platform_admins_create_organisations(
    gql: GraphQLClient, db: Database, arrange: Arrange, code: str
) -> None:
    person = await arrange(db)
    before = await identity_rows(db)

    result = await gql(CREATE, {"input": PROVIDER}, token=person.token if person else None)

    assert result.error_code == code
    assert result.data is None
    assert await identity_rows(db) == before
