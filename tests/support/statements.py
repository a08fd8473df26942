"""Every SQL statement the app sends to PostgreSQL while a block runs, with its parameters:
those run through SQLAlchemy (its `before_cursor_execute` event) and those run on the
asyncpg connection directly (`market.db.driver.fetch`), in order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from market.db import driver

Statement = tuple[str, tuple[Any, ...]]


@contextmanager
def recording_statements() -> Iterator[list[Statement]]:
    statements: list[Statement] = []

    def through_sqlalchemy(conn: Any, cursor: Any, sql: str, parameters: Any, *_: Any) -> None:
        statements.append((sql, tuple(parameters or ())))

    fetch = driver.fetch

    async def direct(
        session: AsyncSession, statement: driver.Statement, arguments: tuple[Any, ...]
    ) -> Any:
        in_transaction = len(statements)
        rows = await fetch(session, statement, arguments)
        # The statement went through SQLAlchemy (and its event) when it began the session.
        if len(statements) == in_transaction:
            statements.append((statement.sql, arguments))
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
