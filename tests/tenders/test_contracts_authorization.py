"""Who may object, resolve an objection, sign a contract and exercise an extension, and
who reads objections and contracts: each actor of the awarded tender's world. On every
denial the award's tables, the audit trail and the outbox stay exactly as they were."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.tenders.contract_world import (
    CONTRACTS,
    EXTEND,
    LOT_OBJECTIONS,
    MY_CONTRACTS,
    REGISTER_OBJECTION,
    RESOLVE_OBJECTION,
    SIGN,
    TENDER_CONTRACTS,
    DecidedTender,
    award_tables,
    end_standstill,
    object_to,
    sign,
)

ACTORS = (
    "anonymous",
    "learner",
    "winner's staff",
    "runner-up's staff",
    "other provider's staff",
    "outsider officer",
    "invited officer",
    "member evaluator",
    "member officer",
    "lead evaluator",
    "lead officer",
    "admin",
)


def _tokens(d: DecidedTender) -> dict[str, str | None]:
    c = d.bids.coalition
    return {
        "anonymous": None,
        "learner": d.bids.learner.token,
        "winner's staff": d.bids.alpha.editor.token,
        "runner-up's staff": d.bids.beta.editor.token,
        "other provider's staff": d.bids.gamma.owner.token,
        "outsider officer": c.outsider.officer.token,
        "invited officer": c.invited.officer.token,
        "member evaluator": c.member.evaluator.token,
        "member officer": c.member.officer.token,
        "lead evaluator": c.lead.evaluator.token,
        "lead officer": c.lead.officer.token,
        "admin": d.bids.admin.token,
    }


def _denied(code: str, *exceptions: tuple[str, str]) -> dict[str, str]:
    """Every actor but the allowed refused with `code`, but the anonymous one and the
    exceptions."""
    return {"anonymous": "UNAUTHENTICATED", **dict.fromkeys(ACTORS[1:], code), **dict(exceptions)}


@dataclass(frozen=True)
class Mutation:
    query: str
    # Arranges the world; returns the operation's variables.
    arrange: Callable[[Database, GraphQLClient, DecidedTender], Awaitable[dict[str, Any]]]
    allowed: frozenset[str]
    denied: dict[str, str]

    @property
    def refused(self) -> dict[str, str]:
        return {actor: code for actor, code in self.denied.items() if actor not in self.allowed}


async def _objecting(db: Database, gql: GraphQLClient, d: DecidedTender) -> dict[str, Any]:
    return {"lot": d.lots[0], "text": "De score is onjuist.", "provider": d.bids.beta.id}


async def _objection(db: Database, gql: GraphQLClient, d: DecidedTender) -> dict[str, Any]:
    objection = await object_to(gql, d.bids.beta.owner.token, d.lots[0])
    return {"objection": objection["id"], "outcome": "REJECTED", "resolution": "Ongegrond."}


async def _signable(db: Database, gql: GraphQLClient, d: DecidedTender) -> dict[str, Any]:
    await end_standstill(db, d.tender)
    return {"lot": d.lots[0]}


async def _contract(db: Database, gql: GraphQLClient, d: DecidedTender) -> dict[str, Any]:
    await end_standstill(db, d.tender)
    return {"contract": (await sign(gql, d.bids.coalition.lead.officer.token, d.lots[0]))["id"]}


# Readers of the objection (the lead's officers, the objecting provider) and of the
# contract (the coalition's insiders, the supplier's staff, admins) are refused; anyone
# else is answered as for an id nothing has.
MUTATIONS = {
    "registerObjection": Mutation(
        REGISTER_OBJECTION,
        _objecting,
        frozenset({"runner-up's staff", "lead officer"}),
        _denied("FORBIDDEN"),
    ),
    "resolveObjection": Mutation(
        RESOLVE_OBJECTION,
        _objection,
        frozenset({"lead officer"}),
        _denied("NOT_FOUND", ("runner-up's staff", "FORBIDDEN")),
    ),
    "signContract": Mutation(
        SIGN, _signable, frozenset({"member officer", "lead officer"}), _denied("FORBIDDEN")
    ),
    "exerciseExtension": Mutation(
        EXTEND,
        _contract,
        frozenset({"lead officer"}),
        _denied(
            "NOT_FOUND",
            *(
                (actor, "FORBIDDEN")
                for actor in (
                    "winner's staff",
                    "member evaluator",
                    "member officer",
                    "lead evaluator",
                    "admin",
                )
            ),
        ),
    ),
}


@pytest.mark.parametrize("operation", MUTATIONS)
async def test_mutation_matrix(
    db: Database, gql: GraphQLClient, operation: str, decided_world: DecidedTender
) -> None:
    """Every refused actor first, then the allowed ones."""
    spec = MUTATIONS[operation]
    allowed = [actor for actor in ACTORS if actor in spec.allowed]
    assert set(allowed) | spec.refused.keys() == set(ACTORS)
    d = decided_world
    tokens = _tokens(d)
    variables = await spec.arrange(db, gql, d)
    before = await award_tables(db)
    for actor, code in spec.refused.items():
        result = await gql(spec.query, variables, token=tokens[actor])
        assert (operation, actor, result.error_code) == (operation, actor, code), result.errors
        assert result.data is None
        assert await award_tables(db) == before, (operation, actor)
    for actor in allowed:
        assert (await gql(spec.query, variables, token=tokens[actor])).ok()[operation]["id"]
    assert await award_tables(db) != before


async def test_query_matrix(db: Database, gql: GraphQLClient, decided_world: DecidedTender) -> None:
    """Lot 1 contracted by Amsterdam and Amstelveen with Alfa Taal, lot 2 by Amsterdam
    with Beta Inburgering, after Beta's rejected objection on lot 1."""
    d = decided_world
    c = d.bids.coalition
    lead = c.lead.officer.token
    resolve = await _objection(db, gql, d)
    (await gql(RESOLVE_OBJECTION, resolve, token=lead)).ok()
    await end_standstill(db, d.tender)
    await sign(gql, lead, d.lots[0])
    await sign(gql, c.member.officer.token, d.lots[0])
    await sign(gql, lead, d.lots[1])
    insiders = {"member evaluator", "member officer", "lead evaluator", "lead officer", "admin"}
    everything = [(1, "Gemeente GM0362"), (1, "Gemeente GM0363"), (2, "Gemeente GM0363")]
    sees = {
        "tenderContracts": {
            **dict.fromkeys(insiders, everything),
            "winner's staff": everything[:2],
            "runner-up's staff": everything[2:],
        },
        "myContracts": {
            # Newest first.
            "winner's staff": [(1, "Gemeente GM0362"), (1, "Gemeente GM0363")],
            "runner-up's staff": everything[2:],
        },
        "contracts": {
            "member evaluator": [(1, "Gemeente GM0362")],
            "member officer": [(1, "Gemeente GM0362")],
            "lead evaluator": [(2, "Gemeente GM0363"), (1, "Gemeente GM0363")],
            "lead officer": [(2, "Gemeente GM0363"), (1, "Gemeente GM0363")],
        },
        "lotObjections": {"runner-up's staff": ["REJECTED"], "lead officer": ["REJECTED"]},
    }
    queries = {
        "tenderContracts": (TENDER_CONTRACTS, {"tender": d.tender}),
        "myContracts": (MY_CONTRACTS, {}),
        "contracts": (CONTRACTS, {}),
        "lotObjections": (LOT_OBJECTIONS, {"lot": d.lots[0]}),
    }
    for actor, token in _tokens(d).items():
        for operation, (query, variables) in queries.items():
            result = await gql(query, variables, token=token)
            if actor == "anonymous":
                assert result.error_code == "UNAUTHENTICATED", operation
                continue
            nodes = result.ok()[operation]
            if operation in {"myContracts", "contracts"}:
                assert nodes["totalCount"] == len(sees[operation].get(actor, []))
                nodes = nodes["nodes"]
            found = (
                [o["state"] for o in nodes]
                if operation == "lotObjections"
                else [(k["lotNumber"], k["buyerName"]) for k in nodes]
            )
            assert found == sees[operation].get(actor, []), (actor, operation)

    # A page at a time.
    pages, after = [], None
    while True:
        page = await gql(CONTRACTS, {"first": 1, "after": after}, token=lead)
        read = page.ok()["contracts"]
        pages.append([k["lotNumber"] for k in read["nodes"]])
        if not read["pageInfo"]["hasNextPage"]:
            break
        after = read["pageInfo"]["endCursor"]
    assert pages == [[2], [1]]
