"""Corrections of a published tender (rectificaties): `updateTender` after publication.

A published tender changes only by a correction: the lead's procurement officer sends the
whole tender as it should read, with the reason. Before the bid deadline (the database
clock) it is checked by every rule of a draft and of publication again, written where the
tender's lots and criteria stand (bids, questions and the frozen terms refer to their ids,
so a correction keeps their number), and made a new version: a Rectification row states
the version, the reason, each changed field before and after, and the bid deadline before
and after. The award terms are frozen again from the corrected tender (guarantee 4: they
change only this way), the correction is appended to the audit trail (so any version can
be rebuilt) and stated as TenderCorrected, from which every party is told.

A correction gives bidders at least `CorrectionRules.days` to take it in: when the bid
deadline would come sooner, it moves to that day, and the planned award and contract start
move by as much, so the evaluation and standstill keep the time the lead planned. The bid
deadline never moves earlier than it was, and questions that have closed stay closed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.db import outbox
from market.identity.policies import Actor
from market.tenders import audit, errors, frozen, policies, publication, service
from market.tenders.events import TenderCorrected
from market.tenders.models import Coalition, Rectification, Tender
from market.tenders.policies import AMSTERDAM, TenderDraft, TenderState, Timeline
from market.tenders.service import TenderView

MAX_REASON_LENGTH = 4_000
REASON_FIELD = "correctionReason"
# The states in which a tender can be corrected (and then only before its bid deadline).
CORRECTABLE = frozenset({TenderState.PUBLISHED, TenderState.QUESTIONS_CLOSED})
# States that end a tender before its bid deadline could have passed.
_ENDED_EARLY = frozenset({TenderState.CANCELLED})
# What a correction does not change, or not by itself: left out of a rectification's changes.
_NOT_CORRECTED = frozenset(
    {
        "id",
        "coalition_id",
        "coalition_name",
        "state",
        "version",
        "published_at",
        "created_at",
        "updated_at",
        "cancellation_reason",
        "retender_of_lot_id",
    }
)
# The tender view's names that the API spells otherwise.
_API_NAMES = {"term": "contractTerm"}


@dataclass(frozen=True, slots=True)
class CorrectionRules:
    """How long bidders keep after a correction (market.settings:
    MARKET_TENDER_CORRECTION_MIN_DAYS).

    The default, 10 days: a correction may change what bidders offer (criteria, weights,
    volumes, the maximum), so they must be able to rework a bid, not only read a notice.
    Six days (ANSWERS_LEAD_DAYS) is what the law gives an answer to reach a bidder; ten is
    the shortest period EU procurement law lets any bid be written in (the restricted
    procedure under urgency, Directive 2014/24/EU art. 28(6)), so no correction leaves less
    than a bid could ever be given. A setting below the answers rule counts as six days:
    a correction is new information, and the answers rule still holds for it.
    """

    min_days: int = 10

    @property
    def days(self) -> int:
        return max(self.min_days, policies.ANSWERS_LEAD_DAYS)

    def earliest_bid_deadline(self, now: datetime) -> datetime:
        """`days` calendar days after `now`, at the same Amsterdam wall-clock time."""
        return (now.astimezone(AMSTERDAM) + timedelta(days=self.days)).astimezone(UTC)


def extended(timeline: Timeline, earliest: datetime) -> Timeline:
    """The timeline with its bid deadline at `earliest` if it came sooner; the planned award
    and contract start move by as much, the moments before the deadline stay."""
    if timeline.bid_deadline >= earliest:
        return timeline
    moved = earliest - timeline.bid_deadline
    return replace(
        timeline,
        bid_deadline=earliest,
        planned_award_at=timeline.planned_award_at + moved,
        contract_start_at=timeline.contract_start_at + moved,
    )


def check_kept(stored: TenderDraft, corrected: TenderDraft, state: TenderState) -> None:
    """What a correction must leave: the number of lots and criteria, a bid deadline no
    earlier, and a questions deadline that has passed (the tender's questions closed)."""
    if len(corrected.lots) != len(stored.lots):
        raise errors.LotCountFixed(field="lots", count=len(stored.lots))
    if len(corrected.criteria) != len(stored.criteria):
        raise errors.CriteriaCountFixed(field="criteria", count=len(stored.criteria))
    before, after = stored.timeline, corrected.timeline
    if after.bid_deadline < before.bid_deadline:
        raise errors.BidDeadlineMovedEarlier(
            field="timeline.bidDeadline", deadline=before.bid_deadline.isoformat()
        )
    closed = state is TenderState.QUESTIONS_CLOSED
    if closed and after.questions_deadline != before.questions_deadline:
        raise errors.QuestionsDeadlinePassed(
            field="timeline.questionsDeadline", deadline=before.questions_deadline.isoformat()
        )


def _camel(name: str) -> str:
    return _API_NAMES.get(name) or re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)


def _leaves(value: Any, path: str) -> dict[str, Any]:
    """The value's scalars (and lists of scalars) by their path, ids left out: ids are
    internal, and the names beside them say what is meant."""
    if isinstance(value, dict):
        found: dict[str, Any] = {}
        for key, item in value.items():
            if key != "id" and not key.endswith("_id"):
                found.update(_leaves(item, f"{path}.{_camel(key)}" if path else _camel(key)))
        return found
    if isinstance(value, list | tuple) and any(isinstance(item, dict) for item in value):
        found = {}
        for i, item in enumerate(value):
            found.update(_leaves(item, f"{path}[{i}]"))
        return found
    return {path: value}


