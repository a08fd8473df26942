"""A course's search row is written only when a column of it changes: `search_refresh` used
to rewrite every listed row it refreshed, and a new version that does not fit its page
adds an entry to each of search_courses' sort indexes, which vacuum empties but never
gives back. Only the functions change (the SQL files are loaded again); no row does.

Revision ID: 0026_search_rows_kept
Revises: 0025_support_languages
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

from market.db.migrations_sql import frozen_sql, live_sql, run_script

revision: str = "0026_search_rows_kept"
down_revision: str | None = "0025_support_languages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    run_script(live_sql())


def downgrade() -> None:
    run_script(frozen_sql("0025_support_languages"))
