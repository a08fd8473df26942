"""The contract every search engine fulfils (PostgreSQL now, Meilisearch later)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Course
from market.kernel.pagination import Page, PageRequest
from market.search.criteria import CourseSearch


class SearchBackend(Protocol):
    async def search(
        self, session: AsyncSession, criteria: CourseSearch, page: PageRequest
    ) -> Page[Course]:
        """One page of matching courses in the criteria's order, with the total count.

        `criteria` arrive validated (see market.search.service). An engine that finds ids
        elsewhere loads the courses from `session`, keeping its order.
        """
        ...
