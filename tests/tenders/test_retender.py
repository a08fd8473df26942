"""An unsuccessful lot is re-tendered in one call (`retenderLot`): a new draft tender of
the coalition with a copy of the lot, the original's requirements, award terms and
contract term, a fresh timeline at the original's intervals, and the overrides a failed lot
needs. Retries never duplicate; each refusal is a typed error that changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from market.api.graphql import ids
from market.db.database import Database
from market.tenders import policies
from tests.support.graphql import GraphQLClient
from tests.support.worlds import shared_world
from tests.tenders.correction_world import (
    RETENDER,
    TENDER_WITH_RECTIFICATIONS,
    correct,
    published_tender,
    unsuccessful_lot,
    with_rectifications,
)
from tests.tenders.world import (
    CANCEL_TENDER,
    PUBLISH_TENDER,
    TENDER,
    CoalitionWorld,
    audit_trail,
    build_coalition,
    publishable_input,
    rows,
)

TIMES = ("publicationAt", "questionsDeadline", "bidDeadline", "plannedAwardAt", "contractStartAt")


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _latest_end_room(read: dict[str, Any]) -> timedelta:
    """How far the latest end date lies beyond the term with every extension."""
    term = read["contractTerm"]
    earliest = policies.earliest_end(
        _at(read["timeline"]["contractStartAt"]),
        policies.ContractTerm(term["initialMonths"], tuple(term["extensionMonths"])),
    )
    return date.fromisoformat(term["latestEndDate"]) - earliest


async def _failed(db: Database, gql: GraphQLClient) -> tuple[CoalitionWorld, str, str]:
    """The coalition, its published tender whose bids closed without a bid, and its second
    lot (the Onderwijsroute mbo), unsuccessful."""
    w = await build_coalition(db, gql)
    tender = await published_tender(db, gql, w)
    return w, tender, await unsuccessful_lot(db, gql, w, tender, 2)


failed_lot = shared_world("failed_lot", _failed)


async def _retender(gql: GraphQLClient, w: CoalitionWorld, lot: str, **variables: Any) -> Any:
    return await gql(RETENDER, {"lot": lot, **variables}, token=w.lead.officer.token)


async def test_an_unsuccessful_lot_is_retendered_from_a_copy_in_one_call(
    db: Database,
    gql: GraphQLClient,
    failed_lot: tuple[CoalitionWorld, str, str],
) -> None:
    w, tender, lot = failed_lot
    original = (await gql(TENDER, {"id": tender})).ok()["tender"]
    ((now,),) = await rows(db, "SELECT now()")

    copy = (await _retender(gql, w, lot, max=120_000_000)).ok()["retenderLot"]

    ((later,),) = await rows(db, "SELECT now()")
    assert (copy["state"], copy["version"], copy["coalitionId"]) == ("DRAFT", 1, w.coalition)
    assert copy["retenderOfLotId"] == lot
    assert copy["title"] == "Inburgering Regio Amsterdam 2027 (perceel 2 opnieuw)"
    assert copy["lots"] == [
        {
            "number": 1,
            "title": "Onderwijsroute mbo",
            "route": "ONDERWIJS",
            "level": None,
            "stream": "MBO",
            "regionCodes": ["AM18", "AM17"],
            "maxValueCents": 120_000_000,
            "maxTrajectories": None,
            "state": "ACTIVE",
            "volumes": [
                {"organisationId": w.lead.id, "name": "Gemeente GM0363", "learnersPerYear": 40}
            ],
        }
    ]
    assert copy["estimatedTotalValueCents"] == 120_000_000
    for same in ("description", "requirements", "award", "criteria"):
        assert copy[same] == original[same]
    assert copy["contractTerm"]["initialMonths"] == 24
    assert copy["contractTerm"]["extensionMonths"] == [12, 12]
    assert _latest_end_room(copy) == _latest_end_room(original)
    # Publication five days ahead, every later moment at the original's interval.
    publication = _at(copy["timeline"]["publicationAt"])
    assert now + timedelta(days=5) <= publication <= later + timedelta(days=5)
    for moment in TIMES[1:]:
        assert _at(copy["timeline"][moment]) - publication == _at(
            original["timeline"][moment]
        ) - _at(original["timeline"]["publicationAt"])
    assert [action for _, action, _ in await audit_trail(db, copy["id"])] == ["tender.created"]
    assert [action for _, action, _ in await audit_trail(db, tender)][-1] == (
        "tender.lot_retendered"
    )
    # The copy goes out as it is.
    published = await gql(PUBLISH_TENDER, {"id": copy["id"]}, token=w.lead.officer.token)
    assert published.ok()["publishTender"]["state"] == "PUBLISHED"
    read = (await gql(TENDER_WITH_RECTIFICATIONS, {"id": copy["id"]})).ok()["tender"]
    assert read["retenderOfLotId"] == lot


async def test_the_price_ceiling_of_the_linear_method_can_be_raised(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await published_tender(db, gql, w)
    draft = publishable_input(w)
    draft["award"] = {
        "method": "LINEAR_PRICE",
        "qualityWeightBp": 6000,
        "priceWeightBp": 4000,
        "priceFloorCents": 500_000,
        "priceCeilingCents": 1_200_000,
    }
    (await correct(gql, w, tender, draft, "Prijs lineair tussen grenzen.")).ok()
    lot = await unsuccessful_lot(db, gql, w, tender, 2)

    copy = (await _retender(gql, w, lot, ceiling=1_500_000)).ok()["retenderLot"]

    # The terms as corrected, the ceiling raised.
    assert copy["award"] == {**draft["award"], "priceCeilingCents": 1_500_000}


async def test_a_retried_retender_never_duplicates(
    db: Database, gql: GraphQLClient, failed_lot: tuple[CoalitionWorld, str, str]
) -> None:
    w, _, lot = failed_lot

    first = (await _retender(gql, w, lot, key="r-1")).ok()["retenderLot"]
    again = (await _retender(gql, w, lot, key="r-1")).ok()["retenderLot"]
    other = await _retender(gql, w, lot, key="r-1", max=1)

    assert again == first
    assert await rows(db, "SELECT count(*) FROM tenders WHERE retender_of_lot_id IS NOT NULL") == [
        (1,)
    ]
    assert (other.error_code, other.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "IdempotencyKeyReused",
    )


async def test_a_lot_is_retendered_again_only_once_its_retender_is_cancelled(
    db: Database,
    gql: GraphQLClient,
    failed_lot: tuple[CoalitionWorld, str, str],
) -> None:
    w, _, lot = failed_lot
    first = (await _retender(gql, w, lot)).ok()["retenderLot"]
    before = await with_rectifications(db)

    refused = await _retender(gql, w, lot)

    assert (refused.error_code, refused.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "LotAlreadyRetendered",
    )
    assert await with_rectifications(db) == before
    variables = {"id": first["id"], "reason": "Opnieuw, met een hoger plafond."}
    (await gql(CANCEL_TENDER, variables, token=w.lead.officer.token)).ok()
    second = (await _retender(gql, w, lot, max=140_000_000)).ok()["retenderLot"]
    assert second["id"] != first["id"]


REFUSALS: dict[str, tuple[dict[str, Any], str, str, str]] = {
    "a price ceiling for a method without one": (
        {"ceiling": 1_500_000},
        "BAD_USER_INPUT",
        "PriceBoundsNotExpected",
        "priceCeilingCents",
    ),
    "a maximum of nothing": ({"max": 0}, "BAD_USER_INPUT", "FigureNotPositive", "maxValueCents"),
    "no trajectories": (
        {"trajectories": -1},
        "BAD_USER_INPUT",
        "FigureNotPositive",
        "maxTrajectories",
    ),
    "a blank title": ({"title": " "}, "BAD_USER_INPUT", "TextRequired", "title"),
}


@pytest.mark.parametrize("case", REFUSALS)
async def test_a_refused_retender_is_a_typed_error_and_changes_nothing(
    db: Database,
    gql: GraphQLClient,
    case: str,
    failed_lot: tuple[CoalitionWorld, str, str],
) -> None:
    variables, code, reason, field = REFUSALS[case]
    w, _, lot = failed_lot
    before = await with_rectifications(db)

    result = await _retender(gql, w, lot, key="k", **variables)

    assert (result.error_code, result.errors[0]["extensions"]["reason"]) == (code, reason)
    assert result.error_field == field
    assert await with_rectifications(db) == before


async def test_only_an_unsuccessful_lot_is_retendered(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await published_tender(db, gql, w)
    lots = (await gql("query($id: ID!) { tender(id: $id) { lots { id } } }", {"id": tender})).ok()
    before = await with_rectifications(db)

    active = await _retender(gql, w, lots["tender"]["lots"][0]["id"])
    unknown = await _retender(gql, w, ids.encode("Lot", ids.decode("Tender", tender)))

    assert active.errors[0]["extensions"] == {
        "code": "CONFLICT",
        "reason": "LotNotUnsuccessful",
        "field": "lotId",
        "params": {"state": "ACTIVE"},
    }
    assert (unknown.error_code, unknown.errors[0]["extensions"]["reason"]) == (
        "NOT_FOUND",
        "LotNotFound",
    )
    assert await with_rectifications(db) == before
