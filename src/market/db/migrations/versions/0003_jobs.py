"""Background jobs: the procrastinate schema (filled in by the worker work).

Revision ID: 0003_jobs
Revises: 0002_identity
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0003_jobs"
down_revision: str | None = "0002_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
