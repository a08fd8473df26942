"""GraphQL face of providers following tenders by route and region (market.tenders.follows)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.api.graphql import ids
from market.api.graphql.catalog.types import Route
from market.api.graphql.context import Info
from market.tenders import follows
from market.tenders.follows import FollowView


@strawberry.type(
    description="A provider following tenders: told by mail when a tender with a lot on "
    "this route in this region is published, corrected or decided. A null route or region "
    "matches any."
)
class TenderFollow:
    id: strawberry.ID
    provider_id: strawberry.ID
    route: Route | None  # type: ignore[valid-type]
    region_code: str | None = strawberry.field(description="A labour-market region (AM01...).")
    created_at: datetime

    @classmethod
    def of(cls, view: FollowView) -> TenderFollow:
        return cls(
            id=strawberry.ID(ids.encode("TenderFollow", view.id)),
            provider_id=strawberry.ID(ids.encode("Organisation", view.provider_id)),
            route=view.route,
            region_code=view.region_code,
            created_at=view.created_at,
        )


@strawberry.type
class FollowsQuery:
    @strawberry.field(
        description="A provider's owners and editors: the follows of every provider they are "
        "staff of, oldest first."
    )
    async def my_tender_follows(self, info: Info) -> list[TenderFollow]:
        async with info.context.reader() as session:
            found = await follows.my_follows(session, info.context.actor)
        return [TenderFollow.of(view) for view in found]


@strawberry.type
class FollowsMutation:
    @strawberry.mutation(
        description="A provider's owners and editors (`providerId` only when staff of several): "
        "follow tenders with a lot on `route` in `regionCode` (either may be left open). "
        "Following what the provider already follows returns that follow."
    )
    async def follow_tenders(
        self,
        info: Info,
        route: Route | None = None,  # type: ignore[valid-type]
        region_code: str | None = None,
        provider_id: strawberry.ID | None = None,
    ) -> TenderFollow:
        provider = None
        if provider_id is not None:
            provider = ids.decode("Organisation", provider_id, field="providerId")
        async with info.context.transaction() as session:
            view = await follows.follow_tenders(
                session,
                info.context.actor,
                route=route,
                region_code=region_code,
                provider_id=provider,
            )
        return TenderFollow.of(view)

    @strawberry.mutation(
        description="A provider's owners and editors: stop following; returns the follow removed."
    )
    async def unfollow_tenders(self, info: Info, follow_id: strawberry.ID) -> TenderFollow:
        follow = ids.decode("TenderFollow", follow_id, field="followId")
        async with info.context.transaction() as session:
            view = await follows.unfollow_tenders(session, info.context.actor, follow)
        return TenderFollow.of(view)
