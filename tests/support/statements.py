"""Every SQL statement the app sends to PostgreSQL while a block runs, with its parameters:
those run through SQLAlchemy (its `before_cursor_execute` event) and those run on the
asyncpg connection directly (`market.db.driver.fetch`), in order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.engine import Engine

from market.db import driver

Statement = tuple[str, tuple[Any, ...]]


@contextmanager
def recording_statements(readers: list[Any] | None = None) -> Iterator[list[Statement]]:
    """`readers`, if given, receives what each statement ran on (a session, a connection)."""
    statements: list[Statement] = []

    def through_sqlalchemy(conn: Any, cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        statements.append((sql, tuple(parameters or ())))
        if readers is not None:
            readers.append(conn)

    fetch = driver.fetch

    async def direct(
        session: driver.Reader, statement: driver.Statement, arguments: tuple[Any, ...]
    ) -> Any:
        in_transaction = len(statements)
        rows = await fetch(session, statement, arguments)
        # On a session, the statement went through SQLAlchemy (and its event) when it began
        # the session. (Not by the count alone: others may have run meanwhile.)
        if isinstance(session, asyncpg.Connection) or len(statements) == in_transaction:
            statements.append((statement.sql, arguments))
            if readers is not None:
                readers.append(session)
        return rows

    event.listen(Engine, "before_cursor_execute", through_sqlalchemy)
    driver.fetch = direct  # type: ignore[assignment]
    try:
        yield statements
    finally:
        driver.fetch = fetch  # type: ignore[method-assign]
        event.remove(Engine, "before_cursor_execute", through_sqlalchemy)


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """The statements' SQL alone."""
    with recording_statements() as recorded:
        texts: list[str] = []
        try:
            yield texts
        finally:
            texts.extend(sql for sql, _ in recorded)
