"""Keyset pagination: a page request in, a page out, cursors opaque to clients."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from market.kernel.errors import InvalidInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class InvalidCursor(InvalidInput):
    reason = "InvalidCursor"
    message = "This cursor is not valid here; start again from the first page."


class InvalidPageSize(InvalidInput):
    reason = "InvalidPageSize"
    message = "Ask for between {min} and {max} items per page."

    def __init__(self, most: int) -> None:
        super().__init__(field="first", min=1, max=most)


@dataclass(frozen=True, slots=True)
class PageRequest:
    first: int = DEFAULT_PAGE_SIZE
    # The client's cursor as sent: the listing that made it reads it (see decode_cursor).
    after: str | None = None

    @classmethod
    def parse(
        cls, first: int | None, after: str | None, *, limit: int = MAX_PAGE_SIZE
    ) -> PageRequest:
        size = DEFAULT_PAGE_SIZE if first is None else first
        most = min(limit, MAX_PAGE_SIZE)
        if not 1 <= size <= most:
            raise InvalidPageSize(most)
        return cls(size, after or None)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    has_next_page: bool
    end_cursor: str | None
    total_count: int


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, shape: Sequence[type]) -> tuple[Any, ...]:
    """The sort key a cursor holds: one JSON value of each type in `shape`, in order (a
    bool is no int). Anything else, a cursor of another listing too, is InvalidCursor."""
    if len(cursor) > 500:
        raise InvalidCursor(field="after")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidCursor(field="after") from None
    if (
        not isinstance(key, list)
        or len(key) != len(shape)
        or any(type(value) is not kind for value, kind in zip(key, shape, strict=True))
    ):
        raise InvalidCursor(field="after")
    return tuple(key)


class Created(Protocol):
    """A row listed newest first: by (created_at, id), both descending."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def id(self) -> uuid.UUID: ...


C = TypeVar("C", bound=Created)


def newest_page(rows: Sequence[C], first: int, total: int) -> Page[C]:
    """A page of `rows` fetched newest first, one more than `first` if there is more."""
    items = rows[:first]
    end = encode_cursor([items[-1].created_at.isoformat(), items[-1].id]) if items else None
    return Page(items, len(rows) > first, end, total)


def created_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (created, id) a cursor of newest_page holds. Its time is aware, as ours are, and
    within years 1..9999 in UTC: beyond, the driver would fail on it, not InvalidCursor."""
    created, last_id = decode_cursor(cursor, (str, str))
    try:
        at, after_id = datetime.fromisoformat(created), uuid.UUID(last_id)
        if at.tzinfo is not None:
            return at.astimezone(UTC), after_id
    except (ValueError, OverflowError):
        pass
    raise InvalidCursor(field="after")
