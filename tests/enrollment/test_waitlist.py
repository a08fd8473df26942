"""Seats that come free go to the first in line, as an offer that expires; holds lapse by
the per-minute job; a late payment keeps a seat only if one is free."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.enrollment import service
from market.enrollment.policies import BookingRules
from market.enrollment.service import Confirmation
from tests.support.actors import Person, learner
from tests.support.enrollment import add_offer, age, checkout, occupancy, snapshot
from tests.support.graphql import GraphQLClient

RULES = BookingRules()
ACCEPT = "mutation($id: ID!) { acceptWaitlistOffer(id: $id) { id state holdExpiresAt } }"
LEAVE = "mutation($id: ID!) { leaveWaitlist(id: $id) { id state } }"
MINE = "{ myWaitlistPlaces { id state placeInLine offerExpiresAt course { title } } }"


async def settle(db: Database) -> int:
    """One run of the per-minute job (enrollment:settle_seats)."""
    async with db.transaction() as session:
        return await service.expire_lapsed(session, RULES) + await service.offer_free_seats(
            session, RULES
        )


async def state_of(db: Database, table: str, row_id: str, kind: str) -> str:
    async with db.transaction() as session:
        return str(
            await session.scalar(
                text(f"SELECT state FROM {table} WHERE id = :id"),  # noqa: S608
                {"id": ids.decode(kind, row_id)},
            )
        )


async def full_with_line(
    db: Database, gql: GraphQLClient
) -> tuple[uuid.UUID, str, list[Person], list[str]]:
    """An intake of one seat, held by a first learner, with two more in line."""
    offer = await add_offer(db, seats=1)
    holder, *waiting = [await learner(db) for _ in range(3)]
    held = (await checkout(gql, holder, offer)).ok()["startCheckout"]["enrollment"]["id"]
    places = [
        (await checkout(gql, who, offer)).ok()["startCheckout"]["waitlistPlace"]["id"]
        for who in waiting
    ]
    return offer.intake_id, held, waiting, places


async def test_a_lapsed_hold_offers_its_seat_to_the_first_in_line(
    db: Database, gql: GraphQLClient
) -> None:
    intake_id, held, waiting, _places = await full_with_line(db, gql)
    await age(db, "UPDATE enrollments SET hold_expires_at = now() - interval '1 second'")

    assert await settle(db) == 1

    assert await state_of(db, "enrollments", held, "Enrollment") == "lapsed"
    mine = (await gql(MINE, token=waiting[0].token)).ok()["myWaitlistPlaces"]
    assert [(p["state"], p["placeInLine"]) for p in mine] == [("OFFERED", None)]
    assert mine[0]["offerExpiresAt"] is not None
    second = (await gql(MINE, token=waiting[1].token)).ok()["myWaitlistPlaces"]
    assert [(p["state"], p["placeInLine"]) for p in second] == [("WAITING", 1)]
    # The offered seat stays taken; one learner still waits.
    assert await occupancy(db, intake_id) == (1, 1)
    assert await settle(db) == 0  # nothing more to do: the job is idempotent


async def test_accepting_the_offer_holds_the_seat(db: Database, gql: GraphQLClient) -> None:
    intake_id, _, waiting, places = await full_with_line(db, gql)
    await age(db, "UPDATE enrollments SET hold_expires_at = now() - interval '1 second'")
    await settle(db)

    taken = (await gql(ACCEPT, {"id": places[0]}, token=waiting[0].token)).ok()

    assert taken["acceptWaitlistOffer"]["state"] == "HELD"
    assert await state_of(db, "waitlist_entries", places[0], "WaitlistPlace") == "accepted"
    assert await occupancy(db, intake_id) == (1, 1)
    again = await gql(ACCEPT, {"id": places[0]}, token=waiting[0].token)
    assert again.errors[0]["extensions"]["reason"] == "OfferNotOpen"


async def test_an_expired_offer_moves_on_to_the_next(db: Database, gql: GraphQLClient) -> None:
    intake_id, _, waiting, places = await full_with_line(db, gql)
    await age(db, "UPDATE enrollments SET hold_expires_at = now() - interval '1 second'")
    await settle(db)
    await age(db, "UPDATE waitlist_entries SET offer_expires_at = now() - interval '1 second'")
    before = await snapshot(db)

    late = await gql(ACCEPT, {"id": places[0]}, token=waiting[0].token)

    assert late.errors[0]["extensions"]["reason"] == "OfferExpired"
    assert await snapshot(db) == before
    await settle(db)
    assert await state_of(db, "waitlist_entries", places[0], "WaitlistPlace") == "expired"
    assert await state_of(db, "waitlist_entries", places[1], "WaitlistPlace") == "offered"
    assert await occupancy(db, intake_id) == (1, 0)


async def test_leaving_the_line_moves_everyone_up(db: Database, gql: GraphQLClient) -> None:
    intake_id, _, waiting, places = await full_with_line(db, gql)

    left = (await gql(LEAVE, {"id": places[0]}, token=waiting[0].token)).ok()

    assert left["leaveWaitlist"]["state"] == "LEFT"
    second = (await gql(MINE, token=waiting[1].token)).ok()["myWaitlistPlaces"]
    assert [p["placeInLine"] for p in second] == [1]
    assert await occupancy(db, intake_id) == (1, 1)


async def test_a_raised_capacity_is_offered_to_the_line(db: Database, gql: GraphQLClient) -> None:
    intake_id, _, _waiting, places = await full_with_line(db, gql)
    await age(db, "UPDATE intakes SET seat_capacity = 3 WHERE id = :i", i=intake_id)

    assert await settle(db) == 1

    assert [await state_of(db, "waitlist_entries", p, "WaitlistPlace") for p in places] == [
        "offered",
        "offered",
    ]
    assert await occupancy(db, intake_id) == (3, 0)


async def test_a_late_payment_keeps_a_free_seat(db: Database, gql: GraphQLClient) -> None:
    offer = await add_offer(db, seats=2)
    held = (await checkout(gql, await learner(db), offer)).ok()["startCheckout"]["enrollment"]
    await age(db, "UPDATE enrollments SET hold_expires_at = now() - interval '1 second'")
    await settle(db)

    async with db.transaction() as session:
        outcome = await service.confirm_payment(
            session, RULES, ids.decode("Enrollment", held["id"])
        )

    assert outcome is Confirmation.CONFIRMED
    assert await state_of(db, "enrollments", held["id"], "Enrollment") == "confirmed"
    assert await occupancy(db, offer.intake_id) == (1, 0)
    async with db.transaction() as session:
        again = await service.confirm_payment(session, RULES, ids.decode("Enrollment", held["id"]))
    assert again is Confirmation.ALREADY_CONFIRMED


async def test_a_late_payment_on_a_full_intake_has_no_seat(
    db: Database, gql: GraphQLClient
) -> None:
    intake_id, held, _, _ = await full_with_line(db, gql)
    await age(db, "UPDATE enrollments SET hold_expires_at = now() - interval '1 second'")
    await settle(db)  # the seat is offered to the first in line

    async with db.transaction() as session:
        outcome = await service.confirm_payment(session, RULES, ids.decode("Enrollment", held))

    assert outcome is Confirmation.NO_SEAT
    assert await state_of(db, "enrollments", held, "Enrollment") == "lapsed"
    assert await occupancy(db, intake_id) == (1, 1)
