"""What identity holds, read straight from the database, to assert that nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from market.db.database import Database

TABLES = ("users", "organisations", "memberships", "invitations", "auth_tokens", "login_failures")


async def identity_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every identity table, in a stable order."""
    async with db.reader() as session:
        return {
            table: sorted(
                tuple(row)
                for row in await session.execute(text(f"SELECT * FROM {table}"))  # noqa: S608
            )
            for table in TABLES
        }


async def count(db: Database, table: str, where: str = "true", **params: Any) -> int:
    async with db.reader() as session:
        result = await session.scalar(
            text(f"SELECT count(*) FROM {table} WHERE {where}"),  # noqa: S608
            params,
        )
    assert result is not None
    return int(result)
