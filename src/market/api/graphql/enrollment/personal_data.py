"""The learner's bookings in their data export (`myData`): enrollments with their DUO
invoices, and waitlist places, ended ones too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from market.api.graphql import ids
from market.enrollment import service
from market.enrollment.models import Enrollment, WaitlistEntry
from market.identity.policies import Actor
from market.payments import duo
from market.payments.models import DuoInvoice


def _iso(moment: date | datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


async def bookings_document(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    bookings = await service.export_personal_data(session, actor)
    invoices = await duo.invoices_of_enrollments(session, [e.id for e in bookings.enrollments])
    return {
        "enrollments": [_enrollment(e, invoices[e.id]) for e in bookings.enrollments],
        "waitlistPlaces": [_place(entry) for entry in bookings.waitlist],
    }


def _enrollment(row: Enrollment, invoices: list[DuoInvoice]) -> dict[str, Any]:
    return {
        "id": ids.encode("Enrollment", row.id),
        "course": ids.encode("Course", row.course_id),
        "intake": ids.encode("Intake", row.intake_id),
        "state": row.state.name,
        "paymentMethod": row.payment_method.name,
        "priceCents": row.price_cents,
        "duoCents": row.duo_cents,
        "duoLoanReference": row.duo_loan_reference,
        "startsOn": _iso(row.starts_on),
        "bookedAt": row.created_at.isoformat(),
        "confirmedAt": _iso(row.confirmed_at),
        "endedAt": _iso(row.ended_at),
        "refundCents": row.refund_cents,
        "duoInvoices": [
            {
                "number": invoice.number,
                "periodStart": invoice.period_start.isoformat(),
                "periodEnd": invoice.period_end.isoformat(),
                "amountCents": invoice.amount_cents,
                "state": invoice.state.name,
            }
            for invoice in invoices
        ],
    }


def _place(row: WaitlistEntry) -> dict[str, Any]:
    return {
        "intake": ids.encode("Intake", row.intake_id),
        "state": row.state.name,
        "paymentMethod": row.payment_method.name,
        "joinedAt": row.joined_at.isoformat(),
        "offerExpiresAt": _iso(row.offer_expires_at),
        "endedAt": _iso(row.ended_at),
    }
