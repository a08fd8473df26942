"""Contracts for search's tests, inserted as rows: a municipality's signed contract with a
provider, with the minimal chain it stands on (coalition, tender, lot, bid, decision).

The one place tests make contracts until tenders' signContract and extendContract
mutations exist: swap `contract` and `extend` for those mutations then. Each states what
the mutation will (ContractSigned, ContractExtended, through the outbox) and, unless
`applied=False`, does at once what the event's subscriber (search:contract_changed) does
when a worker delivers it, so tests need no worker.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from market.catalog.models import Level, Route
from market.db import outbox
from market.db.database import Database
from market.identity.models import Organisation, OrganisationKind, Role
from market.search import indexer
from market.tenders.events import ContractExtended, ContractSigned
from market.tenders.models import (
    AwardDecision,
    Bid,
    BidState,
    Coalition,
    Contract,
    Lot,
    Tender,
)
from market.tenders.policies import AwardMethod, LotState, TenderState
from tests.support.actors import add_organisation, add_person


async def contract(
    db: Database,
    supplier_id: uuid.UUID,
    buyer_code: str,
    *,
    starts_on: date,
    ends_on: date,
    latest_end: date | None = None,
    applied: bool = True,
) -> uuid.UUID:
    """Municipality `buyer_code`'s contract with the provider `supplier_id`, running from
    `starts_on` to `ends_on` (exclusive), signed now."""
    buyer = await _municipality(db, buyer_code)
    officer = await add_person(db, organisation_id=buyer, role=Role.PROCUREMENT_OFFICER)
    now = datetime.now(UTC)
    async with db.transaction() as session:
        coalition = Coalition(name=f"Inkoop {buyer_code}", lead_id=buyer)
        session.add(coalition)
        await session.flush()
        tender = Tender(
            coalition_id=coalition.id,
            state=TenderState.CONTRACTED,
            title="Inburgering B1",
            description="Trajecten B1-route.",
            award_method=AwardMethod.FIXED_PRICE,
            publication_at=now - timedelta(days=90),
            questions_deadline=now - timedelta(days=70),
            bid_deadline=now - timedelta(days=50),
            planned_award_at=now - timedelta(days=30),
            contract_start_at=now - timedelta(days=1),
            initial_term_months=24,
            extension_months=[12],
            estimated_total_value_cents=10_000_000,
        )
        session.add(tender)
        await session.flush()
        lot = Lot(
            tender_id=tender.id,
            number=1,
            title="B1-route",
            route=Route.B1,
            level=Level.B1,
            region_codes=["AM18"],
            state=LotState.CONTRACTED,
        )
        session.add(lot)
        await session.flush()
        bid = Bid(
            tender_id=tender.id,
            lot_id=lot.id,
            provider_id=supplier_id,
            state=BidState.SUBMITTED,
            price_cents=300_000,
        )
        session.add(bid)
        await session.flush()
        decision = AwardDecision(
            tender_id=tender.id,
            lot_id=lot.id,
            winning_bid_id=bid.id,
            ranking={},
            reasons="De beste prijs-kwaliteitverhouding.",
            decided_by=officer.user_id,
            sent_at=now - timedelta(days=30),
            standstill_ends_at=now - timedelta(days=10),
        )
        session.add(decision)
        await session.flush()
        signed = Contract(
            tender_id=tender.id,
            lot_id=lot.id,
            decision_id=decision.id,
            bid_id=bid.id,
            buyer_id=buyer,
            supplier_id=supplier_id,
            learners_per_year=40,
            price_cents=300_000,
            starts_on=starts_on,
            ends_on=ends_on,
            latest_end_date=latest_end or ends_on + timedelta(days=365),
            signed_by=officer.user_id,
        )
        session.add(signed)
        await session.flush()
        stated = ContractSigned(
            contract_id=signed.id, tender_id=tender.id, buyer_id=buyer, supplier_id=supplier_id
        )
        await outbox.record(session, stated)
        if applied:
            await indexer.contracts_changed(session, [supplier_id])
        return signed.id


async def _municipality(db: Database, code: str) -> uuid.UUID:
    """The municipality's organisation (one per municipality), made on first use."""
    async with db.reader() as session:
        known = await session.scalar(
            select(Organisation.id).where(Organisation.municipality_code == code)
        )
    return known or await add_organisation(
        db, OrganisationKind.MUNICIPALITY, f"Gemeente {code}", municipality_code=code
    )


async def extend(
    db: Database, contract_id: uuid.UUID, ends_on: date, *, applied: bool = True
) -> None:
    """An extension option exercised: the contract now ends on `ends_on`."""
    async with db.transaction() as session:
        supplier_id = await session.scalar(
            update(Contract)
            .where(Contract.id == contract_id)
            .values(ends_on=ends_on, extensions_exercised=Contract.extensions_exercised + 1)
            .returning(Contract.supplier_id)
        )
        assert supplier_id is not None
        await outbox.record(
            session, ContractExtended(contract_id=contract_id, supplier_id=supplier_id)
        )
        if applied:
            await indexer.contracts_changed(session, [supplier_id])


async def move_term(db: Database, contract_id: uuid.UUID, starts_on: date, ends_on: date) -> None:
    """Time passing, as the tests move it: the contract's stored term changes without any
    event (the daily job, `indexer.contracts_changed()`, must notice)."""
    async with db.transaction() as session:
        await session.execute(
            update(Contract)
            .where(Contract.id == contract_id)
            .values(starts_on=starts_on, ends_on=ends_on)
        )
