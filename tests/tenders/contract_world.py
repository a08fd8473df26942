"""A tender whose award is decided, for the parts that follow the award (objections,
contracts, extensions), reached through the real API: published (its award terms frozen),
bids opened by two officers, every bid checked, scored by two evaluators and agreed on,
and both lots awarded. The standstill runs from now; `end_standstill` moves it into the
past (time moves by stored dates, never sleeping).

Lot 1 (Z-route: Amsterdam 80 learners a year, Amstelveen 20) goes to Alfa Taal, with Beta
Inburgering second; lot 2 (Onderwijsroute mbo: Amsterdam 40) to Beta Inburgering alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import Role
from tests.support.actors import Person, add_person
from tests.support.graphql import GraphQLClient
from tests.tenders.award_world import AGREE, CHECK, DECIDE, SCORE
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
# Every evaluator's score, and so the consensus, of every bid on both criteria.
QUALITY_BP = 8_000


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


async def _evaluate(
    gql: GraphQLClient, w: BidWorld, bid: str, evaluators: tuple[Person, Person]
) -> None:
    """The bid passed, scored QUALITY_BP on every criterion by both evaluators, and
    agreed on at that."""
    scores = [
        {"criterionId": criterion, "scoreBp": QUALITY_BP, "motivation": "Goed onderbouwd."}
        for criterion in w.criteria
    ]
    officer = w.coalition.lead.officer
    (await gql(CHECK, {"bid": bid, "passed": True}, token=officer.token)).ok()
    for evaluator in evaluators:
        (await gql(SCORE, {"bid": bid, "scores": scores}, token=evaluator.token)).ok()
    (await gql(AGREE, {"bid": bid, "scores": scores}, token=evaluators[0].token)).ok()


async def decided_tender(db: Database, gql: GraphQLClient) -> DecidedTender:
    """The bid world's tender, published with frozen terms, its bids opened, every bid
    passed and scored, and each lot awarded: decisions sent now, the standstill running
    to the end of the 20th Amsterdam day after today."""
    w = await build_bid_world(db, gql, frozen_terms=True)
    alpha = await submit(gql, w.alpha.owner, bid_input(w, 0, ALPHA_PRICE))
    beta = await submit(gql, w.beta.owner, bid_input(w, 0, BETA_PRICES[0]))
    beta_2 = await submit(gql, w.beta.owner, bid_input(w, 1, BETA_PRICES[1]))
    await pass_bid_deadline(db, w.tender)
    lead = w.coalition.lead
    for officer in (lead.officer, w.second_officer):
        (await gql(OPEN, {"tender": w.tender}, token=officer.token)).ok()
    second_evaluator = await add_person(
        db, organisation_id=lead.organisation_id, role=Role.EVALUATOR
    )
    for bid in (alpha, beta, beta_2):
        await _evaluate(gql, w, bid["id"], (lead.evaluator, second_evaluator))
    reasons = "De economisch meest voordelige inschrijving."
    lots = [{"lotId": lot, "reasons": reasons} for lot in w.lots]
    decided = await gql(DECIDE, {"tender": w.tender, "lots": lots}, token=lead.officer.token)
    winners = (alpha["id"], beta_2["id"])
    # The ranking, not this fixture, picks the winners: they must be the ones it promises.
    assert tuple(d["winner"]["bidId"] for d in decided.ok()["decideAward"]) == winners
    return DecidedTender(w, winners, beta["id"])


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
