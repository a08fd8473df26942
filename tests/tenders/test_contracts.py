"""After the award decision: objections hold up contracting (guarantee 6), each member
municipality with volume signs its own contract with the winner (guarantee 9), and the
buyer exercises the extension options within the latest end date."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from tests.support.graphql import GraphQLClient, Result
from tests.tenders.contract_world import (
    ALPHA_PRICE,
    BETA_PRICES,
    REGISTER_OBJECTION,
    RESOLVE_OBJECTION,
    SIGN,
    DecidedTender,
    award_tables,
    end_standstill,
    object_to,
    sign,
    states,
)
from tests.tenders.world import CANCEL_TENDER, ahead, audit_trail, rows


def _reason(result: Result) -> tuple[str | None, str | None]:
    return result.error_code, result.errors[0]["extensions"]["reason"] if result.errors else None


async def _refused(
    db: Database, gql: GraphQLClient, query: str, variables: dict[str, Any], token: str
) -> tuple[str | None, str | None]:
    """The refusal's code and reason, asserting that nothing at all changed."""
    before = await award_tables(db)
    result = await gql(query, variables, token=token)
    assert result.data is None
    assert await award_tables(db) == before
    return _reason(result)


async def test_guarantee_06_no_contract_before_standstill_end_nor_while_objection_open(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    lead, lot = c.lead.officer.token, d.lots[0]

    # During the standstill: refused, nothing written, nothing in the audit trail.
    assert await _refused(db, gql, SIGN, {"lot": lot}, lead) == ("CONFLICT", "StandstillRunning")

    # The runner-up objects within the standstill.
    objection = await object_to(gql, d.bids.beta.editor.token, lot)
    assert (objection["state"], objection["providerName"], objection["lotNumber"]) == (
        "OPEN",
        "Beta Inburgering",
        1,
    )

    # The standstill over, the open objection still holds the contract up.
    await end_standstill(db, d.tender)
    assert await _refused(db, gql, SIGN, {"lot": lot}, lead) == ("CONFLICT", "ObjectionOpen")
    member = c.member.officer.token
    assert await _refused(db, gql, SIGN, {"lot": lot}, member) == ("CONFLICT", "ObjectionOpen")

    # Rejected, the lot can be contracted.
    resolve = {"objection": objection["id"], "outcome": "REJECTED", "resolution": "Ongegrond."}
    resolved = (await gql(RESOLVE_OBJECTION, resolve, token=lead)).ok()["resolveObjection"]
    assert (resolved["state"], resolved["resolution"]) == ("REJECTED", "Ongegrond.")
    assert resolved["resolvedAt"] is not None
    signed = await sign(gql, lead, lot)
    assert (signed["buyerName"], signed["supplierName"]) == ("Gemeente GM0363", "Alfa Taal")
    assert await states(gql, lead, d.tender) == (
        "AWARD_DECIDED",
        ["AWARD_DECIDED", "AWARD_DECIDED"],
    )
    await sign(gql, member, lot)
    assert await states(gql, lead, d.tender) == ("AWARD_DECIDED", ["CONTRACTED", "AWARD_DECIDED"])

    trail = await audit_trail(db, d.tender)
    assert [(action, actor) for _, action, actor in trail[-4:]] == [
        ("tender.objection_registered", d.bids.beta.editor.user_id),
        ("tender.objection_rejected", c.lead.officer.user_id),
        ("tender.contract_signed", c.lead.officer.user_id),
        ("tender.contract_signed", c.member.officer.user_id),
    ]


async def test_guarantee_09_member_contracts_add_up_to_the_lot_total(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    await end_standstill(db, d.tender)
    lead, member = c.lead.officer.token, c.member.officer.token

    signed = [
        await sign(gql, lead, d.lots[0]),
        await sign(gql, member, d.lots[0]),
        await sign(gql, lead, d.lots[1]),
    ]
    assert [
        (s["lotNumber"], s["buyerName"], s["supplierName"], s["learnersPerYear"], s["priceCents"])
        for s in signed
    ] == [
        (1, "Gemeente GM0363", "Alfa Taal", 80, ALPHA_PRICE),
        (1, "Gemeente GM0362", "Alfa Taal", 20, ALPHA_PRICE),
        (2, "Gemeente GM0363", "Beta Inburgering", 40, BETA_PRICES[1]),
    ]
    # Two years from the contract start (1 September 2027, Amsterdam, moved as far as the
    # publishable tender's dates are), up to 2+1+1 years.
    assert {(s["startsOn"], s["endsOn"], s["latestEndDate"]) for s in signed} == {
        (ahead("2027-09-01"), ahead("2029-08-31"), ahead("2031-08-31"))
    }
    assert {tuple(s["extensionsLeft"]) for s in signed} == {(12, 12)}
    # Per lot, the members' contracts hold exactly the lot's volumes.
    assert await rows(
        db,
        "SELECT l.number, (SELECT sum(learners_per_year) FROM tender_lot_volumes v"
        " WHERE v.lot_id = l.id), (SELECT sum(learners_per_year) FROM tender_contracts k"
        " WHERE k.lot_id = l.id) FROM tender_lots l ORDER BY l.number",
    ) == [(1, 100, 100), (2, 40, 40)]
    assert await states(gql, lead, d.tender) == ("CONTRACTED", ["CONTRACTED", "CONTRACTED"])
    assert (
        await rows(
            db,
            "SELECT args -> 'event' ->> 'name' FROM procrastinate_jobs"
            " WHERE args -> 'event' ->> 'name' LIKE 'tenders.contract%' ORDER BY id",
        )
        == [("tenders.contract_signed",)] * 3
    )

    # No volume in the lot, no contract; and never a second one.
    no_volume = await _refused(db, gql, SIGN, {"lot": d.lots[1]}, member)
    assert no_volume == ("CONFLICT", "NoVolumeInLot")
    twice = await _refused(db, gql, SIGN, {"lot": d.lots[0]}, member)
    assert twice == ("CONFLICT", "ContractAlreadySigned")


async def test_unsuccessful_lots_leave_the_tender_to_its_contracted_ones(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    await end_standstill(db, d.tender)
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE tender_lots SET state = 'unsuccessful' WHERE id = :lot"),
            {"lot": ids.decode("Lot", d.lots[1])},
        )
    await sign(gql, c.lead.officer.token, d.lots[0])
    await sign(gql, c.member.officer.token, d.lots[0])
    lead = c.lead.officer.token
    assert await states(gql, lead, d.tender) == ("CONTRACTED", ["CONTRACTED", "UNSUCCESSFUL"])


async def test_nothing_is_signed_or_objected_to_on_a_cancelled_tender(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    lead = c.lead.officer.token
    objection = await object_to(gql, d.bids.beta.owner.token, d.lots[0])
    cancel = {"id": d.tender, "reason": "Budget ingetrokken."}
    (await gql(CANCEL_TENDER, cancel, token=lead)).ok()
    await end_standstill(db, d.tender)

    assert await _refused(db, gql, SIGN, {"lot": d.lots[0]}, lead) == (
        "CONFLICT",
        "NoStandingAwardDecision",
    )
    paper = {"lot": d.lots[1], "text": "Per post.", "provider": d.bids.beta.id}
    assert await _refused(db, gql, REGISTER_OBJECTION, paper, lead) == (
        "CONFLICT",
        "NoStandingAwardDecision",
    )
    # Upheld, the decision is withdrawn; the lot stays cancelled.
    resolve = {"objection": objection["id"], "outcome": "UPHELD", "resolution": "Terecht."}
    (await gql(RESOLVE_OBJECTION, resolve, token=lead)).ok()
    assert await states(gql, lead, d.tender) == ("CANCELLED", ["CANCELLED", "CANCELLED"])
    assert await rows(db, "SELECT state::text FROM tender_award_decisions ORDER BY state") == [
        ("standing",),
        ("withdrawn",),
    ]
