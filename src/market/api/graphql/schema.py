"""The GraphQL schema: each domain's queries and mutations, merged, with the limits."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from market.api.graphql.catalog.compare import CompareQuery
from market.api.graphql.catalog.mutations import CatalogMutation
from market.api.graphql.catalog.queries import CatalogQuery
from market.api.graphql.enrollment.mutations import EnrollmentMutation
from market.api.graphql.enrollment.queries import EnrollmentQuery
from market.api.graphql.execution import Executor
from market.api.graphql.geo.queries import GeoQuery
from market.api.graphql.identity.mutations import IdentityMutation
from market.api.graphql.identity.queries import IdentityQuery
from market.api.graphql.limits import Limits, ValidationCache, limits_rule
from market.api.graphql.payments.duo import DuoMutation
from market.api.graphql.payments.mutations import PaymentsMutation
from market.api.graphql.payments.queries import PaymentsQuery
from market.api.graphql.reviews.mutations import ReviewsMutation
from market.api.graphql.scalars import InputEdge
from market.api.graphql.search.queries import SearchQuery
from market.api.graphql.tenders.awards import AwardsMutation, AwardsQuery
from market.api.graphql.tenders.bids import BidsMutation, BidsQuery
from market.api.graphql.tenders.contracts import ContractsMutation, ContractsQuery
from market.api.graphql.tenders.documents import DocumentsMutation
from market.api.graphql.tenders.follows import FollowsMutation, FollowsQuery
from market.api.graphql.tenders.insight import TenderInsightQuery
from market.api.graphql.tenders.mutations import TendersMutation
from market.api.graphql.tenders.queries import TendersQuery
from market.api.graphql.tenders.questions import QuestionsMutation, QuestionsQuery
from market.api.graphql.tenders.retender import RetenderMutation
from market.settings import Settings

Query = merge_types(
    "Query",
    (
        GeoQuery,
        IdentityQuery,
        CatalogQuery,
        SearchQuery,
        CompareQuery,
        EnrollmentQuery,
        PaymentsQuery,
        TendersQuery,
        TenderInsightQuery,
        QuestionsQuery,
        BidsQuery,
        AwardsQuery,
        ContractsQuery,
        FollowsQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        IdentityMutation,
        CatalogMutation,
        EnrollmentMutation,
        DuoMutation,
        PaymentsMutation,
        ReviewsMutation,
        TendersMutation,
        DocumentsMutation,
        QuestionsMutation,
        BidsMutation,
        RetenderMutation,
        AwardsMutation,
        ContractsMutation,
        FollowsMutation,
    ),
)


class MarketSchema(strawberry.Schema):
    # Set by build_schema: the cache its requests validate through.
    validation_cache: ValidationCache

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Logging happens in errors.translate, which knows expected from unexpected."""


def build_schema(settings: Settings | None = None) -> MarketSchema:
    """The schema under the settings' limits, shared by every app with the same limits:
    building one takes a fifth of a second (the tests make an app per test). Never change
    the one returned; `new_schema` gives one of your own."""
    return _shared(_Limits.of(settings or Settings()))


def new_schema(settings: Settings | None = None) -> MarketSchema:
    """A schema of its own under the settings' limits (to change, as some tests do)."""
    return _schema(_Limits.of(settings or Settings()))


class _Limits(NamedTuple):
    debug: bool
    max_depth: int
    max_aliases: int
    max_cost: int
    max_page_size: int
    max_tokens: int
    time_budget_ms: int

    @classmethod
    def of(cls, settings: Settings) -> _Limits:
        return cls(
            settings.debug,
            settings.graphql_max_depth,
            settings.graphql_max_aliases,
            settings.graphql_max_cost,
            settings.graphql_max_page_size,
            settings.graphql_max_tokens,
            settings.graphql_time_budget_ms,
        )


@functools.lru_cache(maxsize=8)
def _shared(limits: _Limits) -> MarketSchema:
    return _schema(limits)


def _schema(limits: _Limits) -> MarketSchema:
    # One validation cache per schema: its rules carry this schema's limits.
    validation = ValidationCache(
        [
            limits_rule(
                Limits(
                    max_depth=limits.max_depth,
                    max_aliases=limits.max_aliases,
                    max_cost=limits.max_cost,
                    max_page_size=limits.max_page_size,
                )
            )
        ]
    )
    schema = MarketSchema(
        query=Query,
        mutation=Mutation,
        config=StrawberryConfig(disable_field_suggestions=not limits.debug),
        execution_context_class=Executor.within_budget(limits.time_budget_ms / 1000),
        extensions=[
            # Factories, not instances: a fresh extension per request (the caches are shared).
            lambda: ParserCache(maxsize=1000),
            validation.extension(),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            InputEdge,
        ],
    )
    schema.validation_cache = validation
    return schema
