"""Bids on tender lots, sealed until two procurement officers of the lead open them.

Sealing lives in the statements (guarantee 1): until a tender's bids are opened, every
read of a bid is scoped to the actor's own provider organisations, so no query, count or
error can tell another provider's bid from no bid at all; not for the lead's officers,
not for evaluators, not for platform admins. After the opening the lead's procurement
officers read the live bids in full, its evaluators without prices or documents (they
score quality blind to price).

Deadlines are read from the database clock. Bidding takes the lot's row lock, so a
provider's submissions on a lot are serialised and at most one of them is live; the
four-eyes opening (guarantee 2) takes the tender's. Functions only flush; the caller's
boundary commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import errors as catalog_errors
from market.identity.models import Organisation, OrganisationKind, Role
from market.identity.policies import Actor
from market.tenders import audit, documents, errors
from market.tenders.models import (
    Bid,
    BidAnswer,
    BidDocument,
    BidOpening,
    BidState,
    Coalition,
    Lot,
    QualityCriterion,
    Tender,
)
from market.tenders.policies import LotState, TenderState, acting_for, move_tender, trimmed_text
from market.tenders.service import DocumentView, find_tender, tender_view

# Who bids for a provider: the staff who may upload a bid's documents.
BIDDER_ROLES = documents.PROVIDER_ROLES
MAX_ANSWER_LENGTH = 10_000
MAX_DOCUMENTS = 10
# The states a tender passes through from publication to its opening; the scheduler that
# closes questions and bids may not have run yet when the deadline has passed.
_TO_OPENED = (
    TenderState.PUBLISHED,
    TenderState.QUESTIONS_CLOSED,
    TenderState.BIDS_CLOSED,
    TenderState.OPENED,
)


@dataclass(frozen=True, slots=True)
class AnswerDraft:
    criterion_id: uuid.UUID
    text: str


@dataclass(frozen=True, slots=True)
class DocumentDraft:
    """An upload of the bidder's (market.tenders.documents), under its own name unless
    another is given."""

    upload_id: uuid.UUID
    name: str | None = None


@dataclass(frozen=True, slots=True)
class BidDraft:
    lot_id: uuid.UUID
    price_cents: int
    answers: tuple[AnswerDraft, ...]
    documents: tuple[DocumentDraft, ...] = ()
    # Only for staff of several providers.
    provider_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class AnswerView:
    criterion_id: uuid.UUID
    text: str


@dataclass(frozen=True, slots=True)
class BidView:
    id: uuid.UUID
    tender_id: uuid.UUID
    lot_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str
    state: BidState
    # None for evaluators: prices stay out of their reach while they score quality.
    price_cents: int | None
    submitted_at: datetime
    ended_at: datetime | None
    answers: tuple[AnswerView, ...]
    documents: tuple[DocumentView, ...]


@dataclass(frozen=True, slots=True)
class OpenedBid:
    bid_id: uuid.UUID
    provider_id: uuid.UUID
    provider_name: str
    price_cents: int


@dataclass(frozen=True, slots=True)
class OpenedLot:
    lot_id: uuid.UUID
    number: int
    title: str
    bids: tuple[OpenedBid, ...]


@dataclass(frozen=True, slots=True)
class OpeningView:
    tender_id: uuid.UUID
    requested_by: uuid.UUID
    requested_at: datetime
    opened_by: uuid.UUID | None
    opened_at: datetime | None
    # The opening report, per lot by number; None until opened.
    lots: tuple[OpenedLot, ...] | None


# -- input ----------------------------------------------------------------------------------


def acting_provider(actor: Actor, given: uuid.UUID | None) -> uuid.UUID:
    """The provider a staff member bids for: the one given, or their only one."""
    return acting_for(
        actor,
        OrganisationKind.PROVIDER,
        BIDDER_ROLES,
        given,
        field="providerId",
        refused=errors.NotBidder,
        choose=errors.ProviderRequired,
    )


def _checked(draft: BidDraft) -> tuple[AnswerDraft, ...]:
    """The rules that need nothing stored: a positive price, answers with text, at most
    MAX_DOCUMENTS documents."""
    if draft.price_cents <= 0:
        raise errors.FigureNotPositive(field="priceCents")
    if len(draft.documents) > MAX_DOCUMENTS:
        raise catalog_errors.TooManyItems(MAX_DOCUMENTS, field="documents")
    return tuple(
        AnswerDraft(
            a.criterion_id, trimmed_text(a.text, MAX_ANSWER_LENGTH, f"qualityAnswers[{i}].text")
        )
        for i, a in enumerate(draft.answers)
    )


def _check_answers(answers: Sequence[AnswerDraft], criteria: Sequence[QualityCriterion]) -> None:
    """One answer to each of the tender's quality criteria."""
    known = {c.id for c in criteria}
    seen: set[uuid.UUID] = set()
    for i, answer in enumerate(answers):
        if answer.criterion_id not in known:
            raise errors.UnknownCriterion(field=f"qualityAnswers[{i}].criterionId")
        if answer.criterion_id in seen:
            raise catalog_errors.DuplicateItems(field=f"qualityAnswers[{i}].criterionId")
        seen.add(answer.criterion_id)
    for criterion in criteria:
        if criterion.id not in seen:
            raise errors.AnswerRequired(field="qualityAnswers", criterion=criterion.name)


