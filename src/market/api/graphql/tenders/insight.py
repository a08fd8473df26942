from __future__ import annotations

import strawberry

from market.api.graphql.catalog.types import Level, Route, Stream
from market.api.graphql.context import Info
from market.catalog.market import MIN_PROVIDERS, MarketFigures
from market.tenders import insight


@strawberry.type(
    description="What the live catalog offers for a lot: certified providers with listed "
    f"courses on its route at locations in its regions. Fewer than {MIN_PROVIDERS} "
    "providers: only their number (`withheld`), never one school's own figures."
)
class LotMarket:
    certified_providers: int
    courses: int | None
    median_price_per_hour_cents: int | None = strawberry.field(
        description="The median over the courses of their price per lesson hour."
    )
    seats_on_offer: int | None = strawberry.field(
        description="Free seats on the courses' upcoming intakes in the regions."
    )
    median_wait_weeks: int | None = strawberry.field(
        description="The median over those intakes of the wait a learner booking today can "
        "expect (waitlist queues included), in whole weeks."
    )
    withheld: bool

    @classmethod
    def of(cls, figures: MarketFigures) -> LotMarket:
        return cls(
            certified_providers=figures.certified_providers,
            courses=figures.courses,
            median_price_per_hour_cents=figures.median_price_per_hour_cents,
            seats_on_offer=figures.seats_on_offer,
            median_wait_weeks=figures.median_wait_weeks,
            withheld=figures.withheld,
        )


@strawberry.type
class TenderInsightQuery:
    @strawberry.field(
        description="Municipality procurement officers (and platform admins), drafting a "
        "lot: the market for its route (at a level, or in an Onderwijsroute stream, if "
        "given) in labour-market regions, so its ceiling price and volumes rest on evidence."
    )
    async def lot_market(
        self,
        info: Info,
        route: Route,  # type: ignore[valid-type]
        region_codes: list[str],
        level: Level | None = None,  # type: ignore[valid-type]
        stream: Stream | None = None,  # type: ignore[valid-type]
    ) -> LotMarket:
        async with info.context.reader() as session:
            figures = await insight.lot_market(
                session, info.context.actor, route, region_codes, level=level, stream=stream
            )
        return LotMarket.of(figures)
