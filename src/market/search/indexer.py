"""Keeping the Meilisearch index true: applying the catalog's change feed, and rebuilding.

Without Meilisearch (no MARKET_MEILISEARCH_URL) search reads PostgreSQL live, so pending
changes are simply marked processed; either way processed rows are purged after
`KEEP_PROCESSED`, so the feed never grows without bound.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import changes
from market.catalog import service as catalog
from market.db.database import Database
from market.search.documents import CourseDocuments, course_documents, published_course_ids
from market.search.meilisearch import MeilisearchSearch
from market.search.postgres import refresh_contracts

# Outbox rows per transaction: one Meilisearch write of their courses' documents.
BATCH = 200
# Courses per document batch when rebuilding.
REINDEX_BATCH = 500
KEEP_PROCESSED = timedelta(days=1)
# Changes recorded this long before a rebuild started are applied again after the swap: a
# transaction that began before the rebuild read the catalog may commit after it.
REOPEN_MARGIN = timedelta(minutes=10)


async def apply_pending(
    session: AsyncSession, engine: MeilisearchSearch | None, *, limit: int = BATCH
) -> int:
    """Apply up to `limit` pending catalog changes to the index and mark them processed;
    returns how many. Rows stay pending if Meilisearch fails (the caller rolls back)."""
    pending = await changes.claim_pending(session, limit)
    if not pending:
        return 0
    if engine is not None:
        courses = await changes.affected_courses(session, pending)
        await engine.apply(await course_documents(session, courses, await catalog.today(session)))
    await changes.mark_processed(session, [change.id for change in pending])
    return len(pending)


async def drain(
    transaction: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    engine: MeilisearchSearch | None,
) -> int:
    """Apply pending catalog changes batch by batch, each in its own `transaction()`, until
    none is left; returns how many. A failing batch stops the drain with its rows pending."""
    applied = 0
    while True:
        async with transaction() as session:
            count = await apply_pending(session, engine)
        applied += count
        if count < BATCH:
            return applied


async def purge(session: AsyncSession) -> int:
    return await changes.purge_processed(session, KEEP_PROCESSED)


async def record_new_day(session: AsyncSession) -> int:
    """Queue the courses whose documents depend on the date (see changes.calendar_changed);
    run daily, it looks back two days so a missed run is caught up."""
    today = await catalog.today(session)
    return await changes.calendar_changed(session, since=today - timedelta(days=2), today=today)


async def contracts_changed(
    session: AsyncSession, provider_ids: Sequence[uuid.UUID] | None = None
) -> int:
    """Bring the courses of these providers (None: of every provider with a contract) up to
    the contracts running today: PostgreSQL's search rows at once, Meilisearch's documents
    through the change feed. Run when a contract is signed or extended, and daily as
    contracts start and end; a second run finds nothing to do. Returns the courses changed."""
    changed = await refresh_contracts(session, provider_ids)
    await changes.courses_changed(session, changed)
    return len(changed)


@dataclass(frozen=True, slots=True)
class Rebuilt:
    index: str
    courses: int
    documents: int
    reopened: int


async def reindex(
    db: Database,
    engine: MeilisearchSearch,
    config_dir: Path,
    *,
    batch: int = REINDEX_BATCH,
) -> Rebuilt:
    """Build a new index `courses_<timestamp>` with the settings in `config_dir` from every
    published course, swap it in atomically and delete the old one; then reopen recent
    catalog changes so changes applied to the old index during the build reach the new one."""
    async with db.reader() as session:
        started: datetime = await session.scalar(select(func.now()))  # type: ignore[assignment]
        today = await catalog.today(session)
    uid = await engine.create_index(config_dir, now=started)
    courses = documents = 0
    after: uuid.UUID | None = None
    while True:
        async with db.reader() as session:
            ids = await published_course_ids(session, after=after, limit=batch)
            if not ids:
                break
            built = await _documents(session, ids, today)
        await engine.apply(built, index=uid)
        courses += len(ids)
        documents += len(built.documents)
        after = ids[-1]
    await engine.swap_in(uid)
    async with db.transaction() as session:
        reopened = await changes.reopen_since(session, started - REOPEN_MARGIN)
    return Rebuilt(uid, courses, documents, reopened)


async def _documents(session: AsyncSession, ids: list[uuid.UUID], today: date) -> CourseDocuments:
    # A new index holds nothing stale: only the documents to add.
    built = await course_documents(session, ids, today)
    return CourseDocuments(built.documents, [], [])
