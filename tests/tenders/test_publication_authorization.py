"""Who may publish and cancel a tender (the rows of the authorization matrix for
publishTender and cancelTender, the actors of test_authorization): only the lead's
procurement officer. On every denial the tender tables, the audit trail, the idempotency
keys and the outbox stay exactly as they were."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.tenders.test_authorization import ACTORS, World
from tests.tenders.test_publication import everything
from tests.tenders.world import CANCEL_TENDER, PUBLISH_TENDER

# What each actor but the lead's officer gets on the coalition's draft.
DENIED = {
    "anonymous": "UNAUTHENTICATED",
    "learner": "NOT_FOUND",
    "provider staff": "NOT_FOUND",
    "outsider officer": "NOT_FOUND",
    # Invited, not yet a member: the draft is not theirs to see.
    "invited officer": "NOT_FOUND",
    "member evaluator": "FORBIDDEN",
    "admin": "FORBIDDEN",
}
MUTATIONS: dict[str, tuple[str, Callable[[World], dict[str, Any]]]] = {
    "publishTender": (PUBLISH_TENDER, lambda w: {"id": w.tender, "key": "k1"}),
    "cancelTender": (CANCEL_TENDER, lambda w: {"id": w.tender, "reason": "Geen budget."}),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", MUTATIONS)
async def test_mutation_matrix(
    db: Database, gql: GraphQLClient, operation: str, actor: str, authorization_world: World
) -> None:
    w = authorization_world
    async with db.transaction() as session:
        # Every lot with its maximum, the bid deadline ahead: publishable.
        await session.execute(text("UPDATE tender_lots SET max_value_cents = 80000000"))
        await session.execute(
            text(
                "UPDATE tenders SET publication_at = now() + interval '1 day',"
                " questions_deadline = now() + interval '10 days',"
                " bid_deadline = now() + interval '40 days',"
                " planned_award_at = now() + interval '60 days',"
                " contract_start_at = now() + interval '120 days',"
                " latest_end_date = CAST(now() + interval '10 years' AS date)"
            )
        )
    query, variables = MUTATIONS[operation]
    before = await everything(db)

    result = await gql(query, variables(w), token=w.tokens[actor])

    if actor == "lead officer":
        assert result.ok()[operation]["id"] == w.tender
        assert await everything(db) != before
    else:
        assert result.error_code == DENIED[actor], result.errors
        assert result.data is None
        assert await everything(db) == before
