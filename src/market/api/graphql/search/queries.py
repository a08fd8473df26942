from __future__ import annotations

import strawberry

from market.api.graphql.catalog.types import Course
from market.api.graphql.context import Info
from market.api.graphql.pagination import Connection
from market.api.graphql.search.inputs import CourseFilter, CourseSort
from market.kernel.pagination import PageRequest
from market.search import service
from market.search.criteria import SearchSort


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Published courses with a bookable intake (continuous, or starting today "
        "or later), by default only at certified providers."
    )
    async def search_courses(
        self,
        info: Info,
        query: str | None = None,
        filter: CourseFilter | None = None,
        sort: CourseSort = SearchSort.RELEVANCE,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Course]:
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        criteria = (filter or CourseFilter()).to_criteria(query, sort)
        async with info.context.reader() as session:
            result = await service.search_courses(session, criteria, page)
        return Connection.of(result, Course.of)
