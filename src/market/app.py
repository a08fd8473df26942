"""The composition root: the one module that wires settings, database, API and worker."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext

from litestar import Litestar
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from market import logging as market_logging
from market import worker
from market.api.graphql.context import make_context_getter
from market.api.graphql.http import graphql_controller
from market.api.graphql.schema import build_schema
from market.api.rest.documents import routes as document_routes
from market.api.rest.health import healthz, readyz
from market.api.rest.http_errors import refused_request, unexpected_error
from market.api.rest.ocds import ocds_releases, ocds_tender
from market.api.rest.request_context import request_context_middleware
from market.api.rest.security_headers import security_headers
from market.api.rest.webhooks import stripe_connect_webhook, stripe_webhook
from market.db import embedded
from market.db.database import Database
from market.enrollment.policies import BookingRules
from market.files import FolderStore
from market.payments.service import PaymentRules, Payments
from market.search import synonyms
from market.search.backend import SearchBackend
from market.search.meilisearch import MeilisearchSearch
from market.search.postgres import PostgresSearch
from market.settings import Settings
from market.web import errors as page_errors
from market.web import routes as web


def resolve_database_url(settings: Settings) -> str:
    """The configured URL, or the embedded server's (started or attached to here)."""
    return settings.database_url or embedded.start(settings.data_dir)


def meilisearch(settings: Settings) -> MeilisearchSearch | None:
    """The Meilisearch engine when MARKET_MEILISEARCH_URL is set, else None (PostgreSQL)."""
    if not settings.meilisearch_url:
        return None
    return MeilisearchSearch.connect(settings.meilisearch_url, settings.meilisearch_api_key)


def payments(settings: Settings) -> Payments | None:
    """Stripe and the payment rules when MARKET_STRIPE_SECRET_KEY is set, else None (online
    payment off)."""
    if not settings.takes_payments:
        return None
    from market.payments.stripe_gateway import StripeGateway

    return Payments(
        StripeGateway(settings.stripe_secret_key, api_base=settings.stripe_api_base),
        PaymentRules.of(settings),
        BookingRules.of(settings),
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    market_logging.configure(settings.log_level)
    db = Database(resolve_database_url(settings), pool_size=settings.db_pool_size)
    engine = meilisearch(settings)
    stripe = payments(settings)
    search: SearchBackend = engine or PostgresSearch(
        spare=db.spare_read_connection,
        config_dir=synonyms.config_dir(settings.search_config_dir),
    )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        # In embedded mode the job worker lives and dies with the web app.
        jobs = (
            worker.running_in_background(
                db,
                mail=worker.post(settings),
                search_engine=engine,
                booking=BookingRules.of(settings),
                payments=stripe,
                files=FolderStore(settings.files_dir),
                concurrency=settings.worker_concurrency,
            )
            if settings.runs_embedded_worker
            else nullcontext()
        )
        try:
            async with jobs:
                yield
        finally:
            if engine is not None:
                await engine.aclose()
            await db.dispose()

    graphql = graphql_controller(
        build_schema(settings), settings, make_context_getter(db, settings, search, payments=stripe)
    )
    return Litestar(
        route_handlers=[
            graphql,
            healthz,
            readyz,
            stripe_webhook,
            stripe_connect_webhook,
            ocds_tender,
            ocds_releases,
            *document_routes(settings),
            *web.routes(),
        ],
        dependencies={
            "db": Provide(lambda: db, use_cache=True, sync_to_thread=False),
            "payments": Provide(lambda: stripe, use_cache=True, sync_to_thread=False),
            "search": Provide(lambda: search, use_cache=True, sync_to_thread=False),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        },
        middleware=[request_context_middleware],
        before_send=[security_headers],
        # Litestar's 500 entry takes every exception that is not one of its HTTP exceptions.
        # A page's refusal is a page in its language; the API's is JSON.
        exception_handlers={
            HTTPException: page_errors.as_page(refused_request, settings),
            HTTP_500_INTERNAL_SERVER_ERROR: page_errors.as_page(unexpected_error, settings),
        },
        template_config=web.templates(),
        csrf_config=web.csrf(settings),
        lifespan=[lifespan],
        debug=False,  # never send tracebacks to clients, even in debug mode
        logging_config=None,  # Litestar's default would replace our JSON handler on root
        openapi_config=None,
    )


def served_app(settings: Settings | None = None) -> Litestar:
    """The app as `market serve` runs it, in each of its processes. What start-up built (the
    schema, the mappers, the imported modules) lives as long as the process: frozen out of
    the collector's reach, since every full collection would otherwise walk it all again
    (a 60 to 120 ms pause every few hundred searches, measured)."""
    app = create_app(settings)
    app.on_startup.append(gc.freeze)
    return app
