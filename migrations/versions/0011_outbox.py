"""Catalog changes recorded by the database: triggers on the catalog's tables (and on an
organisation's name) write the `catalog_changes` rows that the search sync applies to
Meilisearch, in the writing statement's own transaction. Until now every catalog verb
recorded its change by hand; a trigger is not forgotten by a new verb, by the enrollment
domain changing an intake's seats, or by a bulk load.

Statement triggers with transition tables: one row per course (or provider, or location)
a statement touched, however many rows it wrote, and one insert per statement. What each
records, and why:

- courses and intakes, on insert, update and delete: the course (a deleted one must leave
  the index);
- provider profiles, on update: the provider (the reader expands it to its courses); a new
  profile has no courses yet, and a deleted one deletes its courses, which record
  themselves;
- locations, on update: the location (expanded to the courses with intakes there); a new
  location has no intakes;
- organisations, on update of a provider's name: the provider.

These are triggers of their own beside search's (0006-0008), which keep PostgreSQL's search
tables and are not touched here.

Revision ID: 0011_outbox
Revises: 0010_search_write_path
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

from market.db.migrations_sql import run_script

revision: str = "0011_outbox"
down_revision: str | None = "0010_search_write_path"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
-- A statement's old and new rows, whichever it has: an insert has no old table and a delete
-- no new one, and PL/pgSQL only resolves a transition table when a statement names it.
CREATE FUNCTION catalog_courses_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO catalog_changes (course_id) SELECT id FROM old_rows;
    ELSE
        INSERT INTO catalog_changes (course_id) SELECT id FROM new_rows;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION catalog_intakes_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO catalog_changes (course_id) SELECT DISTINCT course_id FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO catalog_changes (course_id)
        SELECT course_id FROM new_rows UNION SELECT course_id FROM old_rows;
    ELSE
        INSERT INTO catalog_changes (course_id) SELECT DISTINCT course_id FROM old_rows;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION catalog_providers_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalog_changes (provider_id) SELECT organisation_id FROM new_rows;
    RETURN NULL;
END
$$;

CREATE FUNCTION catalog_locations_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalog_changes (location_id) SELECT id FROM new_rows;
    RETURN NULL;
END
$$;

-- Only the name of an organisation shows in search, and only a provider's.
CREATE FUNCTION catalog_organisations_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO catalog_changes (provider_id)
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.kind = 'provider' AND n.name IS DISTINCT FROM o.name;
    RETURN NULL;
END
$$;

CREATE TRIGGER catalog_courses_inserted AFTER INSERT ON courses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_courses_changed();
CREATE TRIGGER catalog_courses_updated AFTER UPDATE ON courses
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_courses_changed();
CREATE TRIGGER catalog_courses_deleted AFTER DELETE ON courses
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_courses_changed();

CREATE TRIGGER catalog_intakes_inserted AFTER INSERT ON intakes
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_intakes_changed();
CREATE TRIGGER catalog_intakes_updated AFTER UPDATE ON intakes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_intakes_changed();
CREATE TRIGGER catalog_intakes_deleted AFTER DELETE ON intakes
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_intakes_changed();

CREATE TRIGGER catalog_provider_profiles_updated AFTER UPDATE ON provider_profiles
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_providers_changed();

CREATE TRIGGER catalog_locations_updated AFTER UPDATE ON locations
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_locations_changed();

CREATE TRIGGER catalog_organisations_updated AFTER UPDATE ON organisations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_organisations_changed();
"""

DOWNGRADE = """
DROP TRIGGER catalog_organisations_updated ON organisations;
DROP TRIGGER catalog_locations_updated ON locations;
DROP TRIGGER catalog_provider_profiles_updated ON provider_profiles;
DROP TRIGGER catalog_intakes_deleted ON intakes;
DROP TRIGGER catalog_intakes_updated ON intakes;
DROP TRIGGER catalog_intakes_inserted ON intakes;
DROP TRIGGER catalog_courses_deleted ON courses;
DROP TRIGGER catalog_courses_updated ON courses;
DROP TRIGGER catalog_courses_inserted ON courses;
DROP FUNCTION catalog_organisations_changed();
DROP FUNCTION catalog_locations_changed();
DROP FUNCTION catalog_providers_changed();
DROP FUNCTION catalog_intakes_changed();
DROP FUNCTION catalog_courses_changed();
"""


def upgrade() -> None:
    run_script(UPGRADE)


def downgrade() -> None:
    run_script(DOWNGRADE)
