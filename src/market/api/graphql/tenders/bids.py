"""GraphQL face of sealed bids and their four-eyes opening: `submitBid`, `withdrawBid`,
`openBids`; `myBids`, `bid`, `tenderBids`, `bidOpening`. A bid's documents are uploads
(`POST /documents`) named by their ids (api/graphql/tenders/documents.py)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.tenders.documents import DocumentInput
from market.api.graphql.tenders.types import Document
from market.tenders import bids, models
from market.tenders.bids import (
    AnswerView,
    BidView,
    OpenedBid,
    OpenedLot,
    OpeningView,
)

BidState = models.BidState
strawberry.enum(
    BidState,
    name="BidState",
    description="SUBMITTED: the provider's live bid on the lot; WITHDRAWN; SUPERSEDED: "
    "replaced by the provider's later bid.",
)


@strawberry.type(description="A bid's answer to one quality criterion.")
class QualityAnswer:
    criterion_id: strawberry.ID
    text: str

    @classmethod
    def of(cls, view: AnswerView) -> QualityAnswer:
        return cls(
            criterion_id=strawberry.ID(ids.encode("QualityCriterion", view.criterion_id)),
            text=view.text,
        )


@strawberry.type(
    description="A provider's bid on a lot. Until the bids are opened only the provider's "
    "own staff see it; after, the lead's procurement officers, and its evaluators without "
    "price or documents."
)
class Bid:
    id: strawberry.ID
    tender_id: strawberry.ID
    lot_id: strawberry.ID
    provider_id: strawberry.ID
    provider_name: str
    state: BidState
    price_cents: int | None = strawberry.field(
        description="Per trajectory; null for evaluators, who score quality blind to price."
    )
    submitted_at: datetime
    ended_at: datetime | None = strawberry.field(description="When withdrawn or superseded.")
    quality_answers: list[QualityAnswer]
    documents: list[Document] = strawberry.field(description="Empty for evaluators.")

    @classmethod
    def of(cls, view: BidView) -> Bid:
        return cls(
            id=strawberry.ID(ids.encode("Bid", view.id)),
            tender_id=strawberry.ID(ids.encode("Tender", view.tender_id)),
            lot_id=strawberry.ID(ids.encode("Lot", view.lot_id)),
            provider_id=strawberry.ID(ids.encode("Organisation", view.provider_id)),
            provider_name=view.provider_name,
            state=view.state,
            price_cents=view.price_cents,
            submitted_at=view.submitted_at,
            ended_at=view.ended_at,
            quality_answers=[QualityAnswer.of(a) for a in view.answers],
            documents=[Document.of(d, "bid") for d in view.documents],
        )


@strawberry.type(description="A bid as the opening report records it.")
class OpenedBidRecord:
    bid_id: strawberry.ID
    provider_id: strawberry.ID
    provider_name: str
    price_cents: int

    @classmethod
    def of(cls, view: OpenedBid) -> OpenedBidRecord:
        return cls(
            bid_id=strawberry.ID(ids.encode("Bid", view.bid_id)),
            provider_id=strawberry.ID(ids.encode("Organisation", view.provider_id)),
            provider_name=view.provider_name,
            price_cents=view.price_cents,
        )


@strawberry.type(description="A lot in the opening report: its live bids, by provider name.")
class OpenedLotRecord:
    lot_id: strawberry.ID
    number: int
    title: str
    bid_count: int
    bids: list[OpenedBidRecord]

    @classmethod
    def of(cls, view: OpenedLot) -> OpenedLotRecord:
        return cls(
            lot_id=strawberry.ID(ids.encode("Lot", view.lot_id)),
            number=view.number,
            title=view.title,
            bid_count=len(view.bids),
            bids=[OpenedBidRecord.of(b) for b in view.bids],
        )


@strawberry.type(
    description="The four-eyes opening of a tender's bids: requested by one procurement "
    "officer of the lead, opened by another; `lots` is the opening report, null until opened."
)
class BidOpening:
    tender_id: strawberry.ID
    requested_by: strawberry.ID
    requested_at: datetime
    opened_by: strawberry.ID | None
    opened_at: datetime | None
    lots: list[OpenedLotRecord] | None

    @classmethod
    def of(cls, view: OpeningView) -> BidOpening:
        return cls(
            tender_id=strawberry.ID(ids.encode("Tender", view.tender_id)),
            requested_by=strawberry.ID(ids.encode("User", view.requested_by)),
            requested_at=view.requested_at,
            opened_by=None
            if view.opened_by is None
            else strawberry.ID(ids.encode("User", view.opened_by)),
            opened_at=view.opened_at,
            lots=None if view.lots is None else [OpenedLotRecord.of(lot) for lot in view.lots],
        )


@strawberry.input
class QualityAnswerInput:
    criterion_id: strawberry.ID
    text: str


@strawberry.input
class BidInput:
    lot_id: strawberry.ID
    price_cents: int = strawberry.field(description="Per trajectory.")
    quality_answers: list[QualityAnswerInput] = strawberry.field(
        description="One answer to each of the tender's quality criteria."
    )
    documents: list[DocumentInput] = strawberry.field(default_factory=list)
    provider_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only for staff of several providers."
    )

    def to_draft(self) -> bids.BidDraft:
        return bids.BidDraft(
            lot_id=ids.decode("Lot", self.lot_id, field="lotId"),
            price_cents=self.price_cents,
            answers=tuple(
                bids.AnswerDraft(
                    ids.decode(
                        "QualityCriterion",
                        a.criterion_id,
                        field=f"qualityAnswers[{i}].criterionId",
                    ),
                    a.text,
                )
                for i, a in enumerate(self.quality_answers)
            ),
            documents=tuple(
                bids.DocumentDraft(*d.to_pair(f"documents[{i}].uploadId"))
                for i, d in enumerate(self.documents)
            ),
            provider_id=None
            if self.provider_id is None
            else ids.decode("Organisation", self.provider_id, field="providerId"),
        )


@strawberry.type
class BidsMutation:
    @strawberry.mutation(
        description="Provider staff (owner or editor), before the bid deadline: a bid on a "
        "published lot. It replaces the provider's live bid on the lot (kept as SUPERSEDED)."
    )
    async def submit_bid(self, info: Info, input: BidInput) -> Bid:
        draft = input.to_draft()
        async with info.context.transaction() as session:
            view = await bids.submit_bid(session, info.context.actor, draft)
        return Bid.of(view)

    @strawberry.mutation(
        description="Provider staff, before the bid deadline: withdraw the provider's live bid."
    )
    async def withdraw_bid(self, info: Info, id: strawberry.ID) -> Bid:
        bid_id = ids.decode("Bid", id)
        async with info.context.transaction() as session:
            view = await bids.withdraw_bid(session, info.context.actor, bid_id)
        return Bid.of(view)

    @strawberry.mutation(
        description="Procurement officers of the lead, after the bid deadline: the first "
        "call requests the opening, a second call by another officer opens the bids."
    )
    async def open_bids(self, info: Info, tender_id: strawberry.ID) -> BidOpening:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        async with info.context.transaction() as session:
            view = await bids.open_bids(session, info.context.actor, tender)
        return BidOpening.of(view)


@strawberry.type
class BidsQuery:
    @strawberry.field(
        description="Provider staff: their providers' bids (withdrawn and superseded ones "
        "too), newest first, optionally of one tender."
    )
    async def my_bids(self, info: Info, tender_id: strawberry.ID | None = None) -> list[Bid]:
        tender = None
        if tender_id is not None:
            tender = ids.decode("Tender", tender_id, field="tenderId")
        async with info.context.reader() as session:
            views = await bids.my_bids(session, info.context.actor, tender)
        return [Bid.of(view) for view in views]

    @strawberry.field(
        description="A bid the actor may read (see `Bid`); null otherwise, as for an id "
        "nothing has."
    )
    async def bid(self, info: Info, id: strawberry.ID) -> Bid | None:
        bid_id = ids.lookup("Bid", id)
        if bid_id is None:
            return None
        async with info.context.reader() as session:
            view = await bids.find_bid(session, info.context.actor, bid_id)
        return None if view is None else Bid.of(view)

    @strawberry.field(
        description="The lead's procurement officers and evaluators, once opened: the live "
        "bids by lot and provider name. BidsSealed before."
    )
    async def tender_bids(self, info: Info, tender_id: strawberry.ID) -> list[Bid]:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        async with info.context.reader() as session:
            views = await bids.tender_bids(session, info.context.actor, tender)
        return [Bid.of(view) for view in views]

    @strawberry.field(
        description="The lead's procurement officers: the tender's opening request, and once "
        "opened its report; null for anyone else and before anyone requested it."
    )
    async def bid_opening(self, info: Info, tender_id: strawberry.ID) -> BidOpening | None:
        tender = ids.lookup("Tender", tender_id, field="tenderId")
        if tender is None:
            return None
        async with info.context.reader() as session:
            view = await bids.bid_opening(session, info.context.actor, tender)
        return None if view is None else BidOpening.of(view)
