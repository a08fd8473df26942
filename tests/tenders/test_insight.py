"""Drafting a lot, a municipality's procurement officer sees the market for it: certified
providers on its route in its regions, the median price per lesson hour, the seats on
offer and the median expected wait, from the live catalog and the waitlist queues; the
figures are withheld where fewer than three providers stand behind them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from market.catalog.models import CourseStatus, Level, Route
from market.db.database import Database
from market.identity.models import Role
from tests.support.actors import learner, municipality_staff, platform_admin, provider_staff
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

LOT_MARKET = """query(
  $route: Route!, $regions: [String!]!, $level: Level, $stream: OnderwijsStream
) {
  lotMarket(route: $route, regionCodes: $regions, level: $level, stream: $stream) {
    certifiedProviders courses medianPricePerHourCents seatsOnOffer medianWaitWeeks withheld
  }
}"""
Z_A2_AMSTERDAM = {"route": "Z", "level": "A2", "regions": ["AM18"]}


async def z_course(
    db: Database,
    provider: uuid.UUID,
    price_cents: int,
    *,
    municipality: str = "GM0363",
    **intake: Any,
) -> uuid.UUID:
    """A Z-route A2 course of 300 hours with one intake four weeks ahead at a location in
    `municipality` (Amsterdam: region AM18)."""
    course = await add_course(
        db, provider, route=Route.Z, target_level=Level.A2, price_cents=price_cents, total_hours=300
    )
    location = await add_location(db, provider, municipality_code=municipality)
    fields = {"seat_capacity": 12, "seats_taken": 2} | intake
    await add_intake(db, course, location, starts_on=today() + timedelta(days=28), **fields)
    return course


async def three_schools(db: Database) -> None:
    """Three certified schools in Amsterdam at 10, 12 and 14 euro a lesson hour, ten seats
    free on each intake but the third's: full, five waiting, six weeks a class-full."""
    await z_course(db, await add_provider(db), 300_000)
    await z_course(db, await add_provider(db), 360_000)
    third = await add_provider(db)
    course = await z_course(db, third, 420_000)
    location = await add_location(db, third)
    await add_intake(
        db,
        course,
        location,
        starts_on=today() + timedelta(days=28),
        seat_capacity=12,
        seats_taken=12,
        queue_length=5,
        waitlist_weeks=6,
    )


async def test_an_officer_sees_the_market_for_a_lot(db: Database, gql: GraphQLClient) -> None:
    await three_schools(db)
    # None of these is the lot's market: a school without a valid mark, a course in
    # another region, a draft, another route, an intake already started, an online one.
    await z_course(db, await add_provider(db, certified=False), 900_000)
    await z_course(db, await add_provider(db), 900_000, municipality="GM0307")
    other = await add_provider(db)
    await add_course(db, other, route=Route.Z, target_level=Level.A2, status=CourseStatus.DRAFT)
    await z_course(db, other, 900_000, **{})  # the same school again does not count twice
    b1 = await add_course(db, other, price_cents=900_000)
    await add_intake(db, b1, await add_location(db, other), starts_on=today() + timedelta(days=7))
    started = await add_course(db, other, route=Route.Z, target_level=Level.A2)
    await add_intake(db, started, await add_location(db, other), starts_on=today() - timedelta(1))
    await add_intake(db, started, None)
    officer = await municipality_staff(db, "GM0362")

    market = (await gql(LOT_MARKET, Z_A2_AMSTERDAM, token=officer.token)).ok()["lotMarket"]

    assert market == {
        "certifiedProviders": 4,
        "courses": 4,
        # 10, 12, 14 and 30 euro an hour.
        "medianPricePerHourCents": 1300,
        # 10 + 10 + 10 + 10, and none on the full intake.
        "seatsOnOffer": 40,
        # Four weeks to the start on the open intakes; ten on the full one (its anchor in
        # four weeks, then one round of six weeks for the five waiting and the learner).
        "medianWaitWeeks": 4,
        "withheld": False,
    }


async def test_the_figures_of_fewer_than_three_schools_are_withheld(
    db: Database, gql: GraphQLClient
) -> None:
    await z_course(db, await add_provider(db), 300_000)
    await z_course(db, await add_provider(db), 360_000)
    officer = await municipality_staff(db)

    market = (await gql(LOT_MARKET, Z_A2_AMSTERDAM, token=officer.token)).ok()["lotMarket"]

    assert market == {
        "certifiedProviders": 2,
        "courses": None,
        "medianPricePerHourCents": None,
        "seatsOnOffer": None,
        "medianWaitWeeks": None,
        "withheld": True,
    }


async def test_without_a_level_the_route_counts_at_every_level(
    db: Database, gql: GraphQLClient
) -> None:
    await three_schools(db)
    await z_course(db, await add_provider(db), 300_000)
    officer = await municipality_staff(db)

    whole_route = {"route": "Z", "regions": ["AM18", "AM14"]}
    market = (await gql(LOT_MARKET, whole_route, token=officer.token)).ok()["lotMarket"]

    assert (market["certifiedProviders"], market["courses"]) == (4, 4)


@pytest.mark.parametrize(
    ("variables", "reason", "field"),
    [
        ({"route": "Z", "level": "A2", "regions": ["AM99"]}, "UnknownRegionCode", "regionCodes"),
        ({"route": "Z", "level": "A2", "regions": []}, "ItemsRequired", "regionCodes"),
        ({"route": "Z", "regions": ["AM18", "am18"]}, "DuplicateItems", "regionCodes"),
        ({"route": "ONDERWIJS", "level": "B1", "regions": ["AM18"]}, "LevelNotAllowed", "level"),
        ({"route": "B1", "stream": "MBO", "regions": ["AM18"]}, "StreamNotAllowed", "stream"),
    ],
)
async def test_a_lot_that_cannot_be_gets_a_typed_error(
    db: Database, gql: GraphQLClient, variables: dict[str, Any], reason: str, field: str
) -> None:
    officer = await municipality_staff(db)

    answer = await gql(LOT_MARKET, variables, token=officer.token)

    assert answer.error_code == "BAD_USER_INPUT"
    assert answer.errors[0]["extensions"]["reason"] == reason
    assert answer.error_field == field


async def test_only_procurement_officers_and_admins_look_at_the_market(
    db: Database, gql: GraphQLClient
) -> None:
    await three_schools(db)
    allowed = [await municipality_staff(db), await platform_admin(db)]
    refused = [
        await learner(db),
        await provider_staff(db),
        await municipality_staff(db, "GM0362", role=Role.EVALUATOR),
    ]

    assert (await gql(LOT_MARKET, Z_A2_AMSTERDAM)).error_code == "UNAUTHENTICATED"
    for person in refused:
        assert (await gql(LOT_MARKET, Z_A2_AMSTERDAM, token=person.token)).error_code == (
            "FORBIDDEN"
        )
    for person in allowed:
        market = (await gql(LOT_MARKET, Z_A2_AMSTERDAM, token=person.token)).ok()["lotMarket"]
        assert market["certifiedProviders"] == 3
