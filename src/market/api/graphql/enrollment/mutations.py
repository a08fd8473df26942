from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.enrollment.types import (
    Checkout,
    Enrollment,
    PaymentMethod,
    WaitlistPlace,
)
from market.api.graphql.payments.types import PaymentInstructions
from market.enrollment import service
from market.enrollment.models import EnrollmentState
from market.payments import service as payments
from market.payments.gateway import GatewayUnavailable


async def _payment_for(info: Info, enrollment_id: uuid.UUID) -> PaymentInstructions | None:
    """What the browser needs to pay the seat just held (in a transaction of its own, after
    the hold's commit). Stripe out of reach leaves the hold and no instructions: the
    client asks again with preparePayment."""
    try:
        async with info.context.transaction() as session:
            given = await payments.prepare_payment(
                session, info.context.actor, info.context.payments, enrollment_id
            )
    except GatewayUnavailable:
        return None
    return PaymentInstructions.of(given)


@strawberry.type
class EnrollmentMutation:
    @strawberry.mutation(
        description="Learner: hold a seat on an intake (to pay by card or iDEAL before the "
        "hold expires, or for the school to accept a DUO loan booking), or join its waitlist "
        "when it is full. Asking again gives the open booking back."
    )
    async def start_checkout(
        self,
        info: Info,
        intake_id: strawberry.ID,
        payment_method: PaymentMethod,  # type: ignore[valid-type]
        duo_loan_reference: str | None = None,
        duo_amount_cents: Annotated[
            int | None,
            strawberry.argument(
                description="DUO_LOAN: the part of the price the loan pays (default: all of "
                "it); the rest the learner pays the school themselves."
            ),
        ] = None,
    ) -> Checkout:
        intake = ids.decode("Intake", intake_id, field="intakeId")
        async with info.context.transaction() as session:
            booked = await payments.start_checkout(
                session,
                info.context.actor,
                info.context.booking_rules,
                info.context.payments,
                intake,
                payment_method,
                duo_loan_reference,
                duo_amount_cents,
            )
        held = booked.enrollment
        instructions = None
        if held is not None and held.state is EnrollmentState.HELD:
            instructions = await _payment_for(info, held.id)
        return Checkout.of(booked, info.context.booking_rules, instructions)

    @strawberry.mutation(
        description="Learner: cancel a booking before the course starts; within the "
        "withdrawal period everything paid online is refunded. The seat goes to the waitlist."
    )
    async def cancel_enrollment(self, info: Info, id: strawberry.ID) -> Enrollment:
        enrollment_id = ids.decode("Enrollment", id)
        async with info.context.transaction() as session:
            row = await service.cancel_enrollment(
                session, info.context.actor, info.context.booking_rules, enrollment_id
            )
        return Enrollment.of(row)

    @strawberry.mutation(description="Learner: take the seat offered from the waitlist.")
    async def accept_waitlist_offer(self, info: Info, id: strawberry.ID) -> Enrollment:
        entry_id = ids.decode("WaitlistPlace", id)
        async with info.context.transaction() as session:
            row = await service.accept_waitlist_offer(
                session, info.context.actor, info.context.booking_rules, entry_id
            )
        return Enrollment.of(row)

    @strawberry.mutation(description="Learner: give up a place on a waitlist.")
    async def leave_waitlist(self, info: Info, id: strawberry.ID) -> WaitlistPlace:
        entry_id = ids.decode("WaitlistPlace", id)
        async with info.context.transaction() as session:
            row = await service.leave_waitlist(
                session, info.context.actor, info.context.booking_rules, entry_id
            )
        return WaitlistPlace.of(row)

    @strawberry.mutation(description="Provider staff: accept a DUO loan booking.")
    async def accept_duo_booking(self, info: Info, id: strawberry.ID) -> Enrollment:
        enrollment_id = ids.decode("Enrollment", id)
        async with info.context.transaction() as session:
            row = await service.accept_duo_booking(
                session, info.context.actor, info.context.booking_rules, enrollment_id
            )
        return Enrollment.of(row)

    @strawberry.mutation(description="Provider staff: decline a DUO loan booking.")
    async def decline_duo_booking(self, info: Info, id: strawberry.ID) -> Enrollment:
        enrollment_id = ids.decode("Enrollment", id)
        async with info.context.transaction() as session:
            row = await service.decline_duo_booking(
                session, info.context.actor, info.context.booking_rules, enrollment_id
            )
        return Enrollment.of(row)
