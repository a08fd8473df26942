"""What can go wrong with payments and DUO invoices."""

from __future__ import annotations

from market.kernel.errors import Conflict, InvalidInput, NotFound


class DuoInvoiceNotFound(NotFound):
    reason = "DuoInvoiceNotFound"
    message = "No DUO invoice with this id exists."


class NotADuoBooking(Conflict):
    reason = "NotADuoBooking"
    message = "Only a confirmed booking paid with a DUO loan is invoiced to DUO."


class DuoInvoiceExceedsBooking(Conflict):
    reason = "DuoInvoiceExceedsBooking"
    message = (
        "Invoices to DUO for this booking would come to more than its DUO part ({left} cents left)."
    )


class DuoInvoiceStepNotAllowed(Conflict):
    reason = "DuoInvoiceStepNotAllowed"
    message = "A DUO invoice that is {state} cannot become {target}."


class InvoicePeriodInvalid(InvalidInput):
    reason = "InvoicePeriodInvalid"
    message = (
        "An invoice covers lessons given: its period ends on or after it starts, and not "
        "after today."
    )


class InvoiceNumberInvalid(InvalidInput):
    reason = "InvoiceNumberInvalid"
    message = "An invoice number is 1 to 40 letters, digits, dots, dashes or slashes."


class InvoiceAmountInvalid(InvalidInput):
    reason = "InvoiceAmountInvalid"
    message = "An invoice amount is a positive number of cents."


class RejectionReasonRequired(InvalidInput):
    reason = "RejectionReasonRequired"
    message = "Say why the invoice was rejected (at most {limit} characters)."
