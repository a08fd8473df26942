"""Arranging bookings: an intake to book, GraphQL operations of booking, enrollments written
straight to the table in any state (for what only follows from one, such as a review), and
reading back what the tables hold."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, text

from market.api.graphql import ids
from market.catalog.models import Course, Intake
from market.db.database import Database
from market.enrollment.models import Enrollment, EnrollmentState, PaymentMethod
from tests.support.actors import Person, provider_staff
from tests.support.catalog import add_course, add_intake, add_location, add_provider
from tests.support.graphql import GraphQLClient, Result

CHECKOUT = """
mutation($intake: ID!, $method: PaymentMethod!, $duo: String, $part: Int) {
  startCheckout(intakeId: $intake, paymentMethod: $method, duoLoanReference: $duo,
                duoAmountCents: $part) {
    outcome resumed
    enrollment { id state paymentMethod priceCents duoCents ownCents holdExpiresAt }
    waitlistPlace { id state placeInLine }
  }
}
"""

# Every table booking writes, for "nothing changed" checks.
BOOKING_TABLES = ("enrollments", "waitlist_entries")


@dataclass(frozen=True)
class Offer:
    """An intake on sale: its provider (with staff) and ids."""

    provider_id: uuid.UUID
    course_id: uuid.UUID
    intake_id: uuid.UUID
    staff: Person

    @property
    def intake(self) -> str:
        return ids.encode("Intake", self.intake_id)


async def add_offer(
    db: Database,
    *,
    seats: int = 12,
    certified: bool = True,
    price_cents: int = 300_000,
    provider: Offer | None = None,
    **intake: Any,
) -> Offer:
    """A published classroom course of a (certified) provider with one intake of `seats`;
    of the provider of `provider` when given, else of a new one."""
    if provider is None:
        provider_id = await add_provider(db, certified=certified)
        staff = await provider_staff(db, provider_id)
    else:
        provider_id, staff = provider.provider_id, provider.staff
    location_id = await add_location(db, provider_id)
    course_id = await add_course(db, provider_id, price_cents=price_cents)
    intake_id = await add_intake(db, course_id, location_id, seat_capacity=seats, **intake)
    return Offer(provider_id, course_id, intake_id, staff)


async def checkout(
    gql: GraphQLClient, person: Person, offer: Offer, method: str = "CARD", duo: str | None = None
) -> Result:
    return await gql(
        CHECKOUT, {"intake": offer.intake, "method": method, "duo": duo}, token=person.token
    )


async def occupancy(db: Database, intake_id: uuid.UUID) -> tuple[int, int]:
    """The intake's (seats taken, queue length), as search reads them."""
    async with db.transaction() as session:
        row = (
            await session.execute(
                text("SELECT seats_taken, queue_length FROM intakes WHERE id = :id"),
                {"id": intake_id},
            )
        ).one()
    return row[0], row[1]


async def snapshot(db: Database, tables: tuple[str, ...] = BOOKING_TABLES) -> dict[str, Any]:
    """Every row of `tables` and the intakes' counts: compared before and after a refusal."""
    found: dict[str, Any] = {}
    async with db.transaction() as session:
        for table in tables:
            rows = await session.execute(text(f"SELECT * FROM {table} ORDER BY 1"))  # noqa: S608
            found[table] = [tuple(row) for row in rows]
        counts = await session.execute(
            text("SELECT id, seats_taken, queue_length FROM intakes ORDER BY id")
        )
        found["intakes"] = [tuple(row) for row in counts]
    return found


async def age(db: Database, sql: str, **params: Any) -> None:
    """Move a booking's moments into the past (holds, offers, booking dates) with `sql`."""
    async with db.transaction() as session:
        await session.execute(text(sql), params)


async def add_enrollment(
    db: Database,
    learner_id: uuid.UUID,
    intake_id: uuid.UUID,
    *,
    state: EnrollmentState = EnrollmentState.CONFIRMED,
    starts_on: date | None = None,
    confirmed_at: datetime | None = None,
    **fields: Any,
) -> uuid.UUID:
    """A card-paid booking. Confirmed ones were confirmed a week ago unless told; without
    `starts_on` it is continuous intake (started on its confirmation date)."""
    if confirmed_at is None and state is EnrollmentState.CONFIRMED:
        confirmed_at = datetime.now(UTC) - timedelta(days=7)
    async with db.transaction() as session:
        course_id, provider_id, price = (
            await session.execute(
                select(Course.id, Course.provider_id, Course.price_cents)
                .join(Intake, Intake.course_id == Course.id)
                .where(Intake.id == intake_id)
            )
        ).one()
        enrollment = Enrollment(
            learner_id=learner_id,
            intake_id=intake_id,
            course_id=course_id,
            provider_id=provider_id,
            state=state,
            payment_method=PaymentMethod.CARD,
            price_cents=price,
            starts_on=starts_on,
            confirmed_at=confirmed_at,
            **fields,
        )
        session.add(enrollment)
        await session.flush()
        return enrollment.id
