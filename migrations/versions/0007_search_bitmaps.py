"""Search: bitmaps of the listed courses, so that a search's counts cost the same whatever
the number of matches.

Counting the facets by reading every matching row costs ~150 ns a row here: tens of
milliseconds once a search matches most of 100,000 courses. So every `search_courses` row
gets a `slot` (its bit position), and `search_bitmaps` keeps, per key and per chunk of 4,096
slots, the bits of the courses having that key: each facet value (`r1` route B1, `l3`
level B1, `f2` online, `k1` evening, `b0` price band, `g18` region AM18, `c` certified),
`live` (listed: bookable intake, certification for the Z-route, recognised diploma for the
Onderwijsroute), `m` (intakes in several regions), and the words (`w:` stemmed lexemes of
title, provider name and description; `n:` the plain words of title and provider name, which
typo'd query words are matched against). A facet count is then `bit_count(a & b)` over 25
chunks of 512 bytes (market.search.postgres).

`search_refresh` keeps the bitmaps true in the write's transaction: each row stores the keys
it was last set under (`search_course_texts.bitmap_keys`), and the differences are applied
per (key, chunk) in one set-based pass, so a bulk load costs one pass too. What depends on
the date (the certification, `live`) is as of the refresh; `summary_until` now also ends at
the certification's boundaries, so such a row counts as stale (answered from its intakes, like
any stale row) until the daily refresh.

The intakes carry their course's filter attributes and their place as a point on the unit
sphere, so a place filter reads the intakes alone and measures distance by the chord
(multiplications, no trigonometry per intake); `search_intake_matches` measures the same way.

Slots are not reused: a removed course leaves a zero bit, and the chunks grow with the
number of courses ever listed (a 'market search reindex'-style renumbering is for later).

Revision ID: 0007_search_bitmaps
Revises: 0006_search
Create Date: 2026-11-28 13:20:00
"""

from collections.abc import Sequence

from market.db.migrations_sql import function_of, run_script

revision: str = "0007_search_bitmaps"
down_revision: str | None = "0006_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = r"""
CREATE SEQUENCE search_slots AS integer MINVALUE 0 START 0;
ALTER TABLE search_courses ADD COLUMN slot integer NOT NULL DEFAULT nextval('search_slots');
ALTER SEQUENCE search_slots OWNED BY search_courses.slot;
ALTER TABLE search_courses ADD CONSTRAINT search_courses_slot_key UNIQUE (slot);
-- Beside the words, not in the narrow rows the searches scan.
ALTER TABLE search_course_texts ADD COLUMN bitmap_keys text[] NOT NULL DEFAULT '{}';

-- The intakes carry their course's filter attributes: a place filter's rows are read from
-- the intakes alone (refreshed together with the course row, so always the same values).
-- The refresh of every course at the end fills them again.
DELETE FROM search_intakes;
ALTER TABLE search_intakes
    ADD COLUMN route smallint NOT NULL, ADD COLUMN level smallint NOT NULL,
    ADD COLUMN format smallint NOT NULL, ADD COLUMN kinds smallint NOT NULL,
    ADD COLUMN band smallint NOT NULL, ADD COLUMN stars smallint,
    ADD COLUMN price_cents integer NOT NULL, ADD COLUMN price_per_hour_cents integer NOT NULL,
    ADD COLUMN diploma_recognised boolean NOT NULL,
    ADD COLUMN certified_from date, ADD COLUMN certified_until date,
    -- the place as a point on the unit sphere (NULL without one): a distance filter then
    -- costs a few multiplications per intake, not the haversine's trigonometry
    ADD COLUMN x float8, ADD COLUMN y float8, ADD COLUMN z float8;

-- The squared straight-line (chord) distance on the unit sphere between an intake's point
-- and (lat, lon); it grows with the great-circle distance, which it gives exactly:
-- km = 2 R asin(chord / 2) (search_chord_km), and a radius is a chord (search_km_chord2).
CREATE FUNCTION search_chord2(x float8, y float8, z float8, lat float8, lon float8)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (x - cos(radians(lat)) * cos(radians(lon))) * (x - cos(radians(lat)) * cos(radians(lon)))
         + (y - cos(radians(lat)) * sin(radians(lon))) * (y - cos(radians(lat)) * sin(radians(lon)))
         + (z - sin(radians(lat))) * (z - sin(radians(lat)))
