"""The shipped reference geography is loaded by the migrations and served as-is."""

import pytest

from market.db.database import Database
from market.geo import service as geo
from market.geo.errors import UnknownMunicipality, UnknownPostcode, UnknownRegion
from tests.support.graphql import GraphQLClient
from tests.support.statements import counting_statements


async def test_all_342_municipalities_with_their_region(gql: GraphQLClient) -> None:
    data = (await gql("{ municipalities { code name province regionCode } }")).ok()

    municipalities = {m["code"]: m for m in data["municipalities"]}
    assert len(municipalities) == 342
    assert municipalities["GM0363"] == {
        "code": "GM0363",
        "name": "Amsterdam",
        "province": "Noord-Holland",
        "regionCode": "AM18",
    }


async def test_35_labour_market_regions(gql: GraphQLClient) -> None:
    data = (await gql("{ labourMarketRegions { code name provinces } }")).ok()

    codes = [r["code"] for r in data["labourMarketRegions"]]
    assert len(codes) == 35
    assert "AM04" not in codes
    assert data["labourMarketRegions"][0] == {
        "code": "AM01",
        "name": "Groningen",
        "provinces": ["Drenthe", "Groningen"],
    }


async def test_municipalities_of_one_region(gql: GraphQLClient) -> None:
    data = (await gql('{ municipalities(regionCode: "AM03") { name } }')).ok()

    assert len(data["municipalities"]) == 6


async def test_a_postcode_area_is_read_once_an_unknown_one_every_time(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geo, "_PLACES", {})
    async with db.read_connection() as connection:
        with counting_statements() as first:
            place = await geo.locate_postcode(connection, "3512 JE")
        with counting_statements() as again:
            assert await geo.locate_postcode(connection, "3512") == place
        with counting_statements() as unknown:
            for _ in range(2):
                with pytest.raises(UnknownPostcode):
                    await geo.locate_postcode(connection, "1000 AA")

    assert (place.pc4, place.municipality_code) == ("3512", "GM0344")
    assert (len(first), len(again), len(unknown)) == (1, 0, 2)


async def test_region_and_municipality_codes_are_read_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geo, "_KNOWN", {})
    async with db.read_connection() as connection:
        with counting_statements() as first:
            await geo.check_regions(connection, ["AM18"], field="regionCodes")
            await geo.check_municipalities(connection, ["GM0363", "GM0599"], field="m")
        with counting_statements() as again:
            await geo.check_regions(connection, ["AM03", "AM18"], field="regionCodes")
            with pytest.raises(UnknownRegion):
                await geo.check_regions(connection, ["AM18", "AM04"], field="regionCodes")
            with pytest.raises(UnknownMunicipality):
                await geo.check_municipalities(connection, ["GM9999"], field="m")

    assert (len(first), len(again)) == (2, 0)


async def test_region_names_come_from_the_codes_read_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(geo, "_KNOWN", {})
    async with db.read_connection() as connection:
        await geo.check_regions(connection, ["AM18"], field="regionCodes")
        with counting_statements() as statements:
            names = await geo.region_names(connection, ["AM18", "AM04", "AM01"])

    assert names == {"AM18": "Groot Amsterdam", "AM01": "Groningen"}
    assert statements == []
