"""The evaluation of an opened tender's bids, by the coalition's lead: the knock-out check,
each evaluator's own price-blind quality scores, and the consensus score the ranking uses.

- `check_bid`: a procurement officer or evaluator of the lead passes a live bid, or fails
  it with the reason (the award decision states it to the bidder). A check may change
  until the award decision.
- `score_bid`: an evaluator of the lead scores a passing bid on every criterion, once.
  Independence: an evaluator sees nobody else's scores on a bid before giving their own,
  so their own are final; a second scoring is refused rather than letting a score follow
  someone else's.
- `agree_score`: the consensus on a bid, every criterion at once, agreed by an evaluator
  who gave their own scores on it, once at least MIN_EVALUATORS evaluators have: a
  consensus of one is no consensus. It may be agreed again until the evaluation is
  complete.
- The evaluation is complete when every live bid on each active lot is checked and every
  passing one has a consensus score on every criterion. Then a lot without a passing bid
  becomes unsuccessful and the tender evaluated, or unsuccessful when no lot is left; back
  to award decided (or on to contracted) when an upheld objection reopened one lot while
  other lots' decisions stand (or their contracts are signed). A check changed after that
  must leave it complete (an evaluated tender never goes back), and failing a lot's last
  passing bid makes that lot unsuccessful.

Prices stay out of every read here: evaluators see bids without prices (market.tenders.bids)
until the award decision, which is made only on a complete evaluation. Each write takes the
tender's row lock, so two evaluators completing the evaluation at once complete it once;
each is appended to the tender's audit trail. Functions only flush; the caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import errors as catalog_errors
from market.identity.models import Role
from market.identity.policies import Actor
from market.kernel.errors import DomainError
from market.tenders import bids, errors
from market.tenders.models import (
    Bid,
    BidCheck,
    BidState,
    Coalition,
    ConsensusScore,
    Lot,
    QualityScore,
    Tender,
)
from market.tenders.policies import (
    WHOLE,
    LotState,
    TenderState,
    move_lot,
    move_tender,
    trimmed_text,
)
from market.tenders.service import CriterionView, record_change, tender_view

# The fewest evaluators whose own scores a consensus rests on.
MIN_EVALUATORS = 2
MAX_MOTIVATION_LENGTH = 4_000
MAX_REASON_LENGTH = 4_000
ASSESSORS = (Role.PROCUREMENT_OFFICER, Role.EVALUATOR)
# Checks may change until the award decision; scores only while no evaluation is complete.
_CHECKING = frozenset({TenderState.OPENED, TenderState.EVALUATED})
_SCORING = frozenset({TenderState.OPENED})


@dataclass(frozen=True, slots=True)
class ScoreDraft:
    criterion_id: uuid.UUID
    score_bp: int
    motivation: str


@dataclass(frozen=True, slots=True)
class CheckView:
    passed: bool
    reason: str | None
    checked_by: uuid.UUID
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class ScoreView:
    evaluator_id: uuid.UUID
    criterion_id: uuid.UUID
    score_bp: int
    motivation: str
    scored_at: datetime


@dataclass(frozen=True, slots=True)
class ConsensusView:
    criterion_id: uuid.UUID
    score_bp: int
    motivation: str
    agreed_by: uuid.UUID
    agreed_at: datetime


@dataclass(frozen=True, slots=True)
class BidEvaluation:
    """A live bid's evaluation as the actor may see it: never its price."""

    bid_id: uuid.UUID
    lot_id: uuid.UUID
    provider_name: str
    check: CheckView | None
    # How many evaluators gave their own scores.
    evaluator_count: int
    scored_by_me: bool
    # Every evaluator's own scores once the actor gave theirs or the evaluation is
    # complete; none before, so nobody scores in another's wake.
    scores: tuple[ScoreView, ...]
    consensus: tuple[ConsensusView, ...]


# -- writing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Assessed:
    tender: Tender
    criteria: tuple[CriterionView, ...]


