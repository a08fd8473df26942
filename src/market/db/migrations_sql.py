"""What the hand-written SQL revisions (0003_jobs, 0006_search and after) share: running a
whole script, the current SQL functions (files shipped in the package), and an earlier
revision's definition of a function, which a later revision changes and whose downgrade
puts it back."""

from __future__ import annotations

import importlib.util
import re
from importlib.resources import files
from inspect import isawaitable

from alembic import op
from sqlalchemy.util import await_

from market.db.migrate import MIGRATIONS


def run_script(script: str) -> None:
    """Run many statements (with $$-quoted function bodies) in the migration's transaction.

    SQLAlchemy's asyncpg adapter prepares every statement, and a prepared statement holds
    one command; the driver's own execute() without arguments uses PostgreSQL's simple
    query protocol, which takes a whole script.
    """
    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None
    outcome = driver_connection.execute(script)
    if isawaitable(outcome):  # asyncpg (the app's driver) is async; psycopg is not
        await_(outcome)


# The live definitions of the catalog's and search's SQL functions and triggers, in the
# order they are created (a SQL-language function's body is checked against the functions
# it calls). A revision that changes any of them loads them all (`live_sql`): every file is
# re-runnable (CREATE OR REPLACE; DROP TRIGGER IF EXISTS before CREATE TRIGGER). When a
# file comes to need a later revision's schema, freeze the text an earlier revision loads
# into that revision first, as 0008_search_places's search_refresh is.
LIVE_SQL = (
    ("market.catalog", "availability.sql"),
    ("market.catalog", "ratings.sql"),
    ("market.search", "distance.sql"),
    ("market.search", "bitmaps.sql"),
    ("market.search", "refresh.sql"),
    ("market.search", "triggers.sql"),
)


def live_sql() -> str:
    """The files of LIVE_SQL as one script, read as package data (so from a wheel too)."""
    return "\n".join(
        files(package).joinpath("sql", name).read_text(encoding="utf-8")
        for package, name in LIVE_SQL
    )


def frozen_sql(revision: str) -> str:
    """The SQL file a revision keeps beside it (`versions/<revision>.sql`)."""
    return (MIGRATIONS / "versions" / f"{revision}.sql").read_text(encoding="utf-8")


def function_of(revision: str, function: str) -> str:
    """`function` as the UPGRADE script of `revision` (its file's name) creates it."""
    path = MIGRATIONS / "versions" / f"{revision}.py"
    spec = importlib.util.spec_from_file_location(f"market_revision_{revision}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    script: str = module.UPGRADE
    found = re.search(rf"CREATE (OR REPLACE )?FUNCTION {function}\(", script)
    assert found is not None, function
    return script[found.start() : script.index("$$;", found.start()) + 3]
