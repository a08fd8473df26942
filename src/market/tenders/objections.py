"""Objections (bezwaren) against a lot's award decision, and the lot as an award left it.

A provider that bid on the lot objects through its staff during the standstill; the
lead's procurement officers register one the provider sent on paper, naming it: the letter
may arrive after the standstill it was sent in, so theirs are taken until the first
contract on the lot is signed. While an objection on a lot is open no contract on it can
be signed (guarantee 6). A lead officer resolves it: withdrawn, rejected, or upheld, which
withdraws the decision and sends the lot (and the tender) back to evaluation so the award
can be decided again.

Who reads an objection: the lead's procurement officers, and the objecting provider's
staff. Every change to a lot's award, its objections and its contracts takes the tender's
row lock first, so an objection and a signature on one lot never pass each other. Each
change is appended to the tender's audit trail. Functions only flush; the caller's
boundary commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.identity.models import Organisation, OrganisationKind, Role
from market.identity.policies import Actor
from market.tenders import audit, errors
from market.tenders.models import (
    AwardDecision,
    Bid,
    BidState,
    Coalition,
    Contract,
    DecisionState,
    Lot,
    Objection,
    ObjectionState,
    Tender,
)
from market.tenders.policies import (
    LotState,
    TenderState,
    acting_for,
    move_lot,
    move_tender,
    trimmed_text,
)
from market.tenders.service import tender_view, visible_tenders

MAX_TEXT_LENGTH = 20_000


class Outcome(StrEnum):
    """How an open objection ends: the states it can be resolved into."""

    WITHDRAWN = ObjectionState.WITHDRAWN.value
    REJECTED = ObjectionState.REJECTED.value
    UPHELD = ObjectionState.UPHELD.value


PROVIDER_STAFF = (Role.OWNER, Role.EDITOR)
LEAD_OFFICER = (Role.PROCUREMENT_OFFICER,)
# The lot states in which its award decision counts.
_AWARDED = frozenset({LotState.AWARD_DECIDED, LotState.CONTRACTED})


@dataclass(frozen=True, slots=True)
class ObjectionView:
    id: uuid.UUID
    tender_id: uuid.UUID
    lot_id: uuid.UUID
    lot_number: int
    provider_id: uuid.UUID
    provider_name: str
    text: str
    state: ObjectionState
    registered_at: datetime
    resolution: str | None
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class LotAward:
    """A lot, locked through its tender, with its standing decision (None unless the lot
    is awarded or contracted) and whether its standstill is over by the database clock."""

    lot: Lot
    tender: Tender
    coalition: Coalition
    decision: AwardDecision | None
    standstill_over: bool


async def locked_lot(session: AsyncSession, actor: Actor, lot_id: uuid.UUID) -> LotAward:
    """The lot of a tender the actor sees, under the tender's row lock; LotNotFound
    otherwise."""
    found = (
        await session.execute(
            select(Lot, Tender, Coalition)
            .join(Tender, Tender.id == Lot.tender_id)
            .join(Coalition, Coalition.id == Tender.coalition_id)
            .where(Lot.id == lot_id, visible_tenders(actor))
            .with_for_update(of=Tender)
        )
    ).one_or_none()
    if found is None:
        raise errors.LotNotFound(field="lotId")
    lot, tender, coalition = found
    if lot.state not in _AWARDED:
        # A cancelled tender cancels its lots, not their decisions: nothing to act on.
        return LotAward(lot, tender, coalition, None, False)
    # Read once the lock is held: a decision its previous holder changed is seen as committed.
    standing = (
        await session.execute(
            select(AwardDecision, func.now() >= AwardDecision.standstill_ends_at)
            .where(AwardDecision.lot_id == lot.id, AwardDecision.state == DecisionState.STANDING)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    decision, over = (None, False) if standing is None else standing
    return LotAward(lot, tender, coalition, decision, over)


async def has_open_objection(session: AsyncSession, lot_id: uuid.UUID) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(Objection.lot_id == lot_id, Objection.state == ObjectionState.OPEN)
            )
        )
    )


def _readable(actor: Actor) -> ColumnElement[bool]:
    """The objections the actor reads: all on the tenders their municipality leads as
    procurement officer, and their own providers'."""
    led = actor.organisations(OrganisationKind.MUNICIPALITY, LEAD_OFFICER)
    providers = actor.organisations(OrganisationKind.PROVIDER, PROVIDER_STAFF)
    return or_(
        Objection.tender_id.in_(
            select(Tender.id)
            .join(Coalition, Coalition.id == Tender.coalition_id)
            .where(Coalition.lead_id.in_(led))
        )
        if led
        else false(),
        Objection.provider_id.in_(providers) if providers else false(),
    )


