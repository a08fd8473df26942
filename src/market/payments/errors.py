"""What can go wrong with payments: paying online, onboarding a provider to Stripe,
receiving Stripe's webhooks, and DUO invoices."""

from __future__ import annotations

from market.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound


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


# Paying online (Stripe).


class OnlinePaymentUnavailable(Conflict):
    reason = "OnlinePaymentUnavailable"
    message = "Online payment is not available on this platform right now."


class ProviderCannotTakePayments(Conflict):
    reason = "ProviderCannotTakePayments"
    message = "This school cannot take online payments yet; choose another way to pay."


class ProviderNotCertifiedForPayment(Conflict):
    reason = "ProviderNotCertifiedForPayment"
    message = "Only courses of schools with a valid Blik op Werk mark can be paid online."


class NotPaidOnline(Conflict):
    reason = "NotPaidOnline"
    message = "This booking is not paid online (its payment method is {method})."


class NothingToPay(Conflict):
    reason = "NothingToPay"
    message = "Nothing of this booking is left to pay online."


class NotAwaitingPayment(Conflict):
    reason = "NotAwaitingPayment"
    message = "This booking is not waiting for a payment ({state})."


class PaymentNotFound(NotFound):
    reason = "PaymentNotFound"
    message = "No payment has been started for this booking."


class NotProviderOwner(Forbidden):
    reason = "NotProviderOwner"
    message = "Only the school's owner (or a platform admin) can set up its payments."


class ProviderProfileNotFound(NotFound):
    reason = "PaymentProviderNotFound"
    message = "No school with this id exists."


# Webhooks (answered 400 by the REST edge, never through GraphQL).


class WebhookNotConfigured(InvalidInput):
    reason = "WebhookNotConfigured"
    message = "This webhook endpoint has no signing secret configured."


class InvalidWebhookSignature(InvalidInput):
    reason = "InvalidWebhookSignature"
    message = "The Stripe-Signature header is missing, stale or does not match the body."


class NotAStripeEvent(InvalidInput):
    reason = "NotAStripeEvent"
    message = "The body is not a Stripe event."
