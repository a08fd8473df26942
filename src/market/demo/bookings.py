"""The demo's bookings, so that every screen of the booking story has something to show:
made with enrollment's own verbs (a handful of rows: no need to bypass its rules), on the
first demo provider's intakes, whose owner and editor have demo accounts.

- the demo learner (`leerling@market.example`) has a paid card booking, a DUO booking
  waiting for the school's answer, a seat offered from a waitlist, and a place in the line
  of a full intake;
- the full intake: three seats, taken by a paid card booking, a DUO booking the school
  accepted (with an invoice sent to DUO) and a hold waiting for its payment; three learners
  wait for it.

A paid booking's payment is recorded as Stripe would have left it (a PaymentIntent id of
the demo's own, the ledger's payment and platform fee): the demo has no Stripe history.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from market.catalog.models import Course, CourseStatus, Intake
from market.enrollment import service as enrollment
from market.enrollment.models import Enrollment, PaymentMethod
from market.enrollment.policies import BookingRules
from market.identity.models import Membership, OrganisationKind, Role, User
from market.identity.policies import Actor, Grant
from market.payments import duo
from market.payments.models import DuoInvoiceState, LedgerEntry, LedgerKind, Payment, PaymentState
from market.payments.service import PaymentRules

RULES = BookingRules()
DUO_REFERENCE = "2026000123"
# The demo's other learners: (email, name).
LEARNERS = [
    (f"leerling{n}@market.example", name)
    for n, name in enumerate(
        ["Amina Yusuf", "Dawit Haile", "Elif Kaya", "Hassan Omar", "Marta Kidane", "Samir Aziz"],
        start=2,
    )
]


async def seed_bookings(
    session: AsyncSession,
    *,
    learner_id: uuid.UUID,
    provider_id: uuid.UUID,
    person: Callable[[str, str, str], User],
    today: date,
) -> None:
    """The bookings above; `person(email, name, what)` adds a demo account."""
    others = [person(email, name, "learner") for email, name in LEARNERS]
    await session.flush()
    staff = await _staff(session, provider_id)
    full, pending, paid, offered = await _intakes(session, provider_id, today, 4)
    me = Actor(user_id=learner_id)
    a, b, c, d, e, f = (Actor(user_id=user.id) for user in others)

    # The full intake: three seats.
    await _capacity(session, full, 3)
    await _paid(session, a, full)
    duo_booking = await _book(session, b, full, PaymentMethod.DUO_LOAN)
    await enrollment.accept_duo_booking(session, staff, RULES, duo_booking)
    invoice = await duo.record_duo_invoice(
        session,
        staff,
        duo_booking,
        duo.InvoiceSpec("DEMO-2026-001", today - timedelta(days=30), today, 60_000),
    )
    await duo.step_duo_invoice(session, staff, invoice.id, DuoInvoiceState.SENT)
    await _book(session, c, full, PaymentMethod.CARD)
    for waiting in (d, e, me):
        await _book(session, waiting, full, PaymentMethod.CARD)

    # The demo learner's own bookings.
    await _book(session, me, pending, PaymentMethod.DUO_LOAN)
    await _paid(session, me, paid)
    await _capacity(session, offered, 1)
    lapsing = await _book(session, f, offered, PaymentMethod.CARD)
    await _book(session, me, offered, PaymentMethod.IDEAL)
    await session.execute(
        update(Enrollment)
        .where(Enrollment.id == lapsing)
        .values(hold_expires_at=func.now() - timedelta(minutes=1))
    )
    await enrollment.expire_lapsed(session, RULES)


async def _staff(session: AsyncSession, provider_id: uuid.UUID) -> Actor:
    """The provider's owner, as they act."""
    owner = await session.scalar(
        select(Membership.user_id).where(
            Membership.organisation_id == provider_id, Membership.role == Role.OWNER
        )
    )
    return Actor(owner, (Grant(provider_id, OrganisationKind.PROVIDER, Role.OWNER),))


async def _intakes(
    session: AsyncSession, provider_id: uuid.UUID, today: date, count: int
) -> Sequence[uuid.UUID]:
    """The provider's first `count` bookable intakes (published, not started)."""
    found = (
        await session.scalars(
            select(Intake.id)
            .join(Course, Course.id == Intake.course_id)
            .where(
                Course.provider_id == provider_id,
                Course.status == CourseStatus.PUBLISHED,
                (Intake.starts_on.is_(None)) | (Intake.starts_on > today),
            )
            .order_by(Intake.starts_on.asc().nulls_first(), Intake.id)
            .limit(count)
        )
    ).all()
    assert len(found) == count, "the first demo provider has too few bookable intakes"
    return found


async def _capacity(session: AsyncSession, intake_id: uuid.UUID, free: int) -> None:
    """`free` seats left on the intake (the demo's tooling writes the catalog directly)."""
    await session.execute(
        update(Intake).where(Intake.id == intake_id).values(seat_capacity=Intake.seats_taken + free)
    )


async def _book(
    session: AsyncSession, learner: Actor, intake_id: uuid.UUID, method: PaymentMethod
) -> uuid.UUID:
    reference = DUO_REFERENCE if method is PaymentMethod.DUO_LOAN else None
    booked = await enrollment.start_checkout(session, learner, RULES, intake_id, method, reference)
    found = booked.enrollment or booked.waitlist_entry
    assert found is not None
    return found.id


async def _paid(session: AsyncSession, learner: Actor, intake_id: uuid.UUID) -> None:
    """A card booking paid in full, with its payment and ledger as the webhook leaves them."""
    enrollment_id = await _book(session, learner, intake_id, PaymentMethod.CARD)
    assert await enrollment.confirm_payment(session, RULES, enrollment_id) == "confirmed"
    booking = await session.get(Enrollment, enrollment_id)
    assert booking is not None
    amount = booking.price_cents - booking.duo_cents
    fee = PaymentRules().fee(amount)
    payment = Payment(
        enrollment_id=enrollment_id,
        attempt=1,
        payment_intent_id=f"pi_demo_{enrollment_id.hex[:16]}",
        amount_cents=amount,
        currency="eur",
        application_fee_cents=fee,
        state=PaymentState.PAID,
        refunded_cents=0,
        paid_at=func.now(),
    )
    session.add(payment)
    await session.flush()
    assert payment.payment_intent_id is not None
    for kind, cents in ((LedgerKind.PAYMENT, amount), (LedgerKind.PLATFORM_FEE, fee)):
        session.add(
            LedgerEntry(
                enrollment_id=enrollment_id,
                payment_id=payment.id,
                kind=kind,
                amount_cents=cents,
                currency="eur",
                stripe_object_id=payment.payment_intent_id,
            )
        )
    await session.flush()
