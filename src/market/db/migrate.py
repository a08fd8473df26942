"""Alembic, driven from code: `market db upgrade`, `make run`, the tests and /readyz."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.schema import SchemaItem

MIGRATIONS = Path(__file__).with_name("migrations")


# Tables the application does not model: procrastinate's job queue (migration 0003_jobs)
# and the search engine's trigger-maintained tables (0006_search and the revisions after).
UNMODELLED_TABLE_PREFIXES = ("procrastinate_", "search_")


def include_object(
    item: SchemaItem, name: str | None, kind: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate's filter: compare only what the models own."""
    return not (kind == "table" and (name or "").startswith(UNMODELLED_TABLE_PREFIXES))


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


@cache  # the revision files don't change while the process runs
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def is_at_head(engine: AsyncEngine) -> bool:
    """Cheap enough for every readiness probe: two small queries, no Alembic context
    (which would log two lines per probe)."""
    async with engine.connect() as conn:
        if not await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL")):
            return False
        current = set((await conn.scalars(text("SELECT version_num FROM alembic_version"))).all())
    return current == head_revisions()
