from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.catalog.types import Course, Provider
from market.api.graphql.context import Info
from market.catalog import service


@strawberry.type
class CatalogQuery:
    @strawberry.field(description="A course: published ones for everyone, drafts for its staff.")
    async def course(self, info: Info, id: strawberry.ID) -> Course:
        course_id = ids.decode("Course", id)
        async with info.context.reader() as session:
            row = await service.get_course(session, info.context.actor, course_id)
        return Course.of(row)

    @strawberry.field(description="A provider with its certification, locations and courses.")
    async def provider(self, info: Info, id: strawberry.ID) -> Provider:
        provider_id = ids.decode("Provider", id)
        async with info.context.reader() as session:
            view = await service.get_provider(session, provider_id)
        return Provider.of(view)
