"""Booking with a DUO loan: the school accepts or declines within three working days, and
no money moves through the platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from market.db.database import Database
from market.enrollment.policies import BookingRules
from tests.support.actors import Person, learner
from tests.support.catalog import today
from tests.support.enrollment import CHECKOUT, Offer, add_offer, age, checkout, occupancy, snapshot
from tests.support.graphql import GraphQLClient

CHECKOUT_WARNING = """
mutation($intake: ID!, $method: PaymentMethod!, $duo: String, $part: Int) {
  startCheckout(intakeId: $intake, paymentMethod: $method, duoLoanReference: $duo,
                duoAmountCents: $part) {
    enrollment { duoCents ownCents }
    duoLoanWarning { plannedCents maximumCents }
  }
}
"""
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


RECORD = """
mutation($e: ID!, $input: DuoInvoiceInput!) {
  recordDuoInvoice(enrollmentId: $e, input: $input) { id state amountCents }
}
"""
STEP = {
    "send": "mutation($id: ID!) { sendDuoInvoice(id: $id) { state sentAt } }",
    "approve": "mutation($id: ID!) { recordDuoInvoiceApproval(id: $id) { state decidedAt } }",
    "pay": "mutation($id: ID!) { recordDuoInvoicePayment(id: $id) { state paidAt } }",
}
REJECT = (
    "mutation($id: ID!, $reason: String!) {"
    " recordDuoInvoiceRejection(id: $id, reason: $reason) { state rejectionReason } }"
)
MY_INVOICES = "{ myEnrollments { nodes { duoInvoices { number state amountCents } } } }"


def invoice(amount: int, number: str = "2026-0042") -> dict[str, object]:
    return {
        "number": number,
        "periodStart": str(today() - timedelta(days=30)),
        "periodEnd": str(today()),
        "amountCents": amount,
    }


async def accepted_duo_booking(
    db: Database, gql: GraphQLClient, price: int = 400_000, duo: int | None = None
) -> tuple[Offer, Person, str]:
    offer = await add_offer(db, seats=2, price_cents=price)
    anna = await learner(db)
    booked = await gql(
        CHECKOUT,
        {"intake": offer.intake, "method": "DUO_LOAN", "duo": "1234567890", "part": duo},
        token=anna.token,
    )
    enrollment = booked.ok()["startCheckout"]["enrollment"]["id"]
    (await gql(ACCEPT, {"id": enrollment}, token=offer.staff.token)).ok()
    return offer, anna, enrollment


async def test_invoices_to_duo_move_forward_and_the_learner_sees_them(
    db: Database, gql: GraphQLClient
) -> None:
    offer, anna, enrollment = await accepted_duo_booking(db, gql)
    staff = offer.staff.token

    first = (await gql(RECORD, {"e": enrollment, "input": invoice(150_000)}, token=staff)).ok()
    invoice_id = first["recordDuoInvoice"]["id"]
    assert first["recordDuoInvoice"]["state"] == "DRAFT"
    for step, state in (("send", "SENT"), ("approve", "APPROVED"), ("pay", "PAID")):
        moved = (await gql(STEP[step], {"id": invoice_id}, token=staff)).ok()
        assert next(iter(moved.values()))["state"] == state
    backwards = await gql(STEP["send"], {"id": invoice_id}, token=staff)
    assert backwards.errors[0]["extensions"]["reason"] == "DuoInvoiceStepNotAllowed"

    second = await gql(RECORD, {"e": enrollment, "input": invoice(100_000, "43")}, token=staff)
    second_id = second.ok()["recordDuoInvoice"]["id"]
    (await gql(STEP["send"], {"id": second_id}, token=staff)).ok()
    rejected = await gql(REJECT, {"id": second_id, "reason": "Te veel uren"}, token=staff)
    assert rejected.ok()["recordDuoInvoiceRejection"] == {
        "state": "REJECTED",
        "rejectionReason": "Te veel uren",
    }

    mine = (await gql(MY_INVOICES, token=anna.token)).ok()["myEnrollments"]["nodes"]
    assert mine[0]["duoInvoices"] == [
        {"number": "2026-0042", "state": "PAID", "amountCents": 150_000},
        {"number": "43", "state": "REJECTED", "amountCents": 100_000},
    ]


async def test_invoices_stay_within_the_duo_part(db: Database, gql: GraphQLClient) -> None:
    offer, _, enrollment = await accepted_duo_booking(db, gql, price=400_000, duo=250_000)
    staff = offer.staff.token
    (await gql(RECORD, {"e": enrollment, "input": invoice(200_000)}, token=staff)).ok()
    before = await snapshot(db, ("duo_invoices",))

    over = await gql(RECORD, {"e": enrollment, "input": invoice(50_001, "2")}, token=staff)
    future = dict(invoice(1_000, "3"), periodEnd=str(today() + timedelta(days=1)))
    early = await gql(RECORD, {"e": enrollment, "input": future}, token=staff)
    stranger = await gql(
        RECORD, {"e": enrollment, "input": invoice(1_000, "4")}, token=(await learner(db)).token
    )

    assert over.errors[0]["extensions"]["reason"] == "DuoInvoiceExceedsBooking"
    assert over.errors[0]["extensions"]["params"] == {"left": 50_000}
    assert early.errors[0]["extensions"]["reason"] == "InvoicePeriodInvalid"
    assert stranger.error_code == "NOT_FOUND"
    assert await snapshot(db, ("duo_invoices",)) == before


async def test_a_part_duo_booking_and_the_loan_maximum(db: Database, gql: GraphQLClient) -> None:
    first = await add_offer(db, price_cents=700_000)
    second = await add_offer(db, price_cents=600_000)
    anna = await learner(db)
    variables = {"method": "DUO_LOAN", "duo": "1234567890"}

    part = await gql(
        CHECKOUT_WARNING, variables | {"intake": first.intake, "part": 500_000}, token=anna.token
    )
    whole = await gql(CHECKOUT_WARNING, variables | {"intake": second.intake}, token=anna.token)
    too_much = await gql(
        CHECKOUT_WARNING,
        variables | {"intake": (await add_offer(db)).intake, "part": 300_001},
        token=anna.token,
    )

    held = part.ok()["startCheckout"]
    assert (held["enrollment"]["duoCents"], held["enrollment"]["ownCents"]) == (500_000, 200_000)
    assert held["duoLoanWarning"] is None
    assert whole.ok()["startCheckout"]["duoLoanWarning"] == {
        "plannedCents": 1_100_000,
        "maximumCents": 1_000_000,
    }
    assert too_much.errors[0]["extensions"]["reason"] == "DuoAmountOutOfRange"
