"""Search: `search_places`, one row per course and place of its bookable intakes, so that
a place filter reads about half the rows it read from `search_intakes`.

Courses have several intakes at one location (the benchmark's 100,000 courses: 300,000
intakes at 143,195 places; within 15 km of Utrecht 11,643 intakes at 6,055 places), and a
place filter read, grouped and counted every one (market.search.postgres, `_exact`). A place
row carries what its intakes carry (the course's filter attributes, the place) plus their
summary as `search_courses` keeps the course's: the smallest delay of a continuous intake
and the earliest expected start of a dated one. Like that summary it holds until the
course's `summary_until`; a course whose summary went stale is read from its intakes.

`search_refresh` rewrites a course's place rows with its intakes, in the same transaction:
rows per course, so writers of different courses do not meet here. (That search_refresh
is 0007's with the places written after the intakes, kept in 0008_search_places.sql.)

Revision ID: 0008_search_places
Revises: 0007_search_bitmaps
Create Date: 2026-11-28 19:40:00
"""

from collections.abc import Sequence

from market.db.migrations_sql import frozen_sql, function_of, run_script

revision: str = "0008_search_places"
down_revision: str | None = "0007_search_bitmaps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = r"""
CREATE TABLE search_places (
    course_id uuid NOT NULL REFERENCES search_courses (course_id) ON DELETE CASCADE,
    -- the course's filter attributes, as search_intakes carries them
    route smallint NOT NULL,
    level smallint NOT NULL,
    format smallint NOT NULL,
    kinds smallint NOT NULL,
    band smallint NOT NULL,
    stars smallint,
    price_cents integer NOT NULL,
    price_per_hour_cents integer NOT NULL,
    diploma_recognised boolean NOT NULL,
    certified_from date,
    certified_until date,
    -- the place
    region_bit bigint NOT NULL,
    municipality_code text,
    latitude float8,
    longitude float8,
    x float8,
    y float8,
    z float8,
    -- the bookable intakes there, summarised as search_courses summarises the course's
    continuous_delay_days integer,
    dated_best_start date
);
CREATE INDEX ix_search_places_course ON search_places (course_id);
CREATE INDEX ix_search_places_municipality ON search_places (municipality_code);
CREATE INDEX ix_search_places_place ON search_places USING gist (point(longitude, latitude));
"""

# Every listed course's places, once (a database upgraded with data).
FILL = "SELECT search_refresh(array(SELECT course_id FROM search_courses), false);"

DOWNGRADE = "DROP TABLE search_places;"


def upgrade() -> None:
    # The search_refresh this revision made, frozen beside it (the live one is in
    # src/market/search/sql/).
    run_script(UPGRADE + frozen_sql(revision) + FILL)


def downgrade() -> None:
    run_script(function_of("0007_search_bitmaps", "search_refresh") + DOWNGRADE)
