"""The open-data tests' world after the bid deadline, all through the API: the opening
(bid_world), corrections (`updateTender`, `correct`), and in `contracted_tender` the
evaluation, the award decisions, an upheld objection and the contracts. Moments are then
fixed by SQL on the stored dates, so the releases' dates can be asserted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import Role
from tests.support.actors import Person, add_person
from tests.support.graphql import GraphQLClient
from tests.tenders import correction_world
from tests.tenders.award_world import AGREE, DECIDE, SCORE, check
from tests.tenders.bid_world import (
    OPEN,
    BidWorld,
    bid_input,
    build_bid_world,
    pass_bid_deadline,
    submit,
)
from tests.tenders.contract_world import RESOLVE_OBJECTION, object_to, sign
from tests.tenders.world import TENDER, CoalitionWorld, rows, tender_input

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


async def opened_tender(db: Database, gql: GraphQLClient, *, frozen: bool = False) -> BidWorld:
    """The bid world's tender with Alfa's bids on both lots and Beta's on lot 1, opened by
    the lead's two officers after the deadline; published and opened at fixed moments.
    `frozen`: published through the API (see `build_bid_world`)."""
    w = await build_bid_world(db, gql, frozen_terms=frozen)
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


async def _bid(db: Database, lot: str, provider_id: uuid.UUID) -> str:
    ((bid_id,),) = await rows(
        db,
        "SELECT id FROM tender_bids WHERE lot_id = :lot AND provider_id = :provider",
        lot=ids.decode("Lot", lot),
        provider=provider_id,
    )
    return ids.encode("Bid", bid_id)


async def _passed_and_agreed(gql: GraphQLClient, w: BidWorld, second: Person, bid: str) -> None:
    """The bid passed the lead officer's check, scored by two evaluators and agreed at 80%
    on both criteria."""
    (await check(gql, w.coalition.lead.officer, bid, True)).ok()
    given = [
        {"criterionId": criterion, "scoreBp": 8000, "motivation": "Goed onderbouwd."}
        for criterion in w.criteria
    ]
    variables = {"bid": bid, "scores": given}
    for evaluator in (w.coalition.lead.evaluator, second):
        (await gql(SCORE, variables, token=evaluator.token)).ok()
    (await gql(AGREE, variables, token=w.coalition.lead.evaluator.token)).ok()


async def _decisions(db: Database, w: BidWorld) -> dict[int, uuid.UUID]:
    """The award decision of each lot, by the lot's number."""
    found = await rows(
        db,
        "SELECT l.number, d.id FROM tender_award_decisions d"
        " JOIN tender_lots l ON l.id = d.lot_id WHERE d.tender_id = :id",
        id=w.tender_id,
    )
    return dict(found)


async def contracted_tender(db: Database, gql: GraphQLClient) -> ContractedWorld:
    """The opened tender decided and contracted, all through the API: lot 1 awarded to
    Beta, the lead and the member each signing a contract for their own learners; lot 2
    awarded to Alfa, that decision withdrawn by an upheld objection and Alfa's bid then
    failing its check, so the lot is unsuccessful; the tender contracted. The decisions'
    sending, the withdrawal and the signing then dated at the fixed moments by SQL."""
    w = await opened_tender(db, gql, frozen=True)
    c = w.coalition
    lead = c.lead.officer
    second = await add_person(db, organisation_id=c.lead.organisation_id, role=Role.EVALUATOR)
    alfa_2 = await _bid(db, w.lots[1], w.alpha.organisation_id)
    for bid in (
        await _bid(db, w.lots[0], w.alpha.organisation_id),
        await _bid(db, w.lots[0], w.beta.organisation_id),
        alfa_2,
    ):
        await _passed_and_agreed(gql, w, second, bid)
    lots = [
        {"lotId": w.lots[0], "reasons": "Beta Inburgering heeft de hoogste score."},
        {"lotId": w.lots[1], "reasons": "Alfa Taal heeft de hoogste score."},
    ]
    (await gql(DECIDE, {"tender": w.tender, "lots": lots}, token=lead.token)).ok()
    decisions = await _decisions(db, w)
    objection = await object_to(gql, lead.token, w.lots[1], provider=w.alpha.id)
    upheld = {"objection": objection["id"], "outcome": "UPHELD", "resolution": "Herbeoordeeld."}
    (await gql(RESOLVE_OBJECTION, upheld, token=lead.token)).ok()
    (await check(gql, lead, alfa_2, False, "Geen Blik op Werk-keurmerk.")).ok()
    await execute(
        db,
        "UPDATE tender_award_decisions SET sent_at = :sent, standstill_ends_at = :ends,"
        " withdrawn_at = CASE WHEN withdrawn_at IS NOT NULL"
        " THEN CAST(:withdrawn AS timestamptz) END"
        " WHERE tender_id = :id",
        sent=SENT,
        ends=SENT + STANDSTILL,
        withdrawn=WITHDRAWN,
        id=w.tender_id,
    )
    # The award and contract term as the tender first described them, whatever year the
    # tests run in.
    await execute(
        db,
        "UPDATE tenders SET planned_award_at = :award, contract_start_at = :start,"
        " latest_end_date = :latest WHERE id = :id",
        award=datetime(2027, 5, 3, 10, tzinfo=UTC),
        start=datetime(2027, 8, 31, 22, tzinfo=UTC),
        latest=date(2031, 8, 31),
        id=w.tender_id,
    )
    signed = [
        await sign(gql, officer.token, w.lots[0]) for officer in (c.lead.officer, c.member.officer)
    ]
    await execute(
        db,
        "UPDATE tender_contracts SET signed_at = :at WHERE tender_id = :id",
        at=SIGNED,
        id=w.tender_id,
    )
    await execute(
        db, "UPDATE tenders SET updated_at = :at WHERE id = :id", at=CONTRACTED, id=w.tender_id
    )
    lead_contract, member_contract = (ids.decode("Contract", s["id"]) for s in signed)
    return ContractedWorld(
        w,
        (ids.decode("Lot", w.lots[0]), ids.decode("Lot", w.lots[1])),
        decisions[1],
        decisions[2],
        lead_contract,
        member_contract,
    )
