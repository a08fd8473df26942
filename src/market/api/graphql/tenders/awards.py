"""GraphQL face of the evaluation and the award decision: `checkBid`, `scoreBid`,
`agreeScore`, `decideAward`; `tenderEvaluation`, `awardDecisions`. Scores are basis points
of full marks (10000 = full marks); the ranking's figures are exact decimal text, as the
decision states them (market.tenders.scoring)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.tenders import award, evaluation, models
from market.tenders.award import DecisionView, ExcludedView, RankedView
from market.tenders.evaluation import BidEvaluation as EvaluationView

DecisionState = models.DecisionState
strawberry.enum(
    DecisionState,
    name="AwardDecisionState",
    description="STANDING: the decision holds; WITHDRAWN: an upheld objection sent the lot "
    "back to evaluation, the decision stays on record.",
)


@strawberry.type(description="The knock-out verdict on a bid; a failed bid has the reason.")
class KnockOutCheck:
    passed: bool
    reason: str | None
    checked_by: strawberry.ID
    checked_at: datetime


@strawberry.type(description="One evaluator's own score of a bid on one quality criterion.")
class EvaluatorScore:
    evaluator_id: strawberry.ID
    criterion_id: strawberry.ID
    score_bp: int = strawberry.field(description="Basis points of full marks (0..10000).")
    motivation: str
    scored_at: datetime


@strawberry.type(description="The evaluators' agreed score of a bid on one criterion.")
class AgreedScore:
    criterion_id: strawberry.ID
    score_bp: int = strawberry.field(description="Basis points of full marks (0..10000).")
    motivation: str
    agreed_by: strawberry.ID
    agreed_at: datetime


@strawberry.type(
    description="A live bid's evaluation, for the lead's procurement officers and "
    "evaluators; never its price. `scores` holds every evaluator's own scores once the "
    "actor gave theirs on the bid or the evaluation is complete, and is empty before."
)
class BidEvaluation:
    bid_id: strawberry.ID
    lot_id: strawberry.ID
    provider_name: str
    check: KnockOutCheck | None
    evaluator_count: int = strawberry.field(
        description="How many evaluators gave their own scores."
    )
    scored_by_me: bool
    scores: list[EvaluatorScore]
    consensus: list[AgreedScore]

    @classmethod
    def of(cls, view: EvaluationView) -> BidEvaluation:
        check = view.check
        return cls(
            bid_id=strawberry.ID(ids.encode("Bid", view.bid_id)),
            lot_id=strawberry.ID(ids.encode("Lot", view.lot_id)),
            provider_name=view.provider_name,
            check=None
            if check is None
            else KnockOutCheck(
                passed=check.passed,
                reason=check.reason,
                checked_by=strawberry.ID(ids.encode("User", check.checked_by)),
                checked_at=check.checked_at,
            ),
            evaluator_count=view.evaluator_count,
            scored_by_me=view.scored_by_me,
            scores=[
                EvaluatorScore(
                    evaluator_id=strawberry.ID(ids.encode("User", s.evaluator_id)),
                    criterion_id=strawberry.ID(ids.encode("QualityCriterion", s.criterion_id)),
                    score_bp=s.score_bp,
                    motivation=s.motivation,
                    scored_at=s.scored_at,
                )
                for s in view.scores
            ],
            consensus=[
                AgreedScore(
                    criterion_id=strawberry.ID(ids.encode("QualityCriterion", c.criterion_id)),
                    score_bp=c.score_bp,
                    motivation=c.motivation,
                    agreed_by=strawberry.ID(ids.encode("User", c.agreed_by)),
                    agreed_at=c.agreed_at,
                )
                for c in view.consensus
            ],
        )


@strawberry.type(description="A bid's consensus quality on one criterion, as decided.")
class CriterionScore:
    criterion: str
    fraction: str = strawberry.field(description="Of full marks, 0..1, exact decimal text.")


def _text(value: Decimal) -> str:
    return f"{value:f}"


@strawberry.type(
    description="A bid's place in the award ranking and how its score is made up, as "
    "market.tenders.scoring states it (exact decimal text)."
)
class RankedBid:
    rank: int
    bid_id: strawberry.ID
    provider_id: strawberry.ID
    provider_name: str
    price_cents: int = strawberry.field(description="Per trajectory.")
    quality_scores: list[CriterionScore]
    quality: str
    quality_part: str
    price_part: str
    score: str

    @classmethod
    def of(cls, view: RankedView) -> RankedBid:
        return cls(
            rank=view.rank,
            bid_id=strawberry.ID(ids.encode("Bid", view.bid_id)),
            provider_id=strawberry.ID(ids.encode("Organisation", view.provider_id)),
            provider_name=view.provider_name,
            price_cents=view.price_cents,
            quality_scores=[
                CriterionScore(criterion=name, fraction=_text(fraction))
                for name, fraction in view.quality_scores
            ],
            quality=_text(view.quality),
            quality_part=_text(view.quality_part),
            price_part=_text(view.price_part),
            score=_text(view.score),
        )


@strawberry.type(description="A bid knocked out, with the reason its bidder is told.")
class ExcludedBid:
    bid_id: strawberry.ID
    provider_name: str
    reason: str

    @classmethod
    def of(cls, view: ExcludedView) -> ExcludedBid:
        return cls(
            bid_id=strawberry.ID(ids.encode("Bid", view.bid_id)),
            provider_name=view.provider_name,
            reason=view.reason,
        )


@strawberry.type(
    description="The award decision on a lot, sent to every bidder at `sentAt`: the winner, "
    "the ranking, the reasons, the bids knocked out, and the end of the standstill (no "
    "contract before it). Read by the coalition's members' officers and evaluators, and by "
    "the staff of every provider that bid on the lot: all read the same decision."
)
class AwardDecision:
    id: strawberry.ID
    tender_id: strawberry.ID
    lot_id: strawberry.ID
    lot_number: int
    lot_title: str
    state: DecisionState
    winner: RankedBid
    ranking: list[RankedBid]
    excluded: list[ExcludedBid]
    reasons: str
    sent_at: datetime
    standstill_ends_at: datetime

    @classmethod
    def of(cls, view: DecisionView) -> AwardDecision:
        ranking = [RankedBid.of(r) for r in view.ranking]
        return cls(
            id=strawberry.ID(ids.encode("AwardDecision", view.id)),
            tender_id=strawberry.ID(ids.encode("Tender", view.tender_id)),
            lot_id=strawberry.ID(ids.encode("Lot", view.lot_id)),
            lot_number=view.lot_number,
            lot_title=view.lot_title,
            state=view.state,
            winner=RankedBid.of(view.winner),
            ranking=ranking,
            excluded=[ExcludedBid.of(e) for e in view.excluded],
            reasons=view.reasons,
            sent_at=view.sent_at,
            standstill_ends_at=view.standstill_ends_at,
        )


@strawberry.input
class QualityScoreInput:
    criterion_id: strawberry.ID
    score_bp: int = strawberry.field(description="Basis points of full marks (0..10000).")
    motivation: str


def _scores(scores: list[QualityScoreInput]) -> list[evaluation.ScoreDraft]:
    return [
        evaluation.ScoreDraft(
            ids.decode("QualityCriterion", s.criterion_id, field=f"scores[{i}].criterionId"),
            s.score_bp,
            s.motivation,
        )
        for i, s in enumerate(scores)
    ]


@strawberry.input
class LotAwardInput:
    lot_id: strawberry.ID
    reasons: str = strawberry.field(description="Why this lot is awarded as it is.")


@strawberry.type
class AwardsMutation:
    @strawberry.mutation(
        description="The lead's procurement officers and evaluators, once the bids are "
        "opened: pass a live bid, or fail it giving the reason (required; its bidder is "
        "told). May change until the award decision, as long as a complete evaluation "
        "stays complete."
    )
    async def check_bid(
        self, info: Info, bid_id: strawberry.ID, passed: bool, reason: str | None = None
    ) -> BidEvaluation:
        bid = ids.decode("Bid", bid_id, field="bidId")
        async with info.context.transaction() as session:
            view = await evaluation.check_bid(
                session, info.context.actor, bid, passed=passed, reason=reason
            )
        return BidEvaluation.of(view)

    @strawberry.mutation(
        description="An evaluator of the lead, blind to prices: their own scores on a bid "
        "that passed the knock-out check, one for every quality criterion, given once."
    )
    async def score_bid(
        self, info: Info, bid_id: strawberry.ID, scores: list[QualityScoreInput]
    ) -> BidEvaluation:
        bid = ids.decode("Bid", bid_id, field="bidId")
        drafts = _scores(scores)
        async with info.context.transaction() as session:
            view = await evaluation.score_bid(session, info.context.actor, bid, drafts)
        return BidEvaluation.of(view)

    @strawberry.mutation(
        description="An evaluator of the lead who scored the bid, once at least two "
        "evaluators have: the consensus score on every criterion (again, to change it, "
        "until the evaluation is complete). When every passing bid has its consensus, "
        "the tender becomes EVALUATED; lots without a passing bid UNSUCCESSFUL."
    )
    async def agree_score(
        self, info: Info, bid_id: strawberry.ID, scores: list[QualityScoreInput]
    ) -> BidEvaluation:
        bid = ids.decode("Bid", bid_id, field="bidId")
        drafts = _scores(scores)
        async with info.context.transaction() as session:
            view = await evaluation.agree_score(session, info.context.actor, bid, drafts)
        return BidEvaluation.of(view)

    @strawberry.mutation(
        description="A procurement officer of the lead, on an EVALUATED tender: the award "
        "decision on every open lot at once (each with its reasons), ranked on the frozen "
        "award terms, sent to every bidder at the same moment; the standstill ends with "
        "the 20th calendar day after (Europe/Amsterdam). Retried with the same "
        "`idempotencyKey` it returns the decisions."
    )
    async def decide_award(
        self,
        info: Info,
        tender_id: strawberry.ID,
        lots: list[LotAwardInput],
        idempotency_key: str | None = None,
    ) -> list[AwardDecision]:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        awards = [
            award.LotAward(ids.decode("Lot", lot.lot_id, field=f"lots[{i}].lotId"), lot.reasons)
            for i, lot in enumerate(lots)
        ]
        async with info.context.transaction() as session:
            views = await award.decide_award(
                session, info.context.actor, tender, awards, idempotency_key=idempotency_key
            )
        return [AwardDecision.of(view) for view in views]


@strawberry.type
class AwardsQuery:
    @strawberry.field(
        description="The lead's procurement officers and evaluators, once the bids are "
        "opened: each live bid's evaluation, by lot and provider. BidsSealed before."
    )
    async def tender_evaluation(self, info: Info, tender_id: strawberry.ID) -> list[BidEvaluation]:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        async with info.context.reader() as session:
            views = await evaluation.tender_evaluation(session, info.context.actor, tender)
        return [BidEvaluation.of(view) for view in views]

    @strawberry.field(
        description="The tender's award decisions the actor reads (see `AwardDecision`), by "
        "lot number; empty for anyone else."
    )
    async def award_decisions(self, info: Info, tender_id: strawberry.ID) -> list[AwardDecision]:
        tender = ids.lookup("Tender", tender_id, field="tenderId")
        if tender is None:
            return []
        async with info.context.reader() as session:
            views = await award.award_decisions(session, info.context.actor, tender)
        return [AwardDecision.of(view) for view in views]
