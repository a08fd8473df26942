"""Market insight for drafting a lot: before setting a lot's ceiling price and volumes,
a municipality's procurement officers see what the live catalog offers on its route in
its regions (market.catalog.market: certified providers, the median price per lesson
hour, the seats on offer and the median expected wait). A ceiling set without it can
draw no bid at all (an Onderwijsroute lot did)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.market import MarketFigures, market_figures
from market.catalog.models import Level, Route, Stream
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor
from market.tenders import errors
from market.tenders.policies import lot_scope
from market.tenders.service import check_regions


async def lot_market(
    session: AsyncSession,
    actor: Actor,
    route: Route,
    region_codes: Sequence[str],
    *,
    level: Level | None = None,
    stream: Stream | None = None,
) -> MarketFigures:
    """The market for a lot of `route` (at `level`, or in `stream`, when given) in the
    labour-market regions: for municipalities' procurement officers and platform admins."""
    actor.require_user()
    buyer = actor.organisations(OrganisationKind.MUNICIPALITY, (Role.PROCUREMENT_OFFICER,))
    if not (buyer or actor.is_platform_admin):
        raise errors.NotProcurementOfficer()
    regions = lot_scope(route, level, stream, region_codes, at="", exact=False)
    await check_regions(session, regions, field="regionCodes")
    return await market_figures(session, route, regions, level=level, stream=stream)
