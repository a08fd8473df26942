"""Organisation managers invite staff by email; the invitee accepts once, in time."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from market.api.graphql import ids
from market.db.database import Database
from market.identity import tokens
from market.identity.models import Invitation, Membership, OrganisationKind, Role
from tests.identity.state import count, identity_rows
from tests.support import actors
from tests.support.graphql import GraphQLClient

INVITE = """
mutation Invite($input: InviteMemberInput!) {
  inviteMember(input: $input) {
    id email role expiresAt acceptanceToken organisation { id name kind }
  }
}
"""
ACCEPT = """
mutation Accept($token: String!) {
  acceptInvitation(token: $token) { role organisation { id kind } }
}
"""
ME = "{ me { memberships { role organisation { id } } } }"


def invite_input(organisation_id: uuid.UUID, email: str, role: str = "EDITOR") -> dict[str, object]:
    return {
        "input": {
            "organisationId": ids.encode("Organisation", organisation_id),
            "email": email,
            "role": role,
        }
    }


async def test_an_owner_invites_an_editor_who_accepts(gql: GraphQLClient, db: Database) -> None:
    owner = await actors.provider_staff(db)
    invitee = await actors.learner(db)
    assert owner.organisation_id is not None

    issued = (
        await gql(
            INVITE, invite_input(owner.organisation_id, invitee.email.upper()), token=owner.token
        )
    ).ok()["inviteMember"]

    assert issued["email"] == invitee.email
    assert issued["role"] == "EDITOR"
    assert issued["organisation"]["id"] == ids.encode("Organisation", owner.organisation_id)
    async with db.reader() as session:
        stored = await session.scalar(select(Invitation))
        assert stored is not None
        seven_days = stored.expires_at - stored.created_at
    assert seven_days == timedelta(days=7)
    assert stored.token_hash == tokens.digest(issued["acceptanceToken"])  # only the hash is kept
    assert stored.invited_by == owner.user_id

    accepted = (await gql(ACCEPT, {"token": issued["acceptanceToken"]}, token=invitee.token)).ok()

    organisation_id = ids.encode("Organisation", owner.organisation_id)
    assert accepted["acceptInvitation"] == {
        "role": "EDITOR",
        "organisation": {"id": organisation_id, "kind": "PROVIDER"},
    }
    me = (await gql(ME, token=invitee.token)).ok()["me"]
    assert me["memberships"] == [{"role": "EDITOR", "organisation": {"id": organisation_id}}]
    used = await gql(ACCEPT, {"token": issued["acceptanceToken"]}, token=invitee.token)
    assert (used.error_code, used.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "InvitationAlreadyUsed",
    )


async def test_a_platform_admin_invites_the_first_owner_of_a_new_provider(
    gql: GraphQLClient, db: Database
) -> None:
    admin = await actors.platform_admin(db)
    provider_id = await actors.add_organisation(db, OrganisationKind.PROVIDER)
    invitee = await actors.learner(db)

    issued = (
        await gql(INVITE, invite_input(provider_id, invitee.email, "OWNER"), token=admin.token)
    ).ok()["inviteMember"]
    (await gql(ACCEPT, {"token": issued["acceptanceToken"]}, token=invitee.token)).ok()

    me = (await gql(ME, token=invitee.token)).ok()["me"]
    assert me["memberships"][0]["role"] == "OWNER"


async def test_a_new_invitation_replaces_a_pending_one(gql: GraphQLClient, db: Database) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    first = (
        await gql(
            INVITE, invite_input(owner.organisation_id, "new@example.test"), token=owner.token
        )
    ).ok()["inviteMember"]

    (
        await gql(
            INVITE,
            invite_input(owner.organisation_id, "new@example.test", "OWNER"),
            token=owner.token,
        )
    ).ok()

    assert await count(db, "invitations") == 1
    assert (
        await count(db, "invitations", "token_hash = :h", h=tokens.digest(first["acceptanceToken"]))
        == 0
    )


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.PROVIDER, "PROCUREMENT_OFFICER"),
        (OrganisationKind.PROVIDER, "ADMIN"),
        (OrganisationKind.MUNICIPALITY, "OWNER"),
        (OrganisationKind.PLATFORM, "EDITOR"),
    ],
)
async def test_the_role_must_exist_in_the_organisations_kind(
    gql: GraphQLClient, db: Database, kind: OrganisationKind, role: str
) -> None:
    admin = await actors.platform_admin(db)
    code = "GM0363" if kind is OrganisationKind.MUNICIPALITY else None
    organisation_id = await actors.add_organisation(db, kind, municipality_code=code)

    result = await gql(
        INVITE, invite_input(organisation_id, "x@example.test", role), token=admin.token
    )

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", "role")
    assert await count(db, "invitations") == 0


async def test_bad_invitation_input(gql: GraphQLClient, db: Database) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None

    malformed = await gql(
        INVITE, invite_input(owner.organisation_id, "no-at-sign"), token=owner.token
    )
    huge = await gql(INVITE, invite_input(owner.organisation_id, "x" * 10_000), token=owner.token)
    unknown = await gql(INVITE, invite_input(uuid.uuid4(), "x@example.test"), token=owner.token)
    garbage_id = await gql(
        INVITE,
        {"input": {"organisationId": "x" * 10_000, "email": "x@example.test", "role": "EDITOR"}},
        token=owner.token,
    )
    bad_role = await gql(
        INVITE, invite_input(owner.organisation_id, "x@example.test", "BOSS"), token=owner.token
    )

    assert (malformed.error_code, malformed.error_field) == ("BAD_USER_INPUT", "email")
    assert (huge.error_code, huge.error_field) == ("BAD_USER_INPUT", "email")
    assert (unknown.error_code, unknown.error_field) == ("NOT_FOUND", "organisationId")
    assert (garbage_id.error_code, garbage_id.error_field) == ("BAD_USER_INPUT", "organisationId")
    assert garbage_id.errors[0]["extensions"]["reason"] == "MalformedId"
    assert bad_role.error_code == "BAD_USER_INPUT"
    assert await count(db, "invitations") == 0


async def test_inviting_an_existing_member_is_a_conflict(gql: GraphQLClient, db: Database) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    editor = await actors.provider_staff(db, owner.organisation_id, Role.EDITOR)

    result = await gql(
        INVITE, invite_input(owner.organisation_id, editor.email, "OWNER"), token=owner.token
    )

    assert (result.error_code, result.error_field) == ("CONFLICT", "email")
    assert await count(db, "invitations") == 0


async def _invitation(gql: GraphQLClient, db: Database, email: str) -> tuple[actors.Person, str]:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None
    issued = (await gql(INVITE, invite_input(owner.organisation_id, email), token=owner.token)).ok()
    return owner, issued["inviteMember"]["acceptanceToken"]


async def test_only_the_invited_address_may_accept(gql: GraphQLClient, db: Database) -> None:
    _, token = await _invitation(gql, db, "invited@example.test")
    stranger = await actors.learner(db)
    before = await identity_rows(db)

    result = await gql(ACCEPT, {"token": token}, token=stranger.token)
    anonymous = await gql(ACCEPT, {"token": token})

    assert (result.error_code, result.errors[0]["extensions"]["reason"]) == (
        "FORBIDDEN",
        "InvitationForSomeoneElse",
    )
    assert anonymous.error_code == "UNAUTHENTICATED"
    assert await identity_rows(db) == before


async def test_an_expired_invitation_cannot_be_accepted(gql: GraphQLClient, db: Database) -> None:
    invitee = await actors.learner(db)
    _, token = await _invitation(gql, db, invitee.email)
    async with db.transaction() as session:
        await session.execute(
            update(Invitation).values(expires_at=func.now() - timedelta(seconds=1))
        )
    before = await identity_rows(db)

    result = await gql(ACCEPT, {"token": token}, token=invitee.token)

    assert (result.error_code, result.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "InvitationExpired",
    )
    assert await identity_rows(db) == before


async def test_an_unknown_token_is_not_found(gql: GraphQLClient, db: Database) -> None:
    invitee = await actors.learner(db)

    unknown = await gql(ACCEPT, {"token": "no-such-invitation"}, token=invitee.token)
    huge = await gql(ACCEPT, {"token": "x" * 10_000}, token=invitee.token)

    assert (unknown.error_code, unknown.error_field) == ("NOT_FOUND", "token")
    assert (huge.error_code, huge.error_field) == ("NOT_FOUND", "token")


async def test_accepting_into_an_organisation_one_already_belongs_to_is_a_conflict(
    gql: GraphQLClient, db: Database
) -> None:
    invitee = await actors.learner(db)
    owner, token = await _invitation(gql, db, invitee.email)
    # Meanwhile the invitee became a member another way (an earlier invitation).
    async with db.transaction() as session:
        session.add(
            Membership(
                user_id=invitee.user_id, organisation_id=owner.organisation_id, role=Role.OWNER
            )
        )
    before = await identity_rows(db)

    result = await gql(ACCEPT, {"token": token}, token=invitee.token)

    assert (result.error_code, result.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "AlreadyMember",
    )
    assert await identity_rows(db) == before


# --- who may invite ---------------------------------------------------------------------

Arrange = Callable[[Database, uuid.UUID], Awaitable[actors.Person | None]]


async def _anonymous(db: Database, organisation_id: uuid.UUID) -> None:
    return None


async def _learner(db: Database, organisation_id: uuid.UUID) -> actors.Person:
    return await actors.learner(db)


async def _other_providers_owner(db: Database, organisation_id: uuid.UUID) -> actors.Person:
    return await actors.provider_staff(db)


async def _municipality_officer(db: Database, organisation_id: uuid.UUID) -> actors.Person:
    return await actors.municipality_staff(db, "GM0344")


async def _own_editor(db: Database, organisation_id: uuid.UUID) -> actors.Person:
    return await actors.provider_staff(db, organisation_id, Role.EDITOR)


async def _own_owner(db: Database, organisation_id: uuid.UUID) -> actors.Person:
    return await actors.provider_staff(db, organisation_id, Role.OWNER)


async def _platform_admin(db: Database, organisation_id: uuid.UUID) -> actors.Person:
    return await actors.platform_admin(db)


@pytest.mark.parametrize(
    ("arrange", "code"),
    [
        (_anonymous, "UNAUTHENTICATED"),
        (_learner, "FORBIDDEN"),
        (_other_providers_owner, "FORBIDDEN"),
        (_municipality_officer, "FORBIDDEN"),
        (_own_editor, "FORBIDDEN"),
        (_own_owner, None),
        (_platform_admin, None),
    ],
    ids=[
        "anonymous",
        "learner",
        "other provider's owner",
        "municipality officer",
        "own editor",
        "own owner",
        "platform admin",
    ],
)
async def test_who_may_invite_into_a_provider(
    gql: GraphQLClient, db: Database, arrange: Arrange, code: str | None
) -> None:
    provider_id = await actors.add_organisation(db, OrganisationKind.PROVIDER)
    person = await arrange(db, provider_id)
    before = await identity_rows(db)

    result = await gql(
        INVITE,
        invite_input(provider_id, "new@example.test"),
        token=person.token if person else None,
    )

    if code is None:
        assert result.ok()["inviteMember"]["email"] == "new@example.test"
        assert await count(db, "invitations", "organisation_id = :o", o=provider_id) == 1
    else:
        assert result.error_code == code
        assert result.data is None
        assert await identity_rows(db) == before


@pytest.mark.parametrize(
    ("role", "code"),
    [(Role.EVALUATOR, "FORBIDDEN"), (Role.PROCUREMENT_OFFICER, None)],
)
async def test_who_may_invite_into_a_municipality(
    gql: GraphQLClient, db: Database, role: Role, code: str | None
) -> None:
    staff = await actors.municipality_staff(db, "GM0363", role)
    assert staff.organisation_id is not None
    before = await identity_rows(db)

    result = await gql(
        INVITE,
        invite_input(staff.organisation_id, "new@example.test", "EVALUATOR"),
        token=staff.token,
    )

    if code is None:
        assert result.ok()["inviteMember"]["role"] == "EVALUATOR"
    else:
        assert result.error_code == code
        assert await identity_rows(db) == before


async def test_an_invitation_to_a_look_alike_address_reaches_the_plain_one(
    gql: GraphQLClient, db: Database
) -> None:
    owner = await actors.provider_staff(db)
    invitee = await actors.add_person(db, email="redacteur@example.test")
    assert owner.organisation_id is not None
    full_width = "".join(chr(ord(character) + 0xFEE0) for character in "REDACTEUR")

    issued = (
        await gql(
            INVITE,
            invite_input(owner.organisation_id, f"{full_width}@example.test"),
            token=owner.token,
        )
    ).ok()["inviteMember"]
    accepted = await gql(ACCEPT, {"token": issued["acceptanceToken"]}, token=invitee.token)

    assert issued["email"] == "redacteur@example.test"
    assert accepted.ok()["acceptInvitation"]["role"] == "EDITOR"


async def test_an_invitation_to_a_bidirectional_override_is_refused(
    gql: GraphQLClient, db: Database
) -> None:
    owner = await actors.provider_staff(db)
    assert owner.organisation_id is not None

    result = await gql(
        INVITE,
        invite_input(owner.organisation_id, "\u202eredacteur@example.test"),
        token=owner.token,
    )

    assert (result.error_code, result.error_field) == ("BAD_USER_INPUT", "email")
    assert await count(db, "invitations") == 0
