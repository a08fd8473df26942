"""Search: the PostgreSQL engine's maintained table of listed courses, kept by triggers.

`search_courses` holds one compact row per published course: what the filters, facets and
sorts read, plus a summary of the course's bookable intakes. Triggers on the catalog
tables refresh the affected rows in the same transaction as the catalog write (no lag, and
the catalog never imports search). They are statement-level with transition tables, so a
COPY of 300,000 intakes refreshes each course once.

Time passes without a write, so nothing time-dependent is stored as a yes/no: the row keeps
the certification's dates, and the intake summary (taken over the intakes bookable on the
day it was computed) records `summary_until`, the first start date among them. From the
day after it the summary may include an intake that is no longer bookable; the search then
computes that row's summary from the live intakes (`search_intake_summary`), and a
periodic job refreshes such rows so the fallback stays rare.

Revision ID: 0006_search
Revises: 0005_catalog_changes
Create Date: 2026-11-28 11:20:00
"""

from collections.abc import Sequence
from inspect import isawaitable

from alembic import op
from sqlalchemy.util import await_

revision: str = "0006_search"
down_revision: str | None = "0005_catalog_changes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Dutch stemming on accent-free words: "cursús" and "cursus" are one word.
CREATE TEXT SEARCH CONFIGURATION dutch_unaccent (COPY = pg_catalog.dutch);
ALTER TEXT SEARCH CONFIGURATION dutch_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, dutch_stem;

CREATE TABLE search_courses (
    course_id uuid PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
    provider_id uuid NOT NULL,
    route text NOT NULL,
    level text NOT NULL,
    format text NOT NULL,
    -- 1 daytime, 2 evening, 4 weekend
    kinds smallint NOT NULL,
    price_cents integer NOT NULL,
    price_per_hour_cents integer NOT NULL,
    -- Blik op Werk stars 1 to 4, aspirant 0, none NULL
    stars smallint,
    published_at timestamptz NOT NULL,
    -- The mark's validity, only when verified (NULL otherwise)
    certified_from date,
    certified_until date,
    diploma_recognised boolean NOT NULL,
    -- The bookable intakes on the day of computing (see the module doc)
    summary_until date,
    has_intake boolean NOT NULL,
    -- bit n: an intake at a location in labour-market region AMnn
    region_mask bigint NOT NULL,
    -- every intake in one region (or every one without a place): the course's best intake
    -- is then also its best in that region, so filters need no per-intake look
    uniform_region boolean NOT NULL,
    municipality_codes text[] NOT NULL,
    -- smallest delay (days) of a continuous intake; earliest expected start of a dated one
    continuous_delay_days integer,
    dated_best_start date,
    -- bounding box of the intakes' locations (NULL without any)
    area box
);

-- The words, apart: scans for facets read the narrow rows above only.
CREATE TABLE search_course_texts (
    course_id uuid PRIMARY KEY REFERENCES search_courses (course_id) ON DELETE CASCADE,
    document tsvector NOT NULL,
    -- title and provider name, lower-case and accent-free, for typo-tolerant matching
    names text NOT NULL
);

CREATE INDEX ix_search_course_texts_document ON search_course_texts USING gin (document);
CREATE INDEX ix_search_course_texts_names ON search_course_texts USING gin (names gin_trgm_ops);
CREATE INDEX ix_search_courses_municipalities ON search_courses USING gin (municipality_codes);
CREATE INDEX ix_search_courses_area ON search_courses USING gist (area);
CREATE INDEX ix_search_courses_price ON search_courses (price_cents, course_id);
CREATE INDEX ix_search_courses_price_per_hour
    ON search_courses (price_per_hour_cents, course_id);
CREATE INDEX ix_search_courses_published ON search_courses (published_at DESC, course_id DESC);
CREATE INDEX ix_search_courses_summary_until ON search_courses (summary_until);
CREATE INDEX ix_search_courses_provider ON search_courses (provider_id);

-- The summary of a course's intakes bookable on p_day (continuous, or starting then or
-- later). The delay rule is market.catalog.availability's (queue length 0 until waitlists
-- exist): rounds of max(declared weeks, 1) once seats_taken + 1 exceeds the capacity.
CREATE FUNCTION search_intake_summary(p_course uuid, p_day date,
    OUT summary_until date, OUT has_intake boolean, OUT region_mask bigint,
    OUT uniform_region boolean, OUT municipality_codes text[], OUT continuous_delay_days integer,
    OUT dated_best_start date, OUT area box)
