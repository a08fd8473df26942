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

-- The learners' rating a course is sorted by, for SQL: the Bayesian average of its visible
-- reviews in thousandths, 0 without any. The Python rule (market.catalog.ratings) is the
-- definition, with its figures (a prior of 5 ratings of 3) and reasons; this is its twin,
-- held equal by tests/reviews/test_rating_rule.py. A plain SQL expression, inlined by the
-- planner.
CREATE OR REPLACE FUNCTION rating_score(p_count integer, p_total integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_count > 0
                THEN ((1000 * (15 + p_total::bigint) + (5 + p_count) / 2) / (5 + p_count))::integer
                ELSE 0 END
$$;

-- Distances on the unit sphere (see 0007_search_bitmaps): an intake's place is a point
-- (x, y, z); the squared straight-line (chord) distance between it and (lat, lon) grows
-- with the great-circle distance, which it gives exactly: km = 2 R asin(chord / 2)
-- (search_chord_km), and a radius is a chord (search_km_chord2).
CREATE OR REPLACE FUNCTION search_chord2(x float8, y float8, z float8, lat float8, lon float8)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (x - cos(radians(lat)) * cos(radians(lon))) * (x - cos(radians(lat)) * cos(radians(lon)))
         + (y - cos(radians(lat)) * sin(radians(lon))) * (y - cos(radians(lat)) * sin(radians(lon)))
         + (z - sin(radians(lat))) * (z - sin(radians(lat)))
$$;

-- The IUGG mean radius, as market.geo.distance.
CREATE OR REPLACE FUNCTION search_chord_km(chord2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN chord2 >= 4 THEN pi() * 6371.0088  -- antipodes, past rounding
                ELSE 2 * 6371.0088 * asin(sqrt(chord2) / 2) END
$$;

CREATE OR REPLACE FUNCTION search_km_chord2(km float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT power(2 * sin(km / (2 * 6371.0088)), 2)
$$;

-- The bitmaps (see 0007_search_bitmaps): per key and per chunk of 4,096 slots, the bits of
-- the listed courses having that key; a course's slot is its bit position.

-- Chunks joined into one bit string (a search's result, looked up by slot).
CREATE OR REPLACE AGGREGATE search_bits_concat(varbit) (
    SFUNC = bitcat, STYPE = varbit, INITCOND = '');

-- The keys a row is set under, as of `today`.
CREATE OR REPLACE FUNCTION search_keys(s search_courses, document tsvector, names tsvector,
    today date)
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
        -- The municipalities under contract with the course's provider (contractedBy).
        UNION ALL SELECT 'x:' || code FROM unnest(s.contracted_by) code
        -- The languages the course's staff speak besides Dutch (supportLanguages).
        UNION ALL SELECT 'sl:' || code FROM unnest(s.support_languages) code
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
CREATE OR REPLACE FUNCTION search_bitmaps_apply(p_changes search_bit_change[]) RETURNS void
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

-- Bring these rows' bits up to date: their keys now (as of p_today) against the keys they
-- were last set under (search_course_texts.bitmap_keys); only the differences are written.
CREATE OR REPLACE FUNCTION search_update_keys(p_courses uuid[], p_today date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    changes search_bit_change[];
BEGIN
    IF p_courses IS NULL OR cardinality(p_courses) = 0 THEN
        RETURN;
    END IF;
    WITH fresh AS (
        SELECT s.course_id, s.slot, t.bitmap_keys AS old,
               search_keys(s, t.document, t.names, p_today) AS new
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

-- The daily compaction (search:compact_slots): a course that stops being listed frees its
-- slot (its bits are cleared as it goes); the listed courses with the highest slots move
-- into the free ones, so slots run from 0 to the number listed and the bitmaps are as
-- wide as the catalog, not as the number of courses ever listed. Then the chunks past the
-- end and the bitmaps left all zero (keys no course has any more) go, and the next new
-- row draws the slot after the last. Writers of search rows wait for it (every writer
-- writes search_courses before the bitmaps, so every slot drawn so far is then committed
-- or rolled back); searches do not. Returns the number of courses moved.
CREATE OR REPLACE FUNCTION search_compact_slots() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    listed integer;
    moving integer;
    changes search_bit_change[];
BEGIN
    LOCK TABLE search_courses IN SHARE ROW EXCLUSIVE MODE;
    SELECT count(*) INTO listed FROM search_courses;
    SELECT count(*) INTO moving FROM search_courses WHERE slot >= listed;
    WITH free AS (
        SELECT f.slot, row_number() OVER (ORDER BY f.slot) AS n
        FROM generate_series(0, listed - 1) f(slot)
        WHERE NOT EXISTS (SELECT 1 FROM search_courses s WHERE s.slot = f.slot)
    ), beyond AS (
        SELECT course_id, slot, row_number() OVER (ORDER BY slot) AS n
        FROM search_courses WHERE slot >= listed
    ), moved AS (
        UPDATE search_courses s SET slot = f.slot
        FROM beyond b JOIN free f USING (n)
        WHERE s.course_id = b.course_id
        RETURNING s.course_id, b.slot AS old_slot, f.slot AS new_slot
    )
    SELECT array_agg(v.change) INTO changes
    FROM moved m
    JOIN search_course_texts t ON t.course_id = m.course_id
    CROSS JOIN LATERAL unnest(t.bitmap_keys) k
    CROSS JOIN LATERAL (VALUES ((k, m.old_slot, false)::search_bit_change),
                               ((k, m.new_slot, true)::search_bit_change)) v(change);
    PERFORM search_bitmaps_apply(changes);
    DELETE FROM search_bitmaps WHERE chunk > (listed - 1) >> 12 OR bit_count(bits) = 0;
    PERFORM setval('search_slots', listed, false);
    RETURN moving;
END
$$;

-- The search rows of the listed courses (see 0006_search, 0007_search_bitmaps,
-- 0008_search_places, 0014_reviews, 0024_search_contracts and 0025_support_languages), kept true by the triggers (triggers.sql) in each catalog write's
-- own transaction.

-- The bookable intakes of these courses on p_day, each with its expected start (the
-- availability rule), its distance from the point (when one is given) and which of the
-- intake-level filters it meets: in_region (the region bits; true without them) and
-- elsewhere (municipalities, the circle, the latest expected start; true when absent).
-- The distance by chord: the same figures the engine filters with.
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
        SELECT intake_expected_start(i.starts_on, i.delay_days, p_day) AS start
    ) e
    CROSS JOIN LATERAL (
        SELECT CASE WHEN p_radius_km IS NOT NULL THEN
            search_chord2(i.x, i.y, i.z, p_latitude, p_longitude) END AS chord2
    ) d
    WHERE i.course_id = ANY (p_courses) AND (i.starts_on IS NULL OR i.starts_on >= p_day)
$$;

-- The summaries of these courses from their search_intakes rows: their places' rows
-- (search_places) and their course rows' summary columns. Returns the courses whose
-- summary changed (their keys may have).
CREATE OR REPLACE FUNCTION search_summarise(p_courses uuid[], p_today date) RETURNS uuid[]
LANGUAGE plpgsql AS $$
DECLARE
    changed uuid[];
BEGIN
    DELETE FROM search_places WHERE course_id = ANY (p_courses);
    INSERT INTO search_places (course_id, route, level, format, kinds, band, stars,
        price_cents, price_per_hour_cents, diploma_recognised, certified_from,
        certified_until, region_bit, municipality_code, latitude, longitude, x, y, z,
        continuous_delay_days, dated_best_start, rating, contracted_by, support_languages)
    SELECT i.course_id, i.route, i.level, i.format, i.kinds, i.band, i.stars, i.price_cents,
           i.price_per_hour_cents, i.diploma_recognised, i.certified_from, i.certified_until,
           i.region_bit, i.municipality_code, i.latitude, i.longitude, i.x, i.y, i.z,
           min(i.delay_days) FILTER (WHERE i.starts_on IS NULL),
           min(intake_expected_start(i.starts_on, i.delay_days, p_today))
               FILTER (WHERE i.starts_on IS NOT NULL),
           i.rating, i.contracted_by, i.support_languages
    FROM search_intakes i
    WHERE i.course_id = ANY (p_courses)
      AND (i.municipality_code IS NOT NULL OR i.latitude IS NOT NULL)
    GROUP BY i.course_id, i.route, i.level, i.format, i.kinds, i.band, i.stars,
             i.price_cents, i.price_per_hour_cents, i.diploma_recognised, i.certified_from,
             i.certified_until, i.region_bit, i.municipality_code, i.latitude, i.longitude,
             i.x, i.y, i.z, i.rating, i.contracted_by, i.support_languages;
    WITH sm AS (
        SELECT s.course_id,
               -- the first day the summary or the certification flag may no longer hold,
               -- less one
               least(min(i.starts_on), s.certified_until,
                     CASE WHEN s.certified_from > p_today THEN s.certified_from - 1 END)
                   AS summary_until,
               count(i.intake_id) > 0 AS has_intake,
               coalesce(bit_or(i.region_bit), 0) AS region_mask,
               count(DISTINCT i.region_bit) <= 1
                   AND count(i.latitude) IN (0, count(i.intake_id)) AS uniform_region,
               min(i.delay_days) FILTER (WHERE i.intake_id IS NOT NULL AND i.starts_on IS NULL)
                   AS continuous_delay_days,
               min(intake_expected_start(i.starts_on, i.delay_days, p_today))
                   FILTER (WHERE i.starts_on IS NOT NULL) AS dated_best_start
        FROM search_courses s
        LEFT JOIN search_intakes i ON i.course_id = s.course_id
        WHERE s.course_id = ANY (p_courses)
        GROUP BY s.course_id
    ), updated AS (
        UPDATE search_courses s SET
            summary_until = sm.summary_until, has_intake = sm.has_intake,
            region_mask = sm.region_mask, uniform_region = sm.uniform_region,
            continuous_delay_days = sm.continuous_delay_days,
            dated_best_start = sm.dated_best_start
        FROM sm
        WHERE s.course_id = sm.course_id
          AND (s.summary_until, s.has_intake, s.region_mask, s.uniform_region,
               s.continuous_delay_days, s.dated_best_start)
              IS DISTINCT FROM (sm.summary_until, sm.has_intake, sm.region_mask,
                                sm.uniform_region, sm.continuous_delay_days,
                                sm.dated_best_start)
        RETURNING s.course_id
    )
    SELECT array_agg(course_id) INTO changed FROM updated;
    RETURN changed;
END
$$;

-- The municipalities whose contracts with this provider run on p_day (starts_on <= p_day <
-- ends_on, days by the Amsterdam calendar): its courses carry their codes, in order
-- (searchCourses' contractedBy). By the contracts' index on (supplier, term).
CREATE OR REPLACE FUNCTION search_contracting(p_provider uuid, p_day date) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT o.municipality_code ORDER BY o.municipality_code),
                    '{}')
    FROM tender_contracts k
    JOIN organisations o ON o.id = k.buyer_id
    WHERE k.supplier_id = p_provider AND k.starts_on <= p_day AND p_day < k.ends_on
      AND o.municipality_code IS NOT NULL
$$;

-- Recompute the rows of these courses from the live tables: published courses get a row,
-- others lose theirs (and free their slot for search_compact_slots); their words too
-- unless p_texts is false (intakes and profiles hold none). Locks the courses first, so
-- two transactions changing one course refresh it one after the other, the second seeing
-- the first's commit.
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
    -- The course rows first (the intakes refer to them), their summary after. A listed
    -- row is updated in place and only a new one inserted: only a new row draws a slot
    -- (an INSERT ... ON CONFLICT draws one for every row it proposes, kept or not).
    WITH fresh AS (
        SELECT c.id AS course_id,
               CASE c.route WHEN 'b1' THEN 1 WHEN 'onderwijs' THEN 2 WHEN 'z' THEN 3 END
                   AS route,
               CASE c.target_level WHEN 'a1' THEN 1 WHEN 'a2' THEN 2 WHEN 'b1' THEN 3
                                   WHEN 'b2' THEN 4 END AS level,
               CASE c.format WHEN 'classroom' THEN 1 WHEN 'online' THEN 2
                             WHEN 'blended' THEN 3 END AS format,
               (CASE WHEN 'daytime' = ANY (c.schedule_kinds) THEN 1 ELSE 0 END
                | CASE WHEN 'evening' = ANY (c.schedule_kinds) THEN 2 ELSE 0 END
                | CASE WHEN 'weekend' = ANY (c.schedule_kinds) THEN 4 ELSE 0 END)::smallint
                   AS kinds,
               least(c.price_cents / 250000, 4) AS band,
               CASE p.star_rating WHEN 'aspirant' THEN 0
                                  ELSE p.star_rating::text::smallint END AS stars,
               rating_score(c.rating_count, c.rating_sum) AS rating,
               p.diploma_recognition_claimed AND p.diploma_recognition_verified_at IS NOT NULL
                   AS diploma_recognised,
               c.price_cents, c.price_per_hour_cents,
               CASE WHEN p.certification_verified_at IS NOT NULL
                    THEN p.certification_valid_from END AS certified_from,
               CASE WHEN p.certification_verified_at IS NOT NULL
                    THEN p.certification_valid_until END AS certified_until,
               search_contracting(c.provider_id, today) AS contracted_by,
               c.support_languages::text[] AS support_languages
        FROM courses c
        JOIN provider_profiles p ON p.organisation_id = c.provider_id
        WHERE c.id = ANY (p_courses) AND c.status = 'published'
    ), kept AS (
        UPDATE search_courses s SET
            route = f.route, level = f.level, format = f.format, kinds = f.kinds,
            band = f.band, stars = f.stars, rating = f.rating,
            diploma_recognised = f.diploma_recognised,
            price_cents = f.price_cents, price_per_hour_cents = f.price_per_hour_cents,
            certified_from = f.certified_from, certified_until = f.certified_until,
            contracted_by = f.contracted_by, support_languages = f.support_languages
        FROM fresh f
        WHERE s.course_id = f.course_id
        RETURNING s.course_id
    )
    INSERT INTO search_courses (course_id, route, level, format, kinds, band, stars, rating,
        diploma_recognised, has_intake, uniform_region, price_cents, price_per_hour_cents,
        certified_from, certified_until, region_mask, contracted_by, support_languages)
    SELECT f.course_id, f.route, f.level, f.format, f.kinds, f.band, f.stars, f.rating,
           f.diploma_recognised, false, true, f.price_cents, f.price_per_hour_cents,
           f.certified_from, f.certified_until, 0, f.contracted_by, f.support_languages
    FROM fresh f
    WHERE f.course_id NOT IN (SELECT course_id FROM kept);
    INSERT INTO search_intakes (intake_id, course_id, starts_on, delay_days, region_bit,
        municipality_code, latitude, longitude, route, level, format, kinds, band, stars,
        rating, price_cents, price_per_hour_cents, diploma_recognised, certified_from,
        certified_until, x, y, z, contracted_by, support_languages)
    SELECT i.id, i.course_id, i.starts_on,
           intake_delay_days(i.seat_capacity, i.seats_taken, i.waitlist_weeks, i.queue_length),
           coalesce(1::bigint << substr(m.region_code, 3)::int, 0),
           l.municipality_code, l.latitude, l.longitude,
           s.route, s.level, s.format, s.kinds, s.band, s.stars, s.rating, s.price_cents,
           s.price_per_hour_cents, s.diploma_recognised, s.certified_from, s.certified_until,
           cos(radians(l.latitude)) * cos(radians(l.longitude)),
           cos(radians(l.latitude)) * sin(radians(l.longitude)), sin(radians(l.latitude)),
           s.contracted_by, s.support_languages
    FROM intakes i
    JOIN search_courses s ON s.course_id = i.course_id
    LEFT JOIN locations l ON l.id = i.location_id
    LEFT JOIN municipalities m ON m.cbs_code = l.municipality_code
    WHERE i.course_id = ANY (p_courses) AND (i.starts_on IS NULL OR i.starts_on >= today);
    PERFORM search_summarise(p_courses, today);
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
    PERFORM search_update_keys(p_courses, today);
END
$$;

-- After a change of seats taken, capacity or waiting weeks, the only thing search shows
-- that can change is these intakes' expected start. Most such changes (a seat taken below
-- the capacity) leave every delay as it was, and then nothing is written at all; else the
-- delays, their courses' summaries and, only where a summary changed, the bits of its
-- keys (no slot drawn, no other row rewritten).
CREATE OR REPLACE FUNCTION search_refresh_availability(p_intakes uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    today date := (now() AT TIME ZONE 'Europe/Amsterdam')::date;
    touched uuid[];
BEGIN
    IF p_intakes IS NULL OR cardinality(p_intakes) = 0 THEN
        RETURN;
    END IF;
    SELECT array_agg(DISTINCT s.course_id) INTO touched
    FROM intakes i
    JOIN search_intakes s ON s.intake_id = i.id
    WHERE i.id = ANY (p_intakes)
      AND s.delay_days <> intake_delay_days(i.seat_capacity, i.seats_taken, i.waitlist_weeks, i.queue_length);
    IF touched IS NULL THEN
        RETURN;
    END IF;
    -- As search_refresh: one course's writers one after the other, the second then
    -- seeing the first's delays (each statement here reads what is committed).
    PERFORM 1 FROM courses WHERE id = ANY (touched) ORDER BY id FOR NO KEY UPDATE;
    UPDATE search_intakes s
    SET delay_days = intake_delay_days(i.seat_capacity, i.seats_taken, i.waitlist_weeks, i.queue_length)
    FROM intakes i
    WHERE s.course_id = ANY (touched) AND i.id = s.intake_id
      AND s.delay_days <> intake_delay_days(i.seat_capacity, i.seats_taken, i.waitlist_weeks, i.queue_length);
    PERFORM search_update_keys(search_summarise(touched, today), today);
END
$$;

-- After a change of a course's reviews (market.catalog.ratings: the learners' rating),
-- the only thing search shows that changes is its rating, which no key or summary holds:
-- the score on its rows, where it moved; nothing else is written.
CREATE OR REPLACE FUNCTION search_refresh_ratings(p_courses uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_courses IS NULL OR cardinality(p_courses) = 0 THEN
        RETURN;
    END IF;
    UPDATE search_courses s SET rating = rating_score(c.rating_count, c.rating_sum)
    FROM courses c
    WHERE s.course_id = ANY (p_courses) AND c.id = s.course_id
      AND s.rating <> rating_score(c.rating_count, c.rating_sum);
    UPDATE search_intakes i SET rating = s.rating
    FROM search_courses s
    WHERE i.course_id = ANY (p_courses) AND s.course_id = i.course_id AND i.rating <> s.rating;
    UPDATE search_places i SET rating = s.rating
    FROM search_courses s
    WHERE i.course_id = ANY (p_courses) AND s.course_id = i.course_id AND i.rating <> s.rating;
END
$$;

-- Rows whose intake summary has gone stale (a dated intake in it has started): the
-- periodic job's work, and what the search computes live until then.
CREATE OR REPLACE FUNCTION search_refresh_stale() RETURNS integer
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

-- The contracting municipalities on the rows of these providers' courses (NULL: of every
-- provider holding a contract, and of every row still carrying one), where they changed
-- (a contract signed or extended, or one starting or ending with the day), and their bits;
-- nothing else is written. Returns the courses that changed (none: an empty array), so a
-- second run, or one a day late, changes nothing more.
CREATE OR REPLACE FUNCTION search_refresh_contracts(p_providers uuid[] DEFAULT NULL)
RETURNS uuid[] LANGUAGE plpgsql AS $$
DECLARE
    today date := (now() AT TIME ZONE 'Europe/Amsterdam')::date;
    changed uuid[];
BEGIN
    SELECT array_agg(s.course_id ORDER BY s.course_id) INTO changed
    FROM search_courses s
    JOIN courses c ON c.id = s.course_id
    WHERE CASE WHEN p_providers IS NULL
               THEN s.contracted_by <> '{}'
                    OR c.provider_id IN (SELECT supplier_id FROM tender_contracts)
               ELSE c.provider_id = ANY (p_providers) END
      AND s.contracted_by <> search_contracting(c.provider_id, today);
    IF changed IS NULL THEN
        RETURN '{}';
    END IF;
    -- As search_refresh: one course's writers one after the other.
    PERFORM 1 FROM courses WHERE id = ANY (changed) ORDER BY id FOR NO KEY UPDATE;
    UPDATE search_courses s SET contracted_by = search_contracting(c.provider_id, today)
    FROM courses c
    WHERE s.course_id = ANY (changed) AND c.id = s.course_id;
    UPDATE search_intakes i SET contracted_by = s.contracted_by
    FROM search_courses s
    WHERE i.course_id = ANY (changed) AND s.course_id = i.course_id;
    UPDATE search_places i SET contracted_by = s.contracted_by
    FROM search_courses s
    WHERE i.course_id = ANY (changed) AND s.course_id = i.course_id;
    PERFORM search_update_keys(changed, today);
    RETURN changed;
END
$$;

-- The triggers that keep the search rows true: statement-level with transition tables, so
-- a COPY of 300,000 intakes refreshes each course once. An UPDATE trigger compares the
-- statement's rows before and after (a trigger with transition tables cannot name
-- columns) and refreshes only for the columns search reads; an UPDATE that changes none
-- of them costs that comparison only. Ids are not compared: rows search reads are
-- referenced by other rows, so their ids do not change (an intake's are handled anyway).

CREATE OR REPLACE FUNCTION search_courses_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(SELECT DISTINCT id FROM changed));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_courses_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(
        SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.provider_id, o.title, o.description, o.route, o.target_level, o.format,
               o.schedule_kinds, o.price_cents, o.price_per_hour_cents, o.status,
               o.support_languages)
              IS DISTINCT FROM
              (n.provider_id, n.title, n.description, n.route, n.target_level, n.format,
               n.schedule_kinds, n.price_cents, n.price_per_hour_cents, n.status,
               n.support_languages)));
    -- A review counted or hidden: the rating alone (a row refreshed whole above has it).
    PERFORM search_refresh_ratings(array(
        SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.rating_count, o.rating_sum) IS DISTINCT FROM (n.rating_count, n.rating_sum)));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_intakes_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(SELECT DISTINCT course_id FROM changed), false);
    RETURN NULL;
