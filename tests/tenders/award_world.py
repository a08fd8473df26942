"""The world evaluation and award tests share: the coalition's tender published through the
API (so its award terms are frozen: relative price, 60% quality; criteria "Plan van aanpak"
70% and "Begeleiding" 30%), bids on both lots, the deadline passed and the bids opened by
two officers; a second evaluator of the lead. Operations, helpers that drive them, and the
tables read straight from the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import Role
from tests.support.actors import Person, add_person, learner, platform_admin
from tests.support.graphql import GraphQLClient, Result
from tests.tenders.bid_world import OPEN, Provider, pass_bid_deadline, provider, submit
from tests.tenders.world import (
    PUBLISH_TENDER,
    CoalitionWorld,
    build_coalition,
    create_publishable_tender,
    rows,
)

EVALUATION_FIELDS = """
  bidId lotId providerName evaluatorCount scoredByMe
  check { passed reason checkedBy checkedAt }
  scores { evaluatorId criterionId scoreBp motivation }
  consensus { criterionId scoreBp motivation agreedBy }
"""
CHECK = f"""mutation($bid: ID!, $passed: Boolean!, $reason: String) {{
  checkBid(bidId: $bid, passed: $passed, reason: $reason) {{ {EVALUATION_FIELDS} }}
}}"""
SCORE = f"""mutation($bid: ID!, $scores: [QualityScoreInput!]!) {{
  scoreBid(bidId: $bid, scores: $scores) {{ {EVALUATION_FIELDS} }}
}}"""
AGREE = f"""mutation($bid: ID!, $scores: [QualityScoreInput!]!) {{
  agreeScore(bidId: $bid, scores: $scores) {{ {EVALUATION_FIELDS} }}
}}"""
EVALUATION = f"""query($tender: ID!) {{
  tenderEvaluation(tenderId: $tender) {{ {EVALUATION_FIELDS} }}
}}"""
RANKED_FIELDS = """
  rank bidId providerId providerName priceCents quality qualityPart pricePart score
  qualityScores { criterion fraction }
"""
DECISION_FIELDS = f"""
  id tenderId lotId lotNumber lotTitle state reasons sentAt standstillEndsAt
  winner {{ {RANKED_FIELDS} }}
  ranking {{ {RANKED_FIELDS} }}
  excluded {{ bidId providerName reason }}