LANGUAGE sql STABLE AS $$
    SELECT min(i.starts_on),
           count(*) > 0,
           coalesce(bit_or(1::bigint << substr(m.region_code, 3)::int), 0),
           count(DISTINCT m.region_code) <= 1 AND count(l.id) IN (0, count(*)),
           coalesce(array_agg(DISTINCT l.municipality_code)
                    FILTER (WHERE l.municipality_code IS NOT NULL), '{}'),
           min(d.days) FILTER (WHERE i.starts_on IS NULL),
           min(i.starts_on + d.days),
           CASE WHEN count(l.id) > 0 THEN box(point(min(l.longitude), min(l.latitude)),
                                              point(max(l.longitude), max(l.latitude))) END
    FROM intakes i
    LEFT JOIN locations l ON l.id = i.location_id
    LEFT JOIN municipalities m ON m.cbs_code = l.municipality_code
    CROSS JOIN LATERAL (
        SELECT (greatest(i.seats_taken + 1 - i.seat_capacity, 0) + i.seat_capacity - 1)
               / i.seat_capacity * greatest(i.waitlist_weeks, 1) * 7 AS days
    ) d
    WHERE i.course_id = p_course AND (i.starts_on IS NULL OR i.starts_on >= p_day)
$$;

-- Great-circle distance in km (haversine on a sphere of the Earth's mean radius).
CREATE FUNCTION search_distance_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 2 * 6371.0088 * asin(least(1, sqrt(
        sin(radians(lat2 - lat1) / 2) ^ 2
        + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lon2 - lon1) / 2) ^ 2)))
$$;

-- The bookable intakes of these courses on p_day, each with its expected start (the
-- availability rule), its distance from the point (when one is given) and which of the
-- intake-level filters it meets: in_region (the region bits; true without them) and
-- elsewhere (municipalities, the circle, the latest expected start; true when absent).
CREATE FUNCTION search_intake_matches(p_courses uuid[], p_day date, p_regions bigint,
    p_municipalities text[], p_latitude float8, p_longitude float8, p_radius_km float8,
    p_latest_start date)
RETURNS TABLE (course_id uuid, intake_id uuid, expected_start date, distance_km float8,
               region_bit bigint, in_region boolean, elsewhere boolean)
LANGUAGE sql STABLE AS $$
    SELECT i.course_id, i.id, e.start, d.km, r.bit,
           p_regions IS NULL OR r.bit & p_regions <> 0,
           coalesce(p_municipalities IS NULL OR l.municipality_code = ANY (p_municipalities),
                    false)
           AND coalesce(p_radius_km IS NULL OR d.km <= p_radius_km, false)
           AND (p_latest_start IS NULL OR e.start <= p_latest_start)
    FROM intakes i
    LEFT JOIN locations l ON l.id = i.location_id
    LEFT JOIN municipalities m ON m.cbs_code = l.municipality_code
    CROSS JOIN LATERAL (
        SELECT greatest(coalesce(i.starts_on, p_day), p_day)
               + (greatest(i.seats_taken + 1 - i.seat_capacity, 0) + i.seat_capacity - 1)
               / i.seat_capacity * greatest(i.waitlist_weeks, 1) * 7 AS start
    ) e
    CROSS JOIN LATERAL (
        SELECT CASE WHEN p_radius_km IS NOT NULL THEN
            search_distance_km(p_latitude, p_longitude, l.latitude, l.longitude) END AS km
    ) d
    CROSS JOIN LATERAL (
        SELECT coalesce(1::bigint << substr(m.region_code, 3)::int, 0) AS bit
    ) r
    WHERE i.course_id = ANY (p_courses) AND (i.starts_on IS NULL OR i.starts_on >= p_day)
$$;

-- One course against the intake-level filters, exactly: whether a bookable intake meets
-- them all (matched) or all but the region filter (available), the regions of the latter
-- (the region facet), the best expected start and the smallest distance of the matching
-- intakes.
-- A named type (not OUT parameters): the search carries it through subqueries.
CREATE TYPE search_match AS (matched boolean, available boolean, region_mask bigint,
                             best_start date, distance_km float8);
