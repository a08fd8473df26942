"""Who may call each coalition and tender operation (anonymous, a learner, provider staff,
an outsider municipality's officer, an invited one's, a member's evaluator, the lead's
officer, a platform admin). On every denial the tenders' tables stay exactly as they
were; each allowed caller succeeds on a world of its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from market.db.database import Database
from tests.support.actors import learner, platform_admin, provider_staff
from tests.support.graphql import GraphQLClient, Result
from tests.tenders.world import (
    ACCEPT,
    COALITION,
    COALITIONS,
    CREATE_COALITION,
    CREATE_TENDER,
    DECLINE,
    INVITE,
    TENDER,
    TENDER_TABLES,
    TENDERS,
    UPDATE_TENDER,
    CoalitionWorld,
    build_coalition,
    create_tender,
    rows,
    tender_input,
)

TABLES = ("coalitions", "coalition_members", *TENDER_TABLES)


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {table: await rows(db, f"SELECT * FROM {table} ORDER BY 1, 2") for table in TABLES}  # noqa: S608


@dataclass(frozen=True)
class World:
    coalition: CoalitionWorld
    tender: str  # a draft of the coalition
    tokens: dict[str, str | None]


async def _token(db: Database, person: Callable[[Database], Awaitable[Any]]) -> str:
    return str((await person(db)).token)


async def build(db: Database, gql: GraphQLClient) -> World:
    w = await build_coalition(db, gql)
    tokens = {
        "anonymous": None,
        "learner": await _token(db, learner),
        "provider staff": await _token(db, provider_staff),
        "outsider officer": w.outsider.officer.token,
        "invited officer": w.invited.officer.token,
        "member evaluator": w.member.evaluator.token,
        "lead officer": w.lead.officer.token,
        "admin": await _token(db, platform_admin),
    }
    return World(w, await create_tender(gql, w), tokens)


@dataclass(frozen=True)
class Mutation:
    query: str
    variables: Callable[[World], dict[str, Any]]
    allowed: frozenset[str]
    # What each other actor gets (the code of the error).
    denied: dict[str, str]


MUTATIONS = {
    "createCoalition": Mutation(
        CREATE_COALITION,
        lambda w: {"name": "Nog een regio"},
        frozenset({"outsider officer", "invited officer", "lead officer"}),
        {
            "anonymous": "UNAUTHENTICATED",
            "learner": "FORBIDDEN",
            "provider staff": "FORBIDDEN",
            "member evaluator": "FORBIDDEN",
            "admin": "FORBIDDEN",
        },
    ),
    "inviteCoalitionMember": Mutation(
        INVITE,
        lambda w: {"coalition": w.coalition.coalition, "organisation": w.coalition.outsider.id},
        frozenset({"lead officer"}),
        {
            "anonymous": "UNAUTHENTICATED",
            "learner": "NOT_FOUND",
            "provider staff": "NOT_FOUND",
            "outsider officer": "NOT_FOUND",
            "invited officer": "FORBIDDEN",
            "member evaluator": "FORBIDDEN",
            "admin": "FORBIDDEN",
        },
    ),
    **{
        name: Mutation(
            query,
            lambda w: {"coalition": w.coalition.coalition},
            frozenset({"invited officer"}),
            {
                "anonymous": "UNAUTHENTICATED",
                "learner": "FORBIDDEN",
                "provider staff": "FORBIDDEN",
                "outsider officer": "NOT_FOUND",
                "member evaluator": "FORBIDDEN",
                "lead officer": "CONFLICT",
                "admin": "FORBIDDEN",
            },
        )
        for name, query in (
            ("acceptCoalitionInvitation", ACCEPT),
            ("declineCoalitionInvitation", DECLINE),
        )
    },
    "createTender": Mutation(
        CREATE_TENDER,
        lambda w: {"coalition": w.coalition.coalition, "input": tender_input(w.coalition)},
        frozenset({"lead officer"}),
        {
            "anonymous": "UNAUTHENTICATED",
            "learner": "NOT_FOUND",
            "provider staff": "NOT_FOUND",
            "outsider officer": "NOT_FOUND",
            "invited officer": "FORBIDDEN",
            "member evaluator": "FORBIDDEN",
            "admin": "FORBIDDEN",
        },
    ),
    "updateTender": Mutation(
        UPDATE_TENDER,
        lambda w: {"id": w.tender, "input": {**tender_input(w.coalition), "title": "Herzien"}},
        frozenset({"lead officer"}),
        {
            "anonymous": "UNAUTHENTICATED",
            "learner": "NOT_FOUND",
            "provider staff": "NOT_FOUND",
            "outsider officer": "NOT_FOUND",
            # Invited, not yet a member: the draft is not theirs to see.
            "invited officer": "NOT_FOUND",
            "member evaluator": "FORBIDDEN",
            "admin": "FORBIDDEN",
        },
    ),
}
ACTORS = (
    "anonymous",
    "learner",
    "provider staff",
    "outsider officer",
    "invited officer",
    "member evaluator",
    "lead officer",
    "admin",
)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", MUTATIONS)
async def test_mutation_matrix(
    db: Database, gql: GraphQLClient, operation: str, actor: str, authorization_world: World
) -> None:
    w = authorization_world
    spec = MUTATIONS[operation]
    assert spec.allowed | spec.denied.keys() == set(ACTORS)
    before = await snapshot(db)

    result = await gql(spec.query, spec.variables(w), token=w.tokens[actor])

    if actor in spec.allowed:
        assert result.ok()[operation]["id"]
        assert await snapshot(db) != before
    else:
        assert result.error_code == spec.denied[actor], result.errors
        assert result.data is None
        assert await snapshot(db) == before


# Who sees the coalition, and who its draft (the others see none, or null).
COALITION_INSIDERS = frozenset({"invited officer", "member evaluator", "lead officer", "admin"})
DRAFT_INSIDERS = frozenset({"member evaluator", "lead officer", "admin"})


def _listed(result: Result) -> bool:
    return bool(result.ok()["coalitions"]["totalCount"])


def _found(result: Result) -> bool:
    return result.ok()["coalition"] is not None


def _tender_listed(result: Result) -> bool:
    return bool(result.ok()["tenders"]["totalCount"])


def _tender_found(result: Result) -> bool:
    return result.ok()["tender"] is not None


QUERIES: dict[str, tuple[str, Callable[[World], dict[str, Any]], Any, frozenset[str]]] = {
    "coalitions": (COALITIONS, lambda w: {}, _listed, COALITION_INSIDERS),
    "coalition": (COALITION, lambda w: {"id": w.coalition.coalition}, _found, COALITION_INSIDERS),
    "tenders": (TENDERS, lambda w: {}, _tender_listed, DRAFT_INSIDERS),
    "tender": (TENDER, lambda w: {"id": w.tender}, _tender_found, DRAFT_INSIDERS),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", QUERIES)
async def test_query_matrix(
    db: Database, gql: GraphQLClient, operation: str, actor: str, authorization_world: World
) -> None:
    w = authorization_world
    query, variables, sees, insiders = QUERIES[operation]

    result = await gql(query, variables(w), token=w.tokens[actor])

    if actor == "anonymous" and operation == "coalitions":
        assert result.error_code == "UNAUTHENTICATED"
    else:
        assert sees(result) is (actor in insiders)
