"""Parsing and validating a query happens once: repeats come from the caches, and so do
the same query's other spellings (comments, spacing), which are validated as one. (Apps
with the same limits share a schema and so its cache: counts are taken as differences.)"""

from __future__ import annotations

import uuid

from strawberry.extensions.parser_cache import _get_parse_cache

from market.api.graphql.schema import build_schema

# The size build_schema gives the parser cache.
CACHE_SIZE = 1000


async def test_a_repeated_query_is_parsed_and_validated_once() -> None:
    schema = build_schema()
    query = f"query Cached{uuid.uuid4().hex} {{ __typename }}"
    parse = _get_parse_cache(CACHE_SIZE)
    before = schema.validation_cache.validated
    assert (await schema.execute(query)).data == {"__typename": "Query"}
    parsed, validated = parse.cache_info(), schema.validation_cache.validated

    assert (await schema.execute(query)).data == {"__typename": "Query"}

    assert (parse.cache_info().hits, parse.cache_info().misses) == (
        parsed.hits + 1,
        parsed.misses,
    )
    assert schema.validation_cache.validated == validated == before + 1


async def test_comments_and_spacing_do_not_make_a_query_new_to_validation() -> None:
    schema = build_schema()
    before = schema.validation_cache.validated
    name = f"Spelled{uuid.uuid4().hex}"
    spellings = [
        f"query {name} {{ __typename }}",
        f"# a comment of its own\nquery {name} {{ __typename }}",
        f"query   {name} {{\n  __typename # and another\n}}",
    ]

    for text in spellings:
        assert (await schema.execute(text)).data == {"__typename": "Query"}

    assert schema.validation_cache.validated == before + 1


async def test_a_refused_query_stays_refused_from_the_cache() -> None:
    schema = build_schema()
    before = schema.validation_cache.validated
    deep = f"query Deep{uuid.uuid4().hex} {{" + " a {" * 13 + " b" + " }" * 13 + " }"

    first, again = await schema.execute(deep), await schema.execute("#again\n" + deep)

    assert first.errors is not None
    assert again.errors is not None
    assert [e.message for e in first.errors] == [e.message for e in again.errors]
    assert schema.validation_cache.validated == before + 1
