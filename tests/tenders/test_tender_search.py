"""Providers find tenders: `tenders(filter)` by route, region (one lot holding both), bid
deadline, open for bids, and the provider's follows; drafts never, whatever they match."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.policies import Actor
from market.tenders import service
from market.tenders.models import Tender
from market.tenders.policies import TenderState
from tests.support.actors import learner
from tests.support.graphql import GraphQLClient
from tests.tenders.bid_world import Provider, provider, publish
from tests.tenders.follow_world import follow
from tests.tenders.questions_world import sql
from tests.tenders.world import (
    CREATE_TENDER,
    CoalitionWorld,
    ahead,
    build_coalition,
    create_publishable_tender,
    publishable_input,
)

SEARCH = """query($filter: TenderFilter) {
  tenders(filter: $filter) { totalCount nodes { title } }
}"""
Z_AND_MBO = "Inburgering Regio Amsterdam 2027"  # Z-route in AM18, Onderwijs mbo in AM18+AM17
B1_UTRECHT = "B1-route Utrecht"
DRAFT = "Concept: alles overal"


async def _tender(gql: GraphQLClient, w: CoalitionWorld, title: str, lots: Any) -> str:
    draft = {**publishable_input(w), "title": title, "lots": lots}
    result = await gql(CREATE_TENDER, {"coalition": w.coalition, "input": draft}, token=_lead(w))
    return str(result.ok()["createTender"]["id"])


def _lead(w: CoalitionWorld) -> str:
    return w.lead.officer.token


def _lot(route: str, regions: list[str], **level: str) -> dict[str, Any]:
    return {"title": f"{route} {regions}", "route": route, "regionCodes": regions, **level}


class World:
    def __init__(self, coalition: CoalitionWorld, tenders: dict[str, str], alpha: Provider):
        self.coalition, self.tenders, self.alpha = coalition, tenders, alpha


async def _world(db: Database, gql: GraphQLClient) -> World:
    w = await build_coalition(db, gql)
    amsterdam = await create_publishable_tender(gql, w)
    utrecht = await _tender(gql, w, B1_UTRECHT, [_lot("B1", ["AM26"], level="B1")])
    everything = [
        _lot("B1", ["AM17", "AM18", "AM26"], level="B1"),
        _lot("Z", ["AM17", "AM18", "AM26"], level="A2"),
    ]
    draft = await _tender(gql, w, DRAFT, everything)
    for tender in (amsterdam, utrecht):
        await publish(db, tender)
    # Utrecht's bids are due two weeks after Amsterdam's.
    await sql(
        db,
        "UPDATE tenders SET bid_deadline = bid_deadline + interval '14 days' WHERE id = :id",
        id=ids.decode("Tender", utrecht),
    )
    tenders = {Z_AND_MBO: amsterdam, B1_UTRECHT: utrecht, DRAFT: draft}
    return World(w, tenders, await provider(db, "Alfa Taal"))


async def _titles(gql: GraphQLClient, token: str | None, **where: Any) -> list[str]:
    found = (await gql(SEARCH, {"filter": where}, token=token)).ok()["tenders"]
    titles = sorted(node["title"] for node in found["nodes"])
    assert found["totalCount"] == len(titles)
    return titles


CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "no filter": ({}, [B1_UTRECHT, Z_AND_MBO]),
    "a route": ({"routes": ["Z"]}, [Z_AND_MBO]),
    "either route": ({"routes": ["Z", "B1"]}, [B1_UTRECHT, Z_AND_MBO]),
    "a route no lot has": ({"routes": ["ONDERWIJS"], "regionCodes": ["AM26"]}, []),
    "a region": ({"regionCodes": ["AM17"]}, [Z_AND_MBO]),
    "either region": ({"regionCodes": ["AM17", "AM26"]}, [B1_UTRECHT, Z_AND_MBO]),
    # Amsterdam has a Z lot and a lot in AM17, but no Z lot in AM17.
    "route and region in one lot": ({"routes": ["Z"], "regionCodes": ["AM17"]}, []),
    "route and region of the same lot": (
        {"routes": ["ONDERWIJS"], "regionCodes": ["AM17"]},
        [Z_AND_MBO],
    ),
    "bids due after": ({"bidDeadlineAfter": ahead("2027-04-13T00:00:00+02:00")}, [B1_UTRECHT]),
    "bids due before": ({"bidDeadlineBefore": ahead("2027-04-13T00:00:00+02:00")}, [Z_AND_MBO]),
    "bids due within": (
        {
            "bidDeadlineAfter": ahead("2027-04-12T11:59:00+02:00"),
            "bidDeadlineBefore": ahead("2027-04-12T12:01:00+02:00"),
        },
        [Z_AND_MBO],
    ),
    "with a state": ({"states": ["PUBLISHED"], "routes": ["B1"]}, [B1_UTRECHT]),
}


@pytest.mark.parametrize("case", CASES)
async def test_a_provider_finds_published_tenders_by_route_region_and_deadline(
    db: Database, gql: GraphQLClient, case: str
) -> None:
    w = await _world(db, gql)
    where, expected = CASES[case]

    for token in (w.alpha.owner.token, None):
        assert await _titles(gql, token, **where) == expected


async def test_the_coalition_finds_its_draft_by_the_same_filters(
    db: Database, gql: GraphQLClient
) -> None:
    w = await _world(db, gql)

    found = await _titles(gql, _lead(w.coalition), routes=["Z"], regionCodes=["AM26"])

    assert found == [DRAFT]


async def test_open_for_bids_leaves_out_tenders_past_their_deadline_or_cancelled(
    db: Database, gql: GraphQLClient
) -> None:
    w = await _world(db, gql)
    token = w.alpha.owner.token
    assert await _titles(gql, token, openForBids=True) == [B1_UTRECHT, Z_AND_MBO]

    await sql(
        db,
        "UPDATE tenders SET publication_at = now() - interval '30 days',"
        " questions_deadline = now() - interval '20 days',"
        " bid_deadline = now() - interval '1 minute' WHERE id = :id",
        id=ids.decode("Tender", w.tenders[Z_AND_MBO]),
    )
    assert await _titles(gql, token, openForBids=True) == [B1_UTRECHT]

    await sql(
        db,
        "UPDATE tenders SET state = :state WHERE id = :id",
        state=TenderState.CANCELLED.value,
        id=ids.decode("Tender", w.tenders[B1_UTRECHT]),
    )
    assert await _titles(gql, token, openForBids=True) == []
    assert await _titles(gql, token) == [B1_UTRECHT, Z_AND_MBO]


FOLLOWED: dict[str, tuple[list[tuple[str | None, str | None]], list[str]]] = {
    "nothing followed": ([], []),
    "a route": ([("Z", None)], [Z_AND_MBO]),
    "a region": ([(None, "AM26")], [B1_UTRECHT]),
    "a route in a region": ([("ONDERWIJS", "AM17")], [Z_AND_MBO]),
    "a route, not in that region": ([("Z", "AM17")], []),
    "everything": ([(None, None)], [B1_UTRECHT, Z_AND_MBO]),
    "two follows": ([("Z", "AM18"), ("B1", "AM26")], [B1_UTRECHT, Z_AND_MBO]),
}


@pytest.mark.parametrize("case", FOLLOWED)
async def test_followed_finds_the_tenders_the_providers_follows_match(
    db: Database, gql: GraphQLClient, case: str
) -> None:
    w = await _world(db, gql)
    follows, expected = FOLLOWED[case]
    for route, region in follows:
        await follow(gql, w.alpha.owner, route, region)
    other = await provider(db, "Beta Inburgering")
    await follow(gql, other.owner, None, None)  # another provider's follows count not

    assert await _titles(gql, w.alpha.editor.token, followed=True) == expected


async def test_followed_finds_nothing_for_those_who_follow_for_no_provider(
    db: Database, gql: GraphQLClient
) -> None:
    w = await _world(db, gql)
    await follow(gql, w.alpha.owner, None, None)

    for token in (None, (await learner(db)).token, _lead(w.coalition)):
        assert await _titles(gql, token, followed=True) == []


async def test_a_deadline_without_its_offset_is_refused(db: Database, gql: GraphQLClient) -> None:
    w = await _world(db, gql)

    result = await gql(
        SEARCH,
        {"filter": {"bidDeadlineAfter": "2027-04-12T12:00:00"}},
        token=w.alpha.owner.token,
    )

    got = (result.error_code, result.errors[0]["extensions"]["reason"], result.error_field)
    assert got == ("BAD_USER_INPUT", "TimeWithoutZone", "bidDeadlineAfter")


async def _plan(db: Database, where: service.TenderFilter) -> str:
    """The search's plan as PostgreSQL would choose it on big tables (sequential scans
    priced out, as they are when a table is large)."""
    statement = select(Tender.id).where(*service._scope(Actor(), where))
    async with db.transaction() as session:
        connection = await session.connection()
        compiled = statement.compile(
            dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
        )
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = await connection.exec_driver_sql(f"EXPLAIN {compiled}", params)
        return "\n".join(row[0] for row in plan)


async def test_the_search_by_region_and_deadline_is_indexed(db: Database) -> None:
    by_region = await _plan(db, service.TenderFilter(region_codes=frozenset({"AM17"})))
    by_deadline = await _plan(db, service.TenderFilter(bid_deadline_after=datetime.now(UTC)))

    assert "ix_tender_lots_region_codes" in by_region
    assert "ix_tenders_bid_deadline" in by_deadline
