"""Booking with a DUO loan: the school accepts or declines within three working days, and
no money moves through the platform."""

from __future__ import annotations

from datetime import UTC, datetime

from market.db.database import Database
from market.enrollment.policies import BookingRules
from tests.support.actors import learner
from tests.support.enrollment import add_offer, age, checkout, occupancy, snapshot
from tests.support.graphql import GraphQLClient

ACCEPT = "mutation($id: ID!) { acceptDuoBooking(id: $id) { state confirmedAt } }"
DECLINE = "mutation($id: ID!) { declineDuoBooking(id: $id) { state endedAt } }"


async def test_a_duo_booking_waits_for_the_school(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=1, price_cents=420_000)
    anna = await learner(db)

    booked = (await checkout(gql, anna, offer, "DUO_LOAN", "12 3456-7890")).ok()["startCheckout"]

    assert booked["outcome"] == "AWAITING_PROVIDER"
    enrollment = booked["enrollment"]
    assert enrollment["state"] == "AWAITING_PROVIDER"
    assert (enrollment["duoCents"], enrollment["ownCents"]) == (420_000, 0)
    expires = datetime.fromisoformat(enrollment["holdExpiresAt"])
    deadline = BookingRules().duo_response_deadline(datetime.now(UTC))
    assert abs((deadline - expires).total_seconds()) < 60  # three working days from now
    accepted = (await gql(ACCEPT, {"id": enrollment["id"]}, token=offer.staff.token)).ok()
    assert accepted["acceptDuoBooking"]["state"] == "CONFIRMED"
    assert await occupancy(db, offer.intake_id) == (1, 0)


async def test_a_declined_booking_frees_the_seat(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=1)
    anna, bert = await learner(db), await learner(db)
    enrollment = (await checkout(gql, anna, offer, "DUO_LOAN", "1234567890")).ok()
    (await checkout(gql, bert, offer)).ok()

    declined = await gql(
        DECLINE, {"id": enrollment["startCheckout"]["enrollment"]["id"]}, token=offer.staff.token
    )

    assert declined.ok()["declineDuoBooking"]["state"] == "DECLINED"
    assert await occupancy(db, offer.intake_id) == (1, 0)  # offered to bert


async def test_only_its_school_answers_and_only_in_time(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=1)
    other = await add_offer(db)
    anna = await learner(db)
    enrollment = (await checkout(gql, anna, offer, "DUO_LOAN", "1234567890")).ok()
    booking = enrollment["startCheckout"]["enrollment"]["id"]
    before = await snapshot(db)

    for token in (anna.token, other.staff.token):
        refused = await gql(ACCEPT, {"id": booking}, token=token)
        assert refused.error_code == "NOT_FOUND"
    assert await snapshot(db) == before

    await age(db, "UPDATE enrollments SET hold_expires_at = now() - interval '1 second'")
    late = await gql(ACCEPT, {"id": booking}, token=offer.staff.token)
    assert late.errors[0]["extensions"]["reason"] == "HoldLapsed"
