"""The chronograph: the tender transitions that time makes, not people.

A published tender closes its questions at the questions deadline and its bids at the bid
deadline (the database clock decides). `advance_due` makes every transition that is due,
under each tender's row lock, in deadline order, so that it can run every minute, twice,
late or after downtime and always leave the same state: a tender whose two deadlines both
passed while nothing ran moves through both steps, each recorded in its audit trail.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.identity.policies import Actor
from market.tenders import audit, service
from market.tenders.models import Tender
from market.tenders.policies import TenderState, move_tender

# The chronograph acts for no one: its audit entries carry no user.
CLOCK = Actor()

# The deadline that ends each timed state, and the state it leads to.
_TIMED = {
    TenderState.PUBLISHED: (Tender.questions_deadline, TenderState.QUESTIONS_CLOSED),
    TenderState.QUESTIONS_CLOSED: (Tender.bid_deadline, TenderState.BIDS_CLOSED),
}


@dataclass(frozen=True, slots=True)
class Step:
    tender_id: uuid.UUID
    before: TenderState
    after: TenderState
    due_at: datetime


async def advance_due(session: AsyncSession) -> list[Step]:
    """Every transition due by now (the transaction's start, by the database clock), made;
    returns them in the order made."""
    now = await session.scalar(select(func.now()))
    assert now is not None
    due = await session.scalars(
        select(Tender)
        .where(
            or_(
                *(
                    and_(Tender.state == state, deadline <= now)
                    for state, (deadline, _) in _TIMED.items()
                )
            )
        )
        .order_by(Tender.id)
        .with_for_update()
    )
    steps: list[Step] = []
    for tender in due:
        while (timed := _next(tender)) is not None and timed[0] <= now:
            due_at, after = timed
            before = tender.state
            move_tender(tender, after)
            await session.flush()
            view = await service.tender_view(session, CLOCK, tender.id)
            await audit.record_tender(
                session, CLOCK, tender, f"tender.{after.value}", view, due_at=due_at.isoformat()
            )
            steps.append(Step(tender.id, before, after, due_at))
    return steps


def _next(tender: Tender) -> tuple[datetime, TenderState] | None:
    """When the tender's current state ends by itself, and what follows; None when only a
    person can move it on."""
    timed = _TIMED.get(tender.state)
    if timed is None:
        return None
    deadline, after = timed
    return getattr(tender, deadline.key), after
