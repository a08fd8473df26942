"""Contracts after an award: one per member municipality with volume in the lot, each
holding only that member's own learners a year, so a lot's contracts add up to its total
(guarantee 9); and the extension options each buyer exercises within the latest end date.

A member's procurement officer signs its own contract once the lot's standstill is over
by the database clock and no objection on the lot is open (guarantee 6); refused, nothing
is written. The contract takes the winning bid's price, starts on the tender's contract
start (its Amsterdam date) and ends after the initial term; each extension option, in the
published order, moves the end by its months, never past the latest end date. When every
member with volume has signed, the lot is contracted; when every lot is contracted,
unsuccessful or cancelled (and at least one contracted), the tender is.

Who reads a contract: the coalition's insiders (its members' procurement officers and
evaluators), the supplier's staff, and platform admins. Writes take the tender's row lock
(see market.tenders.objections), are appended to its audit trail and stated through the
outbox. Functions only flush; the caller's boundary commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Date, Select, cast, false, func, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from market.db import outbox
from market.identity.models import Organisation, OrganisationKind, Role
from market.identity.policies import Actor
from market.kernel.pagination import Page, PageRequest, created_cursor, encode_cursor
from market.tenders import audit, errors, events, policies
from market.tenders.models import (
    AwardDecision,
    Bid,
    CoalitionMember,
    Contract,
    Lot,
    LotVolume,
    MemberState,
    Tender,
)
from market.tenders.objections import LotAward, has_open_objection, locked_lot
from market.tenders.policies import LotState, TenderState
from market.tenders.service import INSIDER_ROLES, acting_municipality, tender_view, visible_tenders

PROVIDER_STAFF = (Role.OWNER, Role.EDITOR)
# A lot in one of these states is settled: nothing more is signed on it.
_SETTLED = frozenset({LotState.CONTRACTED, LotState.UNSUCCESSFUL, LotState.CANCELLED})


@dataclass(frozen=True, slots=True)
class ContractView:
    id: uuid.UUID
    tender_id: uuid.UUID
    tender_title: str
    lot_id: uuid.UUID
    lot_number: int
    lot_title: str
    buyer_id: uuid.UUID
    buyer_name: str
    supplier_id: uuid.UUID
    supplier_name: str
    learners_per_year: int
    price_cents: int
    starts_on: date
    ends_on: date
    latest_end_date: date
    extensions_exercised: int
    # The months of the extension options not yet exercised, in the order they come.
    extensions_left: tuple[int, ...]
    signed_at: datetime


# -- reading --------------------------------------------------------------------------------


def _readable(actor: Actor) -> ColumnElement[bool]:
    """Platform admins read every contract; the coalition's insiders its tenders'; a
    provider's staff their provider's."""
    if actor.is_platform_admin:
        return true()
    municipalities = actor.organisations(OrganisationKind.MUNICIPALITY, INSIDER_ROLES)
    providers = actor.organisations(OrganisationKind.PROVIDER, PROVIDER_STAFF)
    insider = Contract.tender_id.in_(
        select(Tender.id)
        .join(CoalitionMember, CoalitionMember.coalition_id == Tender.coalition_id)
        .where(
            CoalitionMember.organisation_id.in_(municipalities),
            CoalitionMember.state == MemberState.MEMBER,
        )
    )
    return or_(
        insider if municipalities else false(),
        Contract.supplier_id.in_(providers) if providers else false(),
    )


_Buyer = aliased(Organisation)
_Supplier = aliased(Organisation)


def _rows() -> Select[Contract, Tender, Lot, str, str]:
    return (
        select(Contract, Tender, Lot, _Buyer.name, _Supplier.name)
        .join(Tender, Tender.id == Contract.tender_id)
        .join(Lot, Lot.id == Contract.lot_id)
        .join(_Buyer, _Buyer.id == Contract.buyer_id)
        .join(_Supplier, _Supplier.id == Contract.supplier_id)
    )


def _view(contract: Contract, tender: Tender, lot: Lot, buyer: str, supplier: str) -> ContractView:
    return ContractView(
        id=contract.id,
        tender_id=tender.id,
        tender_title=tender.title,
        lot_id=lot.id,
        lot_number=lot.number,
        lot_title=lot.title,
        buyer_id=contract.buyer_id,
        buyer_name=buyer,
        supplier_id=contract.supplier_id,
        supplier_name=supplier,
        learners_per_year=contract.learners_per_year,
        price_cents=contract.price_cents,
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
        latest_end_date=contract.latest_end_date,
        extensions_exercised=contract.extensions_exercised,
        extensions_left=tuple(tender.extension_months[contract.extensions_exercised :]),
        signed_at=contract.signed_at,
    )


async def _views(
    session: AsyncSession, statement: Select[Contract, Tender, Lot, str, str]
) -> list[ContractView]:
    rows = await session.execute(statement.execution_options(populate_existing=True))
    return [_view(*row) for row in rows]


async def _one(session: AsyncSession, contract_id: uuid.UUID) -> ContractView:
    await session.flush()
    (view,) = await _views(session, _rows().where(Contract.id == contract_id))
    return view


async def tender_contracts(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID, lot_id: uuid.UUID | None = None
) -> list[ContractView]:
    """The contracts of a tender (or of one of its lots) the actor reads, by lot and
    buyer name; TenderNotFound for a tender the actor does not see."""
    actor.require_user()
    visible = await session.scalar(
        select(Tender.id).where(Tender.id == tender_id, visible_tenders(actor))
    )
    if visible is None:
        raise errors.TenderNotFound(field="tenderId")
    statement = _rows().where(Contract.tender_id == tender_id, _readable(actor))
    if lot_id is not None:
        statement = statement.where(Contract.lot_id == lot_id)
    return await _views(session, statement.order_by(Lot.number, _Buyer.name, Contract.id))


async def _newest(
    session: AsyncSession, where: ColumnElement[bool], page: PageRequest
) -> Page[ContractView]:
    """A page of the contracts that match, newest signature first."""
    total = await session.scalar(select(func.count()).select_from(Contract).where(where))
    statement = _rows().where(where)
    if page.after is not None:
        after = tuple_(*created_cursor(page.after))
        statement = statement.where(tuple_(Contract.signed_at, Contract.id) < after)
    found = await _views(
        session,
        statement.order_by(Contract.signed_at.desc(), Contract.id.desc()).limit(page.first + 1),
    )
    items = found[: page.first]
    end = encode_cursor([items[-1].signed_at.isoformat(), items[-1].id]) if items else None
    return Page(items, len(found) > page.first, end, total or 0)


async def my_contracts(
    session: AsyncSession, actor: Actor, page: PageRequest
) -> Page[ContractView]:
    """The contracts the actor's providers won, newest first."""
    actor.require_user()
    providers = actor.organisations(OrganisationKind.PROVIDER, PROVIDER_STAFF)
    return await _newest(session, Contract.supplier_id.in_(providers), page)