# -- reading --------------------------------------------------------------------------------


def _own(actor: Actor) -> ColumnElement[bool]:
    """The bids of the actor's own providers: all that anyone sees before the opening."""
    providers = actor.organisations(OrganisationKind.PROVIDER, BIDDER_ROLES)
    return Bid.provider_id.in_(providers) if providers else false()


def _opened_for_lead(actor: Actor, roles: Sequence[Role]) -> ColumnElement[bool]:
    """The live bids of opened tenders whose coalition the actor's municipality leads in
    one of `roles`."""
    municipalities = actor.organisations(OrganisationKind.MUNICIPALITY, roles)
    if not municipalities:
        return false()
    led = (
        select(Tender.id)
        .join(Coalition, Coalition.id == Tender.coalition_id)
        .join(BidOpening, BidOpening.tender_id == Tender.id)
        .where(Coalition.lead_id.in_(municipalities), BidOpening.opened_at.is_not(None))
    )
    return (Bid.state == BidState.SUBMITTED) & Bid.tender_id.in_(led)


def _rows() -> Select[Bid, str]:
    return select(Bid, Organisation.name).join(Organisation, Organisation.id == Bid.provider_id)


async def _views(
    session: AsyncSession, rows: Sequence[tuple[Bid, str]], *, priced: set[uuid.UUID]
) -> list[BidView]:
    """The bids with their answers and documents; prices and documents only of the bids in
    `priced`. Three statements for any number of bids."""
    bid_ids = [bid.id for bid, _ in rows]
    answers: dict[uuid.UUID, list[AnswerView]] = {bid_id: [] for bid_id in bid_ids}
    for answer in await session.scalars(
        select(BidAnswer)
        .join(QualityCriterion, QualityCriterion.id == BidAnswer.criterion_id)
        .where(BidAnswer.bid_id.in_(bid_ids))
        .order_by(QualityCriterion.position)
    ):
        answers[answer.bid_id].append(AnswerView(answer.criterion_id, answer.text))
    documents: dict[uuid.UUID, list[DocumentView]] = {bid_id: [] for bid_id in bid_ids}
    for document in await session.scalars(
        select(BidDocument)
        .where(BidDocument.bid_id.in_(priced & set(bid_ids)))
        .order_by(BidDocument.position)
    ):
        documents[document.bid_id].append(
            DocumentView(
                document.id, document.name, document.sha256, document.size, document.media_type
            )
        )
    return [
        BidView(
            id=bid.id,
            tender_id=bid.tender_id,
            lot_id=bid.lot_id,
            provider_id=bid.provider_id,
            provider_name=provider_name,
            state=bid.state,
            price_cents=bid.price_cents if bid.id in priced else None,
            submitted_at=bid.submitted_at,
            ended_at=bid.ended_at,
            answers=tuple(answers[bid.id]),
            documents=tuple(documents[bid.id]),
        )
        for bid, provider_name in rows
    ]


