-- The search rows of the listed courses (see 0006_search, 0007_search_bitmaps,
-- 0008_search_places, 0014_reviews, 0024_search_contracts, 0025_support_languages and
-- 0026_search_rows_kept), kept true by the triggers (triggers.sql) in each catalog write's
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
    -- (an INSERT ... ON CONFLICT draws one for every row it proposes, kept or not). A row
    -- whose columns hold is not written at all: most refreshes (an intake added or moved,
    -- a location or profile edited) leave them so, and a new version that does not fit
    -- its page would add an entry to each of the sort indexes the searches walk, which a
    -- vacuum empties but never gives back (more index pages: dearer walks, other plans).
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
          AND (s.route, s.level, s.format, s.kinds, s.band, s.stars, s.rating,
               s.diploma_recognised, s.price_cents, s.price_per_hour_cents, s.certified_from,
               s.certified_until, s.contracted_by, s.support_languages)
              IS DISTINCT FROM
              (f.route, f.level, f.format, f.kinds, f.band, f.stars, f.rating,
               f.diploma_recognised, f.price_cents, f.price_per_hour_cents, f.certified_from,
               f.certified_until, f.contracted_by, f.support_languages)
    )
    INSERT INTO search_courses (course_id, route, level, format, kinds, band, stars, rating,
        diploma_recognised, has_intake, uniform_region, price_cents, price_per_hour_cents,
        certified_from, certified_until, region_mask, contracted_by, support_languages)
    SELECT f.course_id, f.route, f.level, f.format, f.kinds, f.band, f.stars, f.rating,
           f.diploma_recognised, false, true, f.price_cents, f.price_per_hour_cents,
           f.certified_from, f.certified_until, 0, f.contracted_by, f.support_languages
    FROM fresh f
    WHERE NOT EXISTS (SELECT 1 FROM search_courses s WHERE s.course_id = f.course_id);
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
