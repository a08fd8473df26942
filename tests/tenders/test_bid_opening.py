"""Guarantee 2, the four-eyes opening: after the bid deadline one procurement officer of
the lead requests the opening and another opens; the opening report is stored and the
tender moves to opened. Then the lead's officers read the bids in full and its evaluators
without prices. And who may call each bid operation at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from tests.support.graphql import GraphQLClient, Result
from tests.tenders.bid_world import (  # noqa: F401 (settings: the test's own files folder)
    BID,
    MY_BIDS,
    OPEN,
    OPENING,
    SUBMIT,
    TENDER_BIDS,
    TENDER_IDS,
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
from tests.tenders.world import rows


def _reason(result: Result) -> tuple[str | None, str | None]:
    return result.error_code, result.errors[0]["extensions"]["reason"] if result.errors else None


async def test_guarantee_02_four_eyes_opening(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    await submit(gql, w.alpha.owner, bid_input(w, 0, 1_000_000))
    alpha = await submit(
        gql, w.alpha.owner, bid_input(w, 0, 990_000, documents=[await document(gql, w.alpha.owner)])
    )
    beta = await submit(gql, w.beta.editor, bid_input(w, 0, 880_000))
    withdrawn = await submit(gql, w.beta.owner, bid_input(w, 1, 1_500_000))
    await gql(WITHDRAW, {"id": withdrawn["id"]}, token=w.beta.owner.token)
    first, second = w.coalition.lead.officer, w.second_officer
    await pass_bid_deadline(db, w.tender)

    # The first officer's call records the request, and opens nothing.
    requested = (await gql(OPEN, {"tender": w.tender}, token=first.token)).ok()["openBids"]
    assert (requested["openedBy"], requested["openedAt"], requested["lots"]) == (None, None, None)
    sealed = await gql(TENDER_BIDS, {"tender": w.tender}, token=first.token)
    assert _reason(sealed) == ("CONFLICT", "BidsSealed")
    read = await gql(TENDER_IDS, {"id": w.tender}, token=first.token)
    assert read.ok()["tender"]["state"] == "PUBLISHED"

    # The same officer again: refused, nothing changes.
    before = await bid_tables(db)
    again = await gql(OPEN, {"tender": w.tender}, token=first.token)
    assert _reason(again) == ("CONFLICT", "OpeningNeedsSecondOfficer")
    assert again.data is None
    assert await bid_tables(db) == before

    # Another officer opens: the report, and the tender opened (by the deadline, though
    # its state still said published).
    opened = (await gql(OPEN, {"tender": w.tender}, token=second.token)).ok()["openBids"]
    assert opened["requestedBy"] == requested["requestedBy"] != opened["openedBy"]
    assert opened["openedAt"] is not None
    assert [
        (
            lot["number"],
            lot["bidCount"],
            [(b["providerName"], b["priceCents"]) for b in lot["bids"]],
        )
        for lot in opened["lots"]
    ] == [(1, 2, [("Alfa Taal", 990_000), ("Beta Inburgering", 880_000)]), (2, 0, [])]
    read = await gql(TENDER_IDS, {"id": w.tender}, token=first.token)
    assert read.ok()["tender"]["state"] == "OPENED"
    stored = await gql(OPENING, {"tender": w.tender}, token=first.token)
    assert stored.ok()["bidOpening"] == opened
    assert await rows(
        db,
        "SELECT requested_by = :first, opened_by = :second,"
        " jsonb_array_length(report -> 'lots') FROM tender_bid_openings",
        first=first.user_id,
        second=second.user_id,
    ) == [(True, True, 2)]
    # The request and each step of the opening are in the tender's audit trail; lot 2,
    # whose one bid was withdrawn, has nothing to evaluate.
    trail = await rows(
        db,
        "SELECT action, actor_id FROM tender_audit_entries WHERE tender_id = :id ORDER BY sequence",
        id=ids.decode("Tender", w.tender),
    )
    assert trail[-5:] == [
        ("tender.opening_requested", first.user_id),
        ("tender.questions_closed", second.user_id),
        ("tender.bids_closed", second.user_id),
        ("tender.opened", second.user_id),
        ("lots.unsuccessful", second.user_id),
    ]

    # Officers read the live bids in full; evaluators without price or documents.
    in_full = (await gql(TENDER_BIDS, {"tender": w.tender}, token=first.token)).ok()["tenderBids"]
    assert [(b["id"], b["priceCents"], len(b["documents"])) for b in in_full] == [
        (alpha["id"], 990_000, 1),
        (beta["id"], 880_000, 0),
    ]
    evaluator = w.coalition.lead.evaluator.token
    blind = (await gql(TENDER_BIDS, {"tender": w.tender}, token=evaluator)).ok()["tenderBids"]
    assert [(b["id"], b["priceCents"], b["documents"]) for b in blind] == [
        (alpha["id"], None, []),
        (beta["id"], None, []),
    ]
    assert [len(b["qualityAnswers"]) for b in blind] == [2, 2]
    assert (await gql(OPENING, {"tender": w.tender}, token=evaluator)).ok()["bidOpening"] is None
    # Providers still see only their own.
    assert (await gql(BID, {"id": alpha["id"]}, token=w.beta.owner.token)).ok()["bid"] is None

    # Opened once: a third call changes nothing.
    before = await bid_tables(db)
    third = await gql(OPEN, {"tender": w.tender}, token=first.token)
    assert _reason(third) == ("CONFLICT", "BidsAlreadyOpened")
    assert await bid_tables(db) == before


async def test_no_opening_before_the_deadline_nor_of_a_cancelled_tender(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    await submit(gql, w.alpha.owner, bid_input(w))
    before = await bid_tables(db)

    early = await gql(OPEN, {"tender": w.tender}, token=w.coalition.lead.officer.token)

    assert _reason(early) == ("CONFLICT", "BidDeadlineNotPassed")
    assert await bid_tables(db) == before
    await pass_bid_deadline(db, w.tender)
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE tenders SET state = 'cancelled' WHERE id = :id"), {"id": w.tender_id}
        )
    before = await bid_tables(db)
    cancelled = await gql(OPEN, {"tender": w.tender}, token=w.coalition.lead.officer.token)
    assert _reason(cancelled) == ("CONFLICT", "TransitionNotAllowed")
    assert await bid_tables(db) == before


# -- the authorization matrix ------------------------------------------------------------------

ACTORS: dict[str, Callable[[BidWorld], str | None]] = {
    "anonymous": lambda w: None,
    "learner": lambda w: w.learner.token,
    "provider owner": lambda w: w.gamma.owner.token,
    "provider editor": lambda w: w.gamma.editor.token,
    "other bidder": lambda w: w.beta.owner.token,
    "lead officer": lambda w: w.coalition.lead.officer.token,
    "lead evaluator": lambda w: w.coalition.lead.evaluator.token,
    "member officer": lambda w: w.coalition.member.officer.token,
    "outsider officer": lambda w: w.coalition.outsider.officer.token,
    "admin": lambda w: w.admin.token,
}
MUNICIPALITY_AND_ADMIN = ("lead officer", "lead evaluator", "member officer", "outsider officer")
EVERYONE_ELSE_FORBIDDEN = {
    actor: "FORBIDDEN" for actor in ("learner", *MUNICIPALITY_AND_ADMIN, "admin")
}


async def _alpha_bid(gql: GraphQLClient, w: BidWorld) -> str:
    return str((await submit(gql, w.alpha.owner, bid_input(w)))["id"])


async def _opened(db: Database, gql: GraphQLClient, w: BidWorld) -> None:
    await _alpha_bid(gql, w)
    await pass_bid_deadline(db, w.tender)
    await gql(OPEN, {"tender": w.tender}, token=w.coalition.lead.officer.token)
    (await gql(OPEN, {"tender": w.tender}, token=w.second_officer.token)).ok()


async def _deadline_passed(db: Database, gql: GraphQLClient, w: BidWorld) -> None:
    await _alpha_bid(gql, w)
    await pass_bid_deadline(db, w.tender)


# operation: (arrange, query, variables, who succeeds, what the others get)
MATRIX: dict[str, tuple[Any, str, Any, frozenset[str], dict[str, str]]] = {
    "submitBid": (
        None,
        SUBMIT,
        lambda w, bid: {"input": bid_input(w)},
        frozenset({"provider owner", "provider editor", "other bidder"}),
        {"anonymous": "UNAUTHENTICATED", **EVERYONE_ELSE_FORBIDDEN},
    ),
    "withdrawBid of alpha's bid": (
        None,
        WITHDRAW,
        lambda w, bid: {"id": bid},
        frozenset(),
        {
            "anonymous": "UNAUTHENTICATED",
            **{actor: "NOT_FOUND" for actor in ACTORS if actor != "anonymous"},
        },
    ),
    "openBids": (
        _deadline_passed,
        OPEN,
        lambda w, bid: {"tender": w.tender},
        frozenset({"lead officer"}),
        {
            "anonymous": "UNAUTHENTICATED",
            **{
                actor: "FORBIDDEN" for actor in ACTORS if actor not in ("anonymous", "lead officer")
            },
        },
    ),
    "tenderBids once opened": (
        _opened,
        TENDER_BIDS,
        lambda w, bid: {"tender": w.tender},
        frozenset({"lead officer", "lead evaluator"}),
        {
            "anonymous": "UNAUTHENTICATED",
            **{
                actor: "FORBIDDEN"
                for actor in ACTORS
                if actor not in ("anonymous", "lead officer", "lead evaluator")
            },
        },
    ),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", MATRIX)
async def test_bid_operation_matrix(
    db: Database, gql: GraphQLClient, operation: str, actor: str, bid_world: BidWorld
) -> None:
    arrange, query, variables, allowed, denied = MATRIX[operation]
    assert allowed | denied.keys() == set(ACTORS)
    w = bid_world
    if arrange is None:
        bid = await _alpha_bid(gql, w)
    else:
        await arrange(db, gql, w)
        bid = ""
    before = await bid_tables(db)

    result = await gql(query, variables(w, bid), token=ACTORS[actor](w))

    if actor in allowed:
        assert result.ok()
    else:
        assert result.error_code == denied[actor], result.errors
        assert result.data is None
        assert await bid_tables(db) == before


# Who reads what once the bids are opened: (bid(id) of alpha's bid, bidOpening, myBids count)
READS_ONCE_OPENED = {
    "anonymous": (None, None, "UNAUTHENTICATED"),
    "learner": (None, None, 0),
    "provider owner": (None, None, 0),
    "provider editor": (None, None, 0),
    "other bidder": (None, None, 0),
    "lead officer": ("priced", "report", 0),
    "lead evaluator": ("blind", None, 0),
    "member officer": (None, None, 0),
    "outsider officer": (None, None, 0),
    "admin": (None, None, 0),
}


@pytest.mark.parametrize("actor", ACTORS)
async def test_who_reads_a_bid_once_opened(
    db: Database, gql: GraphQLClient, actor: str, bid_world: BidWorld
) -> None:
    w = bid_world
    await _opened(db, gql, w)
    (alpha,) = (await gql(MY_BIDS, {}, token=w.alpha.owner.token)).ok()["myBids"]
    token = ACTORS[actor](w)
    sees_bid, sees_opening, my_bids = READS_ONCE_OPENED[actor]

    bid = (await gql(BID, {"id": alpha["id"]}, token=token)).ok()["bid"]
    opening = (await gql(OPENING, {"tender": w.tender}, token=token)).ok()["bidOpening"]
    mine = await gql(MY_BIDS, {}, token=token)

    assert (bid and ("priced" if bid["priceCents"] else "blind")) == sees_bid
    assert (opening and "report") == sees_opening
    assert (mine.error_code or len(mine.ok()["myBids"])) == my_bids


LOT_STATES = "query($id: ID!) { tender(id: $id) { state lots { state } } }"


async def _opened_states(db: Database, gql: GraphQLClient, w: BidWorld) -> dict[str, Any]:
    await pass_bid_deadline(db, w.tender)
    for officer in (w.coalition.lead.officer, w.second_officer):
        (await gql(OPEN, {"tender": w.tender}, token=officer.token)).ok()
    read = await gql(LOT_STATES, {"id": w.tender}, token=w.coalition.lead.officer.token)
    return dict(read.ok()["tender"])


async def test_a_lot_that_drew_no_bid_is_unsuccessful_from_the_opening(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    await submit(gql, w.alpha.owner, bid_input(w, 0, 990_000))

    tender = await _opened_states(db, gql, w)

    assert tender == {"state": "OPENED", "lots": [{"state": "ACTIVE"}, {"state": "UNSUCCESSFUL"}]}
    actions = await rows(
        db,
        "SELECT action FROM tender_audit_entries WHERE tender_id = :id ORDER BY sequence DESC"
        " LIMIT 2",
        id=w.tender_id,
    )
    assert actions == [("lots.unsuccessful",), ("tender.opened",)]


async def test_a_tender_that_drew_no_bid_is_unsuccessful_from_the_opening(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world

    tender = await _opened_states(db, gql, w)

    assert tender == {
        "state": "UNSUCCESSFUL",
        "lots": [{"state": "UNSUCCESSFUL"}, {"state": "UNSUCCESSFUL"}],
    }
