from __future__ import annotations

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.reviews.types import Review
from market.reviews import service


@strawberry.type
class ReviewsMutation:
    @strawberry.mutation(
        description="A learner whose confirmed enrollment on the course has started: rate "
        "it (1 to 5) and say why (at most 2,000 characters). One review per course."
    )
    async def review_course(
        self, info: Info, course_id: strawberry.ID, rating: int, body: str
    ) -> Review:
        course = ids.decode("Course", course_id, field="courseId")
        async with info.context.transaction() as session:
            view = await service.review_course(
                session, info.context.actor, course, rating=rating, body=body
            )
        return Review.of(view)

    @strawberry.mutation(
        description="Staff of the reviewed course's provider: the provider's one public reply."
    )
    async def reply_to_review(self, info: Info, id: strawberry.ID, body: str) -> Review:
        review_id = ids.decode("Review", id)
        async with info.context.transaction() as session:
            view = await service.reply_to_review(session, info.context.actor, review_id, body=body)
        return Review.of(view)

    @strawberry.mutation(
        description="Platform admin: take a review out of view, with the reason (at most 500 "
        "characters); it no longer counts in the course's rating."
    )
    async def hide_review(self, info: Info, id: strawberry.ID, reason: str) -> Review:
        review_id = ids.decode("Review", id)
        async with info.context.transaction() as session:
            view = await service.hide_review(session, info.context.actor, review_id, reason=reason)
        return Review.of(view)
