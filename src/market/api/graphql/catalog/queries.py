from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.catalog.types import Course, Provider
from market.api.graphql.context import Info
from market.catalog import service


@strawberry.type
class CatalogQuery:
    @strawberry.field(
        description="A course: published ones for everyone, drafts for its staff; null for "
        "any other id, whether nothing has it or it is a draft of another provider."
    )
    async def course(self, info: Info, id: strawberry.ID) -> Course | None:
        course_id = ids.lookup("Course", id)
        if course_id is None:
            return None
        async with info.context.reader() as session:
            row = await service.find_course(session, info.context.actor, course_id)
        return None if row is None else Course.of(row)

    @strawberry.field(
        description="A provider with its certification, locations and courses; null for an "
        "id no provider has."
    )
    async def provider(self, info: Info, id: strawberry.ID) -> Provider | None:
        provider_id = ids.lookup("Provider", id)
        if provider_id is None:
            return None
        async with info.context.reader() as session:
            view = await service.find_provider(session, provider_id)
        return None if view is None else Provider.of(view)
