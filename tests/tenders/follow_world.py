"""The world the follow tests share: two providers (one owner and one editor each), a
provider-staff member of both, and the follows table read straight from the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from market.db.database import Database
from market.identity.models import Role
from tests.support.actors import Person, add_person
from tests.support.graphql import GraphQLClient
from tests.tenders.bid_world import Provider, provider
from tests.tenders.questions_world import sql
from tests.tenders.world import rows

FOLLOW_FIELDS = "id providerId route regionCode createdAt"
FOLLOW = f"""mutation($route: Route, $region: String, $provider: ID) {{
  followTenders(route: $route, regionCode: $region, providerId: $provider) {{ {FOLLOW_FIELDS} }}
}}"""
UNFOLLOW = f"""mutation($id: ID!) {{ unfollowTenders(followId: $id) {{ {FOLLOW_FIELDS} }} }}"""
MY_FOLLOWS = f"query {{ myTenderFollows {{ {FOLLOW_FIELDS} }} }}"


@dataclass(frozen=True)
class FollowWorld:
    alpha: Provider
    beta: Provider
    # Owner of alpha and editor of beta.
    both: Person


async def build_follow_world(db: Database) -> FollowWorld:
    alpha = await provider(db, "Alfa Taal")
    beta = await provider(db, "Beta Inburgering")
    both = await add_person(db, organisation_id=alpha.organisation_id, role=Role.OWNER)
    await sql(
        db,
        "INSERT INTO memberships (id, user_id, organisation_id, role)"
        " VALUES (gen_random_uuid(), :user, :provider, 'editor')",
        user=both.user_id,
        provider=beta.organisation_id,
    )
    return FollowWorld(alpha, beta, both)


async def follow(
    gql: GraphQLClient, person: Person, route: str | None = None, region: str | None = None
) -> dict[str, Any]:
    result = await gql(FOLLOW, {"route": route, "region": region}, token=person.token)
    return dict(result.ok()["followTenders"])


async def follow_rows(db: Database) -> list[tuple[Any, ...]]:
    """Every follow as (provider name, route, region), sorted."""
    return await rows(
        db,
        "SELECT o.name, f.route::text, f.region_code FROM tender_follows f"
        " JOIN organisations o ON o.id = f.provider_id ORDER BY 1, 2 NULLS FIRST, 3 NULLS FIRST",
    )