def _rows() -> Select[Objection, int, str]:
    return (
        select(Objection, Lot.number, Organisation.name)
        .join(Lot, Lot.id == Objection.lot_id)
        .join(Organisation, Organisation.id == Objection.provider_id)
    )


def _view(objection: Objection, lot_number: int, provider_name: str) -> ObjectionView:
    return ObjectionView(
        id=objection.id,
        tender_id=objection.tender_id,
        lot_id=objection.lot_id,
        lot_number=lot_number,
        provider_id=objection.provider_id,
        provider_name=provider_name,
        text=objection.text,
        state=objection.state,
        registered_at=objection.registered_at,
        resolution=objection.resolution,
        resolved_at=objection.resolved_at,
    )


async def _one(session: AsyncSession, objection_id: uuid.UUID) -> ObjectionView:
    await session.flush()
    row = (
        await session.execute(
            _rows().where(Objection.id == objection_id).execution_options(populate_existing=True)
        )
    ).one()
    return _view(*row)


async def _recorded(
    session: AsyncSession, actor: Actor, tender: Tender, action: str, objection: Objection
) -> None:
    await session.flush()
    await audit.record_tender(
        session,
        actor,
        tender,
        action,
        await tender_view(session, actor, tender.id),
        objection=str(objection.id),
        lot=str(objection.lot_id),
        provider=str(objection.provider_id),
    )


