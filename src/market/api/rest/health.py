"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from litestar import Response, get
from sqlalchemy import text

from market.db import migrate
from market.db.database import Database


@get("/healthz", sync_to_thread=False)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/readyz")
async def readyz(db: Database) -> Response[dict[str, str]]:
    """The database answers and its schema is at the newest migration."""
    try:
        async with db.reader() as session:
            await session.execute(text("SELECT 1"))
        at_head = await migrate.is_at_head(db.engine)
    except Exception:  # any failure to reach the database means "not ready"
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not at_head:
        return Response(
            {"status": "unavailable", "database": "migrations pending"}, status_code=503
        )
    return Response({"status": "ok"})
