"""Engine and sessions: the one place that decides how work reaches PostgreSQL.

Services and repositories only flush. The boundaries (a GraphQL mutation, a job, a
CLI command) open `transaction()`, which commits when the block ends normally and
rolls back when it raises. Readers open `reader()`, which never commits; hot read paths
that only run market.db.driver statements (the search) open `read_connection()`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from market.kernel.errors import DomainError

# Per-connection settings for the search's statements (market.search.postgres).
# jit off: the search statement's estimated cost passes jit_above_cost, and compiling it
# costs more than it saves (measured 30-40% of a search); JIT pays off for long analytical
# queries, not for statements of milliseconds run over and over.
# random_page_cost 1.1: the working set is in memory, so an index lookup per row is no
# dearer than reading on; at the default 4 the planner scans 100,000 course rows to join a
# few thousand intake matches instead of looking them up.
# work_mem 16MB: a search's rows read one by one (a place's courses) stay in memory.
# No parallel workers: statements of milliseconds from many requests at once share the cores
# already; starting workers for one of them costs more than it saves (measured on 2 cores).
SERVER_SETTINGS = {
    "jit": "off",
    "random_page_cost": "1.1",
    "work_mem": "16MB",
    "max_parallel_workers_per_gather": "0",
}


# The search's connections (`read_connection`) only read, and plan each statement once per
# connection and statement text (market.search.postgres says why): set for the connection,
# neither costs a search a transaction or a statement of its own.
READ_SETTINGS = SERVER_SETTINGS | {
    "default_transaction_read_only": "on",
    "plan_cache_mode": "force_generic_plan",
}


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.engine = _engine(url, pool_size, pool_size, SERVER_SETTINGS)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Their settings differ, so read connections have a pool of their own; without
        # overflow: more searches at once than connections wait their turn, as they would
        # for the cores.
        self.read_engine = _engine(url, pool_size, 0, READ_SETTINGS)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commit on success, roll back on any exception."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; whatever happens in it is rolled back."""
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled read-only connection for market.db.driver statements alone (see there),
        outside any transaction: each statement reads what was committed when it began.
        One that saw anything but a domain error (a database error, a cancellation) is
        closed, not pooled again: it may be in a transaction, or hold a setting a sequence
        of statements changes for a while (market.search.postgres)."""
        async with self.read_engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            assert isinstance(driver, asyncpg.Connection)
            try:
                yield driver
            except DomainError:
                raise
            except BaseException:
                await connection.invalidate()
                raise

    @asynccontextmanager
    async def spare_read_connection(self) -> AsyncIterator[asyncpg.Connection | None]:
        """A second read connection for a reader holding one, while no other is in use in
        this process (no other search under way here, so the cores are likely idle:
        market.search.postgres runs two statements at once then); else None."""
        pool = self.read_engine.pool
        in_use = pool.checkedout()  # type: ignore[attr-defined]
        if in_use > 1 or in_use >= pool.size():  # type: ignore[attr-defined]
            yield None
            return
        async with self.read_connection() as connection:
            yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()
        await self.read_engine.dispose()


def _engine(url: str, pool_size: int, overflow: int, settings: dict[str, str]) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=overflow,
        pool_pre_ping=False,
        connect_args={"server_settings": settings},
    )


def libpq_url(url: str) -> str:
    """The same database as a plain libpq URI (for psycopg, used by the job queue)."""
    scheme, sep, rest = url.partition("://")
    return scheme.split("+", 1)[0] + sep + rest
