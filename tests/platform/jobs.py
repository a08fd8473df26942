"""Arranging and observing background jobs in a test database."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from market import worker
from market.db.database import Database
from market.identity import tokens
from market.identity.models import AuthToken

PURGE = "identity:purge_expired_credentials"


async def add_stale_tokens(db: Database, user_id: uuid.UUID) -> None:
    """One expired and one revoked token beside the user's valid one."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        session.add_all(
            [
                AuthToken(
                    user_id=user_id,
                    token_hash=tokens.digest(tokens.new_secret()),
                    expires_at=now - timedelta(minutes=1),
                ),
                AuthToken(
                    user_id=user_id,
                    token_hash=tokens.digest(tokens.new_secret()),
                    expires_at=now + timedelta(days=1),
                    revoked_at=now - timedelta(minutes=1),
                ),
            ]
        )


async def remaining_token_hashes(db: Database) -> list[str]:
    async with db.reader() as session:
        return list((await session.scalars(select(AuthToken.token_hash))).all())


async def job_statuses(db: Database, task: str = PURGE) -> list[str]:
    """The statuses of the jobs of `task` that a test deferred: a starting worker also
    defers periodic jobs that fell due in the last minutes (the search index sync every
    minute, the hourly purge itself), which are left out."""
    async with db.reader() as session:
        rows = await session.execute(
            text(
                "SELECT status::text FROM procrastinate_jobs WHERE task_name = :task"
                " AND id NOT IN (SELECT job_id FROM procrastinate_periodic_defers"
                " WHERE job_id IS NOT NULL)"
            ),
            {"task": task},
        )
        return [status for (status,) in rows]


async def defer_purge(database_url: str) -> None:
    queue = worker.job_app(database_url)
    async with queue.open_async():
        await queue.configure_task(PURGE).defer_async(timestamp=int(time.time()))
