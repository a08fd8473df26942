"""Who may call each booking operation. On every denial the bookings stay exactly as
they were; each allowed caller succeeds on a world of its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from market.api.graphql import ids
from market.db.database import Database
from market.enrollment import service
from market.enrollment.policies import BookingRules
from tests.support.actors import Person, learner, platform_admin
from tests.support.catalog import today
from tests.support.enrollment import add_offer, age, checkout, snapshot
from tests.support.graphql import GraphQLClient

TABLES = ("enrollments", "waitlist_entries", "duo_invoices")


@dataclass(frozen=True)
class World:
    people: dict[str, Person]
    intake: str  # full: the owner holds its one seat, a stranger waits for it
    held: str  # the owner's card hold
    duo: str  # the owner's DUO booking, awaiting the school
    accepted: str  # the owner's DUO booking the school accepted
    place: str  # the owner's waitlist place, offered a seat
    invoice: str  # a draft invoice on the accepted DUO booking


async def world(db: Database, gql: GraphQLClient) -> World:
    offer = await add_offer(db, seats=1)
    other = await add_offer(db, seats=1)
    owner, stranger = await learner(db), await learner(db)
    people = {
        "anonymous": Person(owner.user_id, "", ""),
        "learner": stranger,
        "owner": owner,
        "other staff": other.staff,
        "own staff": offer.staff,
        "admin": await platform_admin(db),
    }
    held = (await checkout(gql, owner, offer)).ok()["startCheckout"]["enrollment"]["id"]
    (await checkout(gql, stranger, offer)).ok()
    duo_offer = await add_offer(db, seats=3, provider=offer)
    duo = await checkout(gql, owner, duo_offer, "DUO_LOAN", "1234567890")
    accepted_booking = await checkout(gql, stranger, duo_offer, "DUO_LOAN", "1234567890")
    accepted = accepted_booking.ok()["startCheckout"]["enrollment"]["id"]
    await gql(
        "mutation($id: ID!) { acceptDuoBooking(id: $id) { id } }",
        {"id": accepted},
        token=offer.staff.token,
    )
    # The owner waits for the other intake and is offered its seat when the hold before
    # them lapses.
    lapsing = (await checkout(gql, stranger, other)).ok()["startCheckout"]["enrollment"]["id"]
    place = (await checkout(gql, owner, other)).ok()["startCheckout"]["waitlistPlace"]["id"]
    await age(
        db,
        "UPDATE enrollments SET hold_expires_at = now() WHERE id = :id",
        id=ids.decode("Enrollment", lapsing),
    )
    async with db.transaction() as session:
        await service.expire_lapsed(session, BookingRules())
    invoice = await gql(
        "mutation($e: ID!, $input: DuoInvoiceInput!) {"
        " recordDuoInvoice(enrollmentId: $e, input: $input) { id } }",
        {
            "e": accepted,
            "input": {
                "number": "1",
                "periodStart": str(today() - timedelta(days=7)),
                "periodEnd": str(today()),
                "amountCents": 10_000,
            },
        },
        token=offer.staff.token,
    )
    return World(
        people=people,
        intake=offer.intake,
        held=held,
        duo=duo.ok()["startCheckout"]["enrollment"]["id"],
        accepted=accepted,
        place=place,
        invoice=invoice.ok()["recordDuoInvoice"]["id"],
    )


@dataclass(frozen=True)
class Operation:
    query: str
    variables: Callable[[World], dict[str, Any]]
    allowed: frozenset[str]


STAFF = frozenset({"own staff", "admin"})
OWNER = frozenset({"owner"})

OPERATIONS = {
    "startCheckout": Operation(
        "mutation($i: ID!) { startCheckout(intakeId: $i, paymentMethod: CARD) { outcome } }",
        lambda w: {"i": w.intake},
        frozenset({"learner", "owner", "other staff", "own staff", "admin"}),
    ),
    "cancelEnrollment": Operation(
        "mutation($id: ID!) { cancelEnrollment(id: $id) { state } }",
        lambda w: {"id": w.held},
        OWNER,
    ),
    "acceptWaitlistOffer": Operation(
        "mutation($id: ID!) { acceptWaitlistOffer(id: $id) { state } }",
        lambda w: {"id": w.place},
        OWNER,
    ),
    "leaveWaitlist": Operation(
        "mutation($id: ID!) { leaveWaitlist(id: $id) { state } }",
        lambda w: {"id": w.place},
        OWNER,
    ),
    "acceptDuoBooking": Operation(
        "mutation($id: ID!) { acceptDuoBooking(id: $id) { state } }",
        lambda w: {"id": w.duo},
        STAFF,
    ),
    "declineDuoBooking": Operation(
        "mutation($id: ID!) { declineDuoBooking(id: $id) { state } }",
        lambda w: {"id": w.duo},
        STAFF,
    ),
    "recordDuoInvoice": Operation(
        'mutation($e: ID!) { recordDuoInvoice(enrollmentId: $e, input: {number: "2",'
        ' periodStart: "2026-01-01", periodEnd: "2026-01-31", amountCents: 100}) { state } }',
        lambda w: {"e": w.accepted},
        STAFF,
    ),
    "sendDuoInvoice": Operation(
        "mutation($id: ID!) { sendDuoInvoice(id: $id) { state } }",
        lambda w: {"id": w.invoice},
        STAFF,
    ),
    "intakeBookings": Operation(
        "query($i: ID!) { intakeBookings(intakeId: $i) { enrollments { id } } }",
        lambda w: {"i": w.intake},
        STAFF,
    ),
}


@pytest.mark.parametrize("name", list(OPERATIONS))
async def test_who_may(name: str, db: Database, gql: GraphQLClient) -> None:
    operation = OPERATIONS[name]
    denied = [
        role
        for role in ("anonymous", "learner", "owner", "other staff", "own staff", "admin")
        if role not in operation.allowed
    ]
    arranged = await world(db, gql)
    before = await snapshot(db, TABLES)
    for role in denied:
        person = arranged.people[role]
        result = await gql(
            operation.query, operation.variables(arranged), token=person.token or None
        )
        expected = "UNAUTHENTICATED" if role == "anonymous" else "NOT_FOUND"
        assert result.error_code == expected, (role, result.body)
        assert await snapshot(db, TABLES) == before, role
    for role in operation.allowed:
        fresh = await world(db, gql)
        person = fresh.people[role]
        result = await gql(operation.query, operation.variables(fresh), token=person.token)
        assert result.errors == [], (role, result.body)


async def test_an_enrollment_is_seen_by_its_learner_and_its_school(
    db: Database, gql: GraphQLClient
) -> None:
    arranged = await world(db, gql)
    query = "query($id: ID!) { enrollment(id: $id) { state } }"
    seen = {
        role: (await gql(query, {"id": arranged.held}, token=person.token or None)).ok()[
            "enrollment"
        ]
        for role, person in arranged.people.items()
    }
    assert {role for role, found in seen.items() if found is not None} == {
        "owner",
        "own staff",
        "admin",
    }
