"""Everything stored about one person, as the one JSON document they download: from the
API (`myData`) and from their account page alike. Ids are opaque, times ISO 8601, and no
password or token hash is ever in it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from market.enrollment import service as enrollment
from market.enrollment.models import Enrollment, WaitlistEntry
from market.identity import service as identity
from market.identity.models import Organisation
from market.identity.policies import Actor
from market.kernel import ids
from market.payments import duo
from market.payments.models import DuoInvoice
from market.reviews import service as reviews
from market.reviews.service import ReviewView


async def personal_data(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    """The signed-in user's profile, memberships, invitations received and sent, sessions,
    recent failed sign-ins, bookings (enrollments with their DUO invoices, waitlist places)
    and the reviews they wrote."""
    document = _identity(await identity.export_personal_data(session, actor))
    document["bookings"] = await _bookings(session, actor)
    document["reviews"] = [_review(view) for view in await reviews.my_reviews(session, actor)]
    return document


def _identity(data: identity.PersonalData) -> dict[str, Any]:
    """The export as a JSON document: ids opaque, times ISO 8601, no hashes."""
    user = data.profile.user
    return {
        "exportedAt": data.exported_at.isoformat(),
        "profile": {
            "id": ids.encode("User", user.id),
            "email": user.email,
            "displayName": user.display_name,
            "preferredLanguage": user.preferred_language,
            "createdAt": user.created_at.isoformat(),
        },
        "memberships": [
            {
                "organisation": _organisation_summary(m.organisation),
                "role": m.role.name,
                "since": m.since.isoformat(),
            }
            for m in data.profile.memberships
        ],
        "invitationsReceived": [_invitation(view) for view in data.invitations_received],
        "invitationsSent": [_invitation(view) for view in data.invitations_sent],
        "sessions": [
            {
                "startedAt": token.created_at.isoformat(),
                "expiresAt": token.expires_at.isoformat(),
                "revokedAt": _iso(token.revoked_at),
            }
            for token in data.sessions
        ],
        "failedSignIns": [moment.isoformat() for moment in data.failed_sign_ins],
    }


def _organisation_summary(row: Organisation) -> dict[str, Any]:
    return {"id": ids.encode("Organisation", row.id), "name": row.name, "kind": row.kind.name}


def _invitation(view: identity.InvitationView) -> dict[str, Any]:
    invitation = view.invitation
    return {
        "organisation": _organisation_summary(view.organisation),
        "email": invitation.email,
        "role": invitation.role.name,
        "createdAt": invitation.created_at.isoformat(),
        "expiresAt": invitation.expires_at.isoformat(),
        "acceptedAt": _iso(invitation.accepted_at),
    }


def _review(view: ReviewView) -> dict[str, Any]:
    """A review as the writer's personal-data export (myData) lists it."""
    return {
        "id": ids.encode("Review", view.id),
        "courseId": ids.encode("Course", view.course_id),
        "rating": view.rating,
        "body": view.body,
        "createdAt": view.created_at.isoformat(),
        "reply": view.reply_body,
        "hiddenAt": view.hidden_at.isoformat() if view.hidden_at else None,
        "hiddenReason": view.hidden_reason,
    }


def _iso(moment: date | datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


async def _bookings(session: AsyncSession, actor: Actor) -> dict[str, Any]:
    bookings = await enrollment.export_personal_data(session, actor)
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