CREATE FUNCTION search_course_match(p_course uuid, p_day date, p_regions bigint,
    p_municipalities text[], p_latitude float8, p_longitude float8, p_radius_km float8,
    p_latest_start date)
RETURNS search_match LANGUAGE sql STABLE AS $$
    SELECT coalesce(bool_or(in_region AND elsewhere), false),
           coalesce(bool_or(elsewhere), false),
           coalesce(bit_or(region_bit) FILTER (WHERE elsewhere), 0),
           min(expected_start) FILTER (WHERE in_region AND elsewhere),
           min(distance_km) FILTER (WHERE in_region AND elsewhere)
    FROM search_intake_matches(ARRAY[p_course], p_day, p_regions, p_municipalities,
                               p_latitude, p_longitude, p_radius_km, p_latest_start)
$$;

-- Recompute the rows of these courses from the live tables: published courses get a row,
-- others lose theirs; their words too unless p_texts is false (intakes and profiles hold
-- none). Locks the courses first, so two transactions changing one course
-- refresh it one after the other, the second seeing the first's commit.
CREATE FUNCTION search_refresh(p_courses uuid[], p_texts boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    today date := (now() AT TIME ZONE 'Europe/Amsterdam')::date;
BEGIN
    IF p_courses IS NULL OR cardinality(p_courses) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM courses WHERE id = ANY (p_courses) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM search_courses s
    WHERE s.course_id = ANY (p_courses)
      AND NOT EXISTS (SELECT 1 FROM courses c
                      WHERE c.id = s.course_id AND c.status = 'published');
    INSERT INTO search_courses AS s
    SELECT c.id, c.provider_id, c.route::text, c.target_level::text, c.format::text,
           (CASE WHEN 'daytime' = ANY (c.schedule_kinds) THEN 1 ELSE 0 END
            | CASE WHEN 'evening' = ANY (c.schedule_kinds) THEN 2 ELSE 0 END
            | CASE WHEN 'weekend' = ANY (c.schedule_kinds) THEN 4 ELSE 0 END)::smallint,
           c.price_cents, c.price_per_hour_cents,
           CASE p.star_rating WHEN 'aspirant' THEN 0 ELSE p.star_rating::text::smallint END,
           coalesce(c.published_at, c.created_at),
           CASE WHEN p.certification_verified_at IS NOT NULL
                THEN p.certification_valid_from END,
           CASE WHEN p.certification_verified_at IS NOT NULL
                THEN p.certification_valid_until END,
           p.diploma_recognition_claimed AND p.diploma_recognition_verified_at IS NOT NULL,
           sm.summary_until, sm.has_intake, sm.region_mask, sm.uniform_region,
           sm.municipality_codes,
           sm.continuous_delay_days, sm.dated_best_start, sm.area
    FROM courses c
    JOIN provider_profiles p ON p.organisation_id = c.provider_id
    JOIN organisations o ON o.id = c.provider_id
    CROSS JOIN LATERAL search_intake_summary(c.id, today) sm
    WHERE c.id = ANY (p_courses) AND c.status = 'published'
    ON CONFLICT (course_id) DO UPDATE SET
        provider_id = excluded.provider_id, route = excluded.route, level = excluded.level,
        format = excluded.format, kinds = excluded.kinds, price_cents = excluded.price_cents,
        price_per_hour_cents = excluded.price_per_hour_cents, stars = excluded.stars,
        published_at = excluded.published_at, certified_from = excluded.certified_from,
        certified_until = excluded.certified_until,
        diploma_recognised = excluded.diploma_recognised,
        summary_until = excluded.summary_until,
        has_intake = excluded.has_intake, region_mask = excluded.region_mask,
        uniform_region = excluded.uniform_region,
        municipality_codes = excluded.municipality_codes,
        continuous_delay_days = excluded.continuous_delay_days,
        dated_best_start = excluded.dated_best_start, area = excluded.area;
    IF NOT p_texts THEN
        RETURN;
    END IF;
    INSERT INTO search_course_texts AS t
    SELECT c.id,
           setweight(to_tsvector('dutch_unaccent', c.title), 'A')
             || setweight(to_tsvector('dutch_unaccent', o.name), 'B')
             || setweight(to_tsvector('dutch_unaccent', c.description), 'C'),
           lower(unaccent(c.title || ' ' || o.name))
    FROM courses c
    JOIN organisations o ON o.id = c.provider_id
    WHERE c.id = ANY (p_courses) AND c.status = 'published'
    ON CONFLICT (course_id) DO UPDATE SET document = excluded.document, names = excluded.names;
END
$$;

-- Rows whose intake summary has gone stale (a dated intake in it has started): the
-- periodic job's work, and what the search computes live until then.
CREATE FUNCTION search_refresh_stale() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    stale uuid[];
BEGIN
    SELECT array_agg(course_id) INTO stale FROM search_courses
    WHERE summary_until < (now() AT TIME ZONE 'Europe/Amsterdam')::date;
    PERFORM search_refresh(stale, false);
    RETURN coalesce(cardinality(stale), 0);
END
$$;

CREATE FUNCTION search_courses_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(SELECT DISTINCT id FROM changed));
    RETURN NULL;
