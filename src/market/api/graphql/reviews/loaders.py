"""Per-request DataLoaders of reviews: one statement per kind of thing per request tick."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from market.api.graphql.context import Info
from market.api.graphql.dataloaders import loader
from market.kernel.pagination import Page
from market.reviews import service
from market.reviews.service import ReviewView


def course_reviews(
    info: Info,
) -> DataLoader[tuple[uuid.UUID, service.NewestFirst], Page[ReviewView]]:
    """A page of each course's reviews; keys of different pages batch by page."""
    actor = info.context.actor

    async def fetch(
        session: AsyncSession, keys: Sequence[tuple[uuid.UUID, service.NewestFirst]]
    ) -> dict[tuple[uuid.UUID, service.NewestFirst], Page[ReviewView]]:
        found = {}
        for page in dict.fromkeys(page for _, page in keys):
            courses = [course_id for course_id, of_page in keys if of_page == page]
            pages = await service.reviews_of_courses(session, actor, courses, page)
            found.update({(course_id, page): pages[course_id] for course_id in courses})
        return found

    return loader(info, "reviews.course_reviews", fetch)