async def _assessed(
    session: AsyncSession,
    actor: Actor,
    bid_id: uuid.UUID,
    roles: Sequence[Role],
    refused: type[DomainError],
    states: frozenset[TenderState],
) -> _Assessed:
    """The bid's tender (locked) and criteria, for the lead's `roles`: not found for
    whoever may not read the bid (so nothing sealed leaks; the lead reads live bids only),
    `refused` for whoever reads it without one of `roles` at the lead."""
    actor.require_user()
    if await bids.find_bid(session, actor, bid_id) is None:
        raise errors.BidNotFound(field="bidId")
    lot, tender, lead_id = (
        await session.execute(
            select(Lot, Tender, Coalition.lead_id)
            .select_from(Bid)
            .join(Lot, Lot.id == Bid.lot_id)
            .join(Tender, Tender.id == Bid.tender_id)
            .join(Coalition, Coalition.id == Tender.coalition_id)
            .where(Bid.id == bid_id)
            .with_for_update(of=Tender)
        )
    ).one()
    if not actor.acts_for(lead_id, roles):
        raise refused(field="bidId")
    if tender.state not in states or lot.state is not LotState.ACTIVE:
        state = tender.state if tender.state not in states else lot.state
        raise errors.EvaluationClosed(field="bidId", state=state.name)
    criteria = (await tender_view(session, actor, tender.id)).criteria
    return _Assessed(tender, criteria)


async def check_bid(
    session: AsyncSession, actor: Actor, bid_id: uuid.UUID, *, passed: bool, reason: str | None
) -> BidEvaluation:
    """The knock-out verdict on a live bid of an opened tender, given or changed."""
    found = await _assessed(session, actor, bid_id, ASSESSORS, errors.NotLeadAssessor, _CHECKING)
    if passed and reason is not None and reason.strip():
        raise errors.CheckReasonNotExpected(field="reason")
    why = None if passed else trimmed_text(reason or "", MAX_REASON_LENGTH, "reason")
    check = await session.get(BidCheck, bid_id)
    if check is None:
        check = BidCheck(bid_id=bid_id)
        session.add(check)
    check.passed, check.reason = passed, why
    check.checked_by, check.checked_at = actor.require_user(), func.now()
    await session.flush()
    await record_change(
        session, actor, found.tender, "bid.checked", bid_id=bid_id, passed=passed, reason=why
    )
    await _settle(session, actor, found.tender)
    return await bid_evaluation(session, actor, bid_id)


def _scores(drafts: Sequence[ScoreDraft], criteria: Sequence[CriterionView]) -> list[ScoreDraft]:
    """One score within 0..WHOLE, with its motivation, for each of the tender's criteria."""
    known = {c.id for c in criteria}
    seen: set[uuid.UUID] = set()
    checked = []
    for i, draft in enumerate(drafts):
        at = f"scores[{i}]"
        if draft.criterion_id not in known:
            raise errors.UnknownCriterion(field=f"{at}.criterionId")
        if draft.criterion_id in seen:
            raise catalog_errors.DuplicateItems(field=f"{at}.criterionId")
        seen.add(draft.criterion_id)
        if not 0 <= draft.score_bp <= WHOLE:
            raise catalog_errors.ValueOutOfRange(0, WHOLE, field=f"{at}.scoreBp")
        motivation = trimmed_text(draft.motivation, MAX_MOTIVATION_LENGTH, f"{at}.motivation")
        checked.append(ScoreDraft(draft.criterion_id, draft.score_bp, motivation))
    for criterion in criteria:
        if criterion.id not in seen:
            raise errors.ScoreRequired(field="scores", criterion=criterion.name)
    return checked


async def _require_passed(session: AsyncSession, bid_id: uuid.UUID) -> None:
    if not await session.scalar(select(BidCheck.passed).where(BidCheck.bid_id == bid_id)):
        raise errors.BidNotPassed(field="bidId")


async def _evaluators(session: AsyncSession, bid_id: uuid.UUID) -> set[uuid.UUID]:
    """The evaluators who gave their own scores on the bid."""
    return set(
        await session.scalars(
            select(QualityScore.evaluator_id).where(QualityScore.bid_id == bid_id).distinct()
        )
    )


