"""Statements run on the asyncpg connection directly (market.db.driver) belong to the
session's transaction, whether or not SQLAlchemy has begun it yet, and after a commit the
next one; and on a read connection, which only reads, outside any transaction."""

from __future__ import annotations

import uuid

import asyncpg
import pytest
from sqlalchemy import ARRAY, Integer, bindparam, text
from sqlalchemy.dialects.postgresql import UUID

from market.db import driver
from market.db.database import Database
from market.identity.models import Organisation, OrganisationKind
from market.kernel.pagination import InvalidCursor

NAMES = driver.Statement.of(
    text("SELECT name FROM organisations WHERE id = ANY (:ids) ORDER BY name").bindparams(
        bindparam("ids", type_=ARRAY(UUID(as_uuid=True)))
    )
)


def test_a_statement_is_compiled_to_asyncpg_placeholders() -> None:
    statement = driver.Statement.of(
        text("SELECT :b + :a").bindparams(
            bindparam("a", type_=Integer), bindparam("b", type_=Integer)
        )
    )

    assert statement.sql == "SELECT $1::INTEGER + $2::INTEGER"
    assert statement.names == ("b", "a")
    assert statement.arguments({"a": 1, "b": 2}) == (2, 1)


async def test_a_first_statement_begins_the_transaction_and_sees_its_writes(db: Database) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    async with db.reader() as session:
        # Nothing has run yet in this session: SQLAlchemy runs it and so begins the
        # transaction.
        assert await driver.fetch(session, NAMES, ([first, second],)) == []
        session.add_all(
            [
                Organisation(id=first, kind=OrganisationKind.PROVIDER, name="Taalschool Noord"),
                Organisation(id=second, kind=OrganisationKind.PROVIDER, name="ABC Taal"),
            ]
        )
        await session.flush()

        rows = await driver.fetch(session, NAMES, ([first, second],))

        assert [row[0] for row in rows] == ["ABC Taal", "Taalschool Noord"]
    # The reader rolled back, and the direct statements were part of what it rolled back.
    async with db.reader() as session:
        assert await driver.fetch(session, NAMES, ([first, second],)) == []


async def test_a_statement_without_rows_runs_on_either_path(db: Database) -> None:
    setting = driver.Statement.of(text("SET LOCAL work_mem = '8MB'"))
    shown = driver.Statement.of(text("SELECT current_setting('work_mem')"))
    async with db.reader() as session:
        assert await driver.fetch(session, setting, ()) == []  # begins the transaction
        assert await driver.fetch(session, setting, ()) == []  # on the asyncpg connection
        [(work_mem,)] = await driver.fetch(session, shown, ())
    assert work_mem == "8MB"


async def test_statements_after_a_commit_run_in_the_sessions_next_transaction(
    db: Database,
) -> None:
    setting = driver.Statement.of(text("SET LOCAL work_mem = '8MB'"))
    shown = driver.Statement.of(text("SELECT current_setting('work_mem')"))
    async with db.reader() as session:
        await driver.fetch(session, setting, ())
        await session.commit()

        [(after_commit,)] = await driver.fetch(session, shown, ())  # begins the next one
        await driver.fetch(session, setting, ())
        [(set_again,)] = await driver.fetch(session, shown, ())

    # The first transaction's setting ended with it; the next one's holds within it.
    assert (after_commit, set_again) == ("16MB", "8MB")


async def test_a_read_connection_only_reads_and_one_that_failed_is_not_pooled_again(
    db: Database,
) -> None:
    organisation = uuid.uuid4()
    writing = driver.Statement.of(
        text("INSERT INTO organisations (id, kind, name) VALUES (:id, 'provider', 'X')")
    )
    used = []

    async def write_while_reading() -> None:
        async with db.read_connection() as connection:
            used.append(connection)
            assert not connection.is_in_transaction()
            assert await driver.fetch(connection, NAMES, ([organisation],)) == []
            await driver.fetch(connection, writing, writing.arguments({"id": organisation}))

    with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
        await write_while_reading()
    assert used[0].is_closed()
    async with db.read_connection() as connection:
        assert connection is not used[0]
        assert await driver.fetch(connection, NAMES, ([organisation],)) == []


async def test_a_read_connection_stays_pooled_after_a_domain_error(db: Database) -> None:
    used = []

    async def refuse_input() -> None:
        async with db.read_connection() as connection:
            used.append(connection)
            raise InvalidCursor(field="after")

    with pytest.raises(InvalidCursor):
        await refuse_input()
    assert not used[0].is_closed()
