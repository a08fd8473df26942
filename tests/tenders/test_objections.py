"""Objections against a lot's award decision: who may object and until when, what each
resolution does (an upheld one sends the lot back to evaluation), and who reads them."""

from __future__ import annotations

from typing import Any

from market.api.graphql import ids
from market.db.database import Database
from tests.support.graphql import GraphQLClient, Result
from tests.tenders.award_world import check
from tests.tenders.bid_world import BidWorld, bid_input, submit
from tests.tenders.contract_world import (
    LOT_OBJECTIONS,
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
from tests.tenders.world import audit_trail, rows


def _reason(result: Result) -> tuple[str | None, str | None, str | None]:
    if not result.errors:
        return None, None, None
    return result.error_code, result.errors[0]["extensions"]["reason"], result.error_field


async def _refused(
    db: Database, gql: GraphQLClient, query: str, variables: dict[str, Any], token: str
) -> tuple[str | None, str | None, str | None]:
    """The refusal's code, reason and field, asserting that nothing at all changed."""
    before = await award_tables(db)
    result = await gql(query, variables, token=token)
    assert result.data is None
    assert await award_tables(db) == before
    return _reason(result)


def _objecting(lot: str, **variables: Any) -> dict[str, Any]:
    return {"lot": lot, "text": "De score is onjuist.", **variables}


async def test_upheld_objection_withdraws_the_decision_and_reopens_evaluation(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    lead = c.lead.officer.token
    objection = await object_to(gql, d.bids.beta.owner.token, d.lots[0])

    resolve = {"objection": objection["id"], "outcome": "UPHELD", "resolution": "Herbeoordelen."}
    upheld = (await gql(RESOLVE_OBJECTION, resolve, token=lead)).ok()["resolveObjection"]
    assert (upheld["state"], upheld["resolution"]) == ("UPHELD", "Herbeoordelen.")
    assert await states(gql, lead, d.tender) == ("EVALUATED", ["ACTIVE", "AWARD_DECIDED"])
    assert await rows(
        db,
        "SELECT l.number, d.state::text, d.withdrawn_at IS NOT NULL"
        " FROM tender_award_decisions d JOIN tender_lots l ON l.id = d.lot_id ORDER BY l.number",
    ) == [(1, "withdrawn", True), (2, "standing", False)]
    trail = await audit_trail(db, d.tender)
    assert trail[-1][1:] == ("tender.objection_upheld", c.lead.officer.user_id)

    # Resolved once and for all; the lot has no decision left to contract on, or object to.
    again = {**resolve, "outcome": "REJECTED"}
    assert await _refused(db, gql, RESOLVE_OBJECTION, again, lead) == (
        "CONFLICT",
        "ObjectionAlreadyResolved",
        "objectionId",
    )
    await end_standstill(db, d.tender)
    assert await _refused(db, gql, SIGN, {"lot": d.lots[0]}, lead) == (
        "CONFLICT",
        "NoStandingAwardDecision",
        "lotId",
    )
    paper = _objecting(d.lots[0], provider=d.bids.beta.id)
    assert await _refused(db, gql, REGISTER_OBJECTION, paper, lead) == (
        "CONFLICT",
        "NoStandingAwardDecision",
        "lotId",
    )
    # The other lot is still awarded, and is contracted as before.
    await sign(gql, lead, d.lots[1])
    assert await states(gql, lead, d.tender) == ("EVALUATED", ["ACTIVE", "CONTRACTED"])


async def test_a_lot_reopened_by_an_upheld_objection_may_end_unsuccessful_beside_a_standing_one(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    lead = c.lead.officer.token
    objection = await object_to(gql, d.bids.beta.owner.token, d.lots[0])
    resolve = {"objection": objection["id"], "outcome": "UPHELD", "resolution": "Herbeoordelen."}
    (await gql(RESOLVE_OBJECTION, resolve, token=lead)).ok()

    for bid in (d.winners[0], d.loser):
        (await check(gql, c.lead.officer, bid, False, "Geen Blik op Werk-keurmerk.")).ok()

    assert await states(gql, lead, d.tender) == ("AWARD_DECIDED", ["UNSUCCESSFUL", "AWARD_DECIDED"])
    assert (await audit_trail(db, d.tender))[-1][1] == "lots.unsuccessful"
    await end_standstill(db, d.tender)
    await sign(gql, lead, d.lots[1])
    assert await states(gql, lead, d.tender) == ("CONTRACTED", ["UNSUCCESSFUL", "CONTRACTED"])


async def test_a_lot_reopened_by_an_upheld_objection_may_end_unsuccessful_beside_a_contracted_one(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    lead = c.lead.officer.token
    objection = await object_to(gql, d.bids.beta.owner.token, d.lots[0])
    await end_standstill(db, d.tender)
    await sign(gql, lead, d.lots[1])
    resolve = {"objection": objection["id"], "outcome": "UPHELD", "resolution": "Herbeoordelen."}
    (await gql(RESOLVE_OBJECTION, resolve, token=lead)).ok()
    assert await states(gql, lead, d.tender) == ("EVALUATED", ["ACTIVE", "CONTRACTED"])

    for bid in (d.winners[0], d.loser):
        (await check(gql, c.lead.officer, bid, False, "Geen Blik op Werk-keurmerk.")).ok()

    assert await states(gql, lead, d.tender) == ("CONTRACTED", ["UNSUCCESSFUL", "CONTRACTED"])
    assert (await audit_trail(db, d.tender))[-1][1] == "tender.contracted"


async def test_withdrawn_objection_frees_the_lot(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    lead = d.bids.coalition.lead.officer.token
    objection = await object_to(gql, d.bids.beta.owner.token, d.lots[0])
    await end_standstill(db, d.tender)
    resolve = {"objection": objection["id"], "outcome": "WITHDRAWN", "resolution": "Ingetrokken."}
    assert (await gql(RESOLVE_OBJECTION, resolve, token=lead)).ok()["resolveObjection"][
        "state"
    ] == "WITHDRAWN"
    assert (await sign(gql, lead, d.lots[0]))["learnersPerYear"] == 80


async def test_providers_object_during_the_standstill_only(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    beta, gamma = d.bids.beta.owner.token, d.bids.gamma.owner.token
    # Only a provider that bid on the lot: Gamma bid on nothing, Alfa not on lot 2.
    assert await _refused(db, gql, REGISTER_OBJECTION, _objecting(d.lots[0]), gamma) == (
        "FORBIDDEN",
        "NotABidderOnLot",
        "lotId",
    )
    alpha = d.bids.alpha.editor.token
    assert await _refused(db, gql, REGISTER_OBJECTION, _objecting(d.lots[1]), alpha) == (
        "FORBIDDEN",
        "NotABidderOnLot",
        "lotId",
    )
    blank = _objecting(d.lots[0], text="  ")
    assert await _refused(db, gql, REGISTER_OBJECTION, blank, beta) == (
        "BAD_USER_INPUT",
        "TextRequired",
        "text",
    )
    # The winner may object too (to the reasons, say); each objection is its own.
    await object_to(gql, alpha, d.lots[0])
    await object_to(gql, beta, d.lots[0])

    await end_standstill(db, d.tender)
    late = await _refused(db, gql, REGISTER_OBJECTION, _objecting(d.lots[0]), beta)
    assert late == ("CONFLICT", "StandstillEnded", "lotId")


async def test_the_lead_registers_paper_objections_until_a_contract_is_signed(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    lead = c.lead.officer.token
    await end_standstill(db, d.tender)
    # The provider is named, and must have bid on the lot.
    assert await _refused(db, gql, REGISTER_OBJECTION, _objecting(d.lots[0]), lead) == (
        "BAD_USER_INPUT",
        "ObjectingProviderRequired",
        "providerId",
    )
    gamma = _objecting(d.lots[0], provider=d.bids.gamma.id)
    assert await _refused(db, gql, REGISTER_OBJECTION, gamma, lead) == (
        "FORBIDDEN",
        "NotABidderOnLot",
        "providerId",
    )
    # A letter sent within the standstill may arrive after it.
    paper = await object_to(gql, lead, d.lots[0], provider=d.bids.beta.id)
    assert (paper["providerName"], paper["state"]) == ("Beta Inburgering", "OPEN")
    assert await rows(db, "SELECT registered_by, provider_id FROM tender_objections") == [
        (c.lead.officer.user_id, d.bids.beta.organisation_id)
    ]
    resolve = {"objection": paper["id"], "outcome": "REJECTED", "resolution": "Te laat."}
    (await gql(RESOLVE_OBJECTION, resolve, token=lead)).ok()

    # Once a member signed, no objection holds the lot up any more.
    await sign(gql, lead, d.lots[0])
    again = _objecting(d.lots[0], provider=d.bids.beta.id)
    assert await _refused(db, gql, REGISTER_OBJECTION, again, lead) == (
        "CONFLICT",
        "ContractsAlreadySigned",
        "lotId",
    )


async def test_objections_are_read_by_the_lead_and_the_objecting_provider(
    db: Database, gql: GraphQLClient, decided_world: DecidedTender
) -> None:
    d = decided_world
    c = d.bids.coalition
    beta = await object_to(gql, d.bids.beta.owner.token, d.lots[0])
    alpha = await object_to(gql, d.bids.alpha.owner.token, d.lots[0])

    async def read(token: str | None) -> list[str] | str | None:
        result = await gql(LOT_OBJECTIONS, {"lot": d.lots[0]}, token=token)
        if result.errors:
            return result.error_code
        return [o["id"] for o in result.data["lotObjections"]]

    assert await read(c.lead.officer.token) == [beta["id"], alpha["id"]]
    assert await read(d.bids.beta.editor.token) == [beta["id"]]
    assert await read(d.bids.alpha.editor.token) == [alpha["id"]]
    for token in (
        d.bids.gamma.owner.token,
        c.lead.evaluator.token,
        c.member.officer.token,
        c.outsider.officer.token,
        d.bids.admin.token,
        d.bids.learner.token,
    ):
        assert await read(token) == []
    assert await read(None) == "UNAUTHENTICATED"
    # A lot nobody has: not found, as for a lot of a draft the actor does not see.
    unknown = {"lot": ids.encode("Lot", ids.decode("Objection", beta["id"]))}
    nothing = await gql(LOT_OBJECTIONS, unknown, token=c.lead.officer.token)
    assert nothing.error_code == "NOT_FOUND"


async def test_before_the_opening_an_objection_tells_nobody_who_bid(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    await submit(gql, w.beta.owner, bid_input(w, 0))
    lead = w.coalition.lead.officer.token
    # Named on paper, the provider that bid and the one that did not are answered alike.
    for provider in (w.beta, w.gamma):
        refused = await gql(
            REGISTER_OBJECTION, _objecting(w.lots[0], provider=provider.id), token=lead
        )
        assert _reason(refused) == ("CONFLICT", "NoStandingAwardDecision", "lotId")
    assert await rows(db, "SELECT count(*) FROM tender_objections") == [(0,)]