END
$$;

-- An intake moved in time or place, or to another course (or came or went under a new
-- id): its courses' rows again, both courses' for a move. Seats taken, capacity and
-- waiting weeks change only its expected start: search_refresh_availability, for the
-- intakes whose course is not refreshed whole anyway. The weekly schedule search does
-- not keep.
CREATE OR REPLACE FUNCTION search_intakes_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    moved uuid[];
BEGIN
    SELECT array_agg(DISTINCT c.id) INTO moved
    FROM old_rows o
    FULL JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.course_id), (n.course_id)) c(id)
    WHERE c.id IS NOT NULL
      AND (o.id IS NULL OR n.id IS NULL
           OR (o.course_id, o.starts_on, o.location_id)
              IS DISTINCT FROM (n.course_id, n.starts_on, n.location_id));
    IF moved IS NOT NULL THEN
        PERFORM search_refresh(moved, false);
    END IF;
    PERFORM search_refresh_availability(array(
        SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.seats_taken, o.seat_capacity, o.waitlist_weeks, o.queue_length)
              IS DISTINCT FROM (n.seats_taken, n.seat_capacity, n.waitlist_weeks, n.queue_length)
          AND n.course_id <> ALL (coalesce(moved, '{}'))));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_locations_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(
        SELECT DISTINCT i.course_id
        FROM old_rows o
        JOIN new_rows n ON n.id = o.id
        JOIN intakes i ON i.location_id = n.id
        WHERE (o.municipality_code, o.latitude, o.longitude)
              IS DISTINCT FROM (n.municipality_code, n.latitude, n.longitude)), false);
    RETURN NULL;
