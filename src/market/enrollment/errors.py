"""What can go wrong when booking a seat, waiting for one, or cancelling."""

from __future__ import annotations

from market.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound


class IntakeNotBookable(Conflict):
    reason = "IntakeNotBookable"
    message = "This intake cannot be booked: its course is not published or it has started."


class EnrollmentNotFound(NotFound):
    reason = "EnrollmentNotFound"
    message = "No enrollment with this id exists."


class WaitlistPlaceNotFound(NotFound):
    reason = "WaitlistPlaceNotFound"
    message = "No waitlist place with this id exists."


class InvalidDuoLoanReference(InvalidInput):
    reason = "InvalidDuoLoanReference"
    message = "A DUO loan reference is 10 digits (spaces and dashes are ignored)."


class DuoLoanReferenceRequired(InvalidInput):
    reason = "DuoLoanReferenceRequired"
    message = "Booking with a DUO loan needs the loan's reference."


class DuoLoanReferenceNotExpected(InvalidInput):
    reason = "DuoLoanReferenceNotExpected"
    message = "A DUO loan reference only goes with the payment method DUO_LOAN."


class DuoNeedsCertifiedProvider(Conflict):
    reason = "DuoNeedsCertifiedProvider"
    message = "A DUO loan only pays for courses of providers with a valid Blik op Werk mark."


class HoldLapsed(Conflict):
    reason = "HoldLapsed"
    message = "The seat was held for you until {expired_at}; that time has passed."


class EnrollmentEnded(Conflict):
    reason = "EnrollmentEnded"
    message = "This enrollment has ended ({state}); it can no longer change."


class CourseAlreadyStarted(Conflict):
    reason = "CourseAlreadyStarted"
    message = "The course has started; ask the school about leaving it."


class OfferNotOpen(Conflict):
    reason = "OfferNotOpen"
    message = "There is no open offer on this waitlist place ({state})."


class OfferExpired(Conflict):
    reason = "OfferExpired"
    message = "The offer expired at {expired_at}; the seat went to the next learner in line."


class NotYourEnrollment(Forbidden):
    reason = "NotYourEnrollment"
    message = "Only the learner who booked it can do this."


class NotBookingAwaitingProvider(Conflict):
    reason = "NotBookingAwaitingProvider"
    message = "Only a DUO booking awaiting the provider's answer can be accepted or declined."


class DuoAmountNotExpected(InvalidInput):
    reason = "DuoAmountNotExpected"
    message = "A DUO amount only goes with the payment method DUO_LOAN."


class DuoAmountOutOfRange(InvalidInput):
    reason = "DuoAmountOutOfRange"
    message = "The DUO loan pays between {min} and {max} cents of this course."