$$;
-- The IUGG mean radius, as market.geo.distance.
CREATE FUNCTION search_chord_km(chord2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN chord2 >= 4 THEN pi() * 6371.0088  -- antipodes, past rounding
                ELSE 2 * 6371.0088 * asin(sqrt(chord2) / 2) END
$$;
CREATE FUNCTION search_km_chord2(km float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT power(2 * sin(km / (2 * 6371.0088)), 2)
$$;

-- As in 0006_search, with the distance by chord: the same figures the engine filters with.
CREATE OR REPLACE FUNCTION search_intake_matches(p_courses uuid[], p_day date,
    p_regions bigint, p_municipalities text[], p_latitude float8, p_longitude float8,
    p_radius_km float8, p_latest_start date)
RETURNS TABLE (course_id uuid, intake_id uuid, expected_start date, distance_km float8,
               region_bit bigint, in_region boolean, elsewhere boolean)
LANGUAGE sql STABLE AS $$
    SELECT i.course_id, i.intake_id, e.start, search_chord_km(d.chord2), i.region_bit,
           p_regions IS NULL OR i.region_bit & p_regions <> 0,
           coalesce(p_municipalities IS NULL OR i.municipality_code = ANY (p_municipalities),
                    false)
           AND coalesce(p_radius_km IS NULL OR d.chord2 <= search_km_chord2(p_radius_km),
                        false)
           AND (p_latest_start IS NULL OR e.start <= p_latest_start)
    FROM search_intakes i
    CROSS JOIN LATERAL (
        SELECT greatest(coalesce(i.starts_on, p_day), p_day) + i.delay_days AS start
    ) e
    CROSS JOIN LATERAL (
        SELECT CASE WHEN p_radius_km IS NOT NULL THEN
            search_chord2(i.x, i.y, i.z, p_latitude, p_longitude) END AS chord2
    ) d
    WHERE i.course_id = ANY (p_courses) AND (i.starts_on IS NULL OR i.starts_on >= p_day)
$$;
DROP FUNCTION search_distance_km(float8, float8, float8, float8);

CREATE TABLE search_bitmaps (
    -- byte order: the range keys below are read by key range
    key text COLLATE "C" NOT NULL,
    chunk integer NOT NULL,
    -- bit n (from the left) is slot chunk * 4096 + n
    bits bit(4096) NOT NULL,
    PRIMARY KEY (key, chunk)
);

-- A page walks the courses in the sort's order and keeps those in the result's bitmap; a
-- range filter reads the slots from the same indexes alone.
DROP INDEX ix_search_courses_price;
DROP INDEX ix_search_courses_price_per_hour;
CREATE INDEX ix_search_courses_price ON search_courses (price_cents, course_id) INCLUDE (slot);
CREATE INDEX ix_search_courses_price_per_hour
    ON search_courses (price_per_hour_cents, course_id) INCLUDE (slot);
CREATE INDEX ix_search_courses_stars ON search_courses (stars DESC NULLS LAST, course_id);
CREATE INDEX ix_search_courses_dated_start
    ON search_courses (dated_best_start, price_cents, course_id) INCLUDE (slot);
CREATE INDEX ix_search_courses_continuous_start
    ON search_courses (continuous_delay_days, price_cents, course_id) INCLUDE (slot);

CREATE TYPE search_bit_change AS (key text, slot integer, member boolean);

-- Chunks joined into one bit string (a search's result, looked up by slot).
CREATE AGGREGATE search_bits_concat(varbit) (SFUNC = bitcat, STYPE = varbit, INITCOND = '');

-- The keys a row is set under (see the module doc), as of `today`.
CREATE FUNCTION search_keys(s search_courses, document tsvector, names tsvector, today date)
RETURNS text[] LANGUAGE sql STABLE AS $$
    SELECT array_agg(DISTINCT k) FROM (
        SELECT 'live' AS k
        WHERE s.has_intake AND (s.route <> 2 OR s.diploma_recognised)
          AND (s.route <> 3 OR coalesce(s.certified_from <= today
                                        AND s.certified_until >= today, false))
        UNION ALL SELECT 'c'
        WHERE coalesce(s.certified_from <= today AND s.certified_until >= today, false)
        UNION ALL SELECT 'm' WHERE NOT s.uniform_region
        UNION ALL SELECT 'r' || s.route
        UNION ALL SELECT 'l' || s.level
        UNION ALL SELECT 'f' || s.format
        UNION ALL SELECT 'b' || s.band
        UNION ALL SELECT 'k' || b FROM generate_series(0, 2) b WHERE s.kinds & (1 << b) <> 0
        UNION ALL SELECT 'g' || b FROM generate_series(0, 62) b
        WHERE s.region_mask & (1::bigint << b) <> 0
        -- Ranges, by key range: the expected start of the dated intakes (a day) and the
        -- continuous intakes' delay (days), the price (100 euros) and the price per hour
        -- (1 euro); a range filter reads the buckets inside it and scans its edges.
        UNION ALL SELECT 'd:' || to_char(s.dated_best_start, 'YYYY-MM-DD')
        WHERE s.dated_best_start IS NOT NULL
        UNION ALL SELECT 'cd:' || lpad(s.continuous_delay_days::text, 6, '0')
        WHERE s.continuous_delay_days IS NOT NULL
        UNION ALL SELECT 'p:' || lpad((s.price_cents / 10000)::text, 6, '0')
        UNION ALL SELECT 'h:' || lpad((s.price_per_hour_cents / 100)::text, 6, '0')
        UNION ALL SELECT 'w:' || lexeme FROM unnest(document)
        UNION ALL SELECT 'n:' || lexeme FROM unnest(names)
    ) keys
$$;

-- Set and clear bits, per (key, chunk) at once. Rows are created when first needed and
-- locked in key order, so two writers meet in one order.
CREATE FUNCTION search_bitmaps_apply(p_changes search_bit_change[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    zero constant bit(4096) := repeat('0', 4096)::bit(4096);
BEGIN
    IF p_changes IS NULL OR cardinality(p_changes) = 0 THEN
        RETURN;
    END IF;
    CREATE TEMP TABLE IF NOT EXISTS search_bitmap_deltas (
        key text, chunk integer, plus bit(4096), minus bit(4096)) ON COMMIT DROP;
    TRUNCATE search_bitmap_deltas;
    INSERT INTO search_bitmap_deltas
    SELECT c.key, c.slot >> 12,
           coalesce(bit_or(set_bit(zero, c.slot & 4095, 1)) FILTER (WHERE c.member), zero),
           coalesce(bit_or(set_bit(zero, c.slot & 4095, 1)) FILTER (WHERE NOT c.member), zero)
    FROM unnest(p_changes) c
    GROUP BY 1, 2;
    INSERT INTO search_bitmaps (key, chunk, bits)
    SELECT d.key, d.chunk, zero FROM search_bitmap_deltas d ORDER BY 1, 2
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM search_bitmaps b JOIN search_bitmap_deltas d USING (key, chunk)
    ORDER BY b.key, b.chunk FOR NO KEY UPDATE OF b;
    UPDATE search_bitmaps b SET bits = (b.bits | d.plus) & ~d.minus
    FROM search_bitmap_deltas d
    WHERE b.key = d.key AND b.chunk = d.chunk;
END
$$;

-- As in 0006_search, plus: removed rows clear their bits, the summary also ends at the
-- certification's boundaries, and every refreshed row's keys are brought up to date.
CREATE OR REPLACE FUNCTION search_refresh(p_courses uuid[], p_texts boolean DEFAULT true)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    today date := (now() AT TIME ZONE 'Europe/Amsterdam')::date;
    changes search_bit_change[];
BEGIN
    IF p_courses IS NULL OR cardinality(p_courses) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM courses WHERE id = ANY (p_courses) ORDER BY id FOR NO KEY UPDATE;
    WITH gone AS (
        DELETE FROM search_courses s
        WHERE s.course_id = ANY (p_courses)
          AND NOT EXISTS (SELECT 1 FROM courses c
                          WHERE c.id = s.course_id AND c.status = 'published')
        RETURNING s.slot, (SELECT t.bitmap_keys FROM search_course_texts t
                           WHERE t.course_id = s.course_id) AS bitmap_keys
    )
    SELECT array_agg((k, g.slot, false)::search_bit_change) INTO changes
    FROM gone g, unnest(g.bitmap_keys) k;
    PERFORM search_bitmaps_apply(changes);
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
    INSERT INTO search_intakes (intake_id, course_id, starts_on, delay_days, region_bit,
        municipality_code, latitude, longitude, route, level, format, kinds, band, stars,
        price_cents, price_per_hour_cents, diploma_recognised, certified_from, certified_until,
        x, y, z)
    SELECT i.id, i.course_id, i.starts_on,
           (greatest(i.seats_taken + 1 - i.seat_capacity, 0) + i.seat_capacity - 1)
               / i.seat_capacity * greatest(i.waitlist_weeks, 1) * 7,
           coalesce(1::bigint << substr(m.region_code, 3)::int, 0),
           l.municipality_code, l.latitude, l.longitude,
           s.route, s.level, s.format, s.kinds, s.band, s.stars, s.price_cents,
           s.price_per_hour_cents, s.diploma_recognised, s.certified_from, s.certified_until,
           cos(radians(l.latitude)) * cos(radians(l.longitude)),
           cos(radians(l.latitude)) * sin(radians(l.longitude)), sin(radians(l.latitude))
    FROM intakes i
    JOIN search_courses s ON s.course_id = i.course_id
    LEFT JOIN locations l ON l.id = i.location_id
    LEFT JOIN municipalities m ON m.cbs_code = l.municipality_code
    WHERE i.course_id = ANY (p_courses) AND (i.starts_on IS NULL OR i.starts_on >= today);
    UPDATE search_courses s SET
        -- the first day the summary or the certification flag may no longer hold, less one
        summary_until = least(sm.summary_until, s.certified_until,
                              CASE WHEN s.certified_from > today
                                   THEN s.certified_from - 1 END),
        has_intake = coalesce(sm.n > 0, false),
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
    IF p_texts THEN
        INSERT INTO search_course_texts AS t
        SELECT c.id,
               setweight(to_tsvector('dutch_unaccent', c.title), 'A')
                 || setweight(to_tsvector('dutch_unaccent', o.name), 'B')
                 || setweight(to_tsvector('dutch_unaccent', c.description), 'C'),
               to_tsvector('simple', lower(unaccent(c.title || ' ' || o.name)))
        FROM courses c
        JOIN organisations o ON o.id = c.provider_id
        WHERE c.id = ANY (p_courses) AND c.status = 'published'
        ON CONFLICT (course_id) DO UPDATE
        SET document = excluded.document, names = excluded.names;
        INSERT INTO search_words
        SELECT DISTINCT w.lexeme
        FROM search_course_texts t, unnest(t.names) w
        WHERE t.course_id = ANY (p_courses)
        ON CONFLICT DO NOTHING;
    END IF;
    -- The rows' keys now, against the keys they were last set under.
    WITH fresh AS (
        SELECT s.course_id, s.slot, t.bitmap_keys AS old,
               search_keys(s, t.document, t.names, today) AS new
        FROM search_courses s
        JOIN search_course_texts t ON t.course_id = s.course_id
        WHERE s.course_id = ANY (p_courses)
    ), saved AS (
        UPDATE search_course_texts t SET bitmap_keys = f.new
        FROM fresh f
        WHERE t.course_id = f.course_id AND t.bitmap_keys IS DISTINCT FROM f.new
    )
    SELECT array_agg(d.change) INTO changes
    FROM fresh f
    CROSS JOIN LATERAL (
        SELECT (k, f.slot, true)::search_bit_change AS change
        FROM (SELECT unnest(f.new) EXCEPT SELECT unnest(f.old)) added(k)
        UNION ALL
        SELECT (k, f.slot, false)::search_bit_change
        FROM (SELECT unnest(f.old) EXCEPT SELECT unnest(f.new)) removed(k)
    ) d;
    PERFORM search_bitmaps_apply(changes);
END
$$;

-- Every listed course's keys, set once (a database upgraded with data).
SELECT search_refresh(array(SELECT course_id FROM search_courses));
"""

DOWNGRADE = r"""
DROP FUNCTION search_refresh(uuid[], boolean);
DROP FUNCTION search_intake_matches(uuid[], date, bigint, text[], float8, float8, float8, date);
-- (0006_search's functions are created again after this script: `downgrade`.)
DROP FUNCTION search_bitmaps_apply(search_bit_change[]);
DROP FUNCTION search_keys(search_courses, tsvector, tsvector, date);
DROP TYPE search_bit_change;
DROP AGGREGATE search_bits_concat(varbit);
DROP INDEX ix_search_courses_continuous_start;
DROP INDEX ix_search_courses_dated_start;
DROP INDEX ix_search_courses_stars;
DROP INDEX ix_search_courses_price_per_hour;
DROP INDEX ix_search_courses_price;
CREATE INDEX ix_search_courses_price ON search_courses (price_cents);
CREATE INDEX ix_search_courses_price_per_hour ON search_courses (price_per_hour_cents);
DROP TABLE search_bitmaps;
ALTER TABLE search_intakes
    DROP COLUMN route, DROP COLUMN level, DROP COLUMN format, DROP COLUMN kinds,
    DROP COLUMN band, DROP COLUMN stars, DROP COLUMN price_cents,
    DROP COLUMN price_per_hour_cents, DROP COLUMN diploma_recognised,
    DROP COLUMN certified_from, DROP COLUMN certified_until,
    DROP COLUMN x, DROP COLUMN y, DROP COLUMN z;
DROP FUNCTION search_km_chord2(float8);
DROP FUNCTION search_chord_km(float8);
DROP FUNCTION search_chord2(float8, float8, float8, float8, float8);
ALTER TABLE search_course_texts DROP COLUMN bitmap_keys;
ALTER TABLE search_courses DROP COLUMN slot;
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
    for function in ("search_distance_km", "search_intake_matches", "search_refresh"):
        run_script(function_of("0006_search", function))
