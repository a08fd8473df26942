"""GraphQL types of reviews: the rating shown beside Blik op Werk stars, and the reviews."""

from __future__ import annotations

from datetime import datetime

import strawberry

from market.api.graphql import ids
from market.catalog.ratings import RatingSummary
from market.reviews.service import ReviewView


@strawberry.type(
    description="What learners with a started enrollment rated (1 to 5), hidden reviews "
    "left out: the average to one decimal and the number of reviews. Shown beside the Blik "
    "op Werk stars, which remain the official quality signal."
)
class Rating:
    average: float | None = strawberry.field(description="Null without reviews.")
    count: int

    @classmethod
    def of(cls, summary: RatingSummary) -> Rating:
        return cls(average=summary.average, count=summary.count)


@strawberry.type(description="The provider's one public reply to a review.")
class ReviewReply:
    body: str
    replied_at: datetime


@strawberry.type(description="A review by a learner whose enrollment on the course started.")
class Review:
    id: strawberry.ID
    rating: int = strawberry.field(description="1 to 5.")
    body: str
    created_at: datetime
    reviewer_first_name: str | None = strawberry.field(
        description="The reviewer's first name; null when unknown or the account is deleted "
        "(show 'a learner'). No other detail of the reviewer is ever shown."
    )
    reply: ReviewReply | None
    hidden_at: datetime | None = strawberry.field(
        description="Platform admins only: when it was hidden (null for everyone else, who "
        "never see hidden reviews)."
    )
    hidden_reason: str | None = strawberry.field(description="Platform admins only.")

    @classmethod
    def of(cls, view: ReviewView) -> Review:
        reply = None
        if view.reply_body is not None and view.replied_at is not None:
            reply = ReviewReply(body=view.reply_body, replied_at=view.replied_at)
        return cls(
            id=strawberry.ID(ids.encode("Review", view.id)),
            rating=view.rating,
            body=view.body,
            created_at=view.created_at,
            reviewer_first_name=view.reviewer_first_name,
            reply=reply,
            hidden_at=view.hidden_at,
            hidden_reason=view.hidden_reason,
        )
