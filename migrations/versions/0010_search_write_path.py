"""Search: a bounded write path, and the availability rule defined once for SQL.

Before: two statement triggers fired on every UPDATE of intakes (one with the old rows,
one with the new), each refreshing the courses whole, and the refresh's INSERT ... ON
CONFLICT drew a new slot for every row it proposed: 50 seat changes used 100 slot
numbers, and the bitmaps grew with the number of writes ever made. Now:

- one UPDATE trigger per table, with the rows before and after, refreshing only for the
  columns search reads (market/search/sql/triggers.sql); a change of seats taken,
  capacity or waiting weeks rewrites only the delays that change, and a course's summary
  and bits only where they change (`search_refresh_availability`);
- a refresh updates a listed row in place and draws a slot for a new row only;
- `search_compact_slots()` (the daily job search:compact_slots) moves the courses with the
  highest slots into the ones freed by courses no longer listed, so the bitmaps are as
  wide as the catalog;
- the availability rule's SQL twin (`intake_delay_days`, `intake_expected_start`,
  `intake_wait_weeks`, market/catalog/sql/availability.sql), taking the waitlist queue's
  length (0 until waitlists exist);
- the functions and triggers come from those files, not from text pasted into each
  revision (their text as of this revision is frozen beside it, in
  0010_search_write_path.sql, since 0013_enrollment's intakes.queue_length).

Revision ID: 0010_search_write_path
Revises: 0009_client_throttling
Create Date: 2026-12-02 17:30:00
"""

from collections.abc import Sequence

from market.db.migrations_sql import frozen_sql, function_of, run_script

revision: str = "0010_search_write_path"
down_revision: str | None = "0009_client_throttling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What the files replace: the two UPDATE triggers of intakes, and the trigger functions
# now named after the event they serve.
UPGRADE = """
DROP TRIGGER search_intakes_updated_new ON intakes;
DROP TRIGGER search_intakes_updated_old ON intakes;
DROP TRIGGER search_locations_updated ON locations;
DROP TRIGGER search_provider_profiles_updated ON provider_profiles;
DROP TRIGGER search_organisations_updated ON organisations;
DROP FUNCTION search_locations_changed();
DROP FUNCTION search_providers_changed();
DROP FUNCTION search_organisations_changed();
"""

# Slots numbered afresh once (the sequence had advanced with every write).
COMPACT = "SELECT search_compact_slots();"

# Back to 0009's: 0006_search's triggers (their functions are put back first).
DOWNGRADE_TRIGGERS = """
DROP TRIGGER search_intakes_updated ON intakes;
DROP TRIGGER search_courses_updated ON courses;
DROP TRIGGER search_locations_updated ON locations;
DROP TRIGGER search_provider_profiles_updated ON provider_profiles;
DROP TRIGGER search_organisations_updated ON organisations;
CREATE TRIGGER search_courses_updated AFTER UPDATE ON courses
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_courses_changed();
CREATE TRIGGER search_intakes_updated_new AFTER UPDATE ON intakes
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_intakes_changed();
CREATE TRIGGER search_intakes_updated_old AFTER UPDATE ON intakes
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_intakes_changed();
CREATE TRIGGER search_locations_updated AFTER UPDATE ON locations
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_locations_changed();
CREATE TRIGGER search_provider_profiles_updated AFTER UPDATE ON provider_profiles
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_providers_changed();
CREATE TRIGGER search_organisations_updated AFTER UPDATE ON organisations
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_organisations_changed();
DROP FUNCTION search_intakes_updated();
DROP FUNCTION search_courses_updated();
DROP FUNCTION search_locations_updated();
DROP FUNCTION search_provider_profiles_updated();
DROP FUNCTION search_organisations_updated();
DROP FUNCTION search_refresh_availability(uuid[]);
DROP FUNCTION search_compact_slots();
DROP FUNCTION search_update_keys(uuid[], date);
DROP FUNCTION search_summarise(uuid[], date);
DROP FUNCTION intake_wait_weeks(date, date);
DROP FUNCTION intake_expected_start(date, integer, date);
DROP FUNCTION intake_delay_days(integer, integer, integer, integer);
"""

# Every function the files define that existed before, as the revision that last made it.
_EARLIER = {
    "0006_search": (
        "search_refresh_stale",
        "search_courses_changed",
        "search_intakes_changed",
        "search_locations_changed",
        "search_providers_changed",
        "search_organisations_changed",
    ),
    "0007_search_bitmaps": (
        "search_chord2",
        "search_chord_km",
        "search_km_chord2",
        "search_intake_matches",
        "search_keys",
        "search_bitmaps_apply",
    ),
}


def upgrade() -> None:
    run_script(UPGRADE + frozen_sql(revision) + COMPACT)


def downgrade() -> None:
    earlier = [
        function_of(origin, function)
        for origin, functions in _EARLIER.items()
        for function in functions
    ]
    # 0006's functions are created with CREATE FUNCTION: as replacements where they exist.
    restored = "\n".join(
        text.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1) for text in earlier
    )
    run_script(restored + frozen_sql("0008_search_places") + DOWNGRADE_TRIGGERS)
