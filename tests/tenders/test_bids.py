"""Providers bid on a published tender's lots: a price per trajectory, an answer to each
quality criterion and documents; they resubmit and withdraw until the bid deadline (by the
database clock), never after. Every refused bid is a typed error that changes nothing."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Any

import pytest
from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor, Grant
from market.settings import Settings
from market.tenders.bids import AnswerDraft, BidDraft, submit_bid
from tests.support.graphql import GraphQLClient
from tests.tenders.bid_world import (  # noqa: F401 (settings: the test's own files folder)
    MY_BIDS,
    PDF,
    SUBMIT,
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
from tests.tenders.world import create_tender, rows


async def test_a_provider_bids_with_answers_and_a_document_and_reads_it_back(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world

    bid = await submit(
        gql, w.alpha.editor, bid_input(w, documents=[await document(gql, w.alpha.editor)])
    )

    assert (bid["state"], bid["priceCents"], bid["endedAt"]) == ("SUBMITTED", 950_000, None)
    assert (bid["tenderId"], bid["lotId"]) == (w.tender, w.lots[0])
    assert (bid["providerId"], bid["providerName"]) == (w.alpha.id, "Alfa Taal")
    assert [a["criterionId"] for a in bid["qualityAnswers"]] == list(w.criteria)
    assert bid["documents"] == [
        {
            "name": "plan.pdf",
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "size": len(PDF),
            "mediaType": "application/pdf",
        }
    ]
    mine = await gql(MY_BIDS, {"tender": w.tender}, token=w.alpha.owner.token)
    assert mine.ok()["myBids"] == [bid]


async def test_guarantee_03_withdraw_and_resubmit_until_deadline(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    first = await submit(gql, w.alpha.owner, bid_input(w, price_cents=1_000_000))

    # Resubmitting replaces the live bid; the first is kept, superseded, with its time.
    second = await submit(gql, w.alpha.editor, bid_input(w, price_cents=900_000))
    mine = (await gql(MY_BIDS, {}, token=w.alpha.owner.token)).ok()["myBids"]
    assert [(b["id"], b["state"], b["priceCents"]) for b in mine] == [
        (second["id"], "SUBMITTED", 900_000),
        (first["id"], "SUPERSEDED", 1_000_000),
    ]
    assert mine[1]["endedAt"] is not None

    # A replaced bid cannot be withdrawn; the live one can, and then bid again.
    stale = await gql(WITHDRAW, {"id": first["id"]}, token=w.alpha.owner.token)
    assert (stale.error_code, stale.errors[0]["extensions"]["reason"]) == ("CONFLICT", "BidNotLive")
    withdrawn = (await gql(WITHDRAW, {"id": second["id"]}, token=w.alpha.owner.token)).ok()
    assert withdrawn["withdrawBid"]["state"] == "WITHDRAWN"
    third = await submit(gql, w.alpha.owner, bid_input(w, price_cents=880_000))
    assert await rows(
        db, "SELECT state::text, price_cents FROM tender_bids ORDER BY submitted_at, price_cents"
    ) == [("superseded", 1_000_000), ("withdrawn", 900_000), ("submitted", 880_000)]

    # After the deadline neither submitting nor withdrawing changes anything.
    await pass_bid_deadline(db, w.tender)
    before = await bid_tables(db)
    late = await gql(SUBMIT, {"input": bid_input(w)}, token=w.alpha.owner.token)
    late_withdrawal = await gql(WITHDRAW, {"id": third["id"]}, token=w.alpha.owner.token)
    for result in (late, late_withdrawal):
        assert result.error_code == "CONFLICT"
        assert result.errors[0]["extensions"]["reason"] == "BidDeadlinePassed"
    assert await bid_tables(db) == before


async def test_one_live_bid_per_provider_per_lot_and_each_lot_on_its_own(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    await submit(gql, w.alpha.owner, bid_input(w, lot=0))
    await submit(gql, w.alpha.owner, bid_input(w, lot=1))
    await submit(gql, w.beta.owner, bid_input(w, lot=0))
    await submit(gql, w.alpha.editor, bid_input(w, lot=0, price_cents=800_000))

    assert await rows(
        db,
        "SELECT l.number, o.name, count(*) FROM tender_bids b"
        " JOIN tender_lots l ON l.id = b.lot_id JOIN organisations o ON o.id = b.provider_id"
        " WHERE b.state = 'submitted' GROUP BY 1, 2 ORDER BY 1, 2",
    ) == [(1, "Alfa Taal", 1), (1, "Beta Inburgering", 1), (2, "Alfa Taal", 1)]


def _with(w: BidWorld, **changes: Any) -> dict[str, Any]:
    return {**bid_input(w), **changes}


def _answers(w: BidWorld, *pairs: tuple[int, str]) -> list[dict[str, str]]:
    return [{"criterionId": w.criteria[i], "text": text} for i, text in pairs]


# (what is wrong, the input, the error's reason, its field)
BAD_INPUT: list[tuple[str, Any, str, str]] = [
    ("no price", lambda w: _with(w, priceCents=0), "FigureNotPositive", "priceCents"),
    ("negative price", lambda w: _with(w, priceCents=-5), "FigureNotPositive", "priceCents"),
    (
        "a criterion unanswered",
        lambda w: _with(w, qualityAnswers=_answers(w, (0, "Plan."))),
        "AnswerRequired",
        "qualityAnswers",
    ),
    (
        "a criterion answered twice",
        lambda w: _with(w, qualityAnswers=_answers(w, (0, "Plan."), (0, "Nog eens."), (1, "Ja."))),
        "DuplicateItems",
        "qualityAnswers[1].criterionId",
    ),
    (
        "a blank answer",
        lambda w: _with(w, qualityAnswers=_answers(w, (0, "  "), (1, "Ja."))),
        "TextRequired",
        "qualityAnswers[0].text",
    ),
    (
        "an answer too long",
        lambda w: _with(w, qualityAnswers=_answers(w, (0, "x" * 10_001), (1, "Ja."))),
        "TextTooLong",
        "qualityAnswers[0].text",
    ),
    (
        "too many documents",
        lambda w: _with(w, documents=[{"uploadId": _unknown_upload()} for _ in range(11)]),
        "TooManyItems",
        "documents",
    ),
]


def _unknown_upload() -> str:
    return ids.encode("DocumentUpload", uuid.uuid4())


@pytest.mark.parametrize(
    ("build_input", "reason", "field"),
    [case[1:] for case in BAD_INPUT],
    ids=[case[0] for case in BAD_INPUT],
)
async def test_bad_input_is_refused_and_changes_nothing(
    db: Database, gql: GraphQLClient, build_input: Any, reason: str, field: str, bid_world: BidWorld
) -> None:
    w = bid_world
    await submit(gql, w.alpha.owner, bid_input(w))
    before = await bid_tables(db)

    result = await gql(SUBMIT, {"input": build_input(w)}, token=w.alpha.owner.token)

    assert result.error_code == "BAD_USER_INPUT", result.errors
    assert (result.errors[0]["extensions"]["reason"], result.error_field) == (reason, field)
    assert result.data is None
    assert await bid_tables(db) == before


async def test_a_criterion_of_another_tender_is_refused(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    other = await create_tender(gql, w.coalition)
    token = w.coalition.lead.officer.token
    criteria = (await gql(TENDER_IDS, {"id": other}, token=token)).ok()["tender"]["criteria"]
    answers = [{"criterionId": criteria[0]["id"], "text": "Plan."}, *bid_input(w)["qualityAnswers"]]

    result = await gql(
        SUBMIT, {"input": _with(w, qualityAnswers=answers)}, token=w.alpha.owner.token
    )

    assert result.errors[0]["extensions"]["reason"] == "UnknownCriterion"
    assert result.error_field == "qualityAnswers[0].criterionId"
    assert await rows(db, "SELECT count(*) FROM tender_bids") == [(0,)]


async def test_lots_that_take_no_bids(
    db: Database, gql: GraphQLClient, bid_world: BidWorld
) -> None:
    w = bid_world
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE tenders SET state = 'cancelled' WHERE id = :id"), {"id": w.tender_id}
        )
    cancelled = await gql(SUBMIT, {"input": bid_input(w)}, token=w.alpha.owner.token)
    assert cancelled.errors[0]["extensions"]["reason"] == "LotNotOpenForBids"

    draft = await create_tender(gql, w.coalition)
    token = w.coalition.lead.officer.token
    lot = (await gql(TENDER_IDS, {"id": draft}, token=token)).ok()["tender"]["lots"][0]["id"]
    unpublished = await gql(SUBMIT, {"input": _with(w, lotId=lot)}, token=w.alpha.owner.token)
    assert (unpublished.error_code, unpublished.error_field) == ("NOT_FOUND", "lotId")
    assert unpublished.errors[0]["extensions"]["reason"] == "LotNotFound"
    assert await rows(db, "SELECT count(*) FROM tender_bids") == [(0,)]


async def test_concurrent_submissions_leave_one_live_bid(
    db: Database,
    gql: GraphQLClient,
    settings: Settings,  # noqa: F811 (the fixture imported above, asked for by name)
    bid_world: BidWorld,
) -> None:
    """Five submissions of one provider on one lot at once, each in its own transaction:
    the lot's row lock serialises them, and exactly one stays live."""
    w = bid_world
    grant = Grant(w.alpha.organisation_id, OrganisationKind.PROVIDER, Role.OWNER)
    actor = Actor(w.alpha.owner.user_id, (grant,))
    answers = tuple(
        AnswerDraft(ids.decode("QualityCriterion", criterion), "Antwoord.")
        for criterion in w.criteria
    )
    database = Database(settings.database_url, pool_size=5)

    async def bid(price_cents: int) -> None:
        draft = BidDraft(ids.decode("Lot", w.lots[0]), price_cents, answers)
        async with database.transaction() as session:
            await submit_bid(session, actor, draft)

    try:
        await asyncio.gather(*(bid(900_000 + i) for i in range(5)))
    finally:
        await database.dispose()

    assert await rows(
        db, "SELECT state::text, count(*) FROM tender_bids GROUP BY 1 ORDER BY 1"
    ) == [("submitted", 1), ("superseded", 4)]
