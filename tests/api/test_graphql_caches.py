"""Parsing and validating a query text happens once; repeats come from the caches."""

from __future__ import annotations

from strawberry.extensions.parser_cache import _get_parse_cache
from strawberry.extensions.validation_cache import _get_validate_cache

from tests.support.graphql import GraphQLClient

# The size build_schema gives both caches.
CACHE_SIZE = 1000


async def test_a_repeated_query_is_parsed_and_validated_once(gql: GraphQLClient) -> None:
    query = "query CachedRegions { labourMarketRegions { code } }"
    parse, validate = _get_parse_cache(CACHE_SIZE), _get_validate_cache(CACHE_SIZE)
    (await gql(query)).ok()
    parsed, validated = parse.cache_info(), validate.cache_info()

    (await gql(query)).ok()

    assert (parse.cache_info().hits, parse.cache_info().misses) == (
        parsed.hits + 1,
        parsed.misses,
    )
    assert (validate.cache_info().hits, validate.cache_info().misses) == (
        validated.hits + 1,
        validated.misses,
    )
