"""A tender whose award is decided, for the parts that follow the award (objections,
contracts, extensions). Up to the opening it goes through the real API (bid_world);
`decided_tender` then writes what evaluation and the award decision leave behind, as the
models describe it, until `decideAward` exists to call instead. The standstill runs from
now; `end_standstill` moves it into the past (time moves by stored dates, never sleeping).

Lot 1 (Z-route: Amsterdam 80 learners a year, Amstelveen 20) goes to Alfa Taal, with Beta
Inburgering second; lot 2 (Onderwijsroute mbo: Amsterdam 40) to Beta Inburgering alone."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.tenders import scoring
from market.tenders.policies import AwardMethod
from tests.support.graphql import GraphQLClient
from tests.tenders.bid_world import (
    OPEN,
    BidWorld,
    bid_input,
    build_bid_world,
    pass_bid_deadline,
    submit,
)
from tests.tenders.world import rows

ALPHA_PRICE = 900_000
BETA_PRICES = (950_000, 1_500_000)
# The consensus quality of every bid on both criteria.
QUALITY_BP = 8_000
_AWARD = scoring.AwardCriteria(
    method=AwardMethod.RELATIVE_PRICE,
    criteria=(scoring.Criterion("Plan van aanpak", 7000), scoring.Criterion("Begeleiding", 3000)),
    quality_weight_bp=6000,
    price_weight_bp=4000,
)


@dataclass(frozen=True)
class DecidedTender:
    bids: BidWorld
    # The winning bid of each lot, and the losing one of lot 1.
    winners: tuple[str, str]
    loser: str

    @property
    def tender(self) -> str:
        return self.bids.tender

    @property
    def lots(self) -> tuple[str, str]:
        return self.bids.lots


def _bid_id(bid: dict[str, Any]) -> uuid.UUID:
    return ids.decode("Bid", bid["id"])


async def decided_tender(db: Database, gql: GraphQLClient) -> DecidedTender:
    """The bid world's tender with its bids opened, every bid passed and scored, and each
    lot awarded: decisions sent now, the standstill running for 20 more days."""
    w = await build_bid_world(db, gql)
    alpha = await submit(gql, w.alpha.owner, bid_input(w, 0, ALPHA_PRICE))
    beta = await submit(gql, w.beta.owner, bid_input(w, 0, BETA_PRICES[0]))
    beta_2 = await submit(gql, w.beta.owner, bid_input(w, 1, BETA_PRICES[1]))
    await pass_bid_deadline(db, w.tender)
    for officer in (w.coalition.lead.officer, w.second_officer):
        (await gql(OPEN, {"tender": w.tender}, token=officer.token)).ok()
    officer_id = w.coalition.lead.officer.user_id
    criteria = [ids.decode("QualityCriterion", c) for c in w.criteria]
    lots = [ids.decode("Lot", lot) for lot in w.lots]
    async with db.transaction() as session:
        for bid in (alpha, beta, beta_2):
            await session.execute(
                text(
                    "INSERT INTO tender_bid_checks (bid_id, passed, checked_by)"
                    " VALUES (:bid, true, :officer)"
                ),
                {"bid": _bid_id(bid), "officer": officer_id},
            )
            for criterion in criteria:
                await session.execute(
                    text(
                        "INSERT INTO tender_consensus_scores"
                        " (bid_id, criterion_id, score_bp, motivation, agreed_by)"
                        " VALUES (:bid, :criterion, :score, 'Goed onderbouwd.', :officer)"
                    ),
                    {
                        "bid": _bid_id(bid),
                        "criterion": criterion,
                        "score": QUALITY_BP,
                        "officer": officer_id,
                    },
                )
        for lot, lot_bids in zip(lots, ((alpha, beta), (beta_2,)), strict=True):
            ranking = scoring.rank(
                _AWARD,
                [
                    scoring.Bid(
                        str(_bid_id(bid)),
                        bid["priceCents"],
                        {c.name: Decimal(QUALITY_BP) / 10_000 for c in _AWARD.criteria},
                    )
                    for bid in lot_bids
                ],
            )
            await session.execute(
                text(
                    "INSERT INTO tender_award_decisions (id, tender_id, lot_id, state,"
                    " winning_bid_id, ranking, reasons, decided_by, sent_at, standstill_ends_at)"
                    " VALUES (gen_random_uuid(), :tender, :lot, 'standing', :winner,"
                    " CAST(:ranking AS jsonb), 'De economisch meest voordelige inschrijving.',"
                    " :officer, now(), now() + interval '20 days')"
                ),
                {
                    "tender": w.tender_id,
                    "lot": lot,
                    "winner": uuid.UUID(ranking.ranked[0].bid_id),
                    "ranking": json.dumps(ranking.to_record()),
                    "officer": officer_id,
                },
            )
        await session.execute(
            text("UPDATE tender_lots SET state = 'award_decided' WHERE tender_id = :tender"),
            {"tender": w.tender_id},
        )
        await session.execute(
            text("UPDATE tenders SET state = 'award_decided' WHERE id = :tender"),
            {"tender": w.tender_id},
        )
    return DecidedTender(w, (alpha["id"], beta_2["id"]), beta["id"])


async def end_standstill(db: Database, tender: str) -> None:
    """The decisions sent three weeks ago, their standstill over a minute ago."""
    async with db.transaction() as session:
        await session.execute(
            text(
                "UPDATE tender_award_decisions SET sent_at = now() - interval '21 days',"
                " standstill_ends_at = now() - interval '1 minute' WHERE tender_id = :tender"
            ),
            {"tender": ids.decode("Tender", tender)},
        )


AWARD_TABLES = (
    "tender_audit_entries",
    "tender_award_decisions",
    "tender_objections",
    "tender_contracts",
    "tender_lots",
    "tenders",
)


async def award_tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """What the award, objections and contracts left, table by table, with the audit
    trail and the outbox's jobs."""
    tables = {
        table: await rows(db, f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608
        for table in AWARD_TABLES
    }
    tables["jobs"] = await rows(
        db, "SELECT id, task_name, args FROM procrastinate_jobs ORDER BY id"
    )
    return tables


OBJECTION_FIELDS = """
  id tenderId lotId lotNumber providerId providerName text state registeredAt resolution
  resolvedAt
"""
REGISTER_OBJECTION = f"""mutation($lot: ID!, $text: String!, $provider: ID) {{
  registerObjection(lotId: $lot, text: $text, providerId: $provider) {{ {OBJECTION_FIELDS} }}
}}"""
RESOLVE_OBJECTION = f"""mutation(
  $objection: ID!, $outcome: ObjectionOutcome!, $resolution: String!
) {{
  resolveObjection(objectionId: $objection, outcome: $outcome, resolution: $resolution) {{
    {OBJECTION_FIELDS}
  }}
}}"""
LOT_OBJECTIONS = f"query($lot: ID!) {{ lotObjections(lotId: $lot) {{ {OBJECTION_FIELDS} }} }}"
CONTRACT_FIELDS = """
  id tenderId tenderTitle lotId lotNumber lotTitle buyerId buyerName supplierId supplierName
  learnersPerYear priceCents startsOn endsOn latestEndDate extensionsExercised extensionsLeft
  signedAt
"""
SIGN = f"""mutation($lot: ID!, $municipality: ID) {{
  signContract(lotId: $lot, municipalityId: $municipality) {{ {CONTRACT_FIELDS} }}
}}"""
EXTEND = f"""mutation($contract: ID!) {{
  exerciseExtension(contractId: $contract) {{ {CONTRACT_FIELDS} }}
}}"""
TENDER_CONTRACTS = f"""query($tender: ID!, $lot: ID) {{
  tenderContracts(tenderId: $tender, lotId: $lot) {{ {CONTRACT_FIELDS} }}
}}"""
PAGE = "totalCount pageInfo { hasNextPage endCursor }"
MY_CONTRACTS = f"""query($first: Int, $after: String) {{
  myContracts(first: $first, after: $after) {{ {PAGE} nodes {{ {CONTRACT_FIELDS} }} }}
}}"""
CONTRACTS = f"""query($first: Int, $after: String) {{
  contracts(first: $first, after: $after) {{ {PAGE} nodes {{ {CONTRACT_FIELDS} }} }}
}}"""
STATES = "query($id: ID!) { tender(id: $id) { state lots { number state } } }"


async def sign(gql: GraphQLClient, token: str, lot: str) -> dict[str, Any]:
    return dict((await gql(SIGN, {"lot": lot}, token=token)).ok()["signContract"])


async def object_to(gql: GraphQLClient, token: str, lot: str, **variables: Any) -> dict[str, Any]:
    result = await gql(
        REGISTER_OBJECTION, {"lot": lot, "text": "De score is onjuist.", **variables}, token=token
    )
    return dict(result.ok()["registerObjection"])


async def states(gql: GraphQLClient, token: str, tender: str) -> tuple[str, list[str]]:
    """The tender's state and its lots', by number."""
    read = (await gql(STATES, {"id": tender}, token=token)).ok()["tender"]
    return read["state"], [lot["state"] for lot in read["lots"]]
