"""A person downloads everything stored about them, and deletes their account."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import Invitation, OrganisationKind, Role
from tests.identity.state import count, identity_rows
from tests.support import actors
from tests.support.graphql import GraphQLClient

MY_DATA = "{ myData }"
DELETE = "mutation Delete($password: String!) { deleteMyAccount(password: $password) }"
INVITE = """
mutation Invite($input: InviteMemberInput!) { inviteMember(input: $input) { acceptanceToken } }
"""
LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(email: $email, password: $password) { token }
}
"""


async def invite(
    gql: GraphQLClient, inviter: actors.Person, organisation_id: uuid.UUID, email: str, role: str
) -> str:
    variables = {
        "input": {
            "organisationId": ids.encode("Organisation", organisation_id),
            "email": email,
            "role": role,
        }
    }
    result = (await gql(INVITE, variables, token=inviter.token)).ok()
    return str(result["inviteMember"]["acceptanceToken"])


async def test_my_data_holds_everything_stored_about_me_and_no_secrets(
    gql: GraphQLClient, db: Database
) -> None:
    owner = await actors.provider_staff(db, role=Role.OWNER)
    assert owner.organisation_id is not None
    other_provider = await actors.add_organisation(db, OrganisationKind.PROVIDER, "Other School")
    admin = await actors.platform_admin(db)
    await invite(gql, owner, owner.organisation_id, "colleague@example.test", "EDITOR")
    await invite(gql, admin, other_provider, owner.email, "OWNER")
    await gql(LOGIN, {"email": owner.email, "password": "a wrong password"})

    data = (await gql(MY_DATA, token=owner.token)).ok()["myData"]

    assert set(data) == {
        "exportedAt",
        "profile",
        "memberships",
        "invitationsReceived",
        "invitationsSent",
        "sessions",
        "failedSignIns",
        "bookings",
        "reviews",
    }
    assert data["profile"]["id"] == ids.encode("User", owner.user_id)
    assert data["profile"]["email"] == owner.email
    assert data["profile"]["preferredLanguage"] == "nl"
    assert [(m["organisation"]["kind"], m["role"]) for m in data["memberships"]] == [
        ("PROVIDER", "OWNER")
    ]
    assert [(i["organisation"]["name"], i["role"]) for i in data["invitationsReceived"]] == [
        ("Other School", "OWNER")
    ]
    assert [(i["email"], i["acceptedAt"]) for i in data["invitationsSent"]] == [
        ("colleague@example.test", None)
    ]
    assert len(data["sessions"]) == 1
    assert set(data["sessions"][0]) == {"startedAt", "expiresAt", "revokedAt"}
    assert len(data["failedSignIns"]) == 1
    text = str(data)
    assert "$argon2" not in text
    assert "hash" not in text.lower()
    assert str(owner.user_id) not in text  # ids are opaque
    assert owner.token not in text


async def test_my_data_needs_a_signed_in_user(gql: GraphQLClient) -> None:
    result = await gql(MY_DATA)

    assert result.error_code == "UNAUTHENTICATED"
    assert result.data is None


async def test_deleting_my_account_removes_my_personal_data(
    gql: GraphQLClient, db: Database
) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    editor = await actors.provider_staff(db, owner.organisation_id, Role.EDITOR)
    await invite(gql, owner, owner.organisation_id, "pending@example.test", "EDITOR")
    admin = await actors.platform_admin(db)
    other = await actors.add_organisation(db, OrganisationKind.PROVIDER)
    await invite(gql, admin, other, editor.email, "OWNER")
    await gql(LOGIN, {"email": editor.email, "password": "a wrong password"})

    result = await gql(DELETE, {"password": actors.PASSWORD}, token=editor.token)

    assert result.ok() == {"deleteMyAccount": True}
    assert await count(db, "users", "id = :u", u=editor.user_id) == 0
    assert await count(db, "auth_tokens", "user_id = :u", u=editor.user_id) == 0
    assert await count(db, "memberships", "user_id = :u", u=editor.user_id) == 0
    assert await count(db, "invitations", "email = :e", e=editor.email) == 0
    assert await count(db, "login_failures") == 0
    assert await count(db, "invitations") == 1  # the one to someone else stays
    assert (await gql("{ me { email } }", token=editor.token)).ok() == {"me": None}


async def test_invitations_i_sent_stay_without_me(gql: GraphQLClient, db: Database) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    await actors.provider_staff(db, owner.organisation_id, Role.OWNER)  # a co-owner
    await invite(gql, owner, owner.organisation_id, "pending@example.test", "EDITOR")

    (await gql(DELETE, {"password": actors.PASSWORD}, token=owner.token)).ok()

    async with db.reader() as session:
        invitation = await session.scalar(select(Invitation))
    assert invitation is not None
    assert invitation.email == "pending@example.test"
    assert invitation.invited_by is None


async def test_a_wrong_password_deletes_nothing(gql: GraphQLClient, db: Database) -> None:
    person = await actors.learner(db)
    before = await identity_rows(db)

    wrong = await gql(DELETE, {"password": "not my password"}, token=person.token)
    huge = await gql(DELETE, {"password": "x" * 10_000}, token=person.token)
    anonymous = await gql(DELETE, {"password": actors.PASSWORD})

    assert (wrong.error_code, wrong.error_field) == ("BAD_USER_INPUT", "password")
    assert (huge.error_code, huge.error_field) == ("BAD_USER_INPUT", "password")
    assert anonymous.error_code == "UNAUTHENTICATED"
    after = await identity_rows(db)
    assert len(after.pop("login_failures")) == 1  # the wrong password was counted
    before.pop("login_failures")
    assert after == before


async def test_the_last_owner_of_a_provider_cannot_leave(gql: GraphQLClient, db: Database) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    await actors.provider_staff(db, owner.organisation_id, Role.EDITOR)
    before = await identity_rows(db)

    result = await gql(DELETE, {"password": actors.PASSWORD}, token=owner.token)

    assert (result.error_code, result.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "LastManager",
    )
    assert await identity_rows(db) == before


async def test_an_owner_with_a_co_owner_can_leave(gql: GraphQLClient, db: Database) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    co_owner = await actors.provider_staff(db, owner.organisation_id, Role.OWNER)

    (await gql(DELETE, {"password": actors.PASSWORD}, token=owner.token)).ok()

    last = await gql(DELETE, {"password": actors.PASSWORD}, token=co_owner.token)
    assert last.error_code == "CONFLICT"


async def test_the_last_platform_admin_cannot_leave(gql: GraphQLClient, db: Database) -> None:
    admin = await actors.platform_admin(db)
    before = await identity_rows(db)

    result = await gql(DELETE, {"password": actors.PASSWORD}, token=admin.token)

    assert result.error_code == "CONFLICT"
    assert await identity_rows(db) == before
