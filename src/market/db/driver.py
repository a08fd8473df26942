"""Hot read statements run on an asyncpg connection, past SQLAlchemy's execution layer:
a session's own, or a read connection (`Database.read_connection`) past the session too.

SQLAlchemy still writes the SQL: a statement is compiled once, by the asyncpg dialect,
into the text asyncpg runs (`$n` placeholders with the dialect's casts) and the order of
its parameters. Running it then skips what costs more than the query itself on a search
page: the cache key, the execution context and typed rows (measured: the page's hits took
3.3 ms of CPU through SQLAlchemy, 1.0 ms this way).

Only for statements whose parameters and columns asyncpg converts by itself (uuid, text,
numbers, dates, booleans and arrays of them): no SQLAlchemy type processing happens here
(enum columns arrive as their text). Not json or jsonb columns: SQLAlchemy's connection
decodes them and asyncpg's does not, so cast them to text (market.search.hits does).
The statement runs in the session's transaction; a session that has not yet begun one (no
statement has run in it) runs it through SQLAlchemy, which begins it.

A search page needs nothing a session gives (the ORM, units of work), and the session's
begin, first statement and close cost about 0.5 ms of CPU a request: the search reads on a
read connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

# What hot reads run on: a session, or a read connection.
Reader = AsyncSession | asyncpg.Connection

# The dialect that compiles statements for asyncpg (market.search.hits compiles with it too).
DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    # The bound parameters' names in the order of $1, $2, ...
    names: tuple[str, ...]
    # The values the statement binds itself (literals SQLAlchemy made parameters).
    bound: Mapping[str, Any]

    @classmethod
    def of(cls, clause: ClauseElement) -> Statement:
        compiled = cast(SQLCompiler, clause.compile(dialect=DIALECT))
        return cls(compiled.string, tuple(compiled.positiontup or ()), compiled.params)

    def arguments(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """The arguments in order: the given values, else the statement's own."""
        return tuple(values[name] if name in values else self.bound[name] for name in self.names)


async def fetch(
    reader: Reader, statement: Statement, arguments: tuple[Any, ...]
) -> Sequence[Sequence[Any]]:
    """The statement's rows (read by position); none for a statement that returns none."""
    if isinstance(reader, asyncpg.Connection):
        connection = reader
    elif (driver := await _driver(reader)) is not None:
        connection = driver
    else:  # nothing has run in the session yet: SQLAlchemy runs it, and so begins it
        result = await (await reader.connection()).exec_driver_sql(statement.sql, arguments)
        return result.all() if result.returns_rows else []
    # asyncpg's records are read by position like rows.
    return cast(Sequence[Sequence[Any]], await connection.fetch(statement.sql, *arguments))


async def _driver(session: AsyncSession) -> asyncpg.Connection | None:
    """The asyncpg connection of the session's transaction; None before it has begun.
    Kept in the session for the transaction: asking SQLAlchemy for it costs two greenlet
    hops, about 0.2 ms of CPU, on every statement."""
    kept = session.info.get(_DRIVER)
    if kept is not None and kept[0] is session.sync_session.get_transaction():
        return cast(asyncpg.Connection, kept[1])
    connection = await session.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, asyncpg.Connection) or not driver.is_in_transaction():
        return None
    session.info[_DRIVER] = (session.sync_session.get_transaction(), driver)
    return driver


_DRIVER = "market.db.driver"