async def _readable(
    session: AsyncSession, actor: Actor, statement: Select[Bid, str]
) -> list[BidView]:
    """The bids of `statement` the actor may read: their own providers' (in full), and
    after the opening the lead's (in full for its officers, without price or documents for
    its evaluators)."""
    own = _own(actor)
    officers = _opened_for_lead(actor, (Role.PROCUREMENT_OFFICER,))
    evaluators = _opened_for_lead(actor, (Role.EVALUATOR,))
    rows = [
        (bid, name, in_full)
        for bid, name, in_full in await session.execute(
            statement.add_columns(own | officers).where(own | officers | evaluators)
        )
    ]
    priced = {bid.id for bid, _, in_full in rows if in_full}
    return await _views(session, [(bid, name) for bid, name, _ in rows], priced=priced)


async def find_bid(session: AsyncSession, actor: Actor, bid_id: uuid.UUID) -> BidView | None:
    found = await _readable(session, actor, _rows().where(Bid.id == bid_id))
    return found[0] if found else None


async def bid_download(
    session: AsyncSession, actor: Actor, document_id: uuid.UUID
) -> documents.Download | None:
    """A bid's document for whoever reads the bid in full: its bidder, and after the
    opening the lead's procurement officers (never its evaluators). None otherwise, as
    for an unknown id: a sealed bid's document is as absent as no document."""
    found = (
        await session.execute(
            select(BidDocument.name, BidDocument.key, BidDocument.size, BidDocument.media_type)
            .join(Bid, Bid.id == BidDocument.bid_id)
            .where(
                BidDocument.id == document_id,
                _own(actor) | _opened_for_lead(actor, (Role.PROCUREMENT_OFFICER,)),
            )
        )
    ).one_or_none()
    return None if found is None else documents.Download(*found)


async def my_bids(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID | None = None
) -> list[BidView]:
    """The bids of the actor's providers, withdrawn and superseded ones too, newest first."""
    actor.require_user()
    statement = _rows().where(_own(actor))
    if tender_id is not None:
        statement = statement.where(Bid.tender_id == tender_id)
    rows = [
        (bid, name)
        for bid, name in await session.execute(
            statement.order_by(Bid.submitted_at.desc(), Bid.id.desc())
        )
    ]
    return await _views(session, rows, priced={bid.id for bid, _ in rows})


# -- submitting and withdrawing -------------------------------------------------------------


async def submit_bid(
    session: AsyncSession,
    actor: Actor,
    draft: BidDraft,
) -> BidView:
    """The provider's bid on a published lot before the bid deadline; an earlier live bid
    of the provider on the lot is kept as superseded."""
    provider_id = acting_provider(actor, draft.provider_id)
    answers = _checked(draft)
    found = (
        await session.execute(
            select(Lot, Tender, func.now() >= Tender.bid_deadline)
            .join(Tender, Tender.id == Lot.tender_id)
            .where(Lot.id == draft.lot_id, Tender.published_at.is_not(None))
            .with_for_update(of=Lot)
        )
    ).one_or_none()
    if found is None:
        raise errors.LotNotFound(field="lotId")
    lot, tender, deadline_passed = found
    if deadline_passed:
        raise errors.BidDeadlinePassed(field="lotId")
    if tender.state not in _TO_OPENED[:2] or lot.state is not LotState.ACTIVE:
        raise errors.LotNotOpenForBids(field="lotId")
    criteria = (
        await session.scalars(
            select(QualityCriterion).where(QualityCriterion.tender_id == tender.id)
        )
    ).all()
    _check_answers(answers, criteria)
    attached = await documents.take(
        session, actor, [(d.upload_id, d.name) for d in draft.documents], field="documents"
    )
    await session.execute(
        update(Bid)
        .where(
            Bid.lot_id == lot.id, Bid.provider_id == provider_id, Bid.state == BidState.SUBMITTED
        )
        .values(state=BidState.SUPERSEDED, ended_at=func.now())
    )
    bid = Bid(
        id=uuid.uuid4(),
        tender_id=tender.id,
        lot_id=lot.id,
        provider_id=provider_id,
        state=BidState.SUBMITTED,
        price_cents=draft.price_cents,
        submitted_by=actor.user_id,
    )
    session.add(bid)
    await session.flush()
    session.add_all(
        BidAnswer(bid_id=bid.id, criterion_id=a.criterion_id, text=a.text) for a in answers
    )
    session.add_all(
        BidDocument(
            bid_id=bid.id,
            position=position,
            name=a.name,
            key=a.key,
            sha256=a.sha256,
            size=a.size,
            media_type=a.media_type,
        )
        for position, a in enumerate(attached, start=1)
    )
    await session.flush()
    return await _one(session, actor, bid.id)


