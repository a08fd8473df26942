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
