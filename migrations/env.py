"""Alembic environment. Run from code (market.db.migrate) with a connection, or by the
alembic CLI with MARKET_DATABASE_URL set (for `alembic revision --autogenerate`)."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

# Every domain's tables, so autogenerate sees the whole schema.
from market.catalog import models as _catalog  # noqa: F401
from market.db import migrate
from market.db.base import Base
from market.enrollment import models as _enrollment  # noqa: F401
from market.geo import models as _geo  # noqa: F401
from market.identity import models as _identity  # noqa: F401
from market.notifications import models as _notifications  # noqa: F401
from market.payments import models as _payments  # noqa: F401
from market.reviews import models as _reviews  # noqa: F401
from market.tenders import models as _tenders  # noqa: F401

config = context.config
target_metadata = Base.metadata


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=migrate.include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(run_with)
    await engine.dispose()


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    asyncio.run(run_from_url(os.environ["MARKET_DATABASE_URL"]))
