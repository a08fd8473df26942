"""Support languages feed course search: the rows of a course carry the languages its staff
speak besides Dutch (`support_languages` on search_courses, search_intakes and
search_places, and a bitmap key `sl:<code>` per language), which
`searchCourses(filter: {supportLanguages})` and its facet read. Their filter and facet are
bitmap keys like every other facet's, so they need no index of their own. The SQL files as
they then stood are loaded (frozen beside it, in 0025_support_languages.sql, since
0026_search_rows_kept changed them; 0024's text is in 0024_search_contracts.sql), and the
rows filled from the courses' languages.

Revision ID: 0025_support_languages
Revises: 0024_search_contracts
Create Date: 2026-12-04 08:00:00
"""

from collections.abc import Sequence

from market.db.migrations_sql import frozen_sql, run_script

revision: str = "0025_support_languages"
down_revision: str | None = "0024_search_contracts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
ALTER TABLE search_courses ADD COLUMN support_languages text[] NOT NULL DEFAULT '{}';
ALTER TABLE search_intakes ADD COLUMN support_languages text[] NOT NULL DEFAULT '{}';
ALTER TABLE search_places ADD COLUMN support_languages text[] NOT NULL DEFAULT '{}';
"""

# Only the listed courses that declare a language change: their rows, then their keys.
FILL = """
UPDATE search_courses s SET support_languages = c.support_languages::text[]
FROM courses c
WHERE c.id = s.course_id AND c.support_languages <> '{}';
UPDATE search_intakes i SET support_languages = s.support_languages
FROM search_courses s
WHERE s.course_id = i.course_id AND s.support_languages <> '{}';
UPDATE search_places i SET support_languages = s.support_languages
FROM search_courses s
WHERE s.course_id = i.course_id AND s.support_languages <> '{}';
SELECT search_update_keys(
    array(SELECT course_id FROM search_courses WHERE support_languages <> '{}'),
    (now() AT TIME ZONE 'Europe/Amsterdam')::date);
"""

DOWNGRADE = """
DELETE FROM search_bitmaps WHERE key LIKE 'sl:%';
UPDATE search_course_texts
SET bitmap_keys = array(SELECT k FROM unnest(bitmap_keys) k WHERE k NOT LIKE 'sl:%')
WHERE EXISTS (SELECT 1 FROM unnest(bitmap_keys) k WHERE k LIKE 'sl:%');
ALTER TABLE search_places DROP COLUMN support_languages;
ALTER TABLE search_intakes DROP COLUMN support_languages;
ALTER TABLE search_courses DROP COLUMN support_languages;
"""


def upgrade() -> None:
    run_script(UPGRADE + frozen_sql(revision) + FILL)


def downgrade() -> None:
    run_script(frozen_sql("0024_search_contracts") + DOWNGRADE)
