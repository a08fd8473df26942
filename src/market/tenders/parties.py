"""Who is told what about a tender: the parties to a publication, a correction and an award
decision, and what each may read of it (market.notifications.tenders writes the mails).

Nothing here is read by actor: the events these answer are already stated to everyone
concerned. What it hands out keeps the guarantees all the same. Before the bid deadline
a correction goes to bidders and askers among all the others, every one with the same
words: which providers bid or asked decides only who is mailed, never what any mail says
(guarantees 1 and 5). An award letter tells a bidder its own standing and the winner's,
and nothing of the other bidders.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from market.identity.models import Organisation
from market.tenders import follows, service
from market.tenders.models import (
    AwardDecision,
    Bid,
    BidCheck,
    BidState,
    CoalitionMember,
    Lot,
    MemberState,
    Rectification,
    TenderQuestion,
)
from market.tenders.scoring import Ranking
from market.tenders.service import TenderView


@dataclass(frozen=True, slots=True)
class Correction:
    tender: TenderView
    version: int
    reason: str
    # Per changed field: its value before and after, as the rectification stored it.
    changes: dict[str, Any]
    bid_deadline_before: datetime
    bid_deadline_after: datetime


@dataclass(frozen=True, slots=True)
class Parties:
    """Providers (their staff is told) and municipalities (their procurement officers)."""

    providers: frozenset[uuid.UUID]
    municipalities: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True, slots=True)
class Standing:
    """A bid's place in a lot's ranking; `rank` None: it was not ranked (out on a
    knock-out requirement, for `excluded_because`)."""

    rank: int | None
    score: Decimal | None
    excluded_because: str | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    id: uuid.UUID
    lot_id: uuid.UUID
    lot_number: int
    lot_title: str
    winner_id: uuid.UUID
    winner_name: str
    winner: Standing
    reasons: str
    sent_at: datetime
    standstill_ends_at: datetime
    # Every provider with a bid on the lot at the deadline, and its own standing.
    bidders: dict[uuid.UUID, Standing]


async def published_tender(session: AsyncSession, tender_id: uuid.UUID) -> TenderView | None:
    found = await service.published_tenders(session, [tender_id])
    return found[0] if found else None


async def publication_parties(session: AsyncSession, tender_id: uuid.UUID) -> Parties:
    """The providers whose follows match a lot of the tender."""
    return Parties(frozenset(await follows.followers(session, tender_id)))


async def correction(session: AsyncSession, rectification_id: uuid.UUID) -> Correction | None:
    found = await session.get(Rectification, rectification_id)
    if found is None:
        return None
    tender = await published_tender(session, found.tender_id)
    if tender is None:
        return None
    return Correction(
        tender,
        found.version,
        found.reason,
        dict(found.changes),
        found.bid_deadline_before,
        found.bid_deadline_after,
    )


async def correction_parties(session: AsyncSession, tender: TenderView) -> Parties:
    """Followers, every provider that asked a question or has a bid on the tender, and
    the coalition's member municipalities."""
    askers = await session.scalars(
        select(TenderQuestion.provider_id).where(TenderQuestion.tender_id == tender.id)
    )
    bidders = await session.scalars(
        select(Bid.provider_id).where(Bid.tender_id == tender.id, Bid.state == BidState.SUBMITTED)
    )
    members = await session.scalars(
        select(CoalitionMember.organisation_id).where(
            CoalitionMember.coalition_id == tender.coalition_id,
            CoalitionMember.state == MemberState.MEMBER,
        )
    )
    followers = await follows.followers(session, tender.id)
    return Parties(frozenset({*followers, *askers, *bidders}), frozenset(members))


async def decisions(session: AsyncSession, decision_ids: Sequence[uuid.UUID]) -> list[Decision]:
    """The decisions, by lot number, each with the standing of every bidder on its lot."""
    rows = (
        await session.execute(
            select(AwardDecision, Lot.number, Lot.title, Bid.provider_id, Organisation.name)
            .join(Lot, Lot.id == AwardDecision.lot_id)
            .join(Bid, Bid.id == AwardDecision.winning_bid_id)
            .join(Organisation, Organisation.id == Bid.provider_id)
            .where(AwardDecision.id.in_(decision_ids))
            .order_by(Lot.number)
        )
    ).all()
    lot_ids = [decision.lot_id for decision, *_ in rows]
    bids = (
        await session.execute(
            select(Bid.id, Bid.lot_id, Bid.provider_id, BidCheck.reason)
            .outerjoin(BidCheck, BidCheck.bid_id == Bid.id)
            .where(Bid.lot_id.in_(lot_ids), Bid.state == BidState.SUBMITTED)
        )
    ).all()
    found = []
    for decision, number, title, winner_id, winner_name in rows:
        ranked = {
            entry.bid_id: Standing(entry.rank, entry.score)
            for entry in Ranking.from_record(decision.ranking).ranked
        }
        bidders = {
            provider_id: ranked.get(str(bid_id), Standing(None, None, reason))
            for bid_id, lot_id, provider_id, reason in bids
            if lot_id == decision.lot_id
        }
        found.append(
            Decision(
                decision.id,
                decision.lot_id,
                number,
                title,
                winner_id,
                winner_name,
                ranked[str(decision.winning_bid_id)],
                decision.reasons,
                decision.sent_at,
                decision.standstill_ends_at,
                bidders,
            )
        )
    return found


async def decision_followers(
    session: AsyncSession, tender_id: uuid.UUID, found: Sequence[Decision]
) -> Parties:
    """The providers whose follows match a decided lot and that bid on none of them."""
    matching = await follows.followers(session, tender_id, [d.lot_id for d in found])
    bidders = {provider for decision in found for provider in decision.bidders}
    return Parties(frozenset(matching - bidders))
