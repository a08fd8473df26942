-- 0008_search_places's search_refresh, frozen: 0007_search_bitmaps's with the courses'
-- places rewritten after their intakes (the live definition: src/market/search/sql/).
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
    DELETE FROM search_places WHERE course_id = ANY (p_courses);
    INSERT INTO search_places
    SELECT i.course_id, i.route, i.level, i.format, i.kinds, i.band, i.stars, i.price_cents,
           i.price_per_hour_cents, i.diploma_recognised, i.certified_from, i.certified_until,
           i.region_bit, i.municipality_code, i.latitude, i.longitude, i.x, i.y, i.z,
           min(i.delay_days) FILTER (WHERE i.starts_on IS NULL),
           min(i.starts_on + i.delay_days)
    FROM search_intakes i
    WHERE i.course_id = ANY (p_courses)
      AND (i.municipality_code IS NOT NULL OR i.latitude IS NOT NULL)
    GROUP BY i.course_id, i.route, i.level, i.format, i.kinds, i.band, i.stars,
             i.price_cents, i.price_per_hour_cents, i.diploma_recognised, i.certified_from,
             i.certified_until, i.region_bit, i.municipality_code, i.latitude, i.longitude,
             i.x, i.y, i.z;
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
