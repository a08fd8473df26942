"""The reviews' verbs: a verified learner reviews a course once, its provider's staff reply
once, a platform admin hides a review with a reason; and who sees which reviews.

Every visible review counts in its course's rating, which the catalog keeps on the course
(`catalog.service.add_ratings`, in the same transaction as the review's change), so the
course's page and search read the rating from one row. Functions only flush; the caller's
boundary commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select, true, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import errors as catalog_errors
from market.catalog import service as catalog
from market.catalog.models import Course
from market.catalog.policies import managed_providers
from market.catalog.ratings import MAX_RATING, MIN_RATING
from market.enrollment.eligibility import started_enrollment
from market.identity.models import User
from market.identity.policies import Actor
from market.kernel.pagination import (
    InvalidCursor,
    Page,
    PageRequest,
    decode_cursor,
    encode_cursor,
)
from market.reviews import errors
from market.reviews.models import Review

MAX_BODY_LENGTH = 2000
MAX_REASON_LENGTH = 500


def _text(value: str, limit: int, field: str) -> str:
    value = value.strip()
    if len(value) > limit:
        raise catalog_errors.TextTooLong(limit, field=field)
    if not value:
        raise catalog_errors.TextRequired(field=field)
    return value


@dataclass(frozen=True, slots=True)
class ReviewView:
    """A review as shown: the reviewer by first name only (None once the account is gone,
    or without one); why it was hidden only to platform admins."""

    id: uuid.UUID
    course_id: uuid.UUID
    rating: int
    body: str
    created_at: datetime
    reviewer_first_name: str | None
    reply_body: str | None
    replied_at: datetime | None
    hidden_at: datetime | None
    hidden_reason: str | None


def _first_name(display_name: str | None) -> str | None:
    words = (display_name or "").split()
    return words[0][:50] if words else None


def _view(review: Review, display_name: str | None, actor: Actor) -> ReviewView:
    admin = actor.is_platform_admin
    return ReviewView(
        id=review.id,
        course_id=review.course_id,
        rating=review.rating,
        body=review.body,
        created_at=review.created_at,
        reviewer_first_name=_first_name(display_name),
        reply_body=review.reply_body,
        replied_at=review.replied_at,
        hidden_at=review.hidden_at if admin else None,
        hidden_reason=review.hidden_reason if admin else None,
    )


def _visible(actor: Actor) -> ColumnElement[bool]:
    """Hidden reviews are shown to platform admins only."""
    return true() if actor.is_platform_admin else Review.hidden_at.is_(None)


async def _with_name(session: AsyncSession, review: Review, actor: Actor) -> ReviewView:
    await session.flush()
    await session.refresh(review)
    name = None
    if review.learner_id is not None:
        name = await session.scalar(select(User.display_name).where(User.id == review.learner_id))
    return _view(review, name, actor)


# -- writing ------------------------------------------------------------------------------


async def review_course(
    session: AsyncSession, actor: Actor, course_id: uuid.UUID, *, rating: int, body: str
) -> ReviewView:
    """The learner's one review of a course they have started (a confirmed enrollment
    whose start date has come); it counts in the course's rating at once."""
    learner_id = actor.require_user()
    if not MIN_RATING <= rating <= MAX_RATING:
        raise catalog_errors.ValueOutOfRange(MIN_RATING, MAX_RATING, field="rating")
    body = _text(body, MAX_BODY_LENGTH, "body")
    enrollment_id = await started_enrollment(session, learner_id, course_id)
    if enrollment_id is None:
        if await catalog.find_course(session, actor, course_id) is None:
            raise catalog_errors.CourseNotFound(field="courseId")
        raise errors.NoStartedEnrollment(field="courseId")
    provider_id = await session.scalar(select(Course.provider_id).where(Course.id == course_id))
    # The unique index decides between two concurrent first reviews: the second inserts
    # nothing (and waits for the first's transaction to end to know).
    review_id = await session.scalar(
        insert(Review)
        .values(
            id=uuid.uuid4(),
            learner_id=learner_id,
            course_id=course_id,
            provider_id=provider_id,
            enrollment_id=enrollment_id,
            rating=rating,
            body=body,
        )
        .on_conflict_do_nothing(index_elements=[Review.learner_id, Review.course_id])
        .returning(Review.id)
    )
    if review_id is None:
        raise errors.AlreadyReviewed(field="courseId")
    await catalog.add_ratings(session, course_id, count=1, total=rating)
    review = await session.get(Review, review_id)
    assert review is not None
    return await _with_name(session, review, actor)


async def _review_for_update(session: AsyncSession, review_id: uuid.UUID) -> Review:
    review = await session.get(Review, review_id, with_for_update=True)
    if review is None:
        raise errors.ReviewNotFound(field="id")
    return review


