"""The open-data tests' world after the bid deadline. Up to the four-eyes opening it goes
through the real API (bid_world); corrections go through `updateTender` (`correct`); the
rows other parts write after the opening (award decisions, contracts) are inserted here,
as the models describe them, in `contracted_tender`. Moments after the opening are fixed
(stored dates moved by SQL), so the releases' dates can be asserted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.tenders.models import AwardDecision, Contract, DecisionState
from tests.support.graphql import GraphQLClient
from tests.tenders import correction_world
from tests.tenders.bid_world import (
    OPEN,
    BidWorld,
    bid_input,
    build_bid_world,
    pass_bid_deadline,
    submit,
)
from tests.tenders.world import TENDER, CoalitionWorld, tender_input

PUBLISHED = datetime(2026, 9, 1, 8, tzinfo=UTC)
OPENED = datetime(2026, 10, 13, 10, tzinfo=UTC)
SENT = datetime(2026, 10, 27, 9, tzinfo=UTC)
WITHDRAWN = datetime(2026, 11, 3, 9, tzinfo=UTC)
SIGNED = datetime(2026, 11, 17, 9, tzinfo=UTC)
CONTRACTED = datetime(2026, 11, 17, 9, 5, tzinfo=UTC)
STANDSTILL = timedelta(days=21)
# Beta wins lot 1; Alfa bids on both lots and wins lot 2 until that decision is withdrawn.
ALFA_LOT_1_CENTS, BETA_LOT_1_CENTS, ALFA_LOT_2_CENTS = 990_000, 700_000, 1_500_000
ALFA_KVK, BETA_KVK = "12345678", "87654321"


async def execute(db: Database, statement: str, **params: Any) -> None:
    async with db.transaction() as session:
        await session.execute(text(statement), params)


async def correct(
    db: Database,
    gql: GraphQLClient,
    w: CoalitionWorld,
    tender_id: uuid.UUID,
    *,
    at: datetime,
    deadline_after: datetime,
    title: str | None = None,
) -> None:
    """The lead's officer corrects the tender through `updateTender`: its bid deadline to
    `deadline_after` and, given one, its title; the correction then dated `at`."""
    tender = ids.encode("Tender", tender_id)
    stored = (await gql(TENDER, {"id": tender}, token=w.lead.officer.token)).ok()["tender"]
    draft = tender_input(w)
    for lot, kept in zip(draft["lots"], stored["lots"], strict=True):
        lot["maxValueCents"] = kept["maxValueCents"]
    draft["timeline"] = stored["timeline"] | {"bidDeadline": deadline_after.isoformat()}
    draft["contractTerm"] = stored["contractTerm"]
    draft["title"] = title or stored["title"]
    version = stored["version"] + 1
    reason = f"Correctie {version}: de termijn voor inschrijving wordt verlengd."
    (await correction_world.correct(gql, w, tender, draft, reason)).ok()
    await execute(
        db,
        "UPDATE tender_rectifications SET published_at = :at"
        " WHERE tender_id = :id AND version = :version",
        at=at,
        id=tender_id,
        version=version,
    )
    await execute(db, "UPDATE tenders SET updated_at = :at WHERE id = :id", at=at, id=tender_id)


@dataclass(frozen=True)
class ContractedWorld:
    bids: BidWorld
    lot_ids: tuple[uuid.UUID, uuid.UUID]
    decision: uuid.UUID  # lot 1, standing: Beta
    withdrawn: uuid.UUID  # lot 2, Alfa's, withdrawn
    lead_contract: uuid.UUID  # lot 1, the lead's 80 learners a year
    member_contract: uuid.UUID  # lot 1, the member's 20


async def opened_tender(db: Database, gql: GraphQLClient) -> BidWorld:
    """The bid world's tender with Alfa's bids on both lots and Beta's on lot 1, opened by
    the lead's two officers after the deadline; published and opened at fixed moments."""
    w = await build_bid_world(db, gql)
    for provider, kvk in ((w.alpha, ALFA_KVK), (w.beta, BETA_KVK)):
        await execute(
            db,
            "UPDATE organisations SET kvk_number = :kvk WHERE id = :id",
            kvk=kvk,
            id=provider.organisation_id,
        )
    await submit(gql, w.alpha.owner, bid_input(w, 0, ALFA_LOT_1_CENTS))
    await submit(gql, w.beta.editor, bid_input(w, 0, BETA_LOT_1_CENTS))
    await submit(gql, w.alpha.editor, bid_input(w, 1, ALFA_LOT_2_CENTS))
    await pass_bid_deadline(db, w.tender)
    for officer in (w.coalition.lead.officer, w.second_officer):
        (await gql(OPEN, {"tender": w.tender}, token=officer.token)).ok()
    await execute(
        db,
        "UPDATE tenders SET published_at = :published, updated_at = :opened WHERE id = :id",
        published=PUBLISHED,
        opened=OPENED,
        id=w.tender_id,
    )
    await execute(
        db,
        "UPDATE tender_bid_openings SET requested_at = :opened, opened_at = :opened"
        " WHERE tender_id = :id",
        opened=OPENED,
        id=w.tender_id,
    )
    return w


