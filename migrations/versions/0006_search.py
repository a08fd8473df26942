"""Search: the PostgreSQL engine's maintained tables of listed courses, kept by triggers.

`search_courses` holds one compact row per published course: what the filters, facets and
sorts read (enums as small codes), plus a summary of the course's bookable intakes;
`search_intakes` holds those intakes with what the intake-level filters read (place,
region bit, the availability rule's delay), indexed by course, municipality and point.
Triggers on the catalog tables refresh the affected rows in the same transaction as the
catalog write (no lag, and the catalog never imports search). They are statement-level
with transition tables, so a COPY of 300,000 intakes refreshes each course once.

Time passes without a write, so nothing time-dependent is stored as a yes/no: the row keeps
the certification's dates, and the intake summary (taken over the intakes bookable on the
day it was computed) records `summary_until`, the first start date among them. From the
day after it the summary may include an intake that is no longer bookable; the search then
answers that row from its `search_intakes` rows, and `search_refresh_stale()` (for a
periodic job) refreshes such rows so that path stays rare.

Revision ID: 0006_search
Revises: 0005_catalog_changes
Create Date: 2026-11-28 11:20:00
"""

from collections.abc import Sequence

from market.db.migrations_sql import run_script

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
    -- Small codes, not text: the facets group on them over every matching row
    -- (market.search.postgres holds the codes: ROUTE_CODES, LEVEL_CODES, FORMAT_CODES).
    route smallint NOT NULL,
    level smallint NOT NULL,
    format smallint NOT NULL,
    -- 1 daytime, 2 evening, 4 weekend
    kinds smallint NOT NULL,
    -- the price band's index (market.search.criteria.PRICE_BANDS, 2,500 euros wide)
    band smallint NOT NULL,
    -- Blik op Werk stars 1 to 4, aspirant 0, none NULL
    stars smallint,
    diploma_recognised boolean NOT NULL,
    has_intake boolean NOT NULL,
    -- every intake in one region (or every one without a place): the course's best intake
    -- is then also its best in that region, so filters need no per-intake look
    uniform_region boolean NOT NULL,
    price_cents integer NOT NULL,
    price_per_hour_cents integer NOT NULL,
    -- smallest delay (days) of a continuous intake; earliest expected start of a dated one
    continuous_delay_days integer,
    dated_best_start date,
    -- The mark's validity, only when verified (NULL otherwise)
    certified_from date,
    certified_until date,
    -- The bookable intakes on the day of computing (see the module doc)
    summary_until date,
    -- bit n: an intake at a location in labour-market region AMnn
    region_mask bigint NOT NULL
) WITH (fillfactor = 90);

-- The bookable intakes (on the day of computing) of the rows above, each with what the
-- intake-level filters read: the exact path for place filters and stale summaries.
CREATE TABLE search_intakes (
    intake_id uuid PRIMARY KEY,
    course_id uuid NOT NULL REFERENCES search_courses (course_id) ON DELETE CASCADE,
    starts_on date,
    -- the availability rule's delay after the anchor (market.catalog.availability)
    delay_days integer NOT NULL,
    -- the location's labour-market region as its bit (0 without a location)
    region_bit bigint NOT NULL,
    municipality_code text,
    latitude float8,
    longitude float8
);

-- The words, apart: scans for facets read the narrow rows above only.
CREATE TABLE search_course_texts (
    course_id uuid PRIMARY KEY REFERENCES search_courses (course_id) ON DELETE CASCADE,
    document tsvector NOT NULL,
    -- the words of the title and provider name, lower-case and accent-free, unstemmed:
    -- what a typo'd query word is matched against (through search_words)
    names tsvector NOT NULL
);

-- Every word of `names` once: a typo'd query word finds its similar words here (a small
-- table, so trigram similarity stays cheap), and those words then find the courses through
-- the tsvector index. Words are only added; one no course uses any more matches nothing.
CREATE TABLE search_words (word text PRIMARY KEY);

CREATE INDEX ix_search_course_texts_document ON search_course_texts USING gin (document);
CREATE INDEX ix_search_course_texts_names ON search_course_texts USING gin (names);
CREATE INDEX ix_search_words_trigrams ON search_words USING gin (word gin_trgm_ops);
CREATE INDEX ix_search_courses_price ON search_courses (price_cents);
CREATE INDEX ix_search_courses_price_per_hour ON search_courses (price_per_hour_cents);
CREATE INDEX ix_search_courses_summary_until ON search_courses (summary_until);
CREATE INDEX ix_search_courses_mixed_regions ON search_courses (course_id)
    WHERE NOT uniform_region;
