"""Provider staff add lesson locations; the postcode places them on the map."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from market.api.graphql import ids
from market.catalog.models import Location
from market.db.database import Database
from tests.support.actors import provider_staff
from tests.support.catalog import add_location, add_provider
from tests.support.graphql import GraphQLClient

CREATE = """
mutation($input: CreateLocationInput!) {
  createLocation(input: $input) {
    name addressLine postcode latitude longitude municipality { code name regionCode }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: UpdateLocationInput!) {
  updateLocation(id: $id, input: $input) { name postcode latitude longitude municipality { code } }
}
"""


def location_input(provider_id: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "providerId": ids.encode("Provider", provider_id),
        "name": "Leslocatie Centrum",
        "addressLine": "Voorbeeldstraat 12",
        "postcode": "3511ab",
    } | overrides


async def count_locations(db: Database) -> int:
    async with db.reader() as session:
        return (await session.scalar(select(func.count()).select_from(Location))) or 0


async def test_postcode_is_normalised_and_places_the_location(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)

    result = await gql(CREATE, {"input": location_input(provider_id)}, token=staff.token)

    assert result.ok()["createLocation"] == {
        "name": "Leslocatie Centrum",
        "addressLine": "Voorbeeldstraat 12",
        "postcode": "3511 AB",
        "latitude": 52.08833,  # the PC4 area's centroid
        "longitude": 5.11599,
        "municipality": {"code": "GM0344", "name": "Utrecht", "regionCode": "AM13"},
    }


async def test_given_coordinates_within_the_netherlands_are_kept(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)

    result = await gql(
        CREATE,
        {"input": location_input(provider_id, latitude=52.0901, longitude=5.1102)},
        token=staff.token,
    )

    assert result.ok()["createLocation"]["latitude"] == 52.0901
    assert result.data["createLocation"]["longitude"] == 5.1102


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"postcode": "0123 AB"}, "BAD_USER_INPUT", "postcode"),
        ({"postcode": "12345"}, "BAD_USER_INPUT", "postcode"),
        ({"postcode": "x" * 10_000}, "BAD_USER_INPUT", "postcode"),
        ({"postcode": "1000 AA"}, "NOT_FOUND", "postcode"),  # no such PC4 area
        ({"latitude": 48.85, "longitude": 2.35}, "BAD_USER_INPUT", "latitude"),
        ({"latitude": 52.1}, "BAD_USER_INPUT", "latitude"),
        ({"name": ""}, "BAD_USER_INPUT", "name"),
        ({"addressLine": "x" * 10_000}, "BAD_USER_INPUT", "addressLine"),
    ],
)
async def test_bad_location_input(
    db: Database, gql: GraphQLClient, overrides: dict[str, Any], code: str, field: str
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)

    result = await gql(
        CREATE, {"input": location_input(provider_id, **overrides)}, token=staff.token
    )

    assert (result.error_code, result.error_field) == (code, field)
    assert await count_locations(db) == 0


async def test_a_new_postcode_moves_the_location_to_its_area(
    db: Database, gql: GraphQLClient
) -> None:
    provider_id = await add_provider(db)
    staff = await provider_staff(db, provider_id)
    location = ids.encode("Location", await add_location(db, provider_id, latitude=52.3601))

    renamed = await gql(UPDATE, {"id": location, "input": {"name": "Oost"}}, token=staff.token)
    moved = await gql(UPDATE, {"id": location, "input": {"postcode": "9711"}}, token=staff.token)

    assert renamed.ok()["updateLocation"] == {
        "name": "Oost",
        "postcode": "1011 AB",
        "latitude": 52.3601,
        "longitude": 4.90,
        "municipality": {"code": "GM0363"},
    }
    assert moved.ok()["updateLocation"] == {
        "name": "Oost",
        "postcode": "9711",
        "latitude": 53.21627,
        "longitude": 6.56934,
        "municipality": {"code": "GM0014"},
    }
