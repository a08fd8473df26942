from __future__ import annotations

import strawberry

from market.api.graphql.context import Info
from market.api.graphql.search.inputs import CourseFilter, CourseSort
from market.api.graphql.search.types import CourseSearchConnection
from market.kernel.pagination import PageRequest
from market.search import service
from market.search.criteria import SearchSort


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Published courses with a bookable intake (continuous, or starting today "
        "or later) matching the filters, by default only at certified providers; with the "
        "total count and the facets."
    )
    async def search_courses(
        self,
        info: Info,
        query: str | None = None,
        filter: CourseFilter | None = None,
        sort: CourseSort = SearchSort.RELEVANCE,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> CourseSearchConnection:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        chosen = filter or CourseFilter()
        criteria = chosen.to_criteria(query, sort)
        async with info.context.read_connection() as connection:
            result = await service.search_courses(
                connection,
                criteria,
                page,
                near=chosen.near_postcode(),
                backend=info.context.search_backend,
            )
        return CourseSearchConnection.of(result, info.context.language)