async def _one(session: AsyncSession, actor: Actor, bid_id: uuid.UUID) -> BidView:
    session.expire_all()
    (view,) = await _readable(session, actor, _rows().where(Bid.id == bid_id))
    return view


async def withdraw_bid(session: AsyncSession, actor: Actor, bid_id: uuid.UUID) -> BidView:
    """The provider withdraws its live bid before the deadline. Another provider's bid is
    answered as one that does not exist."""
    actor.require_user()
    found = (
        await session.execute(
            select(Bid, func.now() >= Tender.bid_deadline)
            .join(Tender, Tender.id == Bid.tender_id)
            .where(Bid.id == bid_id, _own(actor))
            .with_for_update(of=Bid)
        )
    ).one_or_none()
    if found is None:
        raise errors.BidNotFound(field="id")
    bid, deadline_passed = found
    if deadline_passed:
        raise errors.BidDeadlinePassed(field="id")
    if bid.state is not BidState.SUBMITTED:
        raise errors.BidNotLive(field="id")
    bid.state = BidState.WITHDRAWN
    bid.ended_at = func.now()
    await session.flush()
    return await _one(session, actor, bid.id)


# -- the opening ----------------------------------------------------------------------------


async def _led_tender(
    session: AsyncSession,
    actor: Actor,
    tender_id: uuid.UUID,
    roles: Sequence[Role],
    *,
    lock: bool = False,
) -> tuple[Tender, bool]:
    """The tender with whether its bid deadline has passed, for the lead's `roles`;
    TenderNotFound for whoever does not see the tender, NotCoalitionLead for whoever sees
    it but is not of the lead in one of `roles`."""
    actor.require_user()
    if await find_tender(session, actor, tender_id) is None:
        raise errors.TenderNotFound(field="tenderId")
    statement = (
        select(Tender, Coalition.lead_id, func.now() >= Tender.bid_deadline)
        .join(Coalition, Coalition.id == Tender.coalition_id)
        .where(Tender.id == tender_id)
    )
    if lock:
        statement = statement.with_for_update(of=Tender)
    tender, lead_id, deadline_passed = (await session.execute(statement)).one()
    if not actor.acts_for(lead_id, roles):
        raise errors.NotCoalitionLead(field="tenderId")
    return tender, deadline_passed


