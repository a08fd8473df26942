"""The shipped reference geography is loaded by the migrations and served as-is."""

from tests.support.graphql import GraphQLClient


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