async def score_bid(
    session: AsyncSession, actor: Actor, bid_id: uuid.UUID, scores: Sequence[ScoreDraft]
) -> BidEvaluation:
    """An evaluator's own scores on a passing bid: every criterion, once."""
    found = await _assessed(
        session, actor, bid_id, (Role.EVALUATOR,), errors.NotLeadEvaluator, _SCORING
    )
    checked = _scores(scores, found.criteria)
    await _require_passed(session, bid_id)
    evaluator = actor.require_user()
    if evaluator in await _evaluators(session, bid_id):
        raise errors.AlreadyScored(field="bidId")
    session.add_all(
        QualityScore(
            bid_id=bid_id,
            criterion_id=s.criterion_id,
            evaluator_id=evaluator,
            score_bp=s.score_bp,
            motivation=s.motivation,
        )
        for s in checked
    )
    await session.flush()
    await record_change(session, actor, found.tender, "bid.scored", bid_id=bid_id, scores=checked)
    return await bid_evaluation(session, actor, bid_id)


async def agree_score(
    session: AsyncSession, actor: Actor, bid_id: uuid.UUID, scores: Sequence[ScoreDraft]
) -> BidEvaluation:
    """The consensus score on every criterion of a passing bid, by one of the evaluators
    who scored it, once at least MIN_EVALUATORS have."""
    found = await _assessed(
        session, actor, bid_id, (Role.EVALUATOR,), errors.NotLeadEvaluator, _SCORING
    )
    checked = _scores(scores, found.criteria)
    await _require_passed(session, bid_id)
    evaluators = await _evaluators(session, bid_id)
    evaluator = actor.require_user()
    if evaluator not in evaluators:
        raise errors.OwnScoresFirst(field="bidId")
    if len(evaluators) < MIN_EVALUATORS:
        raise errors.TooFewEvaluators(field="bidId", minimum=MIN_EVALUATORS, count=len(evaluators))
    for score in checked:
        consensus = await session.get(ConsensusScore, (bid_id, score.criterion_id))
        if consensus is None:
            consensus = ConsensusScore(bid_id=bid_id, criterion_id=score.criterion_id)
            session.add(consensus)
        consensus.score_bp, consensus.motivation = score.score_bp, score.motivation
        consensus.agreed_by, consensus.agreed_at = evaluator, func.now()
    await session.flush()
    await record_change(
        session, actor, found.tender, "bid.consensus_agreed", bid_id=bid_id, scores=checked
    )
    await _settle(session, actor, found.tender)
    return await bid_evaluation(session, actor, bid_id)


async def _settle(session: AsyncSession, actor: Actor, tender: Tender) -> None:
    """Completes the evaluation when it is complete (see the module's rules); refuses a
    change that would leave a completed one incomplete."""
    lots = (
        await session.scalars(
            select(Lot).where(Lot.tender_id == tender.id, Lot.state == LotState.ACTIVE)
        )
    ).all()
    criteria = len((await tender_view(session, actor, tender.id)).criteria)
    agreed = (
        select(ConsensusScore.bid_id, func.count().label("agreed"))
        .join(Bid, Bid.id == ConsensusScore.bid_id)
        .where(Bid.tender_id == tender.id)
        .group_by(ConsensusScore.bid_id)
        .subquery()
    )
    live = await session.execute(
        select(Bid.lot_id, BidCheck.passed, func.coalesce(agreed.c.agreed, 0))
        .outerjoin(BidCheck, BidCheck.bid_id == Bid.id)
        .outerjoin(agreed, agreed.c.bid_id == Bid.id)
        .where(Bid.lot_id.in_([lot.id for lot in lots]), Bid.state == BidState.SUBMITTED)
    )
    passing: set[uuid.UUID] = set()
    complete = True
    for lot_id, passed, agreed_count in live:
        complete &= passed is not None and (not passed or agreed_count == criteria)
        if passed:
            passing.add(lot_id)
    if not complete:
        if tender.state is TenderState.EVALUATED:
            raise errors.EvaluationWouldReopen(field="bidId")
        return
    unsuccessful = [lot for lot in lots if lot.id not in passing]
    if passing:
        target = TenderState.EVALUATED
    else:
        # Evaluation reopened by an upheld objection: the other lots' decisions still
        # stand, or their contracts are signed.
        target = await _beside_reopened(session, tender) or TenderState.UNSUCCESSFUL
    if target is tender.state and not unsuccessful:
        return
    moved = target is not tender.state and target is not TenderState.AWARD_DECIDED
    action = f"tender.{target.value}" if moved else "lots.unsuccessful"
    for lot in unsuccessful:
        move_lot(lot, LotState.UNSUCCESSFUL)
    if target is not tender.state:
        move_tender(tender, target)
    await record_change(session, actor, tender, action)