"""
DECIDE = f"""mutation($tender: ID!, $lots: [LotAwardInput!]!, $key: String) {{
  decideAward(tenderId: $tender, lots: $lots, idempotencyKey: $key) {{ {DECISION_FIELDS} }}
}}"""
DECISIONS = f"""query($tender: ID!) {{
  awardDecisions(tenderId: $tender) {{ {DECISION_FIELDS} }}
}}"""
STATES = "query($id: ID!) { tender(id: $id) { state lots { id state } criteria { id name } } }"

EVALUATION_TABLES = (
    "tender_bid_checks",
    "tender_quality_scores",
    "tender_consensus_scores",
    "tender_award_decisions",
    "tender_lots",
    "tenders",
    "tender_audit_entries",
    "tender_idempotency_keys",
)


@dataclass(frozen=True)
class AwardWorld:
    coalition: CoalitionWorld
    tender: str
    lots: tuple[str, str]
    criteria: tuple[str, str]
    alpha: Provider  # bids on lot 1 at 9,900.00
    beta: Provider  # bids on lot 1 at 8,800.00
    gamma: Provider  # bids on lot 2 at 15,000.00
    delta: Provider  # does not bid
    bids: dict[str, str]  # "alpha", "beta", "gamma" -> bid id
    second_officer: Person
    second_evaluator: Person
    learner: Person
    admin: Person

    @property
    def officer(self) -> Person:
        return self.coalition.lead.officer

    @property
    def evaluator(self) -> Person:
        return self.coalition.lead.evaluator


def _bid(w: CoalitionWorld, lot: str, criteria: tuple[str, str], price: int) -> dict[str, Any]:
    return {
        "lotId": lot,
        "priceCents": price,
        "qualityAnswers": [
            {"criterionId": criteria[0], "text": "Een plan van aanpak in vier fasen."},
            {"criterionId": criteria[1], "text": "Een vaste coach per groep."},
        ],
    }


async def build_award_world(db: Database, gql: GraphQLClient, *, opened: bool = True) -> AwardWorld:
    """`opened`: the bids are opened; else the deadline has not passed yet."""
    w = await build_coalition(db, gql)
    tender = await create_publishable_tender(gql, w)
    (await gql(PUBLISH_TENDER, {"id": tender}, token=w.lead.officer.token)).ok()
    read = (await gql(STATES, {"id": tender}, token=w.lead.officer.token)).ok()["tender"]
    lots = (read["lots"][0]["id"], read["lots"][1]["id"])
    criteria = (read["criteria"][0]["id"], read["criteria"][1]["id"])
    alpha, beta = await provider(db, "Alfa Taal"), await provider(db, "Beta Inburgering")
    gamma, delta = await provider(db, "Gamma Leren"), await provider(db, "Delta Cursus")
    placed = {
        "alpha": await submit(gql, alpha.owner, _bid(w, lots[0], criteria, 990_000)),
        "beta": await submit(gql, beta.owner, _bid(w, lots[0], criteria, 880_000)),
        "gamma": await submit(gql, gamma.owner, _bid(w, lots[1], criteria, 1_500_000)),
    }
    second_officer = await add_person(
        db, organisation_id=w.lead.organisation_id, role=Role.PROCUREMENT_OFFICER
    )
    if opened:
        await pass_bid_deadline(db, tender)
        (await gql(OPEN, {"tender": tender}, token=w.lead.officer.token)).ok()
        (await gql(OPEN, {"tender": tender}, token=second_officer.token)).ok()
    return AwardWorld(
        coalition=w,
        tender=tender,
        lots=lots,
        criteria=criteria,
        alpha=alpha,
        beta=beta,
        gamma=gamma,
        delta=delta,
        bids={name: str(bid["id"]) for name, bid in placed.items()},
        second_officer=second_officer,
        second_evaluator=await add_person(
            db, organisation_id=w.lead.organisation_id, role=Role.EVALUATOR
        ),
        learner=await learner(db),
        admin=await platform_admin(db),
    )


def scores(w: AwardWorld, plan_bp: int, coaching_bp: int) -> list[dict[str, Any]]:
    return [
        {"criterionId": w.criteria[0], "scoreBp": plan_bp, "motivation": "Helder plan."},
        {"criterionId": w.criteria[1], "scoreBp": coaching_bp, "motivation": "Goede coaching."},
    ]


async def check(
    gql: GraphQLClient, person: Person, bid: str, passed: bool, reason: str | None = None
) -> Result:
    return await gql(CHECK, {"bid": bid, "passed": passed, "reason": reason}, token=person.token)


async def score(
    gql: GraphQLClient, w: AwardWorld, person: Person, bid: str, plan: int, coaching: int
) -> Result:
    return await gql(SCORE, {"bid": bid, "scores": scores(w, plan, coaching)}, token=person.token)


async def agree(
    gql: GraphQLClient, w: AwardWorld, person: Person, bid: str, plan: int, coaching: int
) -> Result:
    return await gql(AGREE, {"bid": bid, "scores": scores(w, plan, coaching)}, token=person.token)


async def scored_by_both(gql: GraphQLClient, w: AwardWorld, bid: str) -> None:
    """The bid passed, and scored by both evaluators of the lead."""
    (await check(gql, w.officer, bid, True)).ok()
    (await score(gql, w, w.evaluator, bid, 8000, 6000)).ok()
    (await score(gql, w, w.second_evaluator, bid, 7000, 7000)).ok()


async def evaluate(gql: GraphQLClient, w: AwardWorld) -> None:
    """Lot 1: alpha and beta pass and get consensus scores (alpha 90%/80%, beta 60%/50%);
    lot 2: gamma is knocked out, so the lot becomes unsuccessful and the tender evaluated."""
    for name, plan, coaching in (("alpha", 9000, 8000), ("beta", 6000, 5000)):
        await scored_by_both(gql, w, w.bids[name])
        (await agree(gql, w, w.evaluator, w.bids[name], plan, coaching)).ok()
    (await check(gql, w.officer, w.bids["gamma"], False, "Geen Blik op Werk-keurmerk.")).ok()


def lot_awards(w: AwardWorld) -> list[dict[str, str]]:
    return [{"lotId": w.lots[0], "reasons": "Alfa Taal biedt de beste prijs-kwaliteit."}]


async def states(gql: GraphQLClient, w: AwardWorld) -> tuple[str, list[str]]:
    read = (await gql(STATES, {"id": w.tender}, token=w.officer.token)).ok()["tender"]
    return read["state"], [lot["state"] for lot in read["lots"]]


async def evaluation_tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    found = {
        table: await rows(db, f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608
        for table in EVALUATION_TABLES
    }
    found["jobs"] = await rows(db, "SELECT id, task_name, args FROM procrastinate_jobs ORDER BY 1")
    return found


async def audit_actions(db: Database, w: AwardWorld) -> list[str]:
    return [
        action
        for (action,) in await rows(
            db,
            "SELECT action FROM tender_audit_entries WHERE tender_id = :id ORDER BY sequence",
            id=ids.decode("Tender", w.tender),
        )
    ]