END
$$;

-- Provider profiles and organisations (name) share the key: the provider's courses.
CREATE OR REPLACE FUNCTION search_provider_profiles_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(
        SELECT c.id FROM courses c
        WHERE c.provider_id IN (
            SELECT n.organisation_id
            FROM old_rows o JOIN new_rows n ON n.organisation_id = o.organisation_id
            WHERE (o.star_rating, o.diploma_recognition_claimed,
                   o.diploma_recognition_verified_at, o.certification_verified_at,
                   o.certification_valid_from, o.certification_valid_until)
                  IS DISTINCT FROM
                  (n.star_rating, n.diploma_recognition_claimed,
                   n.diploma_recognition_verified_at, n.certification_verified_at,
                   n.certification_valid_from, n.certification_valid_until))), false);
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION search_organisations_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_refresh(array(
        SELECT c.id FROM courses c
        WHERE c.provider_id IN (
            SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.name IS DISTINCT FROM n.name)));
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS search_courses_inserted ON courses;
CREATE TRIGGER search_courses_inserted AFTER INSERT ON courses
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_courses_changed();
DROP TRIGGER IF EXISTS search_courses_updated ON courses;
CREATE TRIGGER search_courses_updated AFTER UPDATE ON courses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_courses_updated();

DROP TRIGGER IF EXISTS search_intakes_inserted ON intakes;
CREATE TRIGGER search_intakes_inserted AFTER INSERT ON intakes
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_intakes_changed();
DROP TRIGGER IF EXISTS search_intakes_updated ON intakes;
CREATE TRIGGER search_intakes_updated AFTER UPDATE ON intakes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_intakes_updated();
DROP TRIGGER IF EXISTS search_intakes_deleted ON intakes;
CREATE TRIGGER search_intakes_deleted AFTER DELETE ON intakes
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION search_intakes_changed();

DROP TRIGGER IF EXISTS search_locations_updated ON locations;
CREATE TRIGGER search_locations_updated AFTER UPDATE ON locations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_locations_updated();

DROP TRIGGER IF EXISTS search_provider_profiles_updated ON provider_profiles;
CREATE TRIGGER search_provider_profiles_updated AFTER UPDATE ON provider_profiles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_provider_profiles_updated();

DROP TRIGGER IF EXISTS search_organisations_updated ON organisations;
CREATE TRIGGER search_organisations_updated AFTER UPDATE ON organisations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_organisations_updated();
