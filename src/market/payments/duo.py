"""DUO loan invoices: the school invoices DUO for lessons given on a DUO booking, the
learner approves each invoice in Mijn Inburgering, DUO pays the school. The platform keeps
the record of each invoice and its state, which the school's staff keep current and the
learner sees; no money passes through the platform, so a DUO booking never touches Stripe.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog import service as catalog
from market.catalog.policies import may_manage
from market.db import outbox
from market.enrollment import service as enrollment
from market.enrollment.errors import EnrollmentNotFound
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod
from market.identity.policies import Actor
from market.payments import errors
from market.payments.events import DuoInvoiceStepped
from market.payments.models import INVOICE_FORWARD, DuoInvoice, DuoInvoiceState

_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,39}$")
REASON_LIMIT = 500
# A rejected invoice no longer claims its amount: the school records a corrected one.
_CLAIMING = (
    DuoInvoiceState.DRAFT,
    DuoInvoiceState.SENT,
    DuoInvoiceState.APPROVED,
    DuoInvoiceState.PAID,
)


@dataclass(frozen=True, slots=True)
class InvoiceSpec:
    number: str
    period_start: date
    period_end: date
    amount_cents: int


async def _invoiced_booking(
    session: AsyncSession, actor: Actor, enrollment_id: uuid.UUID
) -> Enrollment:
    """A DUO booking of the actor's school, locked so two invoices cannot both pass the
    booking's DUO part."""
    actor.require_user()
    booking = await enrollment.find_enrollment(session, actor, enrollment_id)
    if booking is None or not may_manage(actor, booking.provider_id):
        raise EnrollmentNotFound(field="enrollmentId")
    await session.refresh(booking, with_for_update=True)
    invoiced = booking.state in (EnrollmentState.CONFIRMED, EnrollmentState.CANCELLED)
    if booking.payment_method is not PaymentMethod.DUO_LOAN or not invoiced:
        raise errors.NotADuoBooking(field="enrollmentId")
    if booking.confirmed_at is None:  # cancelled before the school ever accepted it
        raise errors.NotADuoBooking(field="enrollmentId")
    return booking


def _checked(spec: InvoiceSpec, today: date) -> InvoiceSpec:
    number = spec.number.strip()
    if not _NUMBER.match(number):
        raise errors.InvoiceNumberInvalid(field="number")
    if spec.period_end < spec.period_start or spec.period_end > today:
        raise errors.InvoicePeriodInvalid(field="periodEnd")
    if spec.amount_cents <= 0:
        raise errors.InvoiceAmountInvalid(field="amountCents")
    return InvoiceSpec(number, spec.period_start, spec.period_end, spec.amount_cents)


async def record_duo_invoice(
    session: AsyncSession, actor: Actor, enrollment_id: uuid.UUID, spec: InvoiceSpec
) -> DuoInvoice:
    """School staff record an invoice to DUO (a draft) for lessons given on a booking; all
    invoices of a booking together stay within its DUO part."""
    booking = await _invoiced_booking(session, actor, enrollment_id)
    spec = _checked(spec, await catalog.today(session))
    claimed = await session.scalar(
        select(func.coalesce(func.sum(DuoInvoice.amount_cents), 0)).where(
            DuoInvoice.enrollment_id == booking.id, DuoInvoice.state.in_(_CLAIMING)
        )
    )
    left = booking.duo_cents - int(claimed or 0)
    if spec.amount_cents > left:
        raise errors.DuoInvoiceExceedsBooking(field="amountCents", left=left)
    invoice = DuoInvoice(
        enrollment_id=booking.id,
        number=spec.number,
        period_start=spec.period_start,
        period_end=spec.period_end,
        amount_cents=spec.amount_cents,
        state=DuoInvoiceState.DRAFT,
        recorded_by=actor.user_id,
    )
    session.add(invoice)
    await session.flush()
    await session.refresh(invoice)
    await outbox.record(session, DuoInvoiceStepped(invoice.id, booking.id, invoice.state.value))
    return invoice


# The moment each state records.
_STAMPS = {
    DuoInvoiceState.SENT: "sent_at",
    DuoInvoiceState.APPROVED: "decided_at",
    DuoInvoiceState.REJECTED: "decided_at",
    DuoInvoiceState.PAID: "paid_at",
}


async def step_duo_invoice(
    session: AsyncSession,
    actor: Actor,
    invoice_id: uuid.UUID,
    target: DuoInvoiceState,
    reason: str | None = None,
) -> DuoInvoice:
    """School staff record the invoice's next step: sent to DUO, approved or rejected by
    the learner (with the reason given), paid by DUO. Steps only go forward."""
    actor.require_user()
    invoice = await session.get(DuoInvoice, invoice_id, with_for_update=True)
    booking = None if invoice is None else await session.get(Enrollment, invoice.enrollment_id)
    if invoice is None or booking is None or not may_manage(actor, booking.provider_id):
        raise errors.DuoInvoiceNotFound(field="id")
    if target not in INVOICE_FORWARD.get(invoice.state, frozenset()):
        raise errors.DuoInvoiceStepNotAllowed(
            field="id", state=invoice.state.value, target=target.value
        )
    if target is DuoInvoiceState.REJECTED:
        reason = (reason or "").strip()
        if not reason or len(reason) > REASON_LIMIT:
            raise errors.RejectionReasonRequired(field="reason", limit=REASON_LIMIT)
        invoice.rejection_reason = reason
    invoice.state = target
    invoice.recorded_by = actor.user_id
    setattr(invoice, _STAMPS[target], func.now())
    await session.flush()
    await session.refresh(invoice)
    await outbox.record(session, DuoInvoiceStepped(invoice.id, booking.id, target.value))
    return invoice


async def invoices_of_enrollments(
    session: AsyncSession, enrollment_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DuoInvoice]]:
    """Each booking's DUO invoices, oldest first (for bookings the reader may see)."""
    rows = await session.scalars(
        select(DuoInvoice)
        .where(DuoInvoice.enrollment_id.in_(enrollment_ids))
        .order_by(DuoInvoice.created_at, DuoInvoice.id)
    )
    found: dict[uuid.UUID, list[DuoInvoice]] = {key: [] for key in enrollment_ids}
    for row in rows:
        found[row.enrollment_id].append(row)
    return found
