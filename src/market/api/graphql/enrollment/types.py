from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum

import strawberry

from market.api.graphql import ids
from market.api.graphql.catalog import loaders as catalog_loaders
from market.api.graphql.catalog.types import Course, Intake
from market.api.graphql.context import Info
from market.api.graphql.enrollment import loaders
from market.api.graphql.payments.duo import DuoInvoice
from market.api.graphql.payments.duo import invoices as duo_invoices
from market.api.graphql.payments.types import PaymentInstructions
from market.enrollment import models, policies
from market.enrollment.policies import BookingRules
from market.enrollment.service import Booked

PaymentMethod = strawberry.enum(
    models.PaymentMethod,
    name="PaymentMethod",
    description="How a booking is paid: online by card or iDEAL, or by a DUO loan.",
)
EnrollmentState = strawberry.enum(
    models.EnrollmentState,
    name="EnrollmentState",
    description="HELD: a seat held until the payment lands or the hold expires. "
    "AWAITING_PROVIDER: a DUO booking the school has to accept. LAPSED: the hold expired. "
    "States only move forward.",
)
WaitlistState = strawberry.enum(models.WaitlistState, name="WaitlistState")


async def _course(info: Info, course_id: uuid.UUID) -> Course:
    row = await catalog_loaders.booked_courses(info).load(course_id)
    assert row is not None  # a foreign key guarantees it
    return Course.of(row)


async def _intake(info: Info, intake_id: uuid.UUID) -> Intake:
    row = await catalog_loaders.booked_intakes(info).load(intake_id)
    assert row is not None  # a foreign key guarantees it
    return Intake.of(row)


@strawberry.type(description="A learner's booking of a seat on an intake.")
class Enrollment:
    id: strawberry.ID
    state: EnrollmentState  # type: ignore[valid-type]
    payment_method: PaymentMethod  # type: ignore[valid-type]
    price_cents: int = strawberry.field(description="The all-in price booked, in euro cents.")
    duo_cents: int = strawberry.field(description="The part a DUO loan pays.")
    own_cents: int = strawberry.field(description="The part the learner pays themselves.")
    duo_loan_reference: str | None
    cancellation_terms: str = strawberry.field(
        description="The course's terms after the withdrawal period, as agreed when booking."
    )
    starts_on: date | None = strawberry.field(description="Null: continuous intake.")
    hold_expires_at: datetime | None = strawberry.field(
        description="Until when the seat is held for the payment (or the school's answer)."
    )
    created_at: datetime
    withdrawal_ends_at: datetime = strawberry.field(
        description="Until then a cancellation gives back everything paid online."
    )
    confirmed_at: datetime | None
    ended_at: datetime | None
    refund_cents: int | None = strawberry.field(description="What the cancellation gave back.")
    course_id: strawberry.Private[uuid.UUID]
    intake_id: strawberry.Private[uuid.UUID]
    row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, row: models.Enrollment) -> Enrollment:
        return cls(
            row_id=row.id,
            id=strawberry.ID(ids.encode("Enrollment", row.id)),
            state=row.state,
            payment_method=row.payment_method,
            price_cents=row.price_cents,
            duo_cents=row.duo_cents,
            own_cents=row.price_cents - row.duo_cents,
            duo_loan_reference=row.duo_loan_reference,
            cancellation_terms=row.cancellation_terms,
            starts_on=row.starts_on,
            hold_expires_at=row.hold_expires_at,
            created_at=row.created_at,
            withdrawal_ends_at=policies.withdrawal_ends(row),
            confirmed_at=row.confirmed_at,
            ended_at=row.ended_at,
            refund_cents=row.refund_cents,
            course_id=row.course_id,
            intake_id=row.intake_id,
        )

    @strawberry.field
    async def course(self, info: Info) -> Course:
        return await _course(info, self.course_id)

    @strawberry.field
    async def intake(self, info: Info) -> Intake:
        return await _intake(info, self.intake_id)

    @strawberry.field(description="DUO_LOAN: the school's invoices to DUO, oldest first.")
    async def duo_invoices(self, info: Info) -> list[DuoInvoice]:
        if self.payment_method is not models.PaymentMethod.DUO_LOAN:
            return []
        rows = await duo_invoices(info).load(self.row_id)
        return [DuoInvoice.of(row) for row in rows]


