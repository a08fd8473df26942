from __future__ import annotations

import strawberry

from market.api.graphql.context import Info
from market.api.graphql.geo.types import LabourMarketRegion, Municipality
from market.geo import service


@strawberry.type
class GeoQuery:
    @strawberry.field(description="The 342 municipalities, by name; optionally of one region.")
    async def municipalities(
        self, info: Info, region_code: str | None = None
    ) -> list[Municipality]:
        async with info.context.reader() as session:
            rows = await service.list_municipalities(session, region_code=region_code)
        return [Municipality.of(row) for row in rows]

    @strawberry.field(description="The 35 labour-market regions, by code.")
    async def labour_market_regions(self, info: Info) -> list[LabourMarketRegion]:
        async with info.context.reader() as session:
            rows = await service.list_regions(session)
        return [LabourMarketRegion.of(row) for row in rows]
