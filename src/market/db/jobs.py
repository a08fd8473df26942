"""How a background job reaches the database.

The worker creates one Database when it starts and puts it in every job's context; a
task opens `transaction(context)` around its work, which commits when the block ends
and rolls back when it raises, so the job wrapper is the commit boundary, as a GraphQL
mutation is for a request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from procrastinate import JobContext
from sqlalchemy.ext.asyncio import AsyncSession

from market.db.database import Database

_DATABASE = "database"


def job_context(db: Database) -> dict[str, Any]:
    """What the worker adds to every job's context (`additional_context`)."""
    return {_DATABASE: db}


@asynccontextmanager
async def transaction(context: JobContext) -> AsyncIterator[AsyncSession]:
    db: Database = context.additional_context[_DATABASE]
    async with db.transaction() as session:
        yield session
