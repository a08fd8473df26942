"""Per-request DataLoaders of the catalog: one statement per kind of thing per request
tick, however many courses a page shows. Created on first use in `Context.loaders`."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from market.api.graphql.context import Info
from market.catalog import service
from market.catalog.models import Intake, Location
from market.geo import service as geo
from market.geo.models import Municipality

K = TypeVar("K")
V = TypeVar("V")


def _loader(
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


def providers(info: Info) -> DataLoader[uuid.UUID, service.ProviderView | None]:
    return _loader(info, "catalog.providers", service.providers_by_ids)


def locations(info: Info) -> DataLoader[uuid.UUID, Location | None]:
    return _loader(info, "catalog.locations", service.locations_by_ids)


def provider_locations(info: Info) -> DataLoader[uuid.UUID, list[Location]]:
    return _loader(info, "catalog.provider_locations", service.locations_of_providers, list)


def upcoming_intakes(info: Info) -> DataLoader[uuid.UUID, list[Intake]]:
    return _loader(info, "catalog.upcoming_intakes", service.upcoming_intakes, list)


def municipalities(info: Info) -> DataLoader[str, Municipality | None]:
    return _loader(info, "geo.municipalities", geo.municipalities_by_code)
