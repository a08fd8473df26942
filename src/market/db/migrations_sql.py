"""What the hand-written SQL revisions (0003_jobs, 0006_search and after) share: running a
whole script, and an earlier revision's definition of a function, which a later revision
changes and whose downgrade puts it back."""

from __future__ import annotations

import importlib.util
import re
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
