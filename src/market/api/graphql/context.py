"""The per-request GraphQL context: who acts, and how resolvers reach the database.

Resolvers of one request may run concurrently, so none of them shares a session:
each opens `reader()` for reads or, in a mutation, `transaction()`, which commits
when the mutation returns and rolls back when it raises. The search, which only runs
market.db.driver statements, opens `read_connection()`: no session at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import msgspec
from litestar.connection import ASGIConnection
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from market.clients import client_address
from market.db.database import Database
from market.enrollment.policies import BookingRules
from market.identity import service as identity
from market.identity.policies import ANONYMOUS, Actor
from market.kernel.i18n import DEFAULT_LANGUAGE, Language, negotiate
from market.payments.service import Payments
from market.search.backend import SearchBackend
from market.settings import Settings


class Context(BaseContext, kw_only=True):
    db: Database
    settings: Settings
    actor: Actor
    # The configured search engine (Meilisearch or PostgreSQL), for the search service.
    search_backend: SearchBackend
    bearer_token: str | None = None
    # Where the request came from, for the limits per client (see `client_address`).
    client_address: str = ""
    # What people-facing labels are answered in: the request's Accept-Language.
    language: Language = DEFAULT_LANGUAGE
    # Stripe and the payment rules (None: online payment is off).
    payments: Payments | None = None
    # Per-request DataLoaders, keyed by name, created on first use.
    loaders: dict[str, Any] = msgspec.field(default_factory=dict)

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        async with self.db.reader() as session:
            yield session

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.db.read_connection() as connection:
            yield connection

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.db.transaction() as session:
            yield session

    @property
    def booking_rules(self) -> BookingRules:
        return BookingRules.of(self.settings)

    @property
    def page_size_limit(self) -> int:
        return self.settings.graphql_max_page_size


Info = StrawberryInfo[Context, None]


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def make_context_getter(
    db: Database,
    settings: Settings,
    search_backend: SearchBackend,
    *,
    payments: Payments | None = None,
) -> Any:
    async def get_context(request: ASGIConnection[Any, Any, Any, Any]) -> Context:
        token = bearer_token(request)
        actor = ANONYMOUS
        if token:
            async with db.reader() as session:
                actor = await identity.actor_for_token(session, token)
        return Context(
            db=db,
            settings=settings,
            actor=actor,
            bearer_token=token,
            client_address=client_address(request, settings.trusted_proxy_header),
            language=negotiate(request.headers.get("accept-language", "")),
            search_backend=search_backend,
            payments=payments,
        )

    return get_context