async def municipality_contracts(
    session: AsyncSession, actor: Actor, page: PageRequest
) -> Page[ContractView]:
    """The contracts the actor's municipalities signed as buyer, newest first, for their
    procurement officers and evaluators."""
    actor.require_user()
    municipalities = actor.organisations(OrganisationKind.MUNICIPALITY, INSIDER_ROLES)
    return await _newest(session, Contract.buyer_id.in_(municipalities), page)


# -- signing --------------------------------------------------------------------------------


async def _recorded(
    session: AsyncSession, actor: Actor, tender: Tender, action: str, contract: Contract
) -> None:
    await session.flush()
    await audit.record_tender(
        session,
        actor,
        tender,
        action,
        await tender_view(session, actor, tender.id),
        contract=str(contract.id),
        lot=str(contract.lot_id),
        buyer=str(contract.buyer_id),
        endsOn=contract.ends_on.isoformat(),
    )


async def _volumes(session: AsyncSession, lot_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """The members with volume in the lot: the ones that get a contract."""
    return {
        organisation_id: learners
        for organisation_id, learners in await session.execute(
            select(LotVolume.organisation_id, LotVolume.learners_per_year).where(
                LotVolume.lot_id == lot_id, LotVolume.learners_per_year > 0
            )
        )
    }


async def _signable(
    session: AsyncSession, award: LotAward, buyer_id: uuid.UUID
) -> tuple[AwardDecision, dict[uuid.UUID, int], set[uuid.UUID]]:
    """The lot's decision, the volumes of its members with one, and who signed already,
    once the buyer may sign; otherwise the first rule it breaks, before anything is
    written."""
    member = await session.get(CoalitionMember, (award.tender.coalition_id, buyer_id))
    if member is None or member.state is not MemberState.MEMBER:
        raise errors.NotCoalitionMember(field="lotId")
    decision = award.decision
    if decision is None:
        raise errors.NoStandingAwardDecision(field="lotId")
    volumes = await _volumes(session, award.lot.id)
    if buyer_id not in volumes:
        raise errors.NoVolumeInLot(field="lotId")
    signed = set(
        await session.scalars(select(Contract.buyer_id).where(Contract.lot_id == award.lot.id))
    )
    if buyer_id in signed:
        raise errors.ContractAlreadySigned(field="lotId")
    if not award.standstill_over:
        raise errors.StandstillRunning(
            field="lotId", endsAt=decision.standstill_ends_at.isoformat()
        )
    if await has_open_objection(session, award.lot.id):
        raise errors.ObjectionOpen(field="lotId")
    return decision, volumes, signed


async def sign_contract(
    session: AsyncSession,
    actor: Actor,
    lot_id: uuid.UUID,
    municipality_id: uuid.UUID | None = None,
) -> ContractView:
    """A member municipality's procurement officer signs its own contract on an awarded
    lot, after the standstill and while no objection on the lot is open."""
    buyer_id = acting_municipality(actor, municipality_id, field="municipalityId")
    award = await locked_lot(session, actor, lot_id)
    decision, volumes, signed = await _signable(session, award, buyer_id)
    lot, tender = award.lot, award.tender
    winner = await session.get(Bid, decision.winning_bid_id)
    # The decision names a stored bid; publication requires the latest end date.
    assert winner is not None
    assert tender.latest_end_date is not None
    starts_on = policies.contract_starts_on(tender.contract_start_at)
    contract = Contract(
        id=uuid.uuid4(),
        tender_id=tender.id,
        lot_id=lot.id,
        decision_id=decision.id,
        bid_id=winner.id,
        buyer_id=buyer_id,
        supplier_id=winner.provider_id,
        learners_per_year=volumes[buyer_id],
        price_cents=winner.price_cents,
        starts_on=starts_on,
        ends_on=policies.contract_ends_on(starts_on, tender.initial_term_months),
        latest_end_date=tender.latest_end_date,
        signed_by=actor.user_id,
    )
    session.add(contract)
    if volumes.keys() <= signed | {buyer_id}:
        policies.move_lot(lot, LotState.CONTRACTED)
        await _settle_tender(session, tender)
    await _recorded(session, actor, tender, "tender.contract_signed", contract)
    await outbox.record(
        session, events.ContractSigned(contract.id, tender.id, buyer_id, winner.provider_id)
    )
    return await _one(session, contract.id)


async def _settle_tender(session: AsyncSession, tender: Tender) -> None:
    """The tender contracted once every lot is settled, at least one by contracts."""
    await session.flush()
    states = set(await session.scalars(select(Lot.state).where(Lot.tender_id == tender.id)))
    if states <= _SETTLED and LotState.CONTRACTED in states:
        policies.move_tender(tender, TenderState.CONTRACTED)


# -- extending ------------------------------------------------------------------------------


def _today() -> ColumnElement[date]:
    """Today on the Amsterdam calendar, by the database clock."""
    return cast(func.timezone(policies.AMSTERDAM.key, func.now()), Date)


async def exercise_extension(
    session: AsyncSession, actor: Actor, contract_id: uuid.UUID
) -> ContractView:
    """The buyer's procurement officer takes the contract's next extension option: it
    ends that many months later, never past its latest end date, and only while it runs."""
    actor.require_user()
    found = (
        await session.execute(
            select(Contract, Tender, _today() > Contract.ends_on)
            .join(Tender, Tender.id == Contract.tender_id)
            .where(Contract.id == contract_id, _readable(actor))
            .with_for_update(of=(Tender, Contract))
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if found is None:
        raise errors.ContractNotFound(field="contractId")
    contract, tender, ended = found
    if not actor.acts_for(contract.buyer_id, (Role.PROCUREMENT_OFFICER,)):
        raise errors.NotContractBuyer(field="contractId")
    options: Sequence[int] = tender.extension_months
    taken = contract.extensions_exercised
    if taken >= len(options):
        raise errors.NoExtensionLeft(field="contractId")
    if ended:
        raise errors.ContractEnded(field="contractId", endsOn=contract.ends_on.isoformat())
    months = tender.initial_term_months + sum(options[: taken + 1])
    ends_on = policies.contract_ends_on(contract.starts_on, months)
    if ends_on > contract.latest_end_date:
        raise errors.ExtensionPastLatestEnd(
            field="contractId",
            endsOn=ends_on.isoformat(),
            latestEndDate=contract.latest_end_date.isoformat(),
        )
    contract.ends_on = ends_on
    contract.extensions_exercised = taken + 1
    await _recorded(session, actor, tender, "tender.contract_extended", contract)
    await outbox.record(session, events.ContractExtended(contract.id, contract.supplier_id))
    return await _one(session, contract.id)
