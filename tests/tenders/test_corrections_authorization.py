"""Who may correct a published tender (`updateTender` after publication) and re-tender an
unsuccessful lot (`retenderLot`): only the lead's procurement officer. Both tenders are
published, so everyone sees them: every other signed-in actor, a member's own officer and
a platform admin among them, is FORBIDDEN; anonymous is UNAUTHENTICATED. On every denial
the tender tables, the rectifications, the audit trail, the idempotency keys and the outbox
stay exactly as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.tenders.correction_world import (
    CORRECT,
    RETENDER,
    published_tender,
    unsuccessful_lot,
    with_rectifications,
)
from tests.tenders.test_authorization import ACTORS
from tests.tenders.world import CoalitionWorld, publishable_input

MEMBER_OFFICER = "member officer"
DENIED = {
    "anonymous": "UNAUTHENTICATED",
    "learner": "FORBIDDEN",
    "provider staff": "FORBIDDEN",
    "outsider officer": "FORBIDDEN",
    "invited officer": "FORBIDDEN",
    "member evaluator": "FORBIDDEN",
    MEMBER_OFFICER: "FORBIDDEN",
    "admin": "FORBIDDEN",
}


@dataclass(frozen=True)
class World:
    coalition: CoalitionWorld
    corrected: str  # a published tender
    lot: str  # an unsuccessful lot of another


def _correction(w: World) -> dict[str, Any]:
    draft = publishable_input(w.coalition)
    draft["title"] = "Gecorrigeerd"
    return {"id": w.corrected, "input": draft, "reason": "Titel."}


MUTATIONS: dict[str, tuple[str, Callable[[World], dict[str, Any]]]] = {
    "updateTender": (CORRECT, _correction),
    "retenderLot": (RETENDER, lambda w: {"lot": w.lot, "max": 90_000_000, "key": "k1"}),
}


@pytest.mark.parametrize("actor", [*ACTORS, MEMBER_OFFICER])
@pytest.mark.parametrize("operation", MUTATIONS)
async def test_mutation_matrix(
    db: Database, gql: GraphQLClient, operation: str, actor: str, authorization_world: World
) -> None:
    base = authorization_world
    coalition = base.coalition
    failed = await published_tender(db, gql, coalition)
    corrected = await published_tender(db, gql, coalition)
    w = World(coalition, corrected, await unsuccessful_lot(db, gql, coalition, failed, 1))
    tokens = {**base.tokens, MEMBER_OFFICER: coalition.member.officer.token}
    query, variables = MUTATIONS[operation]
    before = await with_rectifications(db)

    result = await gql(query, variables(w), token=tokens[actor])

    if actor == "lead officer":
        assert result.ok()[operation]["id"]
        assert await with_rectifications(db) != before
    else:
        assert result.error_code == DENIED[actor], result.errors
        assert result.data is None
        assert await with_rectifications(db) == before
