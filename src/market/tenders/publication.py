"""Publishing and cancelling a tender, by a procurement officer of the coalition's lead.

Publication checks what a stored draft must also hold to go out (a maximum value for every
lot, a latest end date, an answers window, a bid deadline ahead by the database clock),
under the tender's row lock, so two publications cannot both pass. It freezes the award
terms (market.tenders.frozen), opens the tender to everyone, and states TenderPublished.
Lots stay `active`: that is a lot's state in a live tender. Cancellation, allowed in any
state before `contracted`, takes a reason and cancels the lots that can still be
cancelled. Both are appended to the tender's audit trail and stated through the outbox, in
the change's transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.db import outbox
from market.identity.policies import Actor
from market.tenders import audit, errors, frozen, idempotency, policies, service
from market.tenders.events import TenderCancelled, TenderPublished
from market.tenders.models import Lot
from market.tenders.policies import (
    LOT_TRANSITIONS,
    CriterionDraft,
    LotDraft,
    LotState,
    RequirementDraft,
    TenderDraft,
    TenderState,
)
from market.tenders.service import TenderView

MAX_REASON_LENGTH = 2_000


def draft_of(view: TenderView) -> TenderDraft:
    """The stored tender as the draft the publication rules read."""
    return TenderDraft(
        title=view.title,
        description=view.description,
        lots=tuple(
            LotDraft(
                lot.title,
                lot.route,
                lot.level,
                lot.stream,
                lot.region_codes,
                lot.max_value_cents,
                lot.max_trajectories,
                tuple((v.organisation_id, v.learners_per_year) for v in lot.volumes),
            )
            for lot in view.lots
        ),
        requirements=tuple(RequirementDraft(r.kind, r.amount, r.text) for r in view.requirements),
        award=view.award,
        criteria=tuple(CriterionDraft(c.name, c.weight_bp, c.value_cents) for c in view.criteria),
        timeline=view.timeline,
        term=view.term,
        estimated_total_value_cents=view.estimated_total_value_cents,
    )


def _terms(view: TenderView) -> frozen.FrozenTerms:
    return frozen.FrozenTerms(
        view.award,
        tuple(
            frozen.FrozenCriterion(c.id, c.name, c.weight_bp, c.value_cents) for c in view.criteria
        ),
    )


async def publish_tender(
    session: AsyncSession,
    actor: Actor,
    tender_id: uuid.UUID,
    *,
    idempotency_key: str | None = None,
) -> TenderView:
    """Publishes a draft; a retry under the same idempotency key returns the tender."""
    user_id = actor.require_user()
    if idempotency_key is not None:
        first = await idempotency.claim(
            session, user_id, "publishTender", idempotency_key, {"tenderId": tender_id}, tender_id
        )
        if first is not None:
            return await service.tender_view(session, actor, first)
    tender, _ = await service.lead_tender_for_update(session, actor, tender_id)
    if tender.state is not TenderState.DRAFT:
        raise errors.TenderNotDraft(field="id")
    stored = await service.tender_view(session, actor, tender.id)
    now: datetime | None = await session.scalar(select(func.now()))
    assert now is not None
    policies.check_publishable(draft_of(stored), now)
    policies.move_tender(tender, TenderState.PUBLISHED)
    tender.published_at = now
    tender.frozen_terms = frozen.freeze(_terms(stored))
    await session.flush()
    await session.refresh(tender)
    view = await service.tender_view(session, actor, tender.id)
    await audit.record_tender(session, actor, tender, "tender.published", view)
    await outbox.record(
        session, TenderPublished(tender.id, tender.coalition_id, tender.version, now)
    )
    return view


async def cancel_tender(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID, reason: str
) -> TenderView:
    """Cancels the tender, in any state before `contracted`, and its open lots."""
    tender, _ = await service.lead_tender_for_update(session, actor, tender_id)
    reason = policies.trimmed_text(reason, MAX_REASON_LENGTH, "reason")
    policies.move_tender(tender, TenderState.CANCELLED)
    tender.cancellation_reason = reason
    for lot in await session.scalars(
        select(Lot).where(Lot.tender_id == tender.id).with_for_update()
    ):
        if LotState.CANCELLED in LOT_TRANSITIONS[lot.state]:
            policies.move_lot(lot, LotState.CANCELLED)
    await session.flush()
    await session.refresh(tender)
    view = await service.tender_view(session, actor, tender.id)
    await audit.record_tender(session, actor, tender, "tender.cancelled", view)
    await outbox.record(session, TenderCancelled(tender.id, tender.coalition_id, reason))
    return view