@strawberry.type(description="A learner's place in line for a full intake.")
class WaitlistPlace:
    id: strawberry.ID
    state: WaitlistState  # type: ignore[valid-type]
    payment_method: PaymentMethod  # type: ignore[valid-type]
    joined_at: datetime
    offer_expires_at: datetime | None = strawberry.field(
        description="OFFERED: accept the seat before this moment."
    )
    intake_id: strawberry.Private[uuid.UUID]
    course_id: strawberry.Private[uuid.UUID | None]
    enrollment_id: strawberry.Private[uuid.UUID | None]
    row_id: strawberry.Private[uuid.UUID]

    @classmethod
    def of(cls, row: models.WaitlistEntry) -> WaitlistPlace:
        return cls(
            id=strawberry.ID(ids.encode("WaitlistPlace", row.id)),
            state=row.state,
            payment_method=row.payment_method,
            joined_at=row.joined_at,
            offer_expires_at=row.offer_expires_at,
            intake_id=row.intake_id,
            course_id=None,
            enrollment_id=row.enrollment_id,
            row_id=row.id,
        )

    @strawberry.field(description="WAITING: 1 is next in line for a free seat; else null.")
    async def place_in_line(self, info: Info) -> int | None:
        if self.state is not models.WaitlistState.WAITING:
            return None
        return await loaders.places_in_line(info).load(self.row_id)

    @strawberry.field
    async def intake(self, info: Info) -> Intake:
        return await _intake(info, self.intake_id)

    @strawberry.field
    async def course(self, info: Info) -> Course:
        intake = await catalog_loaders.booked_intakes(info).load(self.intake_id)
        assert intake is not None
        return await _course(info, intake.course_id)


@strawberry.enum(description="What a checkout gave.")
class CheckoutOutcome(Enum):
    SEAT_HELD = "seat_held"  # pay before the hold expires
    AWAITING_PROVIDER = "awaiting_provider"  # a DUO booking: the school answers
    WAITLISTED = "waitlisted"  # the intake is full: a place in line


@strawberry.type(
    description="The learner's DUO bookings together will borrow more than DUO lends at most."
)
class DuoLoanWarning:
    planned_cents: int = strawberry.field(description="All live DUO bookings, this one too.")
    maximum_cents: int = strawberry.field(description="DUO's maximum loan.")


@strawberry.type(description="The answer to startCheckout: a held seat or a waitlist place.")
class Checkout:
    outcome: CheckoutOutcome
    resumed: bool = strawberry.field(
        description="True: the learner's open booking of this intake, not a new one."
    )
    enrollment: Enrollment | None
    waitlist_place: WaitlistPlace | None
    duo_loan_warning: DuoLoanWarning | None = strawberry.field(
        description="DUO_LOAN: set when the planned borrowing passes the loan maximum."
    )
    payment: PaymentInstructions | None = strawberry.field(
        description="CARD/IDEAL with a seat held: what Stripe's Payment Element needs to pay "
        "it. Null when the payment provider could not be reached: ask preparePayment."
    )

    @classmethod
    def of(
        cls, booked: Booked, rules: BookingRules, payment: PaymentInstructions | None = None
    ) -> Checkout:
        maximum = rules.duo_loan_maximum_cents
        warning = (
            DuoLoanWarning(planned_cents=booked.planned_duo_cents, maximum_cents=maximum)
            if rules.passes_duo_maximum(booked.planned_duo_cents)
            else None
        )
        if booked.enrollment is None:
            assert booked.waitlist_entry is not None
            outcome = CheckoutOutcome.WAITLISTED
        elif booked.enrollment.state is models.EnrollmentState.AWAITING_PROVIDER:
            outcome = CheckoutOutcome.AWAITING_PROVIDER
        else:
            outcome = CheckoutOutcome.SEAT_HELD
        return cls(
            outcome=outcome,
            resumed=booked.resumed,
            enrollment=None if booked.enrollment is None else Enrollment.of(booked.enrollment),
            waitlist_place=(
                None if booked.waitlist_entry is None else WaitlistPlace.of(booked.waitlist_entry)
            ),
            duo_loan_warning=warning,
            payment=payment,
        )


@strawberry.type(description="An intake's bookings, for its provider's staff.")
class IntakeBookings:
    enrollments: list[Enrollment] = strawberry.field(description="Live ones, oldest first.")
    waitlist: list[WaitlistPlace] = strawberry.field(description="Open places, in line order.")
