"""Corrections and re-tenders at the same moment, run for real in parallel transactions:
the tender's row lock gives two corrections one version each, in turn; the lot's row lock
lets one re-tender of a lot through."""

from __future__ import annotations

import asyncio

import httpx

from market.db.database import Database
from tests.support.concurrent import post
from tests.support.graphql import GraphQLClient
from tests.tenders.correction_world import (
    CORRECT,
    RETENDER,
    TENDER_WITH_RECTIFICATIONS,
    published_tender,
    unsuccessful_lot,
)
from tests.tenders.world import CoalitionWorld, audit_trail, publishable_input, rows


async def test_two_corrections_at_once_make_two_versions(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await published_tender(db, gql, w)
    titles = ("Eerste correctie", "Tweede correctie")
    requests = [
        {"id": tender, "input": {**publishable_input(w), "title": title}, "reason": title}
        for title in titles
    ]

    answers = await asyncio.gather(
        *(post(client, CORRECT, variables, w.lead.officer.token) for variables in requests)
    )

    assert [body.get("errors") for body in answers] == [None, None]
    assert sorted(body["data"]["updateTender"]["version"] for body in answers) == [2, 3]
    read = (await gql(TENDER_WITH_RECTIFICATIONS, {"id": tender})).ok()["tender"]
    assert read["version"] == 3
    assert [r["version"] for r in read["rectifications"]] == [2, 3]
    # The later one corrected what the earlier one made.
    first, second = read["rectifications"]
    assert second["changes"][0]["before"] == first["changes"][0]["after"]
    assert [action for _, action, _ in await audit_trail(db, tender)][-2:] == [
        "tender.corrected",
        "tender.corrected",
    ]


async def test_three_retenders_of_a_lot_at_once_make_one_tender(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    lot = await unsuccessful_lot(db, gql, w, await published_tender(db, gql, w))

    answers = await asyncio.gather(
        *(post(client, RETENDER, {"lot": lot}, w.lead.officer.token) for _ in range(3))
    )

    reasons = sorted(
        body["errors"][0]["extensions"]["reason"] if body.get("errors") else "retendered"
        for body in answers
    )
    assert reasons == ["LotAlreadyRetendered", "LotAlreadyRetendered", "retendered"]
    assert await rows(db, "SELECT count(*) FROM tenders WHERE retender_of_lot_id IS NOT NULL") == [
        (1,)
    ]
