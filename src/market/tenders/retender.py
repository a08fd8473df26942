"""Re-tendering an unsuccessful lot in one call (`retenderLot`).

A lot that drew no acceptable bid must be cheap to buy again: the lead's procurement
officer gets a new draft tender in the same coalition holding a copy of the lot (route,
level or stream, regions, volumes, maximum), the original's requirements, award method
and criteria as published (corrections included) and its contract term, marked with the
lot it re-tenders. What usually made the lot fail can be changed in the same call: a new
maximum value or number of trajectories, and for the linear price method a new price
ceiling. Everything else the lead changes in the draft with `updateTender` before
publishing it.

The copy gets a fresh timeline: publication PUBLICATION_LEAD_DAYS from now (a working week
to review the copy, and look at the market again, before it goes out), then the questions
deadline, bid deadline, planned award and contract start at the same intervals as in the
original, whose procedure was lawful and known to its bidders. The latest end date keeps
the room the original left beyond its term with every extension. The estimated value is
the lot's maximum: the original's estimate covered all its lots.

A lot is re-tendered once: a second call while a re-tender of it is not cancelled is a
conflict. A retry under the same idempotency key returns the first call's tender.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.identity.models import Role
from market.identity.policies import Actor
from market.tenders import audit, errors, idempotency, policies, publication, service
from market.tenders.models import Coalition, Lot, Tender
from market.tenders.policies import AwardMethod, LotState, TenderDraft, TenderState, Timeline
from market.tenders.service import TenderView

PUBLICATION_LEAD_DAYS = 5
# Re-tender titles add this to the original's, cut to fit.
_TITLE_SUFFIX = " (perceel {number} opnieuw)"


@dataclass(frozen=True, slots=True)
class RetenderOverrides:
    """What may differ from the failed lot at once; None keeps the original's."""

    title: str | None = None
    max_value_cents: int | None = None
    max_trajectories: int | None = None
    price_ceiling_cents: int | None = None


def fresh_timeline(original: Timeline, now: datetime) -> Timeline:
    """Publication PUBLICATION_LEAD_DAYS after `now` (Amsterdam calendar days), each later
    moment as long after it as in the original."""
    local = now.astimezone(policies.AMSTERDAM) + timedelta(days=PUBLICATION_LEAD_DAYS)
    publication_at = local.astimezone(UTC)

    def moved(moment: datetime) -> datetime:
        return publication_at + (moment - original.publication_at)

    return Timeline(
        publication_at,
        moved(original.questions_deadline),
        moved(original.bid_deadline),
        moved(original.planned_award_at),
        moved(original.contract_start_at),
    )


def retender_draft(
    original: TenderView, lot_number: int, overrides: RetenderOverrides, now: datetime
) -> TenderDraft:
    """The draft of a re-tender of the original's lot `lot_number` (see the module)."""
    draft = publication.draft_of(original)
    lot = draft.lots[lot_number - 1]
    lot = replace(
        lot,
        max_value_cents=_given(overrides.max_value_cents, lot.max_value_cents),
        max_trajectories=_given(overrides.max_trajectories, lot.max_trajectories),
    )
    timeline = fresh_timeline(draft.timeline, now)
    term = draft.term
    if term.latest_end_date is not None:
        room = term.latest_end_date - policies.earliest_end(draft.timeline.contract_start_at, term)
        term = replace(
            term,
            latest_end_date=policies.earliest_end(timeline.contract_start_at, term) + room,
        )
    award = replace(
        draft.award,
        price_ceiling_cents=_given(overrides.price_ceiling_cents, draft.award.price_ceiling_cents),
    )
    suffix = _TITLE_SUFFIX.format(number=lot_number)
    title = overrides.title or original.title[: policies.MAX_TITLE_LENGTH - len(suffix)] + suffix
    return replace(
        draft,
        title=title,
        lots=(lot,),
        award=award,
        timeline=timeline,
        term=term,
        estimated_total_value_cents=lot.max_value_cents or 0,
    )


def _given(override: int | None, original: int | None) -> int | None:
    return original if override is None else override


def check_overrides(overrides: RetenderOverrides, method: AwardMethod) -> None:
    """Each override named by its own argument; the rest a draft's rules check."""
    for value, field in (
        (overrides.max_value_cents, "maxValueCents"),
        (overrides.max_trajectories, "maxTrajectories"),
        (overrides.price_ceiling_cents, "priceCeilingCents"),
    ):
        if value is not None and value <= 0:
            raise errors.FigureNotPositive(field=field)
    if overrides.price_ceiling_cents is not None and method is not AwardMethod.LINEAR_PRICE:
        raise errors.PriceBoundsNotExpected(field="priceCeilingCents")
    if overrides.title is not None:
        policies.trimmed_text(overrides.title, policies.MAX_TITLE_LENGTH, "title")


async def _lot_for_update(
    session: AsyncSession, actor: Actor, lot_id: uuid.UUID
) -> tuple[Lot, Tender, Coalition]:
    """The lot (locked: two re-tenders of it wait on each other), its tender and coalition,
    for the lead's procurement officer; not found when the actor cannot see it."""
    found = (
        await session.execute(
            select(Lot, Tender, Coalition)
            .join(Tender, Tender.id == Lot.tender_id)
            .join(Coalition, Coalition.id == Tender.coalition_id)
            .where(Lot.id == lot_id, service.visible_tenders(actor))
            .with_for_update(of=Lot)
        )
    ).one_or_none()
    if found is None:
        raise errors.LotNotFound(field="lotId")
    lot, tender, coalition = found
    if not actor.acts_for(coalition.lead_id, (Role.PROCUREMENT_OFFICER,)):
        raise errors.NotCoalitionLead(field="lotId")
    return lot, tender, coalition


async def retender_lot(
    session: AsyncSession,
    actor: Actor,
    lot_id: uuid.UUID,
    overrides: RetenderOverrides,
    *,
    idempotency_key: str | None = None,
) -> TenderView:
    """A new draft tender buying the unsuccessful lot again, appended to both tenders'
    audit trails."""
    user_id = actor.require_user()
    tender_id = uuid.uuid4()
    if idempotency_key is not None:
        request = {"lotId": lot_id, "overrides": overrides}
        first = await idempotency.claim(
            session, user_id, "retenderLot", idempotency_key, request, tender_id
        )
        if first is not None:
            return await service.tender_view(session, actor, first)
    lot, tender, coalition = await _lot_for_update(session, actor, lot_id)
    if lot.state is not LotState.UNSUCCESSFUL:
        raise errors.LotNotUnsuccessful(field="lotId", state=lot.state.name)
    again = await session.scalar(
        select(Tender.id).where(
            Tender.retender_of_lot_id == lot.id, Tender.state != TenderState.CANCELLED
        )
    )
    if again is not None:
        raise errors.LotAlreadyRetendered(field="lotId")
    original = await service.tender_view(session, actor, tender.id)
    check_overrides(overrides, original.award.method)
    now: datetime | None = await session.scalar(select(func.now()))
    assert now is not None
    draft = retender_draft(original, lot.number, overrides, now)
    view = await service.insert_tender(
        session, actor, coalition, draft, tender_id, retender_of_lot_id=lot.id
    )
    await audit.record_tender(
        session,
        actor,
        tender,
        "tender.lot_retendered",
        original,
        lot_id=str(lot.id),
        retender_id=str(tender_id),
    )
    return view
