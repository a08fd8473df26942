"""When a learner who books an intake today can expect to start, and how long they wait.

The rule, defined here; its SQL twin (catalog/sql/availability.sql: `intake_delay_days`,
`intake_expected_start`, `intake_wait_weeks`), which search's triggers and statements call,
is proven equal to it over generated intakes by tests/catalog/test_availability.py:

1. Everyone who wants the intake stands in one line: the seats already taken, then the
   waitlist queue, then the learner. The learner's place is
   ``seats_taken + queue_length + 1``.
2. Within the capacity there is a seat: the learner starts at the *anchor*, the intake's
   start date, or today for continuous intake (an intake dated in the past is not
   bookable; the anchor is never before today).
3. Beyond the capacity the learner waits for seats to free up. The provider's declared
   ``waitlist_weeks`` is read as the time a full intake needs to move one class-full
   (``seat_capacity`` learners) of its queue, at least ``MIN_FULL_WAIT_WEEKS``: a full intake
   never starts without a wait, whatever was declared. The learner waits
   ``ceil(excess / seat_capacity)`` such rounds, ``excess`` being their place beyond the
   capacity.
4. The wait is the number of weeks from today to the expected start, rounded up, so
   ``wait_weeks <= n`` means exactly "starts within n weeks" (0: starts today).

No enrollment or waitlist domain exists yet, so the queue length is 0 everywhere today and
a full intake's expected start is its anchor plus the declared weeks (at least one). Both
forms take the queue's length already (`queue_length`), for when waitlists exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from market.catalog.models import Intake

MIN_FULL_WAIT_WEEKS = 1


@dataclass(frozen=True, slots=True)
class Availability:
    expected_start: date
    wait_weeks: int


def delay_weeks(
    *, seat_capacity: int, seats_taken: int, waitlist_weeks: int, queue_length: int = 0
) -> int:
    """Weeks after the anchor that the next learner to book can start (rule 1 to 3)."""
    excess = max(seats_taken + queue_length + 1 - seat_capacity, 0)
    rounds = -(-excess // seat_capacity)
    return rounds * max(waitlist_weeks, MIN_FULL_WAIT_WEEKS)


def expected_availability(
    *,
    starts_on: date | None,
    seat_capacity: int,
    seats_taken: int,
    waitlist_weeks: int,
    today: date,
    queue_length: int = 0,
) -> Availability:
    anchor = max(starts_on or today, today)
    delay = delay_weeks(
        seat_capacity=seat_capacity,
        seats_taken=seats_taken,
        waitlist_weeks=waitlist_weeks,
        queue_length=queue_length,
    )
    start = anchor + timedelta(weeks=delay)
    return Availability(start, -(-(start - today).days // 7))


def availability_of(intake: Intake, today: date) -> Availability:
    return expected_availability(
        starts_on=intake.starts_on,
        seat_capacity=intake.seat_capacity,
        seats_taken=intake.seats_taken,
        waitlist_weeks=intake.waitlist_weeks,
        queue_length=intake.queue_length,
        today=today,
    )
