"""Who may check, score, agree, decide and read an evaluation or an award decision: each
actor of the award world. Every denied actor is tried first on one world, and after each
denial the evaluation's tables, the audit trail and the outbox are exactly as they were;
then the allowed actors succeed on it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.tenders.award_world import (
    AGREE,
    CHECK,
    DECIDE,
    DECISIONS,
    EVALUATION,
    SCORE,
    AwardWorld,
    check,
    evaluate,
    evaluation_tables,
    lot_awards,
    score,
    scores,
)

ACTORS: dict[str, Callable[[AwardWorld], str | None]] = {
    "anonymous": lambda w: None,
    "learner": lambda w: w.learner.token,
    "bidder": lambda w: w.alpha.owner.token,
    "other provider": lambda w: w.delta.owner.token,
    "lead officer": lambda w: w.officer.token,
    "lead evaluator": lambda w: w.evaluator.token,
    "member officer": lambda w: w.coalition.member.officer.token,
    "member evaluator": lambda w: w.coalition.member.evaluator.token,
    "outsider officer": lambda w: w.coalition.outsider.officer.token,
    "admin": lambda w: w.admin.token,
}


def _denied(allowed: frozenset[str], forbidden: frozenset[str]) -> dict[str, str]:
    """Anonymous must sign in; `forbidden` are refused; anyone else does not see the bid."""
    return {
        actor: "UNAUTHENTICATED"
        if actor == "anonymous"
        else "FORBIDDEN"
        if actor in forbidden
        else "NOT_FOUND"
        for actor in ACTORS
        if actor not in allowed
    }


async def _opened(db: Database, gql: GraphQLClient, w: AwardWorld) -> None:
    """The bids are opened (the world as built)."""


async def _alpha_passed(db: Database, gql: GraphQLClient, w: AwardWorld) -> None:
    (await check(gql, w.officer, w.bids["alpha"], True)).ok()


async def _alpha_scored_by_both(db: Database, gql: GraphQLClient, w: AwardWorld) -> None:
    await _alpha_passed(db, gql, w)
    (await score(gql, w, w.evaluator, w.bids["alpha"], 8000, 6000)).ok()
    (await score(gql, w, w.second_evaluator, w.bids["alpha"], 7000, 7000)).ok()


async def _evaluated(db: Database, gql: GraphQLClient, w: AwardWorld) -> None:
    await evaluate(gql, w)


@dataclass(frozen=True)
class Operation:
    arrange: Callable[[Database, GraphQLClient, AwardWorld], Awaitable[None]]
    query: str
    variables: Callable[[AwardWorld], dict[str, Any]]
    allowed: frozenset[str]
    denied: dict[str, str]


LEAD_ASSESSORS = frozenset({"lead officer", "lead evaluator"})
EVALUATOR = frozenset({"lead evaluator"})
OFFICER = frozenset({"lead officer"})
OPERATIONS = {
    "checkBid": Operation(
        _opened,
        CHECK,
        lambda w: {"bid": w.bids["alpha"], "passed": True},
        LEAD_ASSESSORS,
        _denied(LEAD_ASSESSORS, frozenset({"bidder"})),
    ),
    "scoreBid": Operation(
        _alpha_passed,
        SCORE,
        lambda w: {"bid": w.bids["alpha"], "scores": scores(w, 9000, 9000)},
        EVALUATOR,
        _denied(EVALUATOR, frozenset({"bidder", "lead officer"})),
    ),
    "agreeScore": Operation(
        _alpha_scored_by_both,
        AGREE,
        lambda w: {"bid": w.bids["alpha"], "scores": scores(w, 7500, 6500)},
        EVALUATOR,
        _denied(EVALUATOR, frozenset({"bidder", "lead officer"})),
    ),
    "decideAward": Operation(
        _evaluated,
        DECIDE,
        lambda w: {"tender": w.tender, "lots": lot_awards(w)},
        OFFICER,
        {
            actor: "UNAUTHENTICATED" if actor == "anonymous" else "FORBIDDEN"
            for actor in ACTORS
            if actor not in OFFICER
        },
    ),
    "tenderEvaluation": Operation(
        _opened,
        EVALUATION,
        lambda w: {"tender": w.tender},
        LEAD_ASSESSORS,
        {
            actor: "UNAUTHENTICATED" if actor == "anonymous" else "FORBIDDEN"
            for actor in ACTORS
            if actor not in LEAD_ASSESSORS
        },
    ),
}


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_operation_matrix(
    db: Database, gql: GraphQLClient, operation: str, award_world: AwardWorld
) -> None:
    spec = OPERATIONS[operation]
    assert spec.allowed | spec.denied.keys() == set(ACTORS)
    w = award_world
    await spec.arrange(db, gql, w)
    before = await evaluation_tables(db)

    for actor, code in spec.denied.items():
        result = await gql(spec.query, spec.variables(w), token=ACTORS[actor](w))
        assert (actor, result.error_code) == (actor, code), result.errors
        assert result.data is None
        assert await evaluation_tables(db) == before

    for actor in sorted(spec.allowed):
        result = await gql(spec.query, spec.variables(w), token=ACTORS[actor](w))
        assert result.ok()[operation], actor


# Who reads the award decision on lot 1: the coalition's members' officers and evaluators,
# and the staff of the providers that bid on the lot; nobody else, not even a platform admin.
READS_DECISION = frozenset(
    {"bidder", "lead officer", "lead evaluator", "member officer", "member evaluator"}
)


async def test_who_reads_the_award_decision(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    await evaluate(gql, w)
    (await gql(DECIDE, {"tender": w.tender, "lots": lot_awards(w)}, token=w.officer.token)).ok()
    tokens = {actor: token(w) for actor, token in ACTORS.items()}
    # Gamma bid on lot 2 only, which was unsuccessful: it has no decision to read.
    tokens["lot 2 bidder"] = w.gamma.owner.token

    seen = {
        actor: (await gql(DECISIONS, {"tender": w.tender}, token=token)).ok()["awardDecisions"]
        for actor, token in tokens.items()
    }

    readers = {actor for actor, decisions in seen.items() if decisions}
    assert readers == READS_DECISION
    # Every reader reads the same decision: winner, ranking with prices and scores, reasons.
    decisions = [seen[actor] for actor in sorted(READS_DECISION)]
    assert all(d == decisions[0] for d in decisions)
    assert [r["providerName"] for r in decisions[0][0]["ranking"]] == [
        "Alfa Taal",
        "Beta Inburgering",
    ]