END
$$;

CREATE FUNCTION search_intakes_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(SELECT DISTINCT course_id FROM changed), false);
    RETURN NULL;
END
$$;

CREATE FUNCTION search_locations_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(
        SELECT DISTINCT i.course_id FROM intakes i JOIN changed l ON l.id = i.location_id),
        false);
    RETURN NULL;
END
$$;

-- Provider profiles and organisations (name) share the key: the provider's courses.
CREATE FUNCTION search_providers_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(
        SELECT c.id FROM courses c
        WHERE c.provider_id IN (SELECT organisation_id FROM changed)), false);
    RETURN NULL;
END
$$;

CREATE FUNCTION search_organisations_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(
        SELECT c.id FROM courses c WHERE c.provider_id IN (SELECT id FROM changed)));
    RETURN NULL;
END
$$;

CREATE TRIGGER search_courses_inserted AFTER INSERT ON courses
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_courses_changed();
CREATE TRIGGER search_courses_updated AFTER UPDATE ON courses
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_courses_changed();

CREATE TRIGGER search_intakes_inserted AFTER INSERT ON intakes
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_intakes_changed();
CREATE TRIGGER search_intakes_updated_new AFTER UPDATE ON intakes
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_intakes_changed();
CREATE TRIGGER search_intakes_updated_old AFTER UPDATE ON intakes
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_intakes_changed();
CREATE TRIGGER search_intakes_deleted AFTER DELETE ON intakes
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

-- Courses that exist already (a database upgraded with data).
SELECT search_refresh(array(SELECT id FROM courses WHERE status = 'published'));
"""

DOWNGRADE = """
DROP TRIGGER search_organisations_updated ON organisations;
DROP TRIGGER search_provider_profiles_updated ON provider_profiles;
DROP TRIGGER search_locations_updated ON locations;
DROP TRIGGER search_intakes_deleted ON intakes;
DROP TRIGGER search_intakes_updated_old ON intakes;
DROP TRIGGER search_intakes_updated_new ON intakes;
DROP TRIGGER search_intakes_inserted ON intakes;
DROP TRIGGER search_courses_updated ON courses;
DROP TRIGGER search_courses_inserted ON courses;
DROP FUNCTION search_organisations_changed();
DROP FUNCTION search_providers_changed();
DROP FUNCTION search_locations_changed();
DROP FUNCTION search_intakes_changed();
DROP FUNCTION search_courses_changed();
DROP FUNCTION search_refresh_stale();
DROP FUNCTION search_refresh(uuid[], boolean);
DROP FUNCTION search_course_match(uuid, date, bigint, text[], float8, float8, float8, date);
DROP TYPE search_match;
DROP FUNCTION search_intake_matches(uuid[], date, bigint, text[], float8, float8, float8, date);
DROP FUNCTION search_distance_km(float8, float8, float8, float8);
DROP FUNCTION search_intake_summary(uuid, date);
DROP TABLE search_course_texts;
DROP TABLE search_courses;
DROP TEXT SEARCH CONFIGURATION dutch_unaccent;
"""


def _run_script(script: str) -> None:
    """Many statements at once, through the driver's simple query protocol (as 0003_jobs)."""
    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None
    outcome = driver_connection.execute(script)
    if isawaitable(outcome):
        await_(outcome)


def upgrade() -> None:
    _run_script(UPGRADE)


def downgrade() -> None:
    _run_script(DOWNGRADE)
