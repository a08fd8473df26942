"""Background jobs: procrastinate's tables, types, functions and triggers.

The schema is a frozen copy of procrastinate 3.10.0's `sql/schema.sql` (0003_jobs.sql
beside this file), not read from the installed library: a revision must create the same
objects forever. When procrastinate is upgraded, add a revision that applies the files of
its `sql/migrations/` folder between the two versions.

Revision ID: 0003_jobs
Revises: 0002_identity
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from pathlib import Path

from market.db.migrations_sql import run_script

revision: str = "0003_jobs"
down_revision: str | None = "0002_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = Path(__file__).with_suffix(".sql")

DROP_SCHEMA = """
DROP TABLE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE
    function regprocedure;
BEGIN
    FOR function IN
        SELECT p.oid::regprocedure FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
    LOOP
        EXECUTE 'DROP FUNCTION ' || function;
    END LOOP;
END;
$$;
DROP TYPE procrastinate_job_to_defer_v1, procrastinate_job_event_type,
    procrastinate_job_status;
"""


def upgrade() -> None:
    run_script(SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    run_script(DROP_SCHEMA)
