"""Liveness, readiness and the request id that ties a request to its log lines."""

from __future__ import annotations

import dataclasses
import gc
import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from litestar.testing import AsyncTestClient
from psycopg import sql
from sqlalchemy import text

from market.app import create_app, served_app
from market.db import embedded
from market.db.database import Database
from market.settings import Settings


@pytest.fixture
def empty_database_url(database_url: str) -> Iterator[str]:
    """A database beside this test's own with nothing in it: no migration has run."""
    base, _, query = database_url.partition("?")
    server, own_name = base.replace("postgresql+asyncpg://", "postgresql://", 1).rsplit("/", 1)
    admin, name = f"{server}/postgres?{query}", f"{own_name}_empty"
    embedded.ensure_database(admin, name)
    yield database_url.replace(f"/{own_name}?", f"/{name}?")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


async def get(settings: Settings, path: str, **kwargs: Any) -> Any:
    async with AsyncTestClient(app=create_app(settings)) as http:
        return await http.get(path, **kwargs)


async def test_healthz_answers_while_the_process_is_up(http: AsyncTestClient[Any]) -> None:
    response = await http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_is_ready_when_migrations_are_at_head(http: AsyncTestClient[Any]) -> None:
    response = await http.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_refuses_a_database_without_migrations(
    settings: Settings, empty_database_url: str
) -> None:
    response = await get(dataclasses.replace(settings, database_url=empty_database_url), "/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "migrations pending"}


async def test_readyz_refuses_a_database_behind_the_newest_migration(
    settings: Settings, db: Database
) -> None:
    async with db.transaction() as session:
        await session.execute(text("UPDATE alembic_version SET version_num = '0003_jobs'"))
    response = await get(settings, "/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "migrations pending"}


async def test_readyz_refuses_an_unreachable_database(settings: Settings) -> None:
    missing = settings.database_url.replace("/test_", "/missing_", 1)
    response = await get(dataclasses.replace(settings, database_url=missing), "/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def request_log_lines(stderr: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "request"]


async def test_a_safe_request_id_is_echoed_and_logged(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    response = await get(settings, "/healthz", headers={"x-request-id": "req-42.a_B"})

    assert response.headers["x-request-id"] == "req-42.a_B"
    [line] = request_log_lines(capsys.readouterr().err)
    assert line["request_id"] == "req-42.a_B"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "info"


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-request-id": "a b\\c"}, {"x-request-id": "x" * 65}, {"x-request-id": '"}{'}],
    ids=["absent", "spaces", "too-long", "json-breaking"],
)
async def test_a_missing_or_unsafe_request_id_is_replaced(
    settings: Settings, capsys: pytest.CaptureFixture[str], headers: dict[str, str]
) -> None:
    response = await get(settings, "/healthz", headers=headers)

    generated = response.headers["x-request-id"]
    assert len(generated) == 32
    assert int(generated, 16) >= 0
    assert generated != headers.get("x-request-id")
    [line] = request_log_lines(capsys.readouterr().err)
    assert line["request_id"] == generated


async def test_the_served_app_keeps_what_start_up_built_out_of_the_collectors_passes(
    settings: Settings,
) -> None:
    """`market serve` runs `served_app`: once started, a full collection no longer walks
    the schema and the modules (a pause of 60 to 120 ms every few hundred searches)."""
    gc.unfreeze()
    try:
        async with AsyncTestClient(app=served_app(settings)) as client:
            assert (await client.get("/healthz")).status_code == 200
            assert gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()
