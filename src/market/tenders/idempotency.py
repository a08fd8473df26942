"""Retries that never duplicate (guarantee 11). A client sends an idempotency key with a
create or a publish; the first request under a key records its digest and its result in
the same transaction as the work. A retry with the same key (the same user, the same
operation) gets that result back; the same key with a different request is a conflict.

The key's row is inserted before the work starts: a concurrent retry's insert waits on the
unique index until the first transaction ends, then finds the row (and returns its result)
or, if the first rolled back, goes on to do the work itself.
"""

from __future__ import annotations

import hashlib
import uuid

import msgspec
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import errors as catalog_errors
from market.tenders import errors
from market.tenders.audit import canonical
from market.tenders.models import IdempotencyKey

MAX_KEY_LENGTH = 200
FIELD = "idempotencyKey"


async def claim(
    session: AsyncSession,
    user_id: uuid.UUID,
    operation: str,
    key: str,
    request: object,
    result_id: uuid.UUID,
) -> uuid.UUID | None:
    """None when `key` is new (the caller then makes `result_id`), else the result the
    first request under it made."""
    if not key.strip():
        raise catalog_errors.TextRequired(field=FIELD)
    if len(key) > MAX_KEY_LENGTH:
        raise catalog_errors.TextTooLong(MAX_KEY_LENGTH, field=FIELD)
    digest = hashlib.sha256(canonical(msgspec.to_builtins(request))).hexdigest()
    claimed = await session.scalar(
        insert(IdempotencyKey)
        .values(
            user_id=user_id,
            operation=operation,
            key=key,
            request_digest=digest,
            result_id=result_id,
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.result_id)
    )
    if claimed is not None:
        return None
    first = await session.get_one(IdempotencyKey, (user_id, operation, key), populate_existing=True)
    if first.request_digest != digest:
        raise errors.IdempotencyKeyReused(field=FIELD)
    return first.result_id
