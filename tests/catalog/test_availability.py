"""The availability rule has one definition (market.catalog.availability) and one SQL
twin (catalog/sql/availability.sql) that search's triggers and statements call: equal on
every generated intake, queue included."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
from hypothesis import given, settings
from hypothesis import strategies as st

from market.catalog.availability import expected_availability
from market.catalog.policies import RULES

TODAY = date(2026, 12, 2)


@st.composite
def intakes(draw: st.DrawFn) -> dict[str, object]:
    capacity = draw(st.integers(1, RULES.max_seat_capacity))
    return {
        "today": TODAY + timedelta(days=draw(st.integers(-400, 400))),
        # Dated intakes from long before to long after the day; None: continuous intake.
        "starts_on": draw(
            st.none() | st.builds(lambda d: TODAY + timedelta(days=d), st.integers(-800, 800))
        ),
        "seat_capacity": capacity,
        "seats_taken": draw(st.integers(0, capacity)),
        "waitlist_weeks": draw(st.integers(0, RULES.max_waitlist_weeks)),
        # Waitlists do not exist yet; the rule takes their queue already.
        "queue_length": draw(st.sampled_from([0, 0, 1]) | st.integers(0, 5 * capacity)),
    }


def test_the_sql_twin_gives_the_rules_expected_start_and_wait(database_url: str) -> None:
    libpq = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    with psycopg.connect(libpq, autocommit=True) as conn:

        @settings(max_examples=400, deadline=None, derandomize=True, database=None)
        @given(intakes())
        def equal(intake: dict[str, object]) -> None:
            row = conn.execute(
                """SELECT e.start, intake_wait_weeks(e.start, %(today)s)
                   FROM (SELECT intake_expected_start(%(starts_on)s::date,
                             intake_delay_days(%(seat_capacity)s, %(seats_taken)s,
                                               %(waitlist_weeks)s, %(queue_length)s),
                             %(today)s) AS start) e""",
                intake,
            ).fetchone()
            rule = expected_availability(**intake)  # type: ignore[arg-type]
            assert row == (rule.expected_start, rule.wait_weeks), intake

        equal()
