"""The evaluation of opened bids: the knock-out check, each evaluator's own price-blind
quality scores (independent: nobody sees another's before giving their own), the
consensus, and the tender moving to EVALUATED (lots without a passing bid UNSUCCESSFUL)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from market.api.graphql import ids
from market.db.database import Database
from tests.support.graphql import GraphQLClient, Result
from tests.tenders.award_world import (
    EVALUATION,
    SCORE,
    AwardWorld,
    agree,
    audit_actions,
    build_award_world,
    check,
    evaluate,
    evaluation_tables,
    score,
    scored_by_both,
    scores,
    states,
)


def _reason(result: Result) -> tuple[str | None, str | None, str | None]:
    assert result.data is None
    error = result.errors[0]["extensions"]
    return error["code"], error["reason"], error.get("field")


async def _evaluation(gql: GraphQLClient, w: AwardWorld, token: str | None) -> list[dict[str, Any]]:
    result = await gql(EVALUATION, {"tender": w.tender}, token=token)
    return list(result.ok()["tenderEvaluation"])


async def test_a_failed_check_states_its_reason_and_may_change(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    alpha = w.bids["alpha"]
    before = await evaluation_tables(db)

    no_reason = await check(gql, w.officer, alpha, False, "  ")
    reason_on_pass = await check(gql, w.officer, alpha, True, "Prima.")

    assert _reason(no_reason) == ("BAD_USER_INPUT", "TextRequired", "reason")
    assert _reason(reason_on_pass) == ("BAD_USER_INPUT", "CheckReasonNotExpected", "reason")
    assert await evaluation_tables(db) == before

    failed = (await check(gql, w.officer, alpha, False, " Geen keurmerk. ")).ok()["checkBid"]
    assert (failed["check"]["passed"], failed["check"]["reason"]) == (False, "Geen keurmerk.")
    # An evaluator of the lead may change it.
    passed = (await check(gql, w.evaluator, alpha, True)).ok()["checkBid"]
    assert (passed["check"]["passed"], passed["check"]["reason"]) == (True, None)
    assert (await audit_actions(db, w))[-2:] == ["bid.checked", "bid.checked"]
    # Nothing is complete yet: beta and gamma are not checked.
    assert await states(gql, w) == ("OPENED", ["ACTIVE", "ACTIVE"])


async def test_evaluators_score_on_their_own_before_seeing_each_other(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    beta = w.bids["beta"]
    unchecked = await score(gql, w, w.evaluator, beta, 8000, 6000)
    assert _reason(unchecked) == ("CONFLICT", "BidNotPassed", "bidId")
    (await check(gql, w.officer, beta, True)).ok()

    first = (await score(gql, w, w.evaluator, beta, 8000, 6000)).ok()["scoreBid"]

    assert sorted((s["scoreBp"], s["motivation"]) for s in first["scores"]) == [
        (6000, "Goede coaching."),
        (8000, "Helder plan."),
    ]
    assert (first["evaluatorCount"], first["scoredByMe"]) == (1, True)
    # The second evaluator sees that someone scored, not what; the officer neither.
    for token in (w.second_evaluator.token, w.officer.token):
        (seen,) = [e for e in await _evaluation(gql, w, token) if e["bidId"] == beta]
        assert (seen["evaluatorCount"], seen["scoredByMe"], seen["scores"]) == (1, False, [])

    second = (await score(gql, w, w.second_evaluator, beta, 7000, 7000)).ok()["scoreBid"]

    assert second["evaluatorCount"] == 2
    assert sorted(s["scoreBp"] for s in second["scores"]) == [6000, 7000, 7000, 8000]
    # Own scores stand as given.
    again = await score(gql, w, w.evaluator, beta, 9000, 9000)
    assert _reason(again) == ("CONFLICT", "AlreadyScored", "bidId")
    stored = await evaluation_tables(db)
    assert sorted(row[3] for row in stored["tender_quality_scores"]) == [6000, 7000, 7000, 8000]


async def test_sealed_bids_are_not_evaluated_nor_told_apart_from_none(
    db: Database, gql: GraphQLClient
) -> None:
    w = await build_award_world(db, gql, opened=False)
    before = await evaluation_tables(db)
    nothing = ids.encode("Bid", uuid.uuid4())

    listed = await gql(EVALUATION, {"tender": w.tender}, token=w.officer.token)
    checks = [
        (await check(gql, person, bid, False, "Geen keurmerk.")).body
        for person in (w.officer, w.evaluator)
        for bid in (w.bids["alpha"], nothing)
    ]

    assert _reason(listed) == ("CONFLICT", "BidsSealed", "tenderId")
    assert all(answer == checks[0] for answer in checks)
    assert checks[0]["errors"][0]["extensions"]["reason"] == "BidNotFound"
    assert await evaluation_tables(db) == before


async def test_no_price_reaches_an_evaluator(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    await scored_by_both(gql, w, w.bids["alpha"])

    seen = await _evaluation(gql, w, w.evaluator.token)

    text = json.dumps(seen)
    assert [price for price in ("990000", "880000", "1500000") if price in text] == []
    assert [e["providerName"] for e in seen] == ["Alfa Taal", "Beta Inburgering", "Gamma Leren"]


async def test_scores_are_given_on_every_criterion_within_full_marks(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    alpha = w.bids["alpha"]
    (await check(gql, w.officer, alpha, True)).ok()
    before = await evaluation_tables(db)
    full = scores(w, 8000, 6000)
    cases = {
        "scores[1].scoreBp": [full[0], {**full[1], "scoreBp": 10_001}],
        "scores": [full[0]],
        "scores[1].criterionId": [full[0], {**full[1], "criterionId": full[0]["criterionId"]}],
        "scores[0].motivation": [{**full[0], "motivation": " "}, full[1]],
    }
    answers = {
        field: _reason(await gql(SCORE, {"bid": alpha, "scores": given}, token=w.evaluator.token))
        for field, given in cases.items()
    }

    assert answers == {
        "scores[1].scoreBp": ("BAD_USER_INPUT", "ValueOutOfRange", "scores[1].scoreBp"),
        "scores": ("BAD_USER_INPUT", "ScoreRequired", "scores"),
        "scores[1].criterionId": ("BAD_USER_INPUT", "DuplicateItems", "scores[1].criterionId"),
        "scores[0].motivation": ("BAD_USER_INPUT", "TextRequired", "scores[0].motivation"),
    }
    assert await evaluation_tables(db) == before


async def test_a_consensus_rests_on_two_evaluators_own_scores(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    alpha = w.bids["alpha"]
    (await check(gql, w.officer, alpha, True)).ok()
    (await score(gql, w, w.evaluator, alpha, 8000, 6000)).ok()

    alone = await agree(gql, w, w.evaluator, alpha, 8000, 6000)
    not_scored = await agree(gql, w, w.second_evaluator, alpha, 8000, 6000)

    assert _reason(alone) == ("CONFLICT", "TooFewEvaluators", "bidId")
    assert alone.errors[0]["extensions"]["params"] == {"minimum": 2, "count": 1}
    assert _reason(not_scored) == ("CONFLICT", "OwnScoresFirst", "bidId")
    (await score(gql, w, w.second_evaluator, alpha, 7000, 7000)).ok()
    agreed = (await agree(gql, w, w.second_evaluator, alpha, 7500, 6500)).ok()["agreeScore"]
    assert sorted(c["scoreBp"] for c in agreed["consensus"]) == [6500, 7500]
    # Agreed again, it changes (until the evaluation is complete).
    again = (await agree(gql, w, w.evaluator, alpha, 7600, 6500)).ok()["agreeScore"]
    assert sorted(c["scoreBp"] for c in again["consensus"]) == [6500, 7600]
    assert await states(gql, w) == ("OPENED", ["ACTIVE", "ACTIVE"])


async def test_the_tender_is_evaluated_once_every_passing_bid_has_its_consensus(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world

    await evaluate(gql, w)

    # Lot 2's only bid was knocked out: the lot is unsuccessful, the tender evaluated.
    assert await states(gql, w) == ("EVALUATED", ["ACTIVE", "UNSUCCESSFUL"])
    assert (await audit_actions(db, w))[-2:] == ["bid.checked", "tender.evaluated"]
    # The evaluation is complete: everyone's scores are open to the lead's insiders.
    seen = await _evaluation(gql, w, w.officer.token)
    assert [len(e["scores"]) for e in seen] == [4, 4, 0]
    # Scoring is over; a check may still change, but never leave it incomplete.
    late = await score(gql, w, w.second_evaluator, w.bids["gamma"], 5000, 5000)
    assert _reason(late) == ("CONFLICT", "EvaluationClosed", "bidId")
    before = await evaluation_tables(db)
    reopen = await check(gql, w.officer, w.bids["gamma"], True)
    assert _reason(reopen) == ("CONFLICT", "EvaluationClosed", "bidId")
    assert await evaluation_tables(db) == before


async def test_a_passing_check_without_consensus_cannot_reopen_an_evaluation(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    await scored_by_both(gql, w, w.bids["alpha"])
    (await agree(gql, w, w.evaluator, w.bids["alpha"], 9000, 8000)).ok()
    (await check(gql, w.officer, w.bids["beta"], False, "Te laat geleverd.")).ok()
    (await check(gql, w.officer, w.bids["gamma"], True)).ok()
    (await score(gql, w, w.evaluator, w.bids["gamma"], 5000, 5000)).ok()
    (await score(gql, w, w.second_evaluator, w.bids["gamma"], 5000, 5000)).ok()
    (await agree(gql, w, w.evaluator, w.bids["gamma"], 5000, 5000)).ok()
    assert await states(gql, w) == ("EVALUATED", ["ACTIVE", "ACTIVE"])
    before = await evaluation_tables(db)

    reopen = await check(gql, w.officer, w.bids["beta"], True)

    assert _reason(reopen) == ("CONFLICT", "EvaluationWouldReopen", "bidId")
    assert await evaluation_tables(db) == before
    # Failing a lot's last passing bid makes the lot unsuccessful; the tender stays evaluated.
    (await check(gql, w.officer, w.bids["gamma"], False, "Keurmerk verlopen.")).ok()
    assert await states(gql, w) == ("EVALUATED", ["ACTIVE", "UNSUCCESSFUL"])
    assert (await audit_actions(db, w))[-1] == "lots.unsuccessful"
    # And the last one on the last lot: nothing is left to award.
    (await check(gql, w.officer, w.bids["alpha"], False, "Keurmerk verlopen.")).ok()
    assert await states(gql, w) == ("UNSUCCESSFUL", ["UNSUCCESSFUL", "UNSUCCESSFUL"])
    assert (await audit_actions(db, w))[-1] == "tender.unsuccessful"


async def test_a_tender_whose_every_bid_is_knocked_out_is_unsuccessful(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world

    for name in ("alpha", "beta", "gamma"):
        (await check(gql, w.officer, w.bids[name], False, "Geen keurmerk.")).ok()

    assert await states(gql, w) == ("UNSUCCESSFUL", ["UNSUCCESSFUL", "UNSUCCESSFUL"])
    assert (await audit_actions(db, w))[-1] == "tender.unsuccessful"
