"""Contracts feed course search: the rows of a course whose provider is under an active
contract carry the contracting municipalities' codes (`contracted_by` on search_courses,
search_intakes and search_places, and a bitmap key `x:<code>` per municipality), which
`searchCourses(filter: {contractedBy})`, its facet and the course's badge read. The SQL
files as they then stood are loaded (frozen beside it, in 0024_search_contracts.sql, since
0025_support_languages changed them; 0014's text is in 0014_reviews.sql), and the rows
filled from the contracts signed so far.

Revision ID: 0024_search_contracts
Revises: 0023_tender_search
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

from market.db.migrations_sql import frozen_sql, run_script

revision: str = "0024_search_contracts"
down_revision: str | None = "0023_tender_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = """
ALTER TABLE search_courses ADD COLUMN contracted_by text[] NOT NULL DEFAULT '{}';
ALTER TABLE search_intakes ADD COLUMN contracted_by text[] NOT NULL DEFAULT '{}';
ALTER TABLE search_places ADD COLUMN contracted_by text[] NOT NULL DEFAULT '{}';
"""

FILL = "SELECT search_refresh_contracts();"

DOWNGRADE = """
DROP FUNCTION search_refresh_contracts(uuid[]);
DELETE FROM search_bitmaps WHERE key LIKE 'x:%';
UPDATE search_course_texts
SET bitmap_keys = array(SELECT k FROM unnest(bitmap_keys) k WHERE k NOT LIKE 'x:%')
WHERE EXISTS (SELECT 1 FROM unnest(bitmap_keys) k WHERE k LIKE 'x:%');
ALTER TABLE search_places DROP COLUMN contracted_by;
ALTER TABLE search_intakes DROP COLUMN contracted_by;
ALTER TABLE search_courses DROP COLUMN contracted_by;
DROP FUNCTION search_contracting(uuid, date);
"""


def upgrade() -> None:
    run_script(UPGRADE + frozen_sql(revision) + FILL)


def downgrade() -> None:
    run_script(frozen_sql("0014_reviews") + DOWNGRADE)
