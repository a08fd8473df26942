"""A learner holds a seat, or joins the waitlist of a full intake; the counts search reads
follow every booking."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from stripe import HTTPXClient, StripeClient

from market.api.graphql import ids
from market.catalog.models import CourseStatus
from market.db.database import Database
from market.payments import local_stripe
from tests.support.actors import learner
from tests.support.catalog import today
from tests.support.enrollment import (
    CHECKOUT,
    add_offer,
    checkout,
    occupancy,
    snapshot,
)
from tests.support.graphql import GraphQLClient

INTAKE = """
query($id: ID!) { course(id: $id) { intakes { seatsTaken seatsAvailable queueLength } } }
"""


async def test_a_checkout_holds_a_seat_for_twenty_minutes(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=2, price_cents=250_000)
    anna = await learner(db)

    before = datetime.now(UTC)
    answer = (await checkout(gql, anna, offer)).ok()["startCheckout"]

    assert answer["outcome"] == "SEAT_HELD"
    assert answer["resumed"] is False
    assert answer["waitlistPlace"] is None
    enrollment = answer["enrollment"]
    assert enrollment["state"] == "HELD"
    assert enrollment["paymentMethod"] == "CARD"
    assert (enrollment["priceCents"], enrollment["duoCents"], enrollment["ownCents"]) == (
        250_000,
        0,
        250_000,
    )
    expires = datetime.fromisoformat(enrollment["holdExpiresAt"])
    assert timedelta(minutes=19) < expires - before < timedelta(minutes=21)
    assert await occupancy(db, offer.intake_id) == (1, 0)


async def test_asking_again_resumes_the_open_booking(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=3)
    anna = await learner(db)
    first = (await checkout(gql, anna, offer)).ok()["startCheckout"]

    again = (await checkout(gql, anna, offer, "IDEAL")).ok()["startCheckout"]

    assert again["resumed"] is True
    assert again["enrollment"]["id"] == first["enrollment"]["id"]
    assert await occupancy(db, offer.intake_id) == (1, 0)


async def test_a_full_intake_puts_learners_in_line(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=1)
    first, second, third = [await learner(db) for _ in range(3)]
    (await checkout(gql, first, offer)).ok()

    queued = [(await checkout(gql, who, offer)).ok()["startCheckout"] for who in (second, third)]

    assert [q["outcome"] for q in queued] == ["WAITLISTED", "WAITLISTED"]
    assert [q["enrollment"] for q in queued] == [None, None]
    assert [q["waitlistPlace"]["placeInLine"] for q in queued] == [1, 2]
    assert [q["waitlistPlace"]["state"] for q in queued] == ["WAITING", "WAITING"]
    assert await occupancy(db, offer.intake_id) == (1, 2)
    shown = (await gql(INTAKE, {"id": ids.encode("Course", offer.course_id)})).ok()
    assert shown["course"]["intakes"] == [{"seatsTaken": 1, "seatsAvailable": 0, "queueLength": 2}]


async def test_200_concurrent_checkouts_for_10_seats(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=10)
    learners = [await learner(db) for _ in range(200)]

    answers = await asyncio.gather(*(checkout(gql, who, offer) for who in learners))

    outcomes = [answer.ok()["startCheckout"]["outcome"] for answer in answers]
    assert outcomes.count("SEAT_HELD") == 10
    assert outcomes.count("WAITLISTED") == 190
    assert await occupancy(db, offer.intake_id) == (10, 190)
    async with db.transaction() as session:
        held = await session.scalar(
            text("SELECT count(*) FROM enrollments WHERE intake_id = :i AND state = 'held'"),
            {"i": offer.intake_id},
        )
        # Arrival order: whoever took the intake's lock first got the lower position, and
        # every learner who came after the seats ran out waits behind the ones before.
        positions = (
            await session.scalars(
                text(
                    "SELECT position FROM waitlist_entries WHERE intake_id = :i ORDER BY position"
                ),
                {"i": offer.intake_id},
            )
        ).all()
    assert held == 10
    assert len(positions) == 190
    places = sorted(
        (
            answer.ok()["startCheckout"]["waitlistPlace"]
            for answer in answers
            if answer.ok()["startCheckout"]["waitlistPlace"]
        ),
        key=lambda place: place["placeInLine"] or 0,
    )
    # Places as the learners saw them when they joined: 1, 2, ... 190, each once.
    assert [place["placeInLine"] for place in places] == list(range(1, 191))


async def test_refusals_change_nothing(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=2)
    archived = await add_offer(db)
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE courses SET status = :s WHERE id = :c"),
            {"s": CourseStatus.ARCHIVED.value, "c": archived.course_id},
        )
    uncertified = await add_offer(db, certified=False)
    anna = await learner(db)
    before = await snapshot(db)
    unknown = ids.encode("Intake", offer.course_id)  # an id of the right type that names nothing

    cases = [
        ({"intake": unknown, "method": "CARD"}, "NOT_FOUND", "intakeId"),
        ({"intake": "nonsense", "method": "CARD"}, "BAD_USER_INPUT", "intakeId"),
        ({"intake": archived.intake, "method": "CARD"}, "CONFLICT", "intakeId"),
        ({"intake": offer.intake, "method": "DUO_LOAN"}, "BAD_USER_INPUT", "duoLoanReference"),
        (
            {"intake": offer.intake, "method": "DUO_LOAN", "duo": "12345"},
            "BAD_USER_INPUT",
            "duoLoanReference",
        ),
        (
            {"intake": offer.intake, "method": "CARD", "duo": "1234567890"},
            "BAD_USER_INPUT",
            "duoLoanReference",
        ),
        (
            {"intake": uncertified.intake, "method": "DUO_LOAN", "duo": "1234567890"},
            "CONFLICT",
            "paymentMethod",
        ),
    ]
    for variables, code, field in cases:
        result = await gql(CHECKOUT, {"duo": None} | variables, token=anna.token)
        assert (result.error_code, result.error_field) == (code, field), variables
        assert result.data is None

    anonymous = await gql(CHECKOUT, {"intake": offer.intake, "method": "CARD", "duo": None})
    assert anonymous.error_code == "UNAUTHENTICATED"
    assert await snapshot(db) == before


async def test_an_intake_that_started_cannot_be_booked(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, starts_on=today() + timedelta(days=7))
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE intakes SET starts_on = :d WHERE id = :i"),
            {"d": today() - timedelta(days=1), "i": offer.intake_id},
        )
    result = await checkout(gql, await learner(db), offer)
    assert result.errors[0]["extensions"]["reason"] == "IntakeNotBookable"


PAYING = """
mutation($intake: ID!, $method: PaymentMethod!) {
  startCheckout(intakeId: $intake, paymentMethod: $method) {
    outcome
    payment { clientSecret publishableKey amountCents currency }
  }
}
"""


async def test_a_seat_held_for_card_comes_with_its_payment_intent(
    db: Database, gql: GraphQLClient, localstripe: local_stripe.LocalStripe
) -> None:
    offer = await add_offer(db, price_cents=275_000)

    answer = await gql(
        PAYING, {"intake": offer.intake, "method": "IDEAL"}, token=(await learner(db)).token
    )

    payment = answer.ok()["startCheckout"]["payment"]
    assert (payment["amountCents"], payment["currency"]) == (275_000, "eur")
    assert payment["publishableKey"] == local_stripe.PUBLISHABLE_KEY
    intent_id = payment["clientSecret"].split("_secret_")[0]
    stripe = StripeClient(
        local_stripe.SECRET_KEY, base_addresses={"api": localstripe.base}, http_client=HTTPXClient()
    )
    intent = await stripe.payment_intents.retrieve_async(intent_id)
    assert (intent.amount, intent.currency, intent.status) == (
        275_000,
        "eur",
        "requires_payment_method",
    )


async def test_a_school_that_cannot_be_paid_online_is_not_held_for_card(
    db: Database, gql: GraphQLClient
) -> None:
    offer = await add_offer(db, certified=False)
    before = await snapshot(db)

    refused = await gql(
        PAYING, {"intake": offer.intake, "method": "CARD"}, token=(await learner(db)).token
    )

    assert refused.errors[0]["extensions"]["reason"] == "ProviderNotCertifiedForPayment"
    assert await snapshot(db) == before


WAITS = """
query($max: Int) {
  searchCourses(filter: {maxWaitWeeks: $max}) { totalCount nodes { waitWeeks } }
}
"""


async def test_the_line_feeds_the_wait_search_shows(db: Database, gql: GraphQLClient) -> None:
    # One seat; a full class moves on every 4 weeks (the school's declared wait).
    offer = await add_offer(db, seats=1, waitlist_weeks=4)
    (await checkout(gql, await learner(db), offer)).ok()
    full = (await gql(WAITS, {"max": None})).ok()["searchCourses"]
    assert [node["waitWeeks"] for node in full["nodes"]] == [4]

    for _ in range(2):
        (await checkout(gql, await learner(db), offer)).ok()

    # Two learners in line before the next: three classes' time.
    queued = (await gql(WAITS, {"max": None})).ok()["searchCourses"]
    assert [node["waitWeeks"] for node in queued["nodes"]] == [12]
    assert (await gql(WAITS, {"max": 11})).ok()["searchCourses"]["totalCount"] == 0
