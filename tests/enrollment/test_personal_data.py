"""A learner's bookings are in their data export; deleting the account ends what was still
open and keeps confirmed bookings without the person."""

from __future__ import annotations

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.enrollment import service
from market.enrollment.policies import BookingRules
from tests.support.actors import PASSWORD, learner
from tests.support.enrollment import add_offer, checkout, occupancy
from tests.support.graphql import GraphQLClient

MY_DATA = "{ myData }"
DELETE = "mutation($p: String!) { deleteMyAccount(password: $p) }"


async def test_my_data_holds_my_bookings(db: Database, gql: GraphQLClient) -> None:
    full = await add_offer(db, seats=1)
    open_ = await add_offer(db, price_cents=123_400)
    anna = await learner(db)
    (await checkout(gql, await learner(db), full)).ok()
    (await checkout(gql, anna, full)).ok()
    (await checkout(gql, anna, open_, "DUO_LOAN", "1234567890")).ok()

    data = (await gql(MY_DATA, token=anna.token)).ok()["myData"]["bookings"]

    [enrollment] = data["enrollments"]
    assert (enrollment["state"], enrollment["priceCents"], enrollment["duoLoanReference"]) == (
        "AWAITING_PROVIDER",
        123_400,
        "1234567890",
    )
    assert [place["state"] for place in data["waitlistPlaces"]] == ["WAITING"]


async def test_deleting_the_account_ends_open_bookings_and_keeps_paid_ones(
    db: Database, gql: GraphQLClient
) -> None:
    paid = await add_offer(db, seats=2)
    held = await add_offer(db, seats=1)
    full = await add_offer(db, seats=1)
    anna, bert = await learner(db), await learner(db)
    confirmed = (await checkout(gql, anna, paid)).ok()["startCheckout"]["enrollment"]["id"]
    async with db.transaction() as session:
        await service.confirm_payment(session, BookingRules(), ids.decode("Enrollment", confirmed))
    (await checkout(gql, anna, held)).ok()
    (await checkout(gql, bert, held)).ok()  # waits behind anna's hold
    (await checkout(gql, bert, full)).ok()
    (await checkout(gql, anna, full)).ok()  # waits behind bert

    (await gql(DELETE, {"p": PASSWORD}, token=anna.token)).ok()

    async with db.transaction() as session:
        rows = (
            await session.execute(
                text("SELECT intake_id, state, learner_id FROM enrollments ORDER BY created_at")
            )
        ).all()
        places = (
            await session.execute(
                text("SELECT intake_id, state FROM waitlist_entries ORDER BY position")
            )
        ).all()
    assert [
        (row.intake_id, row.state, row.learner_id)
        for row in rows
        if row.intake_id != full.intake_id
    ] == [
        (paid.intake_id, "confirmed", None),
        (held.intake_id, "cancelled", None),
    ]
    # anna's freed seat is offered to bert; her place behind bert is gone.
    assert places == [(held.intake_id, "offered"), (full.intake_id, "left")]
    assert await occupancy(db, held.intake_id) == (1, 0)
    assert await occupancy(db, full.intake_id) == (1, 0)