async def open_bids(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> OpeningView:
    """After the bid deadline, a procurement officer of the lead requests the opening; a
    second, different officer opens: the opening report is written and the tender moves
    to opened."""
    tender, deadline_passed = await _led_tender(
        session, actor, tender_id, (Role.PROCUREMENT_OFFICER,), lock=True
    )
    if tender.state is TenderState.OPENED:
        raise errors.BidsAlreadyOpened(field="tenderId")
    if tender.state not in _TO_OPENED:
        move_tender(tender, TenderState.OPENED)  # refused, with the reason the table gives
    if not deadline_passed:
        raise errors.BidDeadlineNotPassed(field="tenderId")
    opening = await session.get(BidOpening, tender.id)
    if opening is None:
        session.add(BidOpening(tender_id=tender.id, requested_by=actor.user_id))
        await _recorded(session, actor, tender, "tender.opening_requested")
    elif opening.requested_by == actor.user_id:
        raise errors.OpeningNeedsSecondOfficer(field="tenderId")
    else:
        for target in _TO_OPENED[_TO_OPENED.index(tender.state) + 1 :]:
            move_tender(tender, target)
            await _recorded(session, actor, tender, f"tender.{target.value}")
        report = _report(await _opened_lots(session, tender.id))
        opening.opened_by = actor.user_id
        opening.opened_at = func.now()
        opening.report = report
    await session.flush()
    return await _opening(session, tender.id)


async def _recorded(session: AsyncSession, actor: Actor, tender: Tender, action: str) -> None:
    """The step in the tender's audit trail, with the tender as it now is."""
    await session.flush()
    await audit.record_tender(
        session, actor, tender, action, await tender_view(session, actor, tender.id)
    )


async def _opened_lots(session: AsyncSession, tender_id: uuid.UUID) -> tuple[OpenedLot, ...]:
    """Each lot of the tender with its live bids, by provider name."""
    lots = (
        await session.scalars(select(Lot).where(Lot.tender_id == tender_id).order_by(Lot.number))
    ).all()
    found: dict[uuid.UUID, list[OpenedBid]] = {lot.id: [] for lot in lots}
    for bid, name in await session.execute(
        _rows()
        .where(Bid.tender_id == tender_id, Bid.state == BidState.SUBMITTED)
        .order_by(Organisation.name, Bid.provider_id)
    ):
        found[bid.lot_id].append(OpenedBid(bid.id, bid.provider_id, name, bid.price_cents))
    return tuple(OpenedLot(lot.id, lot.number, lot.title, tuple(found[lot.id])) for lot in lots)


def _report(lots: Sequence[OpenedLot]) -> dict[str, Any]:
    return {
        "lots": [
            {
                "lotId": str(lot.lot_id),
                "number": lot.number,
                "title": lot.title,
                "bidCount": len(lot.bids),
                "bids": [
                    {
                        "bidId": str(bid.bid_id),
                        "providerId": str(bid.provider_id),
                        "providerName": bid.provider_name,
                        "priceCents": bid.price_cents,
                    }
                    for bid in lot.bids
                ],
            }
            for lot in lots
        ]
    }


def _lots_of(report: dict[str, Any]) -> tuple[OpenedLot, ...]:
    return tuple(
        OpenedLot(
            uuid.UUID(lot["lotId"]),
            lot["number"],
            lot["title"],
            tuple(
                OpenedBid(
                    uuid.UUID(bid["bidId"]),
                    uuid.UUID(bid["providerId"]),
                    bid["providerName"],
                    bid["priceCents"],
                )
                for bid in lot["bids"]
            ),
        )
        for lot in report["lots"]
    )


async def _opening(session: AsyncSession, tender_id: uuid.UUID) -> OpeningView:
    opening = await session.get(BidOpening, tender_id, populate_existing=True)
    assert opening is not None
    return OpeningView(
        opening.tender_id,
        opening.requested_by,
        opening.requested_at,
        opening.opened_by,
        opening.opened_at,
        None if opening.report is None else _lots_of(opening.report),
    )


async def bid_opening(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID
) -> OpeningView | None:
    """The opening (its request, and once opened its report), for the lead's procurement
    officers; None for anyone else, and while nobody requested it."""
    municipalities = actor.organisations(OrganisationKind.MUNICIPALITY, (Role.PROCUREMENT_OFFICER,))
    led = await session.scalar(
        select(BidOpening.tender_id)
        .join(Tender, Tender.id == BidOpening.tender_id)
        .join(Coalition, Coalition.id == Tender.coalition_id)
        .where(BidOpening.tender_id == tender_id, Coalition.lead_id.in_(municipalities))
    )
    return None if led is None else await _opening(session, tender_id)


async def tender_bids(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> list[BidView]:
    """The live bids of an opened tender, by lot and provider, for the lead's procurement
    officers (in full) and evaluators (without prices or documents). BidsSealed before
    the opening, whatever was bid."""
    tender, _ = await _led_tender(
        session, actor, tender_id, (Role.PROCUREMENT_OFFICER, Role.EVALUATOR)
    )
    opened = await session.scalar(
        select(BidOpening.opened_at).where(BidOpening.tender_id == tender.id)
    )
    if opened is None:
        raise errors.BidsSealed(field="tenderId")
    return await _readable(
        session,
        actor,
        _rows()
        .join(Lot, Lot.id == Bid.lot_id)
        .where(Bid.tender_id == tender.id)
        .order_by(Lot.number, Organisation.name, Bid.provider_id),
    )
