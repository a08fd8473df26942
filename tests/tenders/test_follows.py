"""Providers follow tenders by route and region: following, following again, the cap,
unfollowing, listing; bad input gets its typed error and changes nothing; and who may do
each (anonymous, learner, officers, admin, other providers' staff)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from market.api.graphql import ids
from market.db.database import Database
from market.tenders.follows import MAX_FOLLOWS_PER_PROVIDER
from tests.support.actors import learner, platform_admin
from tests.support.graphql import GraphQLClient
from tests.tenders.follow_world import (
    FOLLOW,
    MY_FOLLOWS,
    UNFOLLOW,
    FollowWorld,
    build_follow_world,
    follow,
    follow_rows,
)
from tests.tenders.questions_world import sql
from tests.tenders.world import municipality


async def test_a_provider_follows_a_route_a_region_both_and_everything(
    db: Database, gql: GraphQLClient
) -> None:
    w = await build_follow_world(db)

    z_in_amsterdam = await follow(gql, w.alpha.owner, "Z", "AM18")
    b1_anywhere = await follow(gql, w.alpha.editor, "B1")
    all_in_utrecht = await follow(gql, w.alpha.owner, region="AM26")
    everything = await follow(gql, w.beta.owner)

    assert (z_in_amsterdam["route"], z_in_amsterdam["regionCode"]) == ("Z", "AM18")
    assert (b1_anywhere["route"], b1_anywhere["regionCode"]) == ("B1", None)
    assert (all_in_utrecht["route"], all_in_utrecht["regionCode"]) == (None, "AM26")
    assert (everything["route"], everything["regionCode"]) == (None, None)
    assert z_in_amsterdam["providerId"] == w.alpha.id
    assert everything["providerId"] == w.beta.id
    assert await follow_rows(db) == [
        ("Alfa Taal", None, "AM26"),
        ("Alfa Taal", "b1", None),
        ("Alfa Taal", "z", "AM18"),
        ("Beta Inburgering", None, None),
    ]
    mine = (await gql(MY_FOLLOWS, token=w.alpha.editor.token)).ok()["myTenderFollows"]
    assert [f["id"] for f in mine] == [
        z_in_amsterdam["id"],
        b1_anywhere["id"],
        all_in_utrecht["id"],
    ]


@pytest.mark.parametrize(
    ("route", "region"), [("Z", "AM18"), ("Z", None), (None, "AM18"), (None, None)]
)
async def test_following_again_returns_the_existing_follow(
    db: Database, gql: GraphQLClient, route: str | None, region: str | None
) -> None:
    w = await build_follow_world(db)
    first = await follow(gql, w.alpha.owner, route, region)

    again = await follow(gql, w.alpha.editor, route, region)

    assert again == first
    assert len(await follow_rows(db)) == 1


async def test_staff_of_two_providers_follow_for_the_one_they_name_and_see_both(
    db: Database, gql: GraphQLClient
) -> None:
    w = await build_follow_world(db)
    variables = {"route": "Z", "region": None, "provider": w.beta.id}

    made = (await gql(FOLLOW, variables, token=w.both.token)).ok()["followTenders"]
    await follow(gql, w.alpha.owner, "B1")

    assert made["providerId"] == w.beta.id
    mine = (await gql(MY_FOLLOWS, token=w.both.token)).ok()["myTenderFollows"]
    assert sorted(f["providerId"] for f in mine) == sorted([w.alpha.id, w.beta.id])
    beta_only = (await gql(MY_FOLLOWS, token=w.beta.owner.token)).ok()["myTenderFollows"]
    assert [f["id"] for f in beta_only] == [made["id"]]


async def test_unfollowing_removes_the_follow_and_returns_it(
    db: Database, gql: GraphQLClient
) -> None:
    w = await build_follow_world(db)
    kept = await follow(gql, w.alpha.owner, "Z")
    gone = await follow(gql, w.alpha.owner, "B1", "AM18")

    removed = (await gql(UNFOLLOW, {"id": gone["id"]}, token=w.alpha.editor.token)).ok()

    assert removed["unfollowTenders"] == gone
    assert await follow_rows(db) == [("Alfa Taal", "z", None)]
    mine = (await gql(MY_FOLLOWS, token=w.alpha.owner.token)).ok()["myTenderFollows"]
    assert mine == [kept]
    again = await gql(UNFOLLOW, {"id": gone["id"]}, token=w.alpha.editor.token)
    assert (again.error_code, again.errors[0]["extensions"]["reason"]) == (
        "NOT_FOUND",
        "FollowNotFound",
    )


async def _fill_to_the_cap(db: Database, w: FollowWorld) -> None:
    """MAX_FOLLOWS_PER_PROVIDER follows of alpha: every region with an open route, then
    Z-route in regions, as many as it takes."""
    await sql(
        db,
        "INSERT INTO tender_follows (id, provider_id, route, region_code)"
        " SELECT gen_random_uuid(), :provider, NULL, code"
        " FROM (SELECT code FROM labour_market_regions ORDER BY code LIMIT :n) AS r",
        provider=w.alpha.organisation_id,
        n=35,
    )
    await sql(
        db,
        "INSERT INTO tender_follows (id, provider_id, route, region_code)"
        " SELECT gen_random_uuid(), :provider, 'z', code"
        " FROM (SELECT code FROM labour_market_regions ORDER BY code LIMIT :n) AS r",
        provider=w.alpha.organisation_id,
        n=MAX_FOLLOWS_PER_PROVIDER - 35,
    )


async def test_a_provider_follows_at_most_the_cap(db: Database, gql: GraphQLClient) -> None:
    w = await build_follow_world(db)
    await _fill_to_the_cap(db, w)
    before = await follow_rows(db)
    assert len(before) == MAX_FOLLOWS_PER_PROVIDER

    refused = await gql(FOLLOW, {"route": "B1"}, token=w.alpha.owner.token)
    existing = await gql(FOLLOW, {"region": "AM01"}, token=w.alpha.owner.token)
    other = await gql(FOLLOW, {"route": "B1"}, token=w.beta.owner.token)

    assert refused.error_code == "CONFLICT"
    assert refused.errors[0]["extensions"]["reason"] == "TooManyFollows"
    assert refused.errors[0]["extensions"]["params"] == {"limit": MAX_FOLLOWS_PER_PROVIDER}
    assert existing.ok()["followTenders"]["regionCode"] == "AM01"  # already followed
    assert other.ok()["followTenders"]["providerId"] == w.beta.id  # the cap is per provider
    after = await follow_rows(db)
    assert [row for row in after if row[0] == "Alfa Taal"] == before


Expected = tuple[str, str, str | None]  # code, reason, field
BAD_INPUT: dict[str, tuple[Callable[[FollowWorld], dict[str, Any]], Expected]] = {
    "unknown region": (
        lambda w: {"route": "Z", "region": "XX99"},
        ("BAD_USER_INPUT", "UnknownRegionCode", "regionCode"),
    ),
    "a municipality code for a region": (
        lambda w: {"region": "GM0363"},
        ("BAD_USER_INPUT", "UnknownRegionCode", "regionCode"),
    ),
    "for a provider one is not staff of": (
        lambda w: {"route": "Z", "provider": w.beta.id},
        ("FORBIDDEN", "NotFollowingStaff", "providerId"),
    ),
    "provider id not an id": (
        lambda w: {"route": "Z", "provider": "nonsense"},
        ("BAD_USER_INPUT", "MalformedId", "providerId"),
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
async def test_bad_follow_input_is_refused_and_changes_nothing(
    db: Database, gql: GraphQLClient, case: str
) -> None:
    w = await build_follow_world(db)
    await follow(gql, w.alpha.owner, "B1")
    before = await follow_rows(db)
    variables, expected = BAD_INPUT[case]

    result = await gql(FOLLOW, variables(w), token=w.alpha.owner.token)

    got = (result.error_code, result.errors[0]["extensions"]["reason"], result.error_field)
    assert got == expected
    assert await follow_rows(db) == before


async def test_staff_of_two_providers_must_name_one(db: Database, gql: GraphQLClient) -> None:
    w = await build_follow_world(db)

    result = await gql(FOLLOW, {"route": "Z"}, token=w.both.token)

    got = (result.error_code, result.errors[0]["extensions"]["reason"], result.error_field)
    assert got == ("BAD_USER_INPUT", "FollowingProviderRequired", "providerId")
    assert await follow_rows(db) == []


# -- who may --------------------------------------------------------------------------------

ACTORS = (
    "anonymous",
    "learner",
    "municipality officer",
    "admin",
    "other provider's owner",
    "owner",
    "editor",
)


async def _tokens(db: Database, w: FollowWorld) -> dict[str, str | None]:
    officer = (await municipality(db, "GM0363")).officer
    return {
        "anonymous": None,
        "learner": (await learner(db)).token,
        "municipality officer": officer.token,
        "admin": (await platform_admin(db)).token,
        "other provider's owner": w.beta.owner.token,
        "owner": w.alpha.owner.token,
        "editor": w.alpha.editor.token,
    }


FOLLOW_EXPECTED = {
    "anonymous": "UNAUTHENTICATED",
    "learner": "FORBIDDEN",
    "municipality officer": "FORBIDDEN",
    "admin": "FORBIDDEN",
    "other provider's owner": None,
    "owner": None,
    "editor": None,
}


@pytest.mark.parametrize("actor", ACTORS)
async def test_who_may_follow(db: Database, gql: GraphQLClient, actor: str) -> None:
    w = await build_follow_world(db)
    token = (await _tokens(db, w))[actor]

    result = await gql(FOLLOW, {"route": "Z"}, token=token)

    assert result.error_code == FOLLOW_EXPECTED[actor]
    if result.error_code is None:
        assert len(await follow_rows(db)) == 1
    else:
        assert result.data is None
        assert await follow_rows(db) == []


MY_FOLLOWS_EXPECTED: dict[str, str | int] = {
    "anonymous": "UNAUTHENTICATED",
    "learner": "FORBIDDEN",
    "municipality officer": "FORBIDDEN",
    "admin": "FORBIDDEN",
    "other provider's owner": 0,
    "owner": 1,
    "editor": 1,
}


@pytest.mark.parametrize("actor", ACTORS)
async def test_who_sees_which_follows(db: Database, gql: GraphQLClient, actor: str) -> None:
    w = await build_follow_world(db)
    await follow(gql, w.alpha.owner, "Z", "AM18")
    token = (await _tokens(db, w))[actor]

    result = await gql(MY_FOLLOWS, token=token)

    expected = MY_FOLLOWS_EXPECTED[actor]
    if isinstance(expected, str):
        assert result.error_code == expected
        assert result.data is None
    else:
        assert len(result.ok()["myTenderFollows"]) == expected


UNFOLLOW_EXPECTED = {
    "anonymous": "UNAUTHENTICATED",
    "learner": "NOT_FOUND",
    "municipality officer": "NOT_FOUND",
    "admin": "NOT_FOUND",
    "other provider's owner": "NOT_FOUND",
    "owner": None,
    "editor": None,
}


@pytest.mark.parametrize("actor", ACTORS)
async def test_who_may_unfollow(db: Database, gql: GraphQLClient, actor: str) -> None:
    w = await build_follow_world(db)
    made = await follow(gql, w.alpha.owner, "Z", "AM18")
    token = (await _tokens(db, w))[actor]

    result = await gql(UNFOLLOW, {"id": made["id"]}, token=token)

    assert result.error_code == UNFOLLOW_EXPECTED[actor]
    if result.error_code is None:
        assert await follow_rows(db) == []
    else:
        assert await follow_rows(db) == [("Alfa Taal", "z", "AM18")]
        # Someone else's follow is answered exactly as an id nothing has.
        nothing = ids.encode("TenderFollow", uuid.uuid4())
        unknown = await gql(UNFOLLOW, {"id": nothing}, token=token)
        assert unknown.body == result.body
