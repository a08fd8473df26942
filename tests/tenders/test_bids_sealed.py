"""Guarantee 1, sealed bids: before the bids are opened nobody but the bidding provider's
own staff learns anything of a bid (its price, documents, their hashes, or even that it
exists). Every role asks every bid-related query and mutation before any bid is placed,
after two providers have bid, resubmitted and withdrawn, and again after the deadline
(not yet opened): each answer is exactly what it was with no bid at all, byte for byte,
and another provider's bid id is answered exactly as an id of nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from market.api.graphql import ids
from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.tenders.bid_world import (  # noqa: F401 (settings: the test's own files folder)
    BID,
    MY_BIDS,
    OPEN,
    OPENING,
    SUBMIT,
    TENDER_BIDS,
    WITHDRAW,
    BidWorld,
    bid_input,
    bid_tables,
    build_bid_world,
    document,
    pass_bid_deadline,
    settings,
    submit,
)
from tests.tenders.world import TENDERS

# Everything of the tender but its timeline, which the test moves.
TENDER = """query($id: ID!) { tender(id: $id) {
  id coalitionId state version title description publishedAt estimatedTotalValueCents
  lots { id number title route level stream regionCodes maxValueCents maxTrajectories state
         volumes { organisationId learnersPerYear } }
  requirements { id kind amount text }
  award { method qualityWeightBp priceWeightBp priceFloorCents priceCeilingCents }
  criteria { id name weightBp valueCents }
} }"""

# Who asks: every role there is, the lead's own officers and platform admins included.
ACTORS: dict[str, Callable[[BidWorld], str | None]] = {
    "anonymous": lambda w: None,
    "learner": lambda w: w.learner.token,
    "provider not bidding": lambda w: w.gamma.owner.token,
    "lead officer": lambda w: w.coalition.lead.officer.token,
    "second lead officer": lambda w: w.second_officer.token,
    "lead evaluator": lambda w: w.coalition.lead.evaluator.token,
    "member officer": lambda w: w.coalition.member.officer.token,
    "member evaluator": lambda w: w.coalition.member.evaluator.token,
    "outsider officer": lambda w: w.coalition.outsider.officer.token,
    "admin": lambda w: w.admin.token,
    "bidder alpha (owner)": lambda w: w.alpha.owner.token,
    "bidder beta (editor)": lambda w: w.beta.editor.token,
}
PROVIDERS = frozenset({"provider not bidding", "bidder alpha (owner)", "bidder beta (editor)"})

# What each can ask about the tender's bids without knowing a bid's id.
PROBES: dict[str, Callable[[BidWorld], tuple[str, dict[str, Any]]]] = {
    "tender": lambda w: (TENDER, {"id": w.tender}),
    "tenders": lambda w: (TENDERS, {}),
    "myBids of the tender": lambda w: (MY_BIDS, {"tender": w.tender}),
    "myBids": lambda w: (MY_BIDS, {}),
    "tenderBids": lambda w: (TENDER_BIDS, {"tender": w.tender}),
    "bidOpening": lambda w: (OPENING, {"tender": w.tender}),
}
MY_BIDS_PROBES = ("myBids of the tender", "myBids")
# Asked only before the deadline: after it, the lead's first call records a request.
BEFORE_DEADLINE = {"openBids": lambda w: (OPEN, {"tender": w.tender})}
# Non-providers trying to bid (providers' own bids are theirs to see).
NOT_BIDDING = {"submitBid": lambda w: (SUBMIT, {"input": bid_input(w)})}


async def _answers(
    gql: GraphQLClient, w: BidWorld, token: str | None, probes: dict[str, Any]
) -> dict[str, Any]:
    answers = {}
    for name, probe in probes.items():
        query, variables = probe(w)
        answers[name] = (await gql(query, variables, token=token)).body
    return answers


async def _bid(gql: GraphQLClient, w: BidWorld) -> dict[str, list[str]]:
    """Alpha bids on both lots and resubmits one; beta bids, withdraws and bids again.
    Each provider's bid ids, live and not."""
    a1 = await submit(
        gql,
        w.alpha.owner,
        bid_input(w, 0, 1_000_000, documents=[await document(gql, w.alpha.owner)]),
    )
    a2 = await submit(gql, w.alpha.editor, bid_input(w, 0, 990_000))
    a3 = await submit(gql, w.alpha.owner, bid_input(w, 1, 1_200_000))
    b1 = await submit(gql, w.beta.owner, bid_input(w, 0, 870_000))
    await gql(WITHDRAW, {"id": b1["id"]}, token=w.beta.owner.token)
    b2 = await submit(
        gql, w.beta.editor, bid_input(w, 0, 880_000, documents=[await document(gql, w.beta.editor)])
    )
    return {
        "alpha": [a1["id"], a2["id"], a3["id"]],
        "beta": [b1["id"], b2["id"]],
    }


def _own(actor: str) -> str | None:
    return {"bidder alpha (owner)": "alpha", "bidder beta (editor)": "beta"}.get(actor)


@pytest.mark.parametrize("actor", ACTORS)
async def test_guarantee_01_sealed_before_the_deadline_and_before_opening(
    db: Database, gql: GraphQLClient, actor: str, bid_world: BidWorld
) -> None:
    w = bid_world
    token = ACTORS[actor](w)
    probes = {**PROBES, **BEFORE_DEADLINE, **({} if actor in PROVIDERS else NOT_BIDDING)}
    with_no_bids = await _answers(gql, w, token, probes)

    placed = await _bid(gql, w)
    own = _own(actor)
    with_bids = await _answers(gql, w, token, probes)

    # Every answer is as it was without any bid; a bidder's own lists show its own bids.
    mine = MY_BIDS_PROBES if own else ()
    unchanged = {name: answer for name, answer in with_bids.items() if name not in mine}
    assert unchanged == {name: with_no_bids[name] for name in unchanged}
    for name in mine:
        listed = with_bids[name]["data"]["myBids"]
        assert sorted(bid["id"] for bid in listed) == sorted(placed[own])

    # Another provider's bid, live or not, is answered as an id nothing has.
    tables = await bid_tables(db)
    nothing = ids.encode("Bid", uuid.uuid4())
    others = [bid for provider, bids in placed.items() if provider != own for bid in bids]
    assert len(others) >= 2
    for query in (BID, WITHDRAW):
        unknown = (await gql(query, {"id": nothing}, token=token)).body
        for bid in others:
            assert (await gql(query, {"id": bid}, token=token)).body == unknown
    assert await bid_tables(db) == tables

    # Past the deadline (the state not yet moved on), still sealed until opened.
    await pass_bid_deadline(db, w.tender)
    assert await _answers(gql, w, token, PROBES) == {name: with_bids[name] for name in PROBES}