async def _beside_reopened(session: AsyncSession, tender: Tender) -> TenderState | None:
    """Where the tender stands by its other lots: AWARD_DECIDED while a decision on one of
    them stands, else CONTRACTED when one of them is; None when neither."""
    states = set(
        await session.scalars(select(Lot.state).where(Lot.tender_id == tender.id).distinct())
    )
    if LotState.AWARD_DECIDED in states:
        return TenderState.AWARD_DECIDED
    return TenderState.CONTRACTED if LotState.CONTRACTED in states else None


# -- reading --------------------------------------------------------------------------------


async def tender_evaluation(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID
) -> list[BidEvaluation]:
    """The evaluation of each live bid of an opened tender, by lot and provider, for the
    lead's procurement officers and evaluators; BidsSealed before the opening."""
    live = await bids.tender_bids(session, actor, tender_id)
    state = await session.scalar(select(Tender.state).where(Tender.id == tender_id))
    return await _evaluations(session, actor, live, complete=state not in _SCORING)


async def bid_evaluation(session: AsyncSession, actor: Actor, bid_id: uuid.UUID) -> BidEvaluation:
    """One bid's evaluation, for a verb that has just changed it."""
    found = await bids.find_bid(session, actor, bid_id)
    if found is None:
        raise errors.BidNotFound(field="bidId")
    (evaluation,) = [
        e for e in await tender_evaluation(session, actor, found.tender_id) if e.bid_id == bid_id
    ]
    return evaluation


async def _evaluations(
    session: AsyncSession, actor: Actor, live: Sequence[bids.BidView], *, complete: bool
) -> list[BidEvaluation]:
    """Three statements for any number of bids."""
    bid_ids = [bid.id for bid in live]
    checks = {
        c.bid_id: CheckView(c.passed, c.reason, c.checked_by, c.checked_at)
        for c in await session.scalars(select(BidCheck).where(BidCheck.bid_id.in_(bid_ids)))
    }
    scores: dict[uuid.UUID, list[ScoreView]] = {bid_id: [] for bid_id in bid_ids}
    for s in await session.scalars(
        select(QualityScore)
        .where(QualityScore.bid_id.in_(bid_ids))
        .order_by(QualityScore.evaluator_id, QualityScore.criterion_id)
    ):
        scores[s.bid_id].append(
            ScoreView(s.evaluator_id, s.criterion_id, s.score_bp, s.motivation, s.scored_at)
        )
    consensus: dict[uuid.UUID, list[ConsensusView]] = {bid_id: [] for bid_id in bid_ids}
    for c in await session.scalars(
        select(ConsensusScore)
        .where(ConsensusScore.bid_id.in_(bid_ids))
        .order_by(ConsensusScore.criterion_id)
    ):
        consensus[c.bid_id].append(
            ConsensusView(c.criterion_id, c.score_bp, c.motivation, c.agreed_by, c.agreed_at)
        )
    evaluations = []
    for bid in live:
        given = scores[bid.id]
        mine = any(s.evaluator_id == actor.user_id for s in given)
        evaluations.append(
            BidEvaluation(
                bid_id=bid.id,
                lot_id=bid.lot_id,
                provider_name=bid.provider_name,
                check=checks.get(bid.id),
                evaluator_count=len({s.evaluator_id for s in given}),
                scored_by_me=mine,
                scores=tuple(given) if mine or complete else (),
                consensus=tuple(consensus[bid.id]),
            )
        )
    return evaluations
