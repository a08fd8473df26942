"""When a learner who books an intake today can expect to start, and how long they wait.

The rule (one definition, in Python for single intakes and in SQL for search):

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
a full intake's expected start is its anchor plus the declared weeks (at least one). Once
waitlists exist, the queue length becomes a column and both forms below take it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Integer, cast, func, literal

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
        today=today,
    )


def delay_days_sql(
    intake: type[Intake] = Intake, queue_length: ColumnElement[int] | None = None
) -> ColumnElement[int]:
    """SQL twin of `delay_weeks`, in days (integer arithmetic only)."""
    queue = queue_length if queue_length is not None else literal(0, Integer)
    excess = func.greatest(intake.seats_taken + queue + 1 - intake.seat_capacity, 0)
    rounds = (excess + intake.seat_capacity - 1) / intake.seat_capacity
    return cast(rounds * func.greatest(intake.waitlist_weeks, MIN_FULL_WAIT_WEEKS) * 7, Integer)


def expected_start_sql(
    today: ColumnElement[date],
    intake: type[Intake] = Intake,
    queue_length: ColumnElement[int] | None = None,
) -> ColumnElement[date]:
    """SQL twin of `expected_availability(...).expected_start`."""
    anchor = func.greatest(func.coalesce(intake.starts_on, today), today)
    return anchor + delay_days_sql(intake, queue_length)


def wait_weeks_sql(expected_start: ColumnElement[date], today: ColumnElement[date]) -> Any:
    """Whole weeks from today to `expected_start`, rounded up (rule 4)."""
    return (expected_start - today + 6) / 7
