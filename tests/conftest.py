"""One embedded PostgreSQL for the session, migrated once into a template database;
every test gets a fresh database cloned from it, and an app talking to that database."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient
from psycopg import sql

from market.app import create_app
from market.db import embedded, migrate
from market.db.database import Database
from market.payments import local_stripe
from market.settings import Settings
from tests.support import worlds
from tests.support.graphql import GraphQLClient

TEMPLATE = "market_template"
_numbers = itertools.count()


@pytest.fixture(scope="session")
def template_url() -> str:
    # Not under pytest's tmp_path: see STACK-NOTES (initdb as root and pytest's 0700 root).
    data_dir = Path(tempfile.mkdtemp(prefix="market-test-pg-"))
    url = embedded.start(data_dir, TEMPLATE)
    # A throwaway server: its data need not survive a crash, so nothing waits for the disk.
    # (Commits still wait for their WAL to be written: with synchronous_commit off, VACUUM
    # could not mark fresh rows all-visible and the search tests' plans would change.)
    with psycopg.connect(_admin_uri(url), autocommit=True) as conn:
        for setting in ("fsync", "full_page_writes"):
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = off").format(sql.Identifier(setting)))
        conn.execute("SELECT pg_reload_conf()")

    async def migrate_template() -> None:
        db = Database(url, pool_size=1)
        await migrate.upgrade(db.engine)
        await db.dispose()

    asyncio.run(migrate_template())
    return url


def _admin_uri(url: str, database: str = "postgres") -> str:
    base, _, query = url.replace("postgresql+asyncpg://", "postgresql://", 1).partition("?")
    return f"{base.rsplit('/', 1)[0]}/{database}?{query}"


def _url_of(template_url: str, database: str) -> str:
    return template_url.replace(f"/{TEMPLATE}?", f"/{database}?")


@contextlib.contextmanager
def cloned_database(template_url: str, template: str = TEMPLATE) -> Iterator[str]:
    """A fresh database cloned from the template (or from `template`, a database on the
    same server), dropped when the block ends."""
    name = f"test_{os.getpid()}_{next(_numbers)}"
    embedded.ensure_database(_admin_uri(template_url), name, template=template)
    yield _url_of(template_url, name)
    with psycopg.connect(_admin_uri(template_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def database_url(request: pytest.FixtureRequest, template_url: str) -> Iterator[str]:
    """A fresh database, migrated and holding the reference data, for this test only; and
    the world the test takes (tests/support/worlds.py), if it takes one."""

    def create(database: str, template: str) -> None:
        embedded.ensure_database(_admin_uri(template_url), database, template=template)

    template = worlds.template_for(
        request.fixturenames, TEMPLATE, lambda name: _url_of(template_url, name), create
    )
    with cloned_database(template_url, template) as url:
        yield url


@pytest.fixture(scope="session")
def localstripe() -> Iterator[local_stripe.LocalStripe]:
    """localstripe (a stateful fake Stripe) on a free loopback port, for the session."""
    server = local_stripe.start()
    yield server
    server.stop()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, embedded_worker=False, db_pool_size=5)


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    """Direct database access for arranging data and checking what changed."""
    database = Database(settings.database_url, pool_size=2)
    yield database
    await database.dispose()


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


@pytest.fixture
def gql(http: AsyncTestClient[Any]) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
async def pages(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    """The learners' pages, over HTTPS as a browser reaches them (their cookies are
    secure: over plain HTTP a client would not send them back)."""
    async with AsyncTestClient(
        app=create_app(settings), base_url="https://testserver.local"
    ) as client:
        yield client
