"""The world correction and re-tender tests share: the coalition's tender published through
the real mutation, corrections sent through `updateTender`, and an unsuccessful lot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import Role
from tests.support.actors import add_person
from tests.support.graphql import GraphQLClient, Result
from tests.tenders.bid_world import OPEN
from tests.tenders.test_publication import everything, publish
from tests.tenders.test_schedule import TIMELINE
from tests.tenders.world import (
    TENDER_FIELDS,
    CoalitionWorld,
    create_publishable_tender,
    publishable_input,
    rows,
)

RECTIFICATION_FIELDS = """
  rectifications {
    version reason changes { field before after }
    bidDeadlineBefore bidDeadlineAfter publishedAt
  }
"""
CORRECT = f"""mutation($id: ID!, $input: TenderInput!, $reason: String) {{
  updateTender(id: $id, input: $input, correctionReason: $reason) {{
    {TENDER_FIELDS} {RECTIFICATION_FIELDS}
  }}
}}"""
TENDER_WITH_RECTIFICATIONS = f"""query($id: ID!) {{
  tender(id: $id) {{ {TENDER_FIELDS} retenderOfLotId {RECTIFICATION_FIELDS} }}
}}"""
LOT_IDS = "query($id: ID!) { tender(id: $id) { lots { id } criteria { id } } }"


async def published_tender(db: Database, gql: GraphQLClient, w: CoalitionWorld) -> str:
    """A tender of `publishable_input`, published by the lead's officer."""
    tender = await create_publishable_tender(gql, w)
    await publish(gql, w, tender)
    return tender


async def correct(
    gql: GraphQLClient,
    w: CoalitionWorld,
    tender: str,
    draft: dict[str, Any],
    reason: str | None = "Rectificatie.",
    *,
    token: str | None = None,
) -> Result:
    return await gql(
        CORRECT,
        {"id": tender, "input": draft, "reason": reason},
        token=token or w.lead.officer.token,
    )


def with_weights(w: CoalitionWorld, quality_bp: int, plan_bp: int) -> dict[str, Any]:
    """`publishable_input` with other award weights and criteria weights."""
    draft = publishable_input(w)
    draft["award"] = {
        "method": "RELATIVE_PRICE",
        "qualityWeightBp": quality_bp,
        "priceWeightBp": 10_000 - quality_bp,
    }
    draft["criteria"][0]["weightBp"] = plan_bp
    draft["criteria"][1]["weightBp"] = 10_000 - plan_bp
    return draft


async def with_rectifications(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every tender table, the audit trail, the idempotency keys, the outbox, and the
    rectifications: what a refused correction must leave as it was."""
    found = await everything(db)
    found["rectifications"] = await rows(db, "SELECT * FROM tender_rectifications ORDER BY 1")
    return found


async def unsuccessful_lot(
    db: Database, gql: GraphQLClient, w: CoalitionWorld, tender: str, number: int = 1
) -> str:
    """The id of the tender's lot `number` once its bids closed a day ago without a bid
    (the timeline moved back whole) and two of the lead's officers opened them: the
    opening leaves every lot, and the tender, unsuccessful."""
    tender_id = ids.decode("Tender", tender)
    shifted = ", ".join(f"{column} = {column} - shift.by" for column in TIMELINE)
    async with db.transaction() as session:
        await session.execute(
            text(
                f"UPDATE tenders SET {shifted}"  # noqa: S608
                " FROM (SELECT bid_deadline - now() + interval '1 day' AS by"
                " FROM tenders WHERE id = :id) AS shift WHERE tenders.id = :id"
            ),
            {"id": tender_id},
        )
    second = await add_person(
        db, organisation_id=w.lead.organisation_id, role=Role.PROCUREMENT_OFFICER
    )
    for officer in (w.lead.officer, second):
        (await gql(OPEN, {"tender": tender}, token=officer.token)).ok()
    ((lot_id,),) = await rows(
        db,
        "SELECT id FROM tender_lots WHERE tender_id = :id AND number = :n",
        id=tender_id,
        n=number,
    )
    return ids.encode("Lot", lot_id)


RETENDER = f"""mutation(
  $lot: ID!, $title: String, $max: Int, $trajectories: Int, $ceiling: Int, $key: String
) {{
  retenderLot(
    lotId: $lot, title: $title, maxValueCents: $max, maxTrajectories: $trajectories,
    priceCeilingCents: $ceiling, idempotencyKey: $key
  ) {{ {TENDER_FIELDS} retenderOfLotId }}
}}"""