async def reply_to_review(
    session: AsyncSession, actor: Actor, review_id: uuid.UUID, *, body: str
) -> ReviewView:
    """The provider's one public answer to a review of its course, by its staff."""
    user_id = actor.require_user()
    body = _text(body, MAX_BODY_LENGTH, "body")
    review = await _review_for_update(session, review_id)
    if review.hidden_at is not None and not actor.is_platform_admin:
        # Staff do not see hidden reviews: for them it does not exist.
        raise errors.ReviewNotFound(field="id")
    if review.provider_id not in managed_providers(actor):
        raise errors.NotReviewedProviderStaff(field="id")
    if review.reply_body is not None:
        raise errors.ReviewAlreadyReplied(field="id")
    review.reply_body = body
    review.replied_at = func.now()
    review.replied_by = user_id
    return await _with_name(session, review, actor)


async def hide_review(
    session: AsyncSession, actor: Actor, review_id: uuid.UUID, *, reason: str
) -> ReviewView:
    """A platform admin takes a review out of view, saying why; it no longer counts in the
    course's rating."""
    actor.require_platform_admin()
    reason = _text(reason, MAX_REASON_LENGTH, "reason")
    review = await _review_for_update(session, review_id)
    if review.hidden_at is not None:
        raise errors.ReviewAlreadyHidden(field="id")
    review.hidden_at = func.now()
    review.hidden_reason = reason
    review.hidden_by = actor.user_id
    await catalog.add_ratings(session, review.course_id, count=-1, total=-review.rating)
    return await _with_name(session, review, actor)


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewestFirst:
    """A page of courses' reviews, newest first: its size and the (created, id) of the last
    review already seen. Hashable, so that pages of several courses batch."""

    first: int
    after: tuple[datetime, uuid.UUID] | None = None

    @classmethod
    def of(cls, page: PageRequest) -> NewestFirst:
        """Raises InvalidCursor for a cursor of another listing."""
        return cls(page.first, _cursor_key(page.after) if page.after is not None else None)


def _cursor_key(cursor: str) -> tuple[datetime, uuid.UUID]:
    created, last_id = decode_cursor(cursor, (str, str))
    try:
        at, after_id = datetime.fromisoformat(created), uuid.UUID(last_id)
        if at.tzinfo is not None:
            return at.astimezone(UTC), after_id
    except (ValueError, OverflowError):
        pass
    raise InvalidCursor(field="after")


async def reviews_of_courses(
    session: AsyncSession, actor: Actor, course_ids: Sequence[uuid.UUID], page: NewestFirst
) -> dict[uuid.UUID, Page[ReviewView]]:
    """Each course's reviews the actor may see, newest first: two statements for any number
    of courses (a search page shows twenty)."""
    scope = (Review.course_id.in_(course_ids), _visible(actor))
    totals: dict[uuid.UUID, int] = {
        course_id: count
        for course_id, count in await session.execute(
            select(Review.course_id, func.count()).where(*scope).group_by(Review.course_id)
        )
    }
    newest = (Review.created_at.desc(), Review.id.desc())
    position = func.row_number().over(partition_by=Review.course_id, order_by=newest)
    ranked = select(Review.id, position.label("position")).where(*scope)
    if page.after is not None:
        ranked = ranked.where(tuple_(Review.created_at, Review.id) < tuple_(*page.after))
    window = ranked.subquery()
    rows = await session.execute(
        select(Review, User.display_name)
        .join(window, window.c.id == Review.id)
        .outerjoin(User, User.id == Review.learner_id)
        .where(window.c.position <= page.first + 1)
        .order_by(*newest)
    )
    found: dict[uuid.UUID, list[ReviewView]] = {course_id: [] for course_id in course_ids}
    for review, name in rows:
        found[review.course_id].append(_view(review, name, actor))
    return {
        course_id: _page(views, page.first, totals.get(course_id, 0))
        for course_id, views in found.items()
    }


def _page(views: list[ReviewView], first: int, total: int) -> Page[ReviewView]:
    items = views[:first]
    end = encode_cursor([items[-1].created_at.isoformat(), items[-1].id]) if items else None
    return Page(items, len(views) > first, end, total)


async def my_reviews(session: AsyncSession, actor: Actor) -> list[ReviewView]:
    """The signed-in learner's own reviews, hidden ones with the reason (their personal
    data), oldest first."""
    learner_id = actor.require_user()
    rows = await session.execute(
        select(Review, User.display_name)
        .join(User, User.id == Review.learner_id)
        .where(Review.learner_id == learner_id)
        .order_by(Review.created_at, Review.id)
    )
    own = Actor(learner_id)
    return [
        replace(
            _view(review, name, own), hidden_at=review.hidden_at, hidden_reason=review.hidden_reason
        )
        for review, name in rows
    ]