def changes(before: TenderView, after: TenderView) -> dict[str, dict[str, Any]]:
    """Per changed field of the tender (its path as the API names it, `lots[0].maxValueCents`)
    its value before and after; null where a list grew or shrank."""
    old, new = (
        _leaves({k: v for k, v in msgspec.to_builtins(view).items() if k not in _NOT_CORRECTED}, "")
        for view in (before, after)
    )
    return {
        path: {"before": old.get(path), "after": new.get(path)}
        for path in dict.fromkeys([*old, *new])
        if old.get(path) != new.get(path)
    }


def _check_correctable(tender: Tender, now: datetime) -> None:
    if tender.state in _ENDED_EARLY:
        raise errors.TenderNotCorrectable(field="id", state=tender.state.name)
    if tender.state not in CORRECTABLE or tender.bid_deadline <= now:
        raise errors.CorrectionAfterBidDeadline(field="id")


def _terms(before: TenderView, corrected: TenderDraft) -> frozen.FrozenTerms:
    """The corrected award terms, its criteria keeping their ids (they stay where they were)."""
    return frozen.FrozenTerms(
        corrected.award,
        tuple(
            frozen.FrozenCriterion(old.id, new.name, new.weight_bp, new.value_cents)
            for old, new in zip(before.criteria, corrected.criteria, strict=True)
        ),
    )


async def update_tender(
    session: AsyncSession,
    actor: Actor,
    tender_id: uuid.UUID,
    draft: TenderDraft,
    *,
    correction_reason: str | None,
    rules: CorrectionRules,
) -> TenderView:
    """`updateTender`: a draft is replaced (without a reason); a published tender corrected
    (with one)."""
    tender, coalition = await service.lead_tender_for_update(session, actor, tender_id)
    if tender.state is TenderState.DRAFT:
        if correction_reason is not None:
            raise errors.DraftNeedsNoCorrection(field=REASON_FIELD)
        return await service.replace_draft(session, actor, tender, coalition, draft)
    return await _correct(session, actor, tender, coalition, draft, correction_reason, rules)


async def _correct(
    session: AsyncSession,
    actor: Actor,
    tender: Tender,
    coalition: Coalition,
    draft: TenderDraft,
    reason: str | None,
    rules: CorrectionRules,
) -> TenderView:
    now: datetime | None = await session.scalar(select(func.now()))
    assert now is not None
    _check_correctable(tender, now)
    if reason is None:
        raise errors.CorrectionReasonRequired(field=REASON_FIELD)
    reason = policies.trimmed_text(reason, MAX_REASON_LENGTH, REASON_FIELD)
    before = await service.tender_view(session, actor, tender.id)
    checked = policies.check_draft(draft)
    check_kept(publication.draft_of(before), checked, tender.state)
    corrected = replace(
        checked, timeline=extended(checked.timeline, rules.earliest_bid_deadline(now))
    )
    await service.check_against_stored(session, coalition.id, corrected)
    policies.check_publishable(corrected, now)
    await service.rewrite_keeping_ids(session, tender, corrected)
    tender.frozen_terms = frozen.freeze(_terms(before, corrected))
    tender.version += 1
    await session.flush()
    await session.refresh(tender)
    after = await service.tender_view(session, actor, tender.id)
    # Compared as written and read back (times normalised, texts trimmed); a refusal here
    # rolls the writes back with the rest of the transaction.
    changed = changes(before, after)
    if not changed:
        raise errors.NothingToCorrect(field="input")
    rectification = Rectification(
        id=uuid.uuid4(),
        tender_id=tender.id,
        version=tender.version,
        reason=reason,
        changes=changed,
        bid_deadline_before=before.timeline.bid_deadline,
        bid_deadline_after=after.timeline.bid_deadline,
        published_by=actor.user_id,
    )
    session.add(rectification)
    await session.flush()
    await audit.record_tender(session, actor, tender, "tender.corrected", after, reason=reason)
    await outbox.record(
        session,
        TenderCorrected(tender.id, rectification.id, tender.version, after.timeline.bid_deadline),
    )
    return after


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeView:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class RectificationView:
    id: uuid.UUID
    tender_id: uuid.UUID
    version: int
    reason: str
    changes: tuple[ChangeView, ...]
    bid_deadline_before: datetime
    bid_deadline_after: datetime
    published_at: datetime


async def rectifications(
    session: AsyncSession, actor: Actor, tender_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[RectificationView]]:
    """Each tender's corrections, oldest first (their changes by field), for the tenders
    among these the actor sees (one statement)."""
    found: dict[uuid.UUID, list[RectificationView]] = {}
    for row in await session.scalars(
        select(Rectification)
        .join(Tender, Tender.id == Rectification.tender_id)
        .where(Rectification.tender_id.in_(tender_ids), service.visible_tenders(actor))
        .order_by(Rectification.tender_id, Rectification.version)
    ):
        found.setdefault(row.tender_id, []).append(
            RectificationView(
                row.id,
                row.tender_id,
                row.version,
                row.reason,
                tuple(
                    ChangeView(field, pair["before"], pair["after"])
                    for field, pair in sorted(row.changes.items())
                ),
                row.bid_deadline_before,
                row.bid_deadline_after,
                row.published_at,
            )
        )
    return found
