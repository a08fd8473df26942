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
