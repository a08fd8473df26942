"""Providers following published tenders by route and labour-market region.

A provider's staff (owners and editors) follow a route, a region, or a route in a region;
a field left open matches any. A tender matches a follow when one of its lots does: the
lot's route is the follow's (or the follow names none) and the follow's region is among
the lot's regions (or the follow names none). Matching providers are told by mail when a
tender is published, corrected or decided (market.notifications.tenders), and
`tenders(filter: {followed: true})` lists the tenders their follows match.

Following again what a provider already follows returns the existing follow rather than
refusing it: the client wanted the provider to follow that, and it does. A provider has
at most MAX_FOLLOWS_PER_PROVIDER follows; the count is checked under a lock on the
provider's organisation row, so two requests at once cannot both pass the cap.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Route
from market.identity.models import Organisation, OrganisationKind
from market.identity.policies import Actor
from market.tenders import errors, policies, service
from market.tenders.models import Lot, TenderFollow

# Enough for every route in every region a provider serves (3 routes x 35 regions would
# be 105; a provider serving the whole country follows routes, not regions).
MAX_FOLLOWS_PER_PROVIDER = 50


@dataclass(frozen=True, slots=True)
class FollowView:
    id: uuid.UUID
    provider_id: uuid.UUID
    route: Route | None
    region_code: str | None
    created_at: datetime


def _view(follow: TenderFollow) -> FollowView:
    return FollowView(
        follow.id, follow.provider_id, follow.route, follow.region_code, follow.created_at
    )


def acting_provider(actor: Actor, given: uuid.UUID | None) -> uuid.UUID:
    """The provider its staff member follows for: the one given, or their only one."""
    return policies.acting_for(
        actor,
        OrganisationKind.PROVIDER,
        service.PROVIDER_STAFF,
        given,
        field="providerId",
        refused=errors.NotFollowingStaff,
        choose=errors.FollowingProviderRequired,
    )


async def follow_tenders(
    session: AsyncSession,
    actor: Actor,
    *,
    route: Route | None,
    region_code: str | None,
    provider_id: uuid.UUID | None = None,
) -> FollowView:
    """The provider follows tenders with a lot on `route` in `region_code` (None: any);
    the existing follow when it follows exactly that already."""
    provider = acting_provider(actor, provider_id)
    if region_code is not None:
        await service.check_regions(session, [region_code], field="regionCode")
    await session.execute(
        select(Organisation.id).where(Organisation.id == provider).with_for_update(key_share=True)
    )
    created = await session.scalar(
        insert(TenderFollow)
        .values(
            id=uuid.uuid4(),
            provider_id=provider,
            route=route,
            region_code=region_code,
            created_by=actor.user_id,
        )
        .on_conflict_do_nothing()
        .returning(TenderFollow.id)
    )
    if created is not None:
        await _check_cap(session, provider)
    follow = await session.scalar(
        select(TenderFollow).where(
            TenderFollow.provider_id == provider,
            TenderFollow.route.is_not_distinct_from(route),
            TenderFollow.region_code.is_not_distinct_from(region_code),
        )
    )
    assert follow is not None
    return _view(follow)


async def _check_cap(session: AsyncSession, provider: uuid.UUID) -> None:
    """Refuses the follow just added if it takes the provider past the cap (the caller's
    boundary rolls the insert back with the error)."""
    count = await session.scalar(
        select(func.count()).select_from(TenderFollow).where(TenderFollow.provider_id == provider)
    )
    if (count or 0) > MAX_FOLLOWS_PER_PROVIDER:
        raise errors.TooManyFollows(limit=MAX_FOLLOWS_PER_PROVIDER)


async def unfollow_tenders(session: AsyncSession, actor: Actor, follow_id: uuid.UUID) -> FollowView:
    """Removes a follow of a provider the actor is staff of; not found for anyone else's."""
    actor.require_user()
    providers = actor.organisations(OrganisationKind.PROVIDER, service.PROVIDER_STAFF)
    follow = await session.scalar(
        select(TenderFollow).where(
            TenderFollow.id == follow_id, TenderFollow.provider_id.in_(providers)
        )
    )
    if follow is None:
        raise errors.FollowNotFound(field="followId")
    view = _view(follow)
    await session.execute(delete(TenderFollow).where(TenderFollow.id == follow.id))
    return view


async def my_follows(session: AsyncSession, actor: Actor) -> list[FollowView]:
    """The follows of every provider the actor is staff of, oldest first."""
    actor.require_user()
    providers = actor.organisations(OrganisationKind.PROVIDER, service.PROVIDER_STAFF)
    if not providers:
        raise errors.NotFollowingStaff()
    found = await session.scalars(
        select(TenderFollow)
        .where(TenderFollow.provider_id.in_(providers))
        .order_by(TenderFollow.created_at, TenderFollow.id)
    )
    return [_view(follow) for follow in found]


async def followers(
    session: AsyncSession, tender_id: uuid.UUID, lot_ids: Sequence[uuid.UUID] | None = None
) -> set[uuid.UUID]:
    """The providers whose follows match one of the tender's lots (of `lot_ids`, if
    given)."""
    statement = (
        select(TenderFollow.provider_id)
        .join(Lot, service.follow_matches_lot())
        .where(Lot.tender_id == tender_id)
        .distinct()
    )
    if lot_ids is not None:
        statement = statement.where(Lot.id.in_(lot_ids))
    return set(await session.scalars(statement))
