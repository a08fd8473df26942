"""The GraphQL schema: each domain's queries and mutations, merged, with the limits."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from market.api.graphql.catalog.compare import CompareQuery
from market.api.graphql.catalog.mutations import CatalogMutation
from market.api.graphql.catalog.queries import CatalogQuery
from market.api.graphql.execution import Executor
from market.api.graphql.geo.queries import GeoQuery
from market.api.graphql.identity.mutations import IdentityMutation
from market.api.graphql.identity.queries import IdentityQuery
from market.api.graphql.scalars import InputEdge
from market.api.graphql.search.queries import SearchQuery
from market.settings import Settings

Query = merge_types("Query", (GeoQuery, IdentityQuery, CatalogQuery, SearchQuery, CompareQuery))
Mutation = merge_types("Mutation", (IdentityMutation, CatalogMutation))


class MarketSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Logging happens in errors.translate, which knows expected from unexpected."""


def build_schema(settings: Settings | None = None) -> MarketSchema:
    settings = settings or Settings()
    # The limiters' validation rules are built once per schema. Each limiter instance makes
    # a new rule class, and ValidationCache keys on the document *and* the rules: with a
    # limiter per request no request would ever hit the cache.
    limits = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    return MarketSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(disable_field_suggestions=not settings.debug),
        execution_context_class=Executor,
        extensions=[
            # Factories, not instances: a fresh extension per request (the caches are shared).
            lambda: ParserCache(maxsize=1000),
            lambda: ValidationCache(maxsize=1000),
            lambda: AddValidationRules(limits),
            lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
            InputEdge,
        ],
    )
