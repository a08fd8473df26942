"""Expected failures of reviews, named as facts. Input checks shared with the catalog
(`ValueOutOfRange`, `TextTooLong`, `TextRequired`) are the catalog's own facts."""

from __future__ import annotations

from market.kernel.errors import Conflict, Forbidden, NotFound


class ReviewNotFound(NotFound):
    reason = "ReviewNotFound"
    message = "No review with this id exists."


class NoStartedEnrollment(Forbidden):
    reason = "NoStartedEnrollment"
    message = "Only learners whose confirmed enrollment on this course has started may review it."


class AlreadyReviewed(Conflict):
    reason = "AlreadyReviewed"
    message = "You have already reviewed this course."


class NotReviewedProviderStaff(Forbidden):
    reason = "NotReviewedProviderStaff"
    message = "Only the staff of the reviewed course's provider may reply to a review."


class ReviewAlreadyReplied(Conflict):
    reason = "ReviewAlreadyReplied"
    message = "This review already has the provider's reply."


class ReviewAlreadyHidden(Conflict):
    reason = "ReviewAlreadyHidden"
    message = "This review is already hidden."
