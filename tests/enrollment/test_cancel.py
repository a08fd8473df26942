"""Cancelling: within the 14-day withdrawal period everything paid online comes back;
afterwards the course's terms apply; once the course started, the school decides."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from market.api.graphql import ids
from market.db.database import Database
from market.enrollment import service
from market.enrollment.policies import BookingRules
from tests.support.actors import Person, learner
from tests.support.catalog import today
from tests.support.enrollment import Offer, add_offer, age, checkout, occupancy, snapshot
from tests.support.graphql import GraphQLClient

CANCEL = "mutation($id: ID!) { cancelEnrollment(id: $id) { state refundCents endedAt } }"
MINE = "{ myEnrollments { totalCount nodes { id state refundCents course { title } } } }"


async def confirmed(db: Database, gql: GraphQLClient, **intake: Any) -> tuple[str, Person, Offer]:
    offer = await add_offer(db, seats=1, price_cents=180_000, **intake)
    anna = await learner(db)
    enrollment = (await checkout(gql, anna, offer)).ok()["startCheckout"]["enrollment"]["id"]
    async with db.transaction() as session:
        await service.confirm_payment(session, BookingRules(), ids.decode("Enrollment", enrollment))
    return enrollment, anna, offer


async def test_within_fourteen_days_everything_comes_back(db: Database, gql: GraphQLClient) -> None:
    enrollment, anna, offer = await confirmed(db, gql)
    waiting = await learner(db)
    (await checkout(gql, waiting, offer)).ok()

    cancelled = (await gql(CANCEL, {"id": enrollment}, token=anna.token)).ok()["cancelEnrollment"]

    assert cancelled["state"] == "CANCELLED"
    assert cancelled["refundCents"] == 180_000
    # The freed seat is offered to the learner who waited.
    assert await occupancy(db, offer.intake_id) == (1, 0)
    mine = (await gql(MINE, token=anna.token)).ok()["myEnrollments"]
    assert mine["totalCount"] == 1
    assert mine["nodes"][0]["state"] == "CANCELLED"


async def test_after_fourteen_days_the_terms_apply(db: Database, gql: GraphQLClient) -> None:
    enrollment, anna, _ = await confirmed(db, gql, starts_on=today() + timedelta(days=60))
    await age(db, "UPDATE enrollments SET created_at = now() - interval '15 days'")

    cancelled = (await gql(CANCEL, {"id": enrollment}, token=anna.token)).ok()["cancelEnrollment"]

    assert (cancelled["state"], cancelled["refundCents"]) == ("CANCELLED", 0)


async def test_a_started_course_cannot_be_cancelled_here(db: Database, gql: GraphQLClient) -> None:
    enrollment, anna, _offer = await confirmed(db, gql, starts_on=today() + timedelta(days=3))
    await age(db, "UPDATE enrollments SET starts_on = :d", d=today())
    before = await snapshot(db)

    refused = await gql(CANCEL, {"id": enrollment}, token=anna.token)

    assert refused.errors[0]["extensions"]["reason"] == "CourseAlreadyStarted"
    assert await snapshot(db) == before


async def test_only_the_learner_cancels_and_only_once(db: Database, gql: GraphQLClient) -> None:
    enrollment, anna, offer = await confirmed(db, gql)
    before = await snapshot(db)

    other = await gql(CANCEL, {"id": enrollment}, token=(await learner(db)).token)
    staff = await gql(CANCEL, {"id": enrollment}, token=offer.staff.token)

    assert other.error_code == staff.error_code == "NOT_FOUND"
    assert await snapshot(db) == before
    (await gql(CANCEL, {"id": enrollment}, token=anna.token)).ok()
    twice = await gql(CANCEL, {"id": enrollment}, token=anna.token)
    assert twice.errors[0]["extensions"]["reason"] == "EnrollmentEnded"


async def test_a_hold_cancelled_before_paying_refunds_nothing(
    db: Database, gql: GraphQLClient
) -> None:
    offer = await add_offer(db, seats=1)
    anna = await learner(db)
    held = (await checkout(gql, anna, offer)).ok()["startCheckout"]["enrollment"]["id"]

    cancelled = (await gql(CANCEL, {"id": held}, token=anna.token)).ok()["cancelEnrollment"]

    assert (cancelled["state"], cancelled["refundCents"]) == ("CANCELLED", 0)
    assert await occupancy(db, offer.intake_id) == (0, 0)
