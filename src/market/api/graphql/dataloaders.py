"""Per-request DataLoaders: one statement per kind of thing per request tick, however many
objects a page shows. Each is created on first use and kept in `Context.loaders`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from market.api.graphql.context import Info

K = TypeVar("K")
V = TypeVar("V")


def loader(
    info: Info,
    name: str,
    fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, V]]],
    default: Callable[[], V | None] = lambda: None,
) -> DataLoader[K, Any]:
    loaders = info.context.loaders
    if name not in loaders:
        context = info.context

        async def load(keys: Sequence[K]) -> list[V | None]:
            async with context.reader() as session:
                found = await fetch(session, keys)
            return [found.get(key, default()) for key in keys]

        loaders[name] = DataLoader(load_fn=load)
    return loaders[name]  # type: ignore[no-any-return]
