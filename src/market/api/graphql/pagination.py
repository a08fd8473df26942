"""Relay-style connections: `nodes`, `pageInfo { hasNextPage endCursor }`, `totalCount`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from market.kernel.pagination import Page

NodeT = TypeVar("NodeT")
ItemT = TypeVar("ItemT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Connection(Generic[NodeT]):
    nodes: list[NodeT]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: Page[ItemT], to_node: Callable[[ItemT], NodeT]) -> Connection[NodeT]:
        return cls(
            nodes=[to_node(item) for item in page.items],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )
