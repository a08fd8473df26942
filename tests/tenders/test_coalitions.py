"""A lead municipality forms a coalition: it invites municipalities, their procurement
officers accept or decline, and each municipality's people see the coalitions it is in."""

from __future__ import annotations

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import Membership, OrganisationKind, Role
from tests.support.actors import add_organisation, add_person, provider_staff
from tests.support.graphql import GraphQLClient
from tests.tenders.world import (
    ACCEPT,
    COALITION,
    COALITIONS,
    CREATE_COALITION,
    DECLINE,
    INVITE,
    CoalitionWorld,
    coalition_members,
    municipality,
    rows,
)


async def test_an_officer_creates_a_coalition_that_their_municipality_leads(
    db: Database, gql: GraphQLClient
) -> None:
    lead = await municipality(db, "GM0363")

    result = await gql(CREATE_COALITION, {"name": "  Regio Amsterdam "}, token=lead.officer.token)

    coalition = result.ok()["createCoalition"]
    assert coalition["name"] == "Regio Amsterdam"
    assert coalition["leadOrganisationId"] == lead.id
    assert [(m["name"], m["state"], m["isLead"]) for m in coalition["members"]] == [
        ("Gemeente GM0363", "MEMBER", True)
    ]
    assert await coalition_members(db) == [("GM0363", "member")]


async def test_invited_municipalities_join_or_decline_and_the_lead_sees_who(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world

    declined = await gql(DECLINE, {"coalition": w.coalition}, token=w.invited.officer.token)

    members = declined.ok()["declineCoalitionInvitation"]["members"]
    assert [(m["municipalityCode"], m["state"], m["isLead"]) for m in members] == [
        ("GM0363", "MEMBER", True),
        ("GM0362", "MEMBER", False),
        ("GM0384", "DECLINED", False),
    ]
    assert await coalition_members(db) == [
        ("GM0362", "member"),
        ("GM0363", "member"),
        ("GM0384", "declined"),
    ]
    # A municipality that declined may be asked again, and then join.
    again = {"coalition": w.coalition, "organisation": w.invited.id}
    (await gql(INVITE, again, token=w.lead.officer.token)).ok()
    joined = await gql(ACCEPT, {"coalition": w.coalition}, token=w.invited.officer.token)
    assert [m["state"] for m in joined.ok()["acceptCoalitionInvitation"]["members"]] == [
        "MEMBER"
    ] * 3


async def test_only_municipalities_can_be_invited_and_only_once(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    provider = await provider_staff(db)
    assert provider.organisation_id is not None
    token = w.lead.officer.token

    not_municipality = await gql(
        INVITE,
        {
            "coalition": w.coalition,
            "organisation": ids.encode("Organisation", provider.organisation_id),
        },
        token=token,
    )
    twice = await gql(INVITE, {"coalition": w.coalition, "organisation": w.invited.id}, token=token)
    lead_itself = await gql(
        INVITE, {"coalition": w.coalition, "organisation": w.lead.id}, token=token
    )

    assert not_municipality.errors[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "NotAMunicipality",
        "field": "organisationId",
    }
    for refused in (twice, lead_itself):
        assert refused.errors[0]["extensions"]["reason"] == "AlreadyInCoalition"
        assert refused.error_code == "CONFLICT"
    assert await coalition_members(db) == [
        ("GM0362", "member"),
        ("GM0363", "member"),
        ("GM0384", "invited"),
    ]


async def test_an_answered_invitation_cannot_be_answered_again(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world

    result = await gql(DECLINE, {"coalition": w.coalition}, token=w.member.officer.token)

    assert result.errors[0]["extensions"]["reason"] == "NoPendingInvitation"
    assert ("GM0362", "member") in await coalition_members(db)


async def test_an_officer_of_several_municipalities_says_which_one_leads(
    db: Database, gql: GraphQLClient
) -> None:
    first = await municipality(db, "GM0363")
    second = await add_organisation(
        db, OrganisationKind.MUNICIPALITY, "Gemeente Diemen", municipality_code="GM0384"
    )
    async with db.transaction() as session:
        session.add(
            Membership(
                user_id=first.officer.user_id, organisation_id=second, role=Role.PROCUREMENT_OFFICER
            )
        )

    unsaid = await gql(CREATE_COALITION, {"name": "Regio"}, token=first.officer.token)
    said = await gql(
        CREATE_COALITION,
        {"name": "Regio", "lead": ids.encode("Organisation", second)},
        token=first.officer.token,
    )

    assert unsaid.errors[0]["extensions"]["reason"] == "MunicipalityRequired"
    assert unsaid.error_field == "leadOrganisationId"
    assert said.ok()["createCoalition"]["members"][0]["municipalityCode"] == "GM0384"
    assert await rows(db, "SELECT count(*) FROM coalitions") == [(1,)]


async def test_members_and_invitees_see_the_coalition_outsiders_do_not(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    stranger = await add_person(db)

    def listed(token: str) -> object:
        return gql(COALITIONS, {}, token=token)

    for person in (w.lead.officer, w.member.evaluator, w.invited.officer):
        page = (await listed(person.token)).ok()["coalitions"]
        assert page["totalCount"] == 1
        assert [c["id"] for c in page["nodes"]] == [w.coalition]
    for person in (w.outsider.officer, stranger):
        assert (await listed(person.token)).ok()["coalitions"]["totalCount"] == 0
        one = await gql(COALITION, {"id": w.coalition}, token=person.token)
        assert one.ok()["coalition"] is None
    assert (await gql(COALITIONS, {})).error_code == "UNAUTHENTICATED"


async def test_coalitions_page_newest_first(db: Database, gql: GraphQLClient) -> None:
    lead = await municipality(db, "GM0363")
    for name in ("Eerste", "Tweede", "Derde"):
        (await gql(CREATE_COALITION, {"name": name}, token=lead.officer.token)).ok()

    first = (await gql(COALITIONS, {"first": 2}, token=lead.officer.token)).ok()["coalitions"]
    after = first["pageInfo"]["endCursor"]
    rest = (await gql(COALITIONS, {"first": 2, "after": after}, token=lead.officer.token)).ok()

    assert [c["name"] for c in first["nodes"]] == ["Derde", "Tweede"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["totalCount"] == 3
    assert [c["name"] for c in rest["coalitions"]["nodes"]] == ["Eerste"]
    assert rest["coalitions"]["pageInfo"]["hasNextPage"] is False
