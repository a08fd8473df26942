"""`make bench`: the course search under load, through the real HTTP GraphQL endpoint and,
as a lower bound, the very same SQL through raw asyncpg.

1. Seeds the scale dataset (`market seed --scale N`) into a throwaway embedded PostgreSQL
   under .bench/, or reuses the one a previous run left there when it holds the same scale,
   made by the same generator and migrations, less than a week ago (intake dates are
   relative to the seeding day).
2. Starts the real server as its own process (`market serve --workers N`, two by default:
   one per core here; no debug, log level WARNING, no embedded job worker) on a free
   loopback port.
3. Captures the SQL the server runs for each of the eight searches (tests/bench/searches.py)
   by running each in this process (tests/support/statements.py): alone (the page and the
   counts on two connections at once, market.search.postgres) and with another read
   connection in use (one connection).
4. At concurrency 1 and then 16, runs the mix through HTTP (aiohttp, keep-alive) and replays
   the captured statements with asyncpg (on connections set as the server's read
   connections, outside any transaction, as the server runs them: a search alone on two
   connections, else on one), the two paths taking turns in four slices each, so that
   both see the machine alike; every run is bounded by a request count and a time limit.
5. Books: startCheckout at concurrency 16, and 200 learners at once for 10 seats
   (tests/bench/booking_bench.py), leaving the data as it was; then 1,000 paid bookings'
   stored Stripe events processed by one worker (tests/bench/webhook_bench.py).
6. Measures the write cost: seat changes (`seats_taken` one up, then back down, each its
   own committed UPDATE, as a booking makes them) on upcoming intakes of listed courses,
   with the search's triggers doing their work in each.
7. Prints p50/p95/p99 latency, requests per second, the GraphQL-to-raw throughput ratio at
   concurrency 16, the server's peak RSS (all its processes), the host's speed in each
   round (a fixed loop's CPU time: it drifts) and the write cost's p50/p95, and writes them
   to bench-results.json.

It reports figures; it does not pass or fail on them.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import inspect
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
import httpx
import psutil
import psycopg
from graphql import parse, specified_rules
from litestar.testing import AsyncTestClient

from market.api.graphql.limits import ValidationCache
from market.api.graphql.schema import build_schema
from market.app import create_app
from market.db import embedded
from market.db.database import READ_SETTINGS, Database
from market.db.migrate import MIGRATIONS, head_revisions
from market.demo import generator, seed
from market.settings import Settings
from tests.bench.booking_bench import booking_figures
from tests.bench.page_bench import (
    PAGE_QUERIES,
    asset_bytes,
    page_caller,
    page_figures,
    print_page_report,
)
from tests.bench.searches import SEARCH, Search, searches
from tests.bench.webhook_bench import local_stripe_process, stripe_env, webhook_figures
from tests.support.graphql import doubling_fragments
from tests.support.statements import Statement, recording_statements

BENCH_DIR = Path(".bench")
RESULTS = Path("bench-results.json")
MARKER = "bench-seed.json"
MAX_DATA_AGE = timedelta(days=7)
BIN = Path(sys.executable).parent
ROUNDS = 4  # turns per path and concurrency


@dataclass
class Run:
    """Latencies (seconds) of one bounded run at one concurrency."""

    concurrency: int
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_search: dict[str, list[float]] = field(default_factory=dict)
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    def percentile(self, p: int, values: list[float] | None = None) -> float:
        cuts = statistics.quantiles(values or self.latencies, n=100, method="inclusive")
        return cuts[p - 1] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed


# -- data -----------------------------------------------------------------------------------


def prepare_data(data_dir: Path, scale: int, fresh: bool) -> tuple[str, dict[str, Any]]:
    """The embedded database holding the scale dataset (seeded now or reused), its URL,
    and the marker describing it."""
    wanted = {"scale": scale, "heads": sorted(head_revisions()), "generator": _generator_digest()}
    marker_file = data_dir / MARKER
    marker = json.loads(marker_file.read_text()) if marker_file.exists() else None
    reusable = (
        not fresh
        and marker is not None
        and all(marker.get(k) == v for k, v in wanted.items())
        and date.today() - date.fromisoformat(marker["seeded_on"]) < MAX_DATA_AGE
    )
    if not reusable:
        shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    url = embedded.start(data_dir)  # this process holds the server until it exits
    if reusable:
        assert marker is not None
        print(f"reusing the seeded data in {data_dir} ({marker['seeded_on']})", flush=True)
        return url, marker | {"reused": True}
    print(f"seeding {scale:,} courses into {data_dir} ...", flush=True)
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 (our own console script)
        [str(BIN / "market"), "seed", "--scale", str(scale)],
        env=_server_env(data_dir),
        check=True,
    )
    seed_seconds = time.perf_counter() - started
    # A freshly COPY-loaded table has no statistics and no visibility map yet; production
    # tables have both (autovacuum), so give the planner what it would have there.
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    marker = wanted | {"seeded_on": date.today().isoformat(), "seed_seconds": seed_seconds}
    marker_file.write_text(json.dumps(marker))
    return url, marker | {"reused": False}


def _generator_digest() -> str:
    """Changes whenever the code that generates, loads or shapes the scale data changes:
    the generator, the seeding and every migration (triggers may fill search tables)."""
    digest = hashlib.sha256()
    for module in (generator, seed):
        digest.update(inspect.getsource(module).encode())
    for revision in sorted((MIGRATIONS / "versions").glob("*.py")):
        digest.update(revision.read_bytes())
    return digest.hexdigest()[:16]


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
    return env | {
        "MARKET_DATA_DIR": str(data_dir),
        "MARKET_DEBUG": "false",
        "MARKET_LOG_LEVEL": "WARNING",
        "MARKET_EMBEDDED_WORKER": "false",
        **extra,
    }


# -- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    data_dir: Path, port: int, workers: int, log: Path, stripe_base: str | None = None
) -> Any:
    """`market serve` as a separate process; yields it once /healthz answers. With
    `stripe_base`, it takes payments at that localstripe (run by the bench, so that the
    server's CPU and memory are its own, as with Stripe far away)."""
    payments = {} if stripe_base is None else stripe_env(stripe_base)
    env = _server_env(
        data_dir,
        MARKET_HOST="127.0.0.1",
        MARKET_PORT=str(port),
        MARKET_WORKERS=str(workers),
        **payments,
    )
    command = [str(BIN / "market"), "serve"]
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out)  # noqa: S603
        try:
            _wait_until_up(port, process)
            yield psutil.Process(process.pid)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}: see .bench/*.log")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer /healthz within 120 s")


class PeakRss:
    """Samples the resident memory of a process and its children every 100 ms."""

    def __init__(self, process: psutil.Process) -> None:
        self.process = process
        self.peak = 0
        self.at_start = self._sample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        processes = [self.process, *self.process.children(recursive=True)]
        total = 0
        for p in processes:
            with suppress(psutil.NoSuchProcess):
                total += p.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self._sample())

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in [self.process, *self.process.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
        return total

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())


# -- the SQL behind each search ----------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    """The statements the server runs for one search: alone in its process, its own
    connection's (`alone`) and, after the first of those, a spare connection's at once
    (`spare`); with other searches under way, one connection's (`busy`)."""

    alone: list[Statement]
    spare: list[Statement]
    busy: list[Statement]


async def capture_sql(url: str, mix: list[Search]) -> tuple[dict[str, Replay], dict[str, int]]:
    """What the app runs for each search (with the parameters), and its total of hits."""
    app = create_app(Settings(database_url=url, embedded_worker=False, log_level="WARNING"))
    db: Database = app.dependencies["db"].dependency()
    result: dict[str, Replay] = {}
    totals: dict[str, int] = {}
    async with AsyncTestClient(app=app) as client:
        for search in mix:
            body = {"query": SEARCH, "variables": search.variables}
            # The first run pays for connecting and for the dialect's start-up queries.
            await _checked(await client.post("/graphql", json=body), search)
            readers: list[Any] = []
            with recording_statements(readers) as alone:
                answer = await _checked(await client.post("/graphql", json=body), search)
            # Another read connection in use: as if another search were under way.
            async with db.read_connection():
                with recording_statements() as busy:
                    await _checked(await client.post("/graphql", json=body), search)
            own = [s for s, reader in zip(alone, readers, strict=True) if reader is readers[0]]
            spare = [
                s for s, reader in zip(alone, readers, strict=True) if reader is not readers[0]
            ]
            result[search.name] = Replay(own, spare, busy)
            totals[search.name] = answer["data"]["searchCourses"]["totalCount"]
    return result, totals


async def _checked(response: Any, search: Search) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"search {search.name} failed: {response.status_code} {body}")
    return body


# -- load ----------------------------------------------------------------------------------


def host_speed() -> float:
    """Milliseconds of CPU a fixed pure-Python loop takes: this machine's speed drifts by up
    to a factor of two from minute to minute (same code, same data), and the latencies
    with it. Printed beside them, so that a run can be judged."""
    started = time.thread_time()
    total = 0
    for i in range(1_000_000):
        total += i * i
    return (time.thread_time() - started) * 1000


async def warm_up(call: Callable[[Search], Awaitable[None]], mix: list[Search]) -> None:
    """Caches, prepared statements, pool connections."""
    for search in mix * 2:
        await call(search)


async def load(
    run: Run,
    call: Callable[[Search], Awaitable[None]],
    mix: list[Search],
    requests: int,
    seconds: float,
    server: PeakRss | None,
) -> None:
    """`run.concurrency` workers cycle through the mix until `requests` calls were made or
    `seconds` passed, whichever comes first; the figures add to the run's."""
    numbers = itertools.count()
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while (n := next(numbers)) < requests and time.perf_counter() < deadline:
            search = mix[n % len(mix)]
            started = time.perf_counter()
            await call(search)
            took = time.perf_counter() - started
            run.latencies.append(took)
            run.by_search[search.name].append(took)

    # The event loop's thread only: the RSS sampler's thread is not load generation.
    cpu, server_cpu = time.thread_time(), server.cpu_seconds() if server else 0.0
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(run.concurrency)))
    run.elapsed += time.perf_counter() - started
    run.client_cpu += time.thread_time() - cpu
    run.server_cpu += server.cpu_seconds() - server_cpu if server else 0.0


def graphql_caller(client: aiohttp.ClientSession, mix: list[Search]) -> Any:
    bodies = {s.name: json.dumps({"query": SEARCH, "variables": s.variables}) for s in mix}
    headers = {"content-type": "application/json"}

    async def call(search: Search) -> None:
        async with client.post("/graphql", data=bodies[search.name], headers=headers) as response:
            body = await response.read()
        # A substring check, not a parse: the client's CPU counts against the server.
        if response.status != 200 or b'"errors"' in body:
            raise SystemExit(f"search {search.name} failed: {body[:500]!r}")

    return call


def raw_caller(pool: asyncpg.Pool, replays: dict[str, Replay]) -> Any:
    under_way = 0

    async def run(conn: Any, statements: list[Statement]) -> None:
        for sql, parameters in statements:
            await conn.fetch(sql, *parameters)

    async def call(search: Search) -> None:
        # As the server runs them: outside any transaction, on connections set as its read
        # connections are (near's statements set its planner settings and back); a search
        # alone on two connections, else on one.
        nonlocal under_way
        replay = replays[search.name]
        under_way += 1
        try:
            async with pool.acquire() as conn:
                if under_way > 1 or not replay.spare:
                    await run(conn, replay.busy)
                    return
                first, *rest = replay.alone
                await run(conn, [first])
                async with pool.acquire() as spare:
                    await asyncio.gather(run(conn, rest), run(spare, replay.spare))
        finally:
            under_way -= 1

    return call


# -- validation ----------------------------------------------------------------------------

# The search README.md's "Try it" sends.
README_SEARCH = """{ searchCourses(filter: {routes: [B1], evening: true, regionCodes: ["AM18"]},
  sort: PRICE, first: 3) { totalCount nodes { expectedStart waitWeeks course { title priceCents
  pricePerHourCents provider { name } } } facets { field values { value label count } } } }"""


def validation_ms(runs: int = 50) -> dict[str, float]:
    """Validating a document afresh (graphql-core's rules and the limits, no cache), in ms:
    the median of `runs`. The doubling fragments are refused for their cost."""
    schema = build_schema()
    documents = {
        "f16_doubling_fragments": doubling_fragments(16),
        "f39_doubling_fragments": doubling_fragments(39),
        "readme_search": README_SEARCH,
    }
    timings: dict[str, float] = {}
    for name, text in documents.items():
        document = parse(text)
        spent = []
        for _ in range(runs):
            cache = ValidationCache(schema.validation_cache.rules)
            started = time.perf_counter()
            cache.errors(schema._schema, document, tuple(specified_rules))
            spent.append(time.perf_counter() - started)
        timings[name] = statistics.median(spent) * 1000
    return timings


# -- writes --------------------------------------------------------------------------------


async def write_cost(url: str, intakes: int) -> list[float]:
    """Seconds per seat change: each chosen intake one seat up, then down again (so the
    seeded data stays as it was), every UPDATE committed on its own."""
    conn = await asyncpg.connect(_libpq(url))
    try:
        # A fixed choice (by the ids' hash), spread over the catalog, each with a free seat.
        chosen = await conn.fetch(
            """SELECT i.id FROM intakes i JOIN search_courses s USING (course_id)
               WHERE i.seats_taken < i.seat_capacity
                 AND (i.starts_on IS NULL
                      OR i.starts_on >= (now() AT TIME ZONE 'Europe/Amsterdam')::date)
               ORDER BY md5(i.id::text) LIMIT $1""",
            intakes,
        )
        spent = []
        for (intake_id,) in chosen:
            for step in (1, -1):
                started = time.perf_counter()
                await conn.execute(
                    "UPDATE intakes SET seats_taken = seats_taken + $2 WHERE id = $1",
                    intake_id,
                    step,
                )
                spent.append(time.perf_counter() - started)
        return spent
    finally:
        await conn.close()


# -- report --------------------------------------------------------------------------------


def figures(
    graphql: dict[int, Run], raw: dict[int, Run], rss: PeakRss, marker: dict[str, Any],
    replays: dict[str, Replay], totals: dict[str, int], workers: int, writes: list[float],
) -> dict[str, Any]:  # fmt: skip
    result: dict[str, Any] = {
        "search_p95_ms_c1": graphql[1].percentile(95),
        "search_p95_ms_c16": graphql[16].percentile(95),
        "search_rps_graphql_c16": graphql[16].rps,
        "search_rps_raw_c16": raw[16].rps,
        "graphql_to_raw_ratio": graphql[16].rps / raw[16].rps,
        "server_rss_mb": rss.peak / 2**20,
    }
    for c in (1, 16):
        for p in (50, 95, 99):
            result.setdefault(f"search_p{p}_ms_c{c}", graphql[c].percentile(p))
            result[f"raw_p{p}_ms_c{c}"] = raw[c].percentile(p)
        result[f"search_rps_graphql_c{c}"] = graphql[c].rps
        result[f"search_rps_raw_c{c}"] = raw[c].rps
        result[f"search_requests_c{c}"] = len(graphql[c].latencies)
        result[f"raw_requests_c{c}"] = len(raw[c].latencies)
        served, replayed = len(graphql[c].latencies), len(raw[c].latencies)
        result[f"server_cpu_ms_per_search_c{c}"] = graphql[c].server_cpu / served * 1000
        result[f"client_cpu_ms_per_search_c{c}"] = graphql[c].client_cpu / served * 1000
        result[f"client_cpu_ms_per_raw_search_c{c}"] = raw[c].client_cpu / replayed * 1000
    result["graphql_to_raw_ratio_c1"] = graphql[1].rps / raw[1].rps
    result["server_rss_mb_at_start"] = rss.at_start / 2**20
    result["server_workers"] = workers
    result["sql_statements_per_search"] = {
        name: {"alone": len(r.alone) + len(r.spare), "busy": len(r.busy)}
        for name, r in replays.items()
    }
    result["total_hits_per_search"] = totals
    result["search_p50_ms_c1_by_search"] = {
        name: graphql[1].percentile(50, values) for name, values in graphql[1].by_search.items()
    }
    result["raw_p50_ms_c1_by_search"] = {
        name: raw[1].percentile(50, values) for name, values in raw[1].by_search.items()
    }
    result["write_changes"] = len(writes)
    result["write_p50_ms"] = statistics.median(writes) * 1000
    result["write_p95_ms"] = statistics.quantiles(writes, n=100, method="inclusive")[94] * 1000
    result["seed_seconds"] = marker["seed_seconds"]
    result["seed_reused"] = marker["reused"]
    result["scale_courses"] = marker["scale"]
    result["cpu_count"] = os.cpu_count()
    result["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["commit"] = _commit()
    return _rounded(result)


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def _commit() -> str | None:
    """The checked-out commit, when run from a git work tree."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from PATH)
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return None
    return found.stdout.strip()


def print_report(graphql: dict[int, Run], raw: dict[int, Run], result: dict[str, Any]) -> None:
    print()
    columns = ("conc", "requests", "p50 ms", "p95 ms", "p99 ms", "req/s")
    print(f"{'path':8} " + " ".join(f"{c:>8}" for c in columns))
    for name, runs in (("graphql", graphql), ("raw sql", raw)):
        for c, run in sorted(runs.items()):
            print(
                f"{name:8} {c:>8} {len(run.latencies):>8} {run.percentile(50):>8.1f} "
                f"{run.percentile(95):>8.1f} {run.percentile(99):>8.1f} {run.rps:>8.0f}"
            )
    print()
    print("per search at concurrency 1: p50 ms GraphQL / raw SQL, SQL statements (alone /")
    print("with other searches under way), total hits")
    for name, ms in result["search_p50_ms_c1_by_search"].items():
        raw_ms = result["raw_p50_ms_c1_by_search"][name]
        count = result["sql_statements_per_search"][name]
        hits = result["total_hits_per_search"][name]
        print(
            f"  {name:28} {ms:7.1f} / {raw_ms:6.1f} {count['alone']:4} / {count['busy']} {hits:8,}"
        )
    print()
    print(f"GraphQL-to-raw throughput at concurrency 16: {result['graphql_to_raw_ratio']:.2f}"
          "  (target >= 0.5)")  # fmt: skip
    print(f"p95 at concurrency 1: {result['search_p95_ms_c1']:.1f} ms  (target <= 30)")
    print(f"server peak RSS: {result['server_rss_mb']:.0f} MB  (target < 400)")
    print(f"write cost: p95 of an intake seat change {result['write_p95_ms']:.1f} ms "
          f"(p50 {result['write_p50_ms']:.1f} ms, {result['write_changes']} changes)")  # fmt: skip
    print(f"server CPU per search: {result['server_cpu_ms_per_search_c1']:.1f} ms at c1, "
          f"{result['server_cpu_ms_per_search_c16']:.1f} ms at c16; load generator CPU per "
          f"search: {result['client_cpu_ms_per_search_c16']:.1f} ms (HTTP), "
          f"{result['client_cpu_ms_per_raw_search_c16']:.1f} ms (raw) at c16")  # fmt: skip
    speeds = result["host_loop_ms_by_round"]
    print(f"host speed: a fixed loop took {min(speeds):.0f} to {max(speeds):.0f} ms of CPU "
          "across the rounds (lower is faster)")  # fmt: skip
    print("validation, ms (no cache): " + ", ".join(
        f"{name} {ms:.2f}" for name, ms in result["validation_ms"].items()))  # fmt: skip
    print(f"startCheckout at concurrency 16: p95 {result['checkout_p95_ms_c16']:.1f} ms "
          f"(p50 {result['checkout_p50_ms_c16']:.1f} ms, {result['checkout_requests_c16']} "
          "calls; target < 100)")  # fmt: skip
    print(f"200 at once for 10 seats: p95 {result['burst_p95_ms']:.1f} ms (target < 200), "
          f"{result['burst_seats_held']} held, {result['burst_waitlisted']} waitlisted, "
          f"oversold {result['burst_oversold']}")  # fmt: skip
    print(f"{result['webhook_events']} stored webhook events processed in "
          f"{result['webhook_processing_seconds']:.1f} s by one worker running "
          f"{result['webhook_concurrency']} jobs at once (target < 10 s for 1,000), "
          f"{result['webhook_events_confirmed']} bookings confirmed")  # fmt: skip
    print(f"seed: {result['seed_seconds']:.0f} s"
          + (" (earlier run, data reused)" if result["seed_reused"] else ""))  # fmt: skip


async def search_page_figures(
    client: aiohttp.ClientSession, mix: list[Search], args: argparse.Namespace, rss: PeakRss
) -> dict[str, Any]:
    chosen = [search for search in mix if search.name in PAGE_QUERIES]
    page, wrapped = (Run(1, by_search={s.name: [] for s in chosen}) for _ in range(2))
    sizes: dict[str, int] = {}
    paths = ((page, page_caller(client, sizes)), (wrapped, graphql_caller(client, chosen)))
    for _, call in paths:
        await warm_up(call, chosen)
    for _ in range(ROUNDS):
        for run, call in paths:
            await load(run, call, chosen, args.requests_c1 // ROUNDS, args.seconds / ROUNDS, rss)
    return page_figures(page, wrapped, sizes, await asset_bytes(client))


# -- main ----------------------------------------------------------------------------------


async def bench(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = args.data_dir.resolve()
    url, marker = prepare_data(data_dir, args.scale, args.fresh)
    mix = searches(datetime.now(ZoneInfo("Europe/Amsterdam")).date())
    replays, totals = await capture_sql(url, mix)
    bounds = {1: (args.requests_c1, args.seconds), 16: (args.requests_c16, args.seconds)}
    graphql = {c: Run(c, by_search={s.name: [] for s in mix}) for c in bounds}
    speeds: list[float] = []
    raw = {c: Run(c, by_search={s.name: [] for s in mix}) for c in bounds}
    port = free_port()
    log = data_dir.parent / "server.log"
    # The app's own connection settings, so the raw replay runs the very same plans.
    pool = await asyncpg.create_pool(
        _libpq(url), min_size=16, max_size=16, server_settings=READ_SETTINGS
    )
    # Stripe for the server's checkouts and the webhook bench.
    with local_stripe_process() as stripe_base:
        serving = running_server(data_dir, port, args.workers, log, stripe_base)
        with serving as server, PeakRss(server) as rss:
            # aiohttp: a third of httpx's CPU per request (0.9 against 2.2 ms, measured), and the
            # load generator's CPU counts against the server on these two cores.
            async with aiohttp.ClientSession(
                f"http://127.0.0.1:{port}",
                # Idle connections closed before uvicorn closes them (after 5 s), as they sit
                # idle while the raw replay takes its turn.
                connector=aiohttp.TCPConnector(limit=16, keepalive_timeout=3),
                timeout=aiohttp.ClientTimeout(total=120),
            ) as client:
                paths = (
                    (graphql, graphql_caller(client, mix), rss),
                    (raw, raw_caller(pool, replays), None),
                )
                for _, call, _ in paths:
                    await warm_up(call, mix)
                # The two paths take turns, a slice at a time: this machine's speed drifts by
                # up to a half from minute to minute, and the ratio compares them.
                for c, (requests, seconds) in bounds.items():
                    print(
                        f"concurrency {c}: GraphQL over HTTP and raw asyncpg in turns ...",
                        flush=True,
                    )
                    for _ in range(ROUNDS):
                        speeds.append(host_speed())
                        for runs, call, sampler in paths:
                            await load(
                                runs[c], call, mix, requests // ROUNDS, seconds / ROUNDS, sampler
                            )
                print("search page and GraphQL in turns at concurrency 1 ...", flush=True)
                pages = await search_page_figures(client, mix, args, rss)
                print("booking: startCheckout at concurrency 16, then 200 at once for 10 seats ...")
                booking = await booking_figures(client, _libpq(url), args.checkouts)
        await pool.close()
        print("write cost: seat changes, one committed UPDATE each ...", flush=True)
        writes = await write_cost(url, args.write_intakes)
        print(f"webhooks: {args.webhook_events} paid bookings' events stored, then processed ...")
        webhooks = await webhook_figures(_libpq(url), stripe_base, args.webhook_events)
    result = figures(graphql, raw, rss, marker, replays, totals, args.workers, writes)
    result |= _rounded(booking | webhooks | pages)
    result["host_loop_ms_by_round"] = _rounded(speeds)
    result["validation_ms"] = _rounded(validation_ms())
    print_report(graphql, raw, result)
    print_page_report(result)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100_000, help="courses to seed")
    parser.add_argument("--data-dir", type=Path, default=BENCH_DIR / "data")
    parser.add_argument("--fresh", action="store_true", help="seed again even if cached")
    parser.add_argument("--requests-c1", type=int, default=800)
    parser.add_argument("--requests-c16", type=int, default=4000)
    parser.add_argument("--seconds", type=float, default=60, help="time limit per run")
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes (default: one per core here)"
    )
    parser.add_argument(
        "--write-intakes", type=int, default=500, help="intakes the write cost changes (twice)"
    )
    parser.add_argument(
        "--checkouts", type=int, default=400, help="startCheckout calls at concurrency 16"
    )
    parser.add_argument(
        "--webhook-events", type=int, default=1000, help="stored Stripe events to process"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = asyncio.run(bench(args))
    temporary = args.output.with_name(args.output.name + ".tmp")
    temporary.write_text(json.dumps(result, indent=2) + "\n")
    temporary.replace(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
