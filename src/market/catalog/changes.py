"""The catalog's change feed for search: which courses changed in a way search must see.

Triggers on the catalog's tables (migration 0011_outbox) record every change in the writing
statement's own transaction, whoever writes (a catalog verb, the enrollment domain's seat
count, a bulk load): a row rolls back with the change it names, and no caller can forget
one. The search indexer claims pending rows, expands them to course ids, applies those
courses to the index and marks the rows processed. Processed rows are kept a short while
for inspection, then purged, so the table stays small.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import CatalogChange, Course, CourseStatus, Intake


async def calendar_changed(session: AsyncSession, *, since: date, today: date) -> int:
    """A new day changed what the index derives from the date: record every published
    course with continuous intake (its expected start moves with today) or with an intake
    that started between `since` and yesterday (no longer bookable). Returns how many."""
    started = Intake.starts_on.between(since, today - timedelta(days=1))
    courses = (
        select(Intake.course_id)
        .join(Course, Course.id == Intake.course_id)
        .where(Course.status == CourseStatus.PUBLISHED, or_(Intake.starts_on.is_(None), started))
        .distinct()
    )
    result = await session.execute(
        insert(CatalogChange).from_select([CatalogChange.course_id], courses)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def courses_changed(session: AsyncSession, course_ids: Sequence[uuid.UUID]) -> None:
    """Record these courses as changed by something outside the catalog's tables (their
    provider's contracts), which no trigger sees."""
    if course_ids:
        await session.execute(
            insert(CatalogChange), [{"course_id": course_id} for course_id in course_ids]
        )


async def claim_pending(session: AsyncSession, limit: int) -> list[CatalogChange]:
    """The oldest pending changes, locked for this transaction; rows another worker holds
    are skipped, so several workers never apply the same change at once."""
    rows = await session.scalars(
        select(CatalogChange)
        .where(CatalogChange.processed_at.is_(None))
        .order_by(CatalogChange.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows)


async def affected_courses(
    session: AsyncSession, changes: Sequence[CatalogChange]
) -> set[uuid.UUID]:
    """Every course id the changes name, directly or through a provider or a location.
    Ids of courses that no longer exist are included: they must leave the index."""
    courses = {c.course_id for c in changes if c.course_id is not None}
    providers = {c.provider_id for c in changes if c.provider_id is not None}
    locations = {c.location_id for c in changes if c.location_id is not None}
    conditions = []
    if providers:
        conditions.append(Course.provider_id.in_(providers))
    if locations:
        conditions.append(
            Course.id.in_(select(Intake.course_id).where(Intake.location_id.in_(locations)))
        )
    if conditions:
        courses.update(await session.scalars(select(Course.id).where(or_(*conditions))))
    return courses


async def mark_processed(session: AsyncSession, ids: Sequence[int]) -> None:
    await session.execute(
        update(CatalogChange).where(CatalogChange.id.in_(ids)).values(processed_at=func.now())
    )


async def purge_processed(session: AsyncSession, older_than: timedelta) -> int:
    """Remove rows processed longer ago than `older_than`; returns how many."""
    result = await session.execute(
        delete(CatalogChange).where(CatalogChange.processed_at < func.now() - older_than)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def reopen_since(session: AsyncSession, since: datetime) -> int:
    """Mark changes recorded at or after `since` pending again (a rebuilt index must see
    the changes that were applied to the index it replaced); returns how many."""
    result = await session.execute(
        update(CatalogChange)
        .where(CatalogChange.created_at >= since, CatalogChange.processed_at.is_not(None))
        .values(processed_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def pending_count(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(CatalogChange).where(CatalogChange.processed_at.is_(None))
    )
    return count or 0