async def _live_bid(db: Database, lot_id: uuid.UUID, provider_id: uuid.UUID) -> uuid.UUID:
    async with db.reader() as session:
        found = await session.execute(
            text(
                "SELECT id FROM tender_bids"
                " WHERE lot_id = :lot AND provider_id = :provider AND state = 'submitted'"
            ),
            {"lot": lot_id, "provider": provider_id},
        )
        bid_id: uuid.UUID = found.scalar_one()
        return bid_id


async def contracted_tender(db: Database, gql: GraphQLClient) -> ContractedWorld:
    """The opened tender decided and contracted: lot 1 awarded to Beta, the lead and the
    member each signing a contract for their own learners; lot 2 awarded to Alfa, that
    decision withdrawn (an upheld objection) and the lot unsuccessful; the tender
    contracted."""
    w = await opened_tender(db, gql)
    lot_ids = (ids.decode("Lot", w.lots[0]), ids.decode("Lot", w.lots[1]))
    winner = await _live_bid(db, lot_ids[0], w.beta.organisation_id)
    officer = w.coalition.lead.officer.user_id
    decision = AwardDecision(
        id=uuid.uuid4(),
        tender_id=w.tender_id,
        lot_id=lot_ids[0],
        state=DecisionState.STANDING,
        winning_bid_id=winner,
        ranking={"lot": 1},
        reasons="Beta Inburgering heeft de hoogste score.",
        decided_by=officer,
        sent_at=SENT,
        standstill_ends_at=SENT + STANDSTILL,
    )
    withdrawn = AwardDecision(
        id=uuid.uuid4(),
        tender_id=w.tender_id,
        lot_id=lot_ids[1],
        state=DecisionState.WITHDRAWN,
        winning_bid_id=await _live_bid(db, lot_ids[1], w.alpha.organisation_id),
        ranking={"lot": 2},
        reasons="Alfa Taal heeft de hoogste score.",
        decided_by=officer,
        sent_at=SENT,
        standstill_ends_at=SENT + STANDSTILL,
        withdrawn_at=WITHDRAWN,
    )
    contracts = [
        Contract(
            id=uuid.uuid4(),
            tender_id=w.tender_id,
            lot_id=lot_ids[0],
            decision_id=decision.id,
            bid_id=winner,
            buyer_id=buyer,
            supplier_id=w.beta.organisation_id,
            learners_per_year=learners,
            price_cents=BETA_LOT_1_CENTS,
            starts_on=date(2027, 9, 1),
            ends_on=date(2029, 8, 31),
            latest_end_date=date(2031, 8, 31),
            signed_by=officer,
            signed_at=SIGNED,
        )
        for buyer, learners in (
            (w.coalition.lead.organisation_id, 80),
            (w.coalition.member.organisation_id, 20),
        )
    ]
    async with db.transaction() as session:
        session.add_all([decision, withdrawn])
        await session.flush()
        session.add_all(contracts)
    await execute(
        db,
        "UPDATE tender_lots SET state = CAST(CASE number WHEN 1 THEN 'contracted'"
        " ELSE 'unsuccessful' END AS lot_state) WHERE tender_id = :id",
        id=w.tender_id,
    )
    await execute(
        db,
        "UPDATE tenders SET state = 'contracted', updated_at = :at WHERE id = :id",
        at=CONTRACTED,
        id=w.tender_id,
    )
    return ContractedWorld(w, lot_ids, decision.id, withdrawn.id, contracts[0].id, contracts[1].id)
