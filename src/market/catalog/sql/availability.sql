-- The availability rule of market.catalog.availability, for SQL: when the next learner to
-- book an intake can expect to start, and their wait. The Python rule is the definition;
-- these are its twin, proven equal over generated intakes by
-- tests/catalog/test_availability.py. Plain SQL expressions, so that the planner inlines
-- them into the statements calling them (no function call per row).

-- Days after the anchor: rounds of max(declared weeks, 1) once the learner's place in
-- line (seats taken, then the waitlist queue, then them) is beyond the capacity.
CREATE OR REPLACE FUNCTION intake_delay_days(seat_capacity integer, seats_taken integer,
    waitlist_weeks integer, queue_length integer DEFAULT 0)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (greatest(seats_taken + queue_length + 1 - seat_capacity, 0) + seat_capacity - 1)
           / seat_capacity * greatest(waitlist_weeks, 1) * 7
$$;

-- The anchor (the start date, or today for continuous intake, never before today) plus the
-- delay. greatest() skips the NULL of a continuous intake, so `today` is read once: a
-- parameter read twice would keep the planner from inlining a sub-select given for it.
CREATE OR REPLACE FUNCTION intake_expected_start(starts_on date, delay_days integer,
    today date)
RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT greatest(starts_on, today) + delay_days
$$;

-- Whole weeks from today to the expected start, rounded up: "wait_weeks <= n" means
-- exactly "starts within n weeks".
CREATE OR REPLACE FUNCTION intake_wait_weeks(expected_start date, today date)
RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (expected_start - today + 6) / 7
$$;