async def _bid_on(session: AsyncSession, lot_id: uuid.UUID, provider_id: uuid.UUID) -> bool:
    """Whether the provider's bid on the lot was live when the bids were opened."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    Bid.lot_id == lot_id,
                    Bid.provider_id == provider_id,
                    Bid.state == BidState.SUBMITTED,
                )
            )
        )
    )


async def register_objection(
    session: AsyncSession,
    actor: Actor,
    lot_id: uuid.UUID,
    text: str,
    *,
    provider_id: uuid.UUID | None = None,
) -> ObjectionView:
    """An objection against the lot's standing award decision: by the staff of a provider
    that bid on it, during the standstill; or on paper, by a lead procurement officer
    naming the provider, until the first contract on the lot is signed."""
    actor.require_user()
    text = trimmed_text(text, MAX_TEXT_LENGTH, "text")
    award = await locked_lot(session, actor, lot_id)
    on_paper = actor.acts_for(award.coalition.lead_id, LEAD_OFFICER)
    if on_paper and provider_id is None:
        raise errors.ObjectingProviderRequired(field="providerId")
    if not on_paper:
        provider_id = acting_for(
            actor,
            OrganisationKind.PROVIDER,
            PROVIDER_STAFF,
            provider_id,
            field="providerId",
            refused=errors.NotABidderOnLot,
            choose=errors.ObjectingProviderRequired,
        )
    assert provider_id is not None
    # The decision first: there is none before the opening, and until then nothing may
    # tell the lead whether a provider bid (guarantee 1).
    decision = award.decision
    if decision is None:
        raise errors.NoStandingAwardDecision(field="lotId")
    if not await _bid_on(session, award.lot.id, provider_id):
        raise errors.NotABidderOnLot(field="providerId" if on_paper else "lotId")
    if on_paper:
        signed = await session.scalar(select(exists().where(Contract.lot_id == award.lot.id)))
        if signed:
            raise errors.ContractsAlreadySigned(field="lotId")
    elif award.standstill_over:
        raise errors.StandstillEnded(field="lotId", endsAt=decision.standstill_ends_at.isoformat())
    objection = Objection(
        id=uuid.uuid4(),
        tender_id=award.tender.id,
        lot_id=award.lot.id,
        decision_id=decision.id,
        provider_id=provider_id,
        text=text,
        state=ObjectionState.OPEN,
        registered_by=actor.user_id,
    )
    session.add(objection)
    await _recorded(session, actor, award.tender, "tender.objection_registered", objection)
    return await _one(session, objection.id)


async def resolve_objection(
    session: AsyncSession,
    actor: Actor,
    objection_id: uuid.UUID,
    outcome: Outcome,
    resolution: str,
) -> ObjectionView:
    """A lead procurement officer resolves an open objection. Upheld, the lot's decision
    is withdrawn: the lot is active again and the tender back in evaluation."""
    actor.require_user()
    found = (
        await session.execute(
            select(Objection, Tender, Coalition)
            .join(Tender, Tender.id == Objection.tender_id)
            .join(Coalition, Coalition.id == Tender.coalition_id)
            .where(Objection.id == objection_id, _readable(actor))
            .with_for_update(of=Tender)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if found is None:
        raise errors.ObjectionNotFound(field="objectionId")
    objection, tender, coalition = found
    if not actor.acts_for(coalition.lead_id, LEAD_OFFICER):
        raise errors.NotCoalitionLead(field="objectionId")
    resolution = trimmed_text(resolution, MAX_TEXT_LENGTH, "resolution")
    if objection.state is not ObjectionState.OPEN:
        raise errors.ObjectionAlreadyResolved(field="objectionId")
    objection.state = ObjectionState(outcome.value)
    objection.resolution = resolution
    objection.resolved_by = actor.user_id
    objection.resolved_at = func.now()
    if outcome is Outcome.UPHELD:
        await _withdraw_decision(session, tender, objection.decision_id)
    await _recorded(session, actor, tender, f"tender.objection_{outcome.value}", objection)
    return await _one(session, objection.id)


async def _withdraw_decision(session: AsyncSession, tender: Tender, decision_id: uuid.UUID) -> None:
    """The decision withdrawn and, if its lot is still awarded, the lot active again and
    the tender back to evaluated. A decision another upheld objection withdrew already
    stays as it is; a cancelled lot stays cancelled."""
    decision = await session.get(AwardDecision, decision_id, populate_existing=True)
    assert decision is not None
    if decision.state is not DecisionState.STANDING:
        return
    decision.state = DecisionState.WITHDRAWN
    decision.withdrawn_at = func.now()
    lot = await session.get(Lot, decision.lot_id, populate_existing=True)
    assert lot is not None
    if lot.state is not LotState.AWARD_DECIDED:
        return
    move_lot(lot, LotState.ACTIVE)
    if tender.state is TenderState.AWARD_DECIDED:
        move_tender(tender, TenderState.EVALUATED)


async def lot_objections(
    session: AsyncSession, actor: Actor, lot_id: uuid.UUID
) -> list[ObjectionView]:
    """The objections on a lot the actor reads (see `_readable`), oldest first."""
    actor.require_user()
    visible = await session.scalar(
        select(Lot.id)
        .join(Tender, Tender.id == Lot.tender_id)
        .where(Lot.id == lot_id, visible_tenders(actor))
    )
    if visible is None:
        raise errors.LotNotFound(field="lotId")
    rows = await session.execute(
        _rows()
        .where(Objection.lot_id == lot_id, _readable(actor))
        .order_by(Objection.registered_at, Objection.id)
    )
    return [_view(*row) for row in rows]
