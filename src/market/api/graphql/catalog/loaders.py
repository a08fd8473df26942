"""Per-request DataLoaders of the catalog: one statement per kind of thing per request
tick, however many courses a page shows. Created on first use in `Context.loaders`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from market.api.graphql.context import Info
from market.api.graphql.dataloaders import loader
from market.catalog import service
from market.catalog.models import Course, Intake, Location
from market.catalog.ratings import RatingSummary
from market.geo import service as geo
from market.geo.models import Municipality
from market.kernel.pagination import Page
from market.search import documents


def providers(info: Info) -> DataLoader[uuid.UUID, service.ProviderView | None]:
    return loader(info, "catalog.providers", service.providers_by_ids)


def locations(info: Info) -> DataLoader[uuid.UUID, Location | None]:
    return loader(info, "catalog.locations", service.locations_by_ids)


def provider_locations(info: Info) -> DataLoader[uuid.UUID, list[Location]]:
    return loader(info, "catalog.provider_locations", service.locations_of_providers, list)


def upcoming_intakes(info: Info) -> DataLoader[uuid.UUID, list[Intake]]:
    return loader(info, "catalog.upcoming_intakes", service.upcoming_intakes, list)


def provider_courses(
    info: Info,
) -> DataLoader[tuple[uuid.UUID, service.NewestFirst], Page[Course]]:
    """A page of each provider's courses; keys of different pages batch by page."""
    actor = info.context.actor

    async def fetch(
        session: AsyncSession, keys: Sequence[tuple[uuid.UUID, service.NewestFirst]]
    ) -> dict[tuple[uuid.UUID, service.NewestFirst], Page[Course]]:
        found = {}
        for page in dict.fromkeys(page for _, page in keys):
            providers = [provider_id for provider_id, of_page in keys if of_page == page]
            pages = await service.courses_of_providers(session, actor, providers, page)
            found.update({(provider_id, page): pages[provider_id] for provider_id in providers})
        return found

    return loader(info, "catalog.provider_courses", fetch)


def provider_ratings(info: Info) -> DataLoader[uuid.UUID, RatingSummary]:
    return loader(info, "catalog.provider_ratings", service.provider_ratings, RatingSummary)


def municipalities(info: Info) -> DataLoader[str, Municipality | None]:
    return loader(info, "geo.municipalities", geo.municipalities_by_code)


def contracting(info: Info) -> DataLoader[uuid.UUID, list[str]]:
    """The codes of the municipalities contracting each provider today."""

    async def fetch(session: AsyncSession, keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        return await documents.contracting(session, keys, await service.today(session))

    return loader(info, "search.contracting", fetch, list)


def booked_courses(info: Info) -> DataLoader[uuid.UUID, Course | None]:
    return loader(info, "catalog.booked_courses", service.booked_courses)


def booked_intakes(info: Info) -> DataLoader[uuid.UUID, Intake | None]:
    return loader(info, "catalog.booked_intakes", service.booked_intakes)
