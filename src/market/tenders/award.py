"""The award decision (gunningsbeslissing) on an evaluated tender, by a procurement officer
of the coalition's lead: every open lot at once, so that every bidder is sent the decision
at the same moment.

Per lot the passing bids are ranked by market.tenders.scoring on the award terms frozen at
publication, each bid's price and its consensus scores; the ranking's record is stored with
the decision and written to the tender's audit trail, and ranking the stored inputs again
gives it exactly (guarantee 7). The standstill starts the day after sending and ends with
the 20th calendar day on the Europe/Amsterdam calendar. The decision is stated as
`AwardDecided` through the outbox (the letters to the bidders follow from it).

Who reads a decision: the procurement officers and evaluators of the coalition's member
municipalities, and the staff of each provider with a live bid on the lot; every one of
them reads the same decision (winner, ranking with prices and scores, reasons, the bids
knocked out and why, the standstill's end). Nobody else sees it here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import errors as catalog_errors
from market.db import outbox
from market.identity.models import Organisation, OrganisationKind
from market.identity.policies import Actor
from market.tenders import audit, bids, errors, idempotency, scoring, service
from market.tenders.events import AwardDecided
from market.tenders.models import (
    AwardDecision,
    Bid,
    BidCheck,
    BidState,
    CoalitionMember,
    ConsensusScore,
    DecisionState,
    Lot,
    MemberState,
    Tender,
)
from market.tenders.policies import (
    AMSTERDAM,
    WHOLE,
    LotState,
    TenderState,
    move_lot,
    move_tender,
    trimmed_text,
)
from market.tenders.service import INSIDER_ROLES, TenderView

STANDSTILL_DAYS = 20
MAX_REASONS_LENGTH = 20_000
_DECIDED = frozenset({TenderState.AWARD_DECIDED, TenderState.CONTRACTED})


def standstill_end(sent_at: datetime) -> datetime:
    """The end of the STANDSTILL_DAYS-th calendar day after the day of sending (Amsterdam),
    that is the midnight that starts the day after it: sent on 10 March, the standstill
    runs 11 to 30 March and ends at 31 March 00:00 in Amsterdam, across the DST switch."""
    sent_on = sent_at.astimezone(AMSTERDAM).date()
    day_after_last = sent_on + timedelta(days=STANDSTILL_DAYS + 1)
    return datetime.combine(day_after_last, time(), AMSTERDAM).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class LotAward:
    lot_id: uuid.UUID
    reasons: str


@dataclass(frozen=True, slots=True)
class RankedView:
    rank: int
    bid_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str
    price_cents: int
    # The consensus quality per criterion name, as a fraction of full marks.
    quality_scores: tuple[tuple[str, Decimal], ...]
    quality: Decimal
    quality_part: Decimal
    price_part: Decimal
    score: Decimal


@dataclass(frozen=True, slots=True)
class ExcludedView:
    bid_id: uuid.UUID
    provider_name: str
    reason: str


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: uuid.UUID
    tender_id: uuid.UUID
    lot_id: uuid.UUID
    lot_number: int
    lot_title: str
    state: DecisionState
    winner: RankedView
    ranking: tuple[RankedView, ...]
    # The bids knocked out, with the reason.
    excluded: tuple[ExcludedView, ...]
    reasons: str
    sent_at: datetime
    standstill_ends_at: datetime


# -- deciding ---------------------------------------------------------------------------------


def _reasons(lots: Sequence[LotAward], view: TenderView) -> dict[uuid.UUID, str]:
    """The reasons per lot: one entry for each open lot of the tender, and no other."""
    by_id = {lot.id: lot for lot in view.lots}
    reasons: dict[uuid.UUID, str] = {}
    for i, given in enumerate(lots):
        lot = by_id.get(given.lot_id)
        if lot is None:
            raise errors.LotNotInTender(field=f"lots[{i}].lotId")
        if given.lot_id in reasons:
            raise catalog_errors.DuplicateItems(field=f"lots[{i}].lotId")
        if lot.state is not LotState.ACTIVE:
            raise errors.LotNotAwardable(
                field=f"lots[{i}].lotId", number=lot.number, state=lot.state.name
            )
        reasons[given.lot_id] = trimmed_text(
            given.reasons, MAX_REASONS_LENGTH, f"lots[{i}].reasons"
        )
    for lot in view.lots:
        if lot.state is LotState.ACTIVE and lot.id not in reasons:
            raise errors.AwardLotMissing(field="lots", number=lot.number)
    return reasons


def award_criteria(view: TenderView) -> scoring.AwardCriteria:
    """The award terms as published (frozen), in scoring's terms."""
    award = view.award
    return scoring.AwardCriteria(
        method=award.method,
        criteria=tuple(
            scoring.Criterion(c.name, c.weight_bp, c.value_cents or 0) for c in view.criteria
        ),
        quality_weight_bp=award.quality_weight_bp or 0,
        price_weight_bp=award.price_weight_bp or 0,
        price_floor_cents=award.price_floor_cents or 0,
        price_ceiling_cents=award.price_ceiling_cents or 0,
    )