CREATE INDEX ix_search_intakes_course ON search_intakes (course_id);
CREATE INDEX ix_search_intakes_municipality ON search_intakes (municipality_code);
CREATE INDEX ix_search_intakes_place ON search_intakes USING gist (point(longitude, latitude));

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
    SELECT i.course_id, i.intake_id, e.start, d.km, i.region_bit,
           p_regions IS NULL OR i.region_bit & p_regions <> 0,
           coalesce(p_municipalities IS NULL OR i.municipality_code = ANY (p_municipalities),
                    false)
           AND coalesce(p_radius_km IS NULL OR d.km <= p_radius_km, false)
           AND (p_latest_start IS NULL OR e.start <= p_latest_start)
    FROM search_intakes i
    CROSS JOIN LATERAL (
        SELECT greatest(coalesce(i.starts_on, p_day), p_day) + i.delay_days AS start
    ) e
    CROSS JOIN LATERAL (
        SELECT CASE WHEN p_radius_km IS NOT NULL THEN
            search_distance_km(p_latitude, p_longitude, i.latitude, i.longitude) END AS km
    ) d
    WHERE i.course_id = ANY (p_courses) AND (i.starts_on IS NULL OR i.starts_on >= p_day)
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
    DELETE FROM search_intakes WHERE course_id = ANY (p_courses);
    -- The course rows first (the intakes refer to them), their summary after.
    INSERT INTO search_courses AS s (course_id, route, level, format, kinds, band, stars,
        diploma_recognised, has_intake, uniform_region, price_cents, price_per_hour_cents,
        certified_from, certified_until, region_mask)
    SELECT c.id,
           CASE c.route WHEN 'b1' THEN 1 WHEN 'onderwijs' THEN 2 WHEN 'z' THEN 3 END,
           CASE c.target_level WHEN 'a1' THEN 1 WHEN 'a2' THEN 2 WHEN 'b1' THEN 3
                               WHEN 'b2' THEN 4 END,
           CASE c.format WHEN 'classroom' THEN 1 WHEN 'online' THEN 2 WHEN 'blended' THEN 3 END,
           (CASE WHEN 'daytime' = ANY (c.schedule_kinds) THEN 1 ELSE 0 END
            | CASE WHEN 'evening' = ANY (c.schedule_kinds) THEN 2 ELSE 0 END
            | CASE WHEN 'weekend' = ANY (c.schedule_kinds) THEN 4 ELSE 0 END)::smallint,
           least(c.price_cents / 250000, 4),
           CASE p.star_rating WHEN 'aspirant' THEN 0 ELSE p.star_rating::text::smallint END,
           p.diploma_recognition_claimed AND p.diploma_recognition_verified_at IS NOT NULL,
           false, true, c.price_cents, c.price_per_hour_cents,
           CASE WHEN p.certification_verified_at IS NOT NULL
                THEN p.certification_valid_from END,
           CASE WHEN p.certification_verified_at IS NOT NULL
                THEN p.certification_valid_until END,
           0
    FROM courses c
    JOIN provider_profiles p ON p.organisation_id = c.provider_id
    WHERE c.id = ANY (p_courses) AND c.status = 'published'
    ON CONFLICT (course_id) DO UPDATE SET
        route = excluded.route, level = excluded.level, format = excluded.format,
        kinds = excluded.kinds, band = excluded.band, stars = excluded.stars,
        diploma_recognised = excluded.diploma_recognised,
        price_cents = excluded.price_cents,
        price_per_hour_cents = excluded.price_per_hour_cents,
        certified_from = excluded.certified_from,
        certified_until = excluded.certified_until;
    -- The delay rule is market.catalog.availability's (queue length 0 until waitlists
    -- exist): rounds of max(declared weeks, 1) once seats_taken + 1 exceeds the capacity.
    INSERT INTO search_intakes
    SELECT i.id, i.course_id, i.starts_on,
           (greatest(i.seats_taken + 1 - i.seat_capacity, 0) + i.seat_capacity - 1)
               / i.seat_capacity * greatest(i.waitlist_weeks, 1) * 7,
           coalesce(1::bigint << substr(m.region_code, 3)::int, 0),
           l.municipality_code, l.latitude, l.longitude
    FROM intakes i
    JOIN search_courses s ON s.course_id = i.course_id
    LEFT JOIN locations l ON l.id = i.location_id
    LEFT JOIN municipalities m ON m.cbs_code = l.municipality_code
    WHERE i.course_id = ANY (p_courses) AND (i.starts_on IS NULL OR i.starts_on >= today);
    UPDATE search_courses s SET
        summary_until = sm.summary_until, has_intake = coalesce(sm.n > 0, false),
        region_mask = coalesce(sm.region_mask, 0),
        uniform_region = coalesce(sm.uniform_region, true),
        continuous_delay_days = sm.continuous_delay_days,
        dated_best_start = sm.dated_best_start
    FROM (SELECT c.id AS course_id, min(i.starts_on) AS summary_until, count(i.intake_id) AS n,
                 bit_or(i.region_bit) AS region_mask,
                 count(DISTINCT i.region_bit) <= 1
                     AND count(i.latitude) IN (0, count(i.intake_id)) AS uniform_region,
                 min(i.delay_days) FILTER (WHERE i.intake_id IS NOT NULL
                                             AND i.starts_on IS NULL)
                     AS continuous_delay_days,
                 min(i.starts_on + i.delay_days) AS dated_best_start
          FROM unnest(p_courses) c(id)
          LEFT JOIN search_intakes i ON i.course_id = c.id
          GROUP BY c.id) sm
    WHERE s.course_id = sm.course_id;
    IF NOT p_texts THEN
        RETURN;
    END IF;
    INSERT INTO search_course_texts AS t
    SELECT c.id,
           setweight(to_tsvector('dutch_unaccent', c.title), 'A')
             || setweight(to_tsvector('dutch_unaccent', o.name), 'B')
             || setweight(to_tsvector('dutch_unaccent', c.description), 'C'),
           to_tsvector('simple', lower(unaccent(c.title || ' ' || o.name)))
    FROM courses c
    JOIN organisations o ON o.id = c.provider_id
    WHERE c.id = ANY (p_courses) AND c.status = 'published'
    ON CONFLICT (course_id) DO UPDATE SET document = excluded.document, names = excluded.names;
    INSERT INTO search_words
    SELECT DISTINCT w.lexeme
    FROM search_course_texts t, unnest(t.names) w
    WHERE t.course_id = ANY (p_courses)
    ON CONFLICT DO NOTHING;
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
DROP FUNCTION search_intake_matches(uuid[], date, bigint, text[], float8, float8, float8, date);
DROP FUNCTION search_distance_km(float8, float8, float8, float8);
DROP TABLE search_words;
DROP TABLE search_course_texts;
DROP TABLE search_intakes;
DROP TABLE search_courses;
DROP TEXT SEARCH CONFIGURATION dutch_unaccent;
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
