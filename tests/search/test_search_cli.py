"""`market search reindex` and `market search sync`."""

from __future__ import annotations

import psycopg
from click.testing import CliRunner

from market import cli
from market.db.database import libpq_url


def test_reindex_needs_meilisearch() -> None:
    result = CliRunner().invoke(cli.main, ["search", "reindex"], env={"MARKET_MEILISEARCH_URL": ""})

    assert result.exit_code == 2
    assert "set MARKET_MEILISEARCH_URL" in result.output


def test_sync_without_meilisearch_marks_pending_changes_processed(database_url: str) -> None:
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        conn.execute("INSERT INTO catalog_changes (course_id) VALUES (gen_random_uuid())")

    result = CliRunner().invoke(
        cli.main,
        ["search", "sync"],
        env={"MARKET_DATABASE_URL": database_url, "MARKET_MEILISEARCH_URL": ""},
    )

    assert result.exit_code == 0, result.output
    assert result.output == "applied 1 catalog changes\n"
    with psycopg.connect(libpq_url(database_url)) as conn:
        row = conn.execute("SELECT count(*) FROM catalog_changes WHERE processed_at IS NULL")
        assert row.fetchone() == (0,)