async def _passing_bids(
    session: AsyncSession, lot_id: uuid.UUID, view: TenderView
) -> list[scoring.Bid]:
    """The lot's live bids that passed the knock-out check, with their consensus scores
    by criterion name, as fractions of full marks."""
    names = {c.id: c.name for c in view.criteria}
    found: dict[uuid.UUID, tuple[int, dict[str, Decimal]]] = {}
    for bid_id, price_cents, criterion_id, score_bp in await session.execute(
        select(Bid.id, Bid.price_cents, ConsensusScore.criterion_id, ConsensusScore.score_bp)
        .join(BidCheck, BidCheck.bid_id == Bid.id)
        .join(ConsensusScore, ConsensusScore.bid_id == Bid.id)
        .where(Bid.lot_id == lot_id, Bid.state == BidState.SUBMITTED, BidCheck.passed)
    ):
        _, quality = found.setdefault(bid_id, (price_cents, {}))
        quality[names[criterion_id]] = Decimal(score_bp) / WHOLE
    return [
        scoring.Bid(str(bid_id), price_cents, quality)
        for bid_id, (price_cents, quality) in found.items()
    ]


async def decide_award(
    session: AsyncSession,
    actor: Actor,
    tender_id: uuid.UUID,
    lots: Sequence[LotAward],
    *,
    idempotency_key: str | None = None,
) -> list[DecisionView]:
    """The award decision on every open lot of an evaluated tender, sent to every bidder
    at one moment (the database clock). A retry under the same idempotency key returns
    the decisions."""
    user_id = actor.require_user()
    if idempotency_key is not None:
        request = {"tenderId": tender_id, "lots": lots}
        first = await idempotency.claim(
            session, user_id, "decideAward", idempotency_key, request, tender_id
        )
        if first is not None:
            return await award_decisions(session, actor, first)
    tender, _ = await service.lead_tender_for_update(session, actor, tender_id, field="tenderId")
    if tender.state in _DECIDED:
        raise errors.AwardAlreadyDecided(field="tenderId")
    if tender.state is not TenderState.EVALUATED:
        raise errors.EvaluationNotComplete(field="tenderId", state=tender.state.name)
    view = await service.tender_view(session, actor, tender.id)
    reasons = _reasons(lots, view)
    criteria = award_criteria(view)
    sent_at = await session.scalar(select(func.now()))
    assert sent_at is not None
    rankings: dict[str, object] = {}
    decisions: list[uuid.UUID] = []
    for lot in await session.scalars(
        select(Lot).where(Lot.id.in_(reasons)).order_by(Lot.number).with_for_update()
    ):
        ranking = scoring.rank(criteria, await _passing_bids(session, lot.id, view))
        record = ranking.to_record()
        decision = AwardDecision(
            id=uuid.uuid4(),
            tender_id=tender.id,
            lot_id=lot.id,
            state=DecisionState.STANDING,
            winning_bid_id=uuid.UUID(ranking.ranked[0].bid_id),
            ranking=record,
            reasons=reasons[lot.id],
            decided_by=user_id,
            sent_at=sent_at,
            standstill_ends_at=standstill_end(sent_at),
        )
        session.add(decision)
        move_lot(lot, LotState.AWARD_DECIDED)
        rankings[str(lot.id)] = record
        decisions.append(decision.id)
    move_tender(tender, TenderState.AWARD_DECIDED)
    await session.flush()
    await session.refresh(tender)
    decided = await service.tender_view(session, actor, tender.id)
    await audit.record_tender(
        session, actor, tender, "tender.award_decided", decided, rankings=rankings
    )
    await outbox.record(session, AwardDecided(tender.id, tuple(decisions), sent_at))
    return await award_decisions(session, actor, tender.id)


# -- reading ----------------------------------------------------------------------------------


def _readable(actor: Actor) -> ColumnElement[bool]:
    """The decisions the actor reads: all of their coalitions' tenders (officers and
    evaluators of a member municipality), and those on lots their provider bid on."""
    municipalities = actor.organisations(OrganisationKind.MUNICIPALITY, INSIDER_ROLES)
    providers = actor.organisations(OrganisationKind.PROVIDER, bids.BIDDER_ROLES)
    if not (municipalities or providers):
        return false()
    insiders = (
        select(Tender.id)
        .join(CoalitionMember, CoalitionMember.coalition_id == Tender.coalition_id)
        .where(
            CoalitionMember.organisation_id.in_(municipalities),
            CoalitionMember.state == MemberState.MEMBER,
        )
    )
    bid_on = select(Bid.lot_id).where(
        Bid.provider_id.in_(providers), Bid.state == BidState.SUBMITTED
    )
    return or_(AwardDecision.tender_id.in_(insiders), AwardDecision.lot_id.in_(bid_on))


async def award_decisions(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID
) -> list[DecisionView]:
    """The tender's award decisions the actor may read, by lot number; withdrawn ones too."""
    rows = (
        await session.execute(
            select(AwardDecision, Lot.number, Lot.title)
            .join(Lot, Lot.id == AwardDecision.lot_id)
            .where(AwardDecision.tender_id == tender_id, _readable(actor))
            .order_by(Lot.number, AwardDecision.sent_at)
        )
    ).all()
    lot_ids = [decision.lot_id for decision, _, _ in rows]
    providers = {
        bid_id: (provider_id, name)
        for bid_id, provider_id, name in await session.execute(
            select(Bid.id, Bid.provider_id, Organisation.name)
            .join(Organisation, Organisation.id == Bid.provider_id)
            .where(Bid.lot_id.in_(lot_ids))
        )
    }
    excluded: dict[uuid.UUID, list[ExcludedView]] = {lot_id: [] for lot_id in lot_ids}
    for lot_id, bid_id, reason in await session.execute(
        select(Bid.lot_id, Bid.id, func.coalesce(BidCheck.reason, ""))
        .join(BidCheck, BidCheck.bid_id == Bid.id)
        .where(Bid.lot_id.in_(lot_ids), Bid.state == BidState.SUBMITTED, ~BidCheck.passed)
        .order_by(Bid.id)
    ):
        # A failed check always has its reason (a CHECK constraint).
        excluded[lot_id].append(ExcludedView(bid_id, providers[bid_id][1], reason))
    views = []
    for decision, number, title in rows:
        ranking = tuple(_ranked(scoring.Ranking.from_record(decision.ranking), providers))
        views.append(
            DecisionView(
                id=decision.id,
                tender_id=decision.tender_id,
                lot_id=decision.lot_id,
                lot_number=number,
                lot_title=title,
                state=decision.state,
                winner=ranking[0],
                ranking=ranking,
                excluded=tuple(excluded[decision.lot_id]),
                reasons=decision.reasons,
                sent_at=decision.sent_at,
                standstill_ends_at=decision.standstill_ends_at,
            )
        )
    return views


def _ranked(
    ranking: scoring.Ranking, providers: dict[uuid.UUID, tuple[uuid.UUID, str]]
) -> list[RankedView]:
    quality = {bid.bid_id: tuple(bid.quality.items()) for bid in ranking.bids}
    ranked = []
    for r in ranking.ranked:
        bid_id = uuid.UUID(r.bid_id)
        provider_id, name = providers[bid_id]
        ranked.append(
            RankedView(
                rank=r.rank,
                bid_id=bid_id,
                provider_id=provider_id,
                provider_name=name,
                price_cents=r.price_cents,
                quality_scores=quality[r.bid_id],
                quality=r.quality,
                quality_part=r.quality_part,
                price_part=r.price_part,
                score=r.score,
            )
        )
    return ranked
