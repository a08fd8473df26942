"""Booking under load, through the real server (part of `make bench`, run by
tests/bench/search_bench.py while its server is up):

- `startCheckout` at concurrency 16: learners each holding a seat on an upcoming intake of
  a listed course with free seats (their p50/p95);
- the burst: 200 learners at once on one intake with exactly 10 free seats (p95 of the
  burst's requests, how many held a seat, and how many seats the intake then counts:
  more than its capacity would be an oversell).

Learners are written straight to the database with a bearer token each. Afterwards every
trace is removed (the bookings, the jobs they queued, the learners) and the intakes get
back their counts, so the cached scale data stays as it was seeded.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpg

from market.api.graphql import ids
from market.identity import tokens

CHECKOUT = "mutation($i: ID!) { startCheckout(intakeId: $i, paymentMethod: CARD) { outcome } }"
BURST = 200
BURST_SEATS = 10


@dataclass(frozen=True)
class Learner:
    user_id: uuid.UUID
    token: str


async def _learners(conn: asyncpg.Connection, count: int) -> list[Learner]:
    made = [Learner(uuid.uuid4(), tokens.new_secret()) for _ in range(count)]
    await conn.executemany(
        "INSERT INTO users (id, email, password_hash, display_name, preferred_language)"
        " VALUES ($1, $2, 'not-a-hash', 'bench', 'nl')",
        [(who.user_id, f"bench-{who.user_id}@bench.invalid") for who in made],
    )
    await conn.executemany(
        "INSERT INTO auth_tokens (id, user_id, token_hash, expires_at)"
        " VALUES ($1, $2, $3, now() + interval '1 hour')",
        [(uuid.uuid4(), who.user_id, tokens.digest(who.token)) for who in made],
    )
    return made


async def _bookable(conn: asyncpg.Connection, count: int) -> list[asyncpg.Record]:
    """A fixed choice (by the ids' hash) of upcoming intakes of listed courses, each with
    a free seat and no one waiting, with their counts as they were."""
    return await conn.fetch(
        """SELECT i.id, i.seat_capacity, i.seats_taken, i.queue_length
           FROM intakes i JOIN search_courses s USING (course_id)
           WHERE i.seats_taken < i.seat_capacity AND i.queue_length = 0
             AND (i.starts_on IS NULL
                  OR i.starts_on >= (now() AT TIME ZONE 'Europe/Amsterdam')::date)
           ORDER BY md5(i.id::text) LIMIT $1""",
        count,
    )


async def _checkout(
    client: aiohttp.ClientSession, who: Learner, intake: uuid.UUID
) -> tuple[float, str]:
    started = time.perf_counter()
    async with client.post(
        "/graphql",
        json={"query": CHECKOUT, "variables": {"i": ids.encode("Intake", intake)}},
        headers={"Authorization": f"Bearer {who.token}"},
    ) as response:
        body = await response.json()
    spent = time.perf_counter() - started
    if response.status != 200 or body.get("errors"):
        raise RuntimeError(f"startCheckout failed: {response.status} {body}")
    return spent, body["data"]["startCheckout"]["outcome"]


def _p(values: Sequence[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


async def booking_figures(client: aiohttp.ClientSession, url: str, requests: int) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        intakes = await _bookable(conn, requests + 1)
        burst_intake, steady = intakes[0], intakes[1:]
        learners = await _learners(conn, requests + BURST)
        try:
            return await _measure(client, conn, learners, steady, burst_intake)
        finally:
            await clean_up(conn, learners, intakes)
    finally:
        await conn.close()


async def _measure(
    client: aiohttp.ClientSession,
    conn: asyncpg.Connection,
    learners: list[Learner],
    steady: list[asyncpg.Record],
    burst_intake: asyncpg.Record,
) -> dict[str, Any]:
    queue: asyncio.Queue[tuple[Learner, uuid.UUID]] = asyncio.Queue()
    for who, intake in zip(learners, steady, strict=False):
        queue.put_nowait((who, intake["id"]))
    spent: list[float] = []

    async def worker() -> None:
        while not queue.empty():
            who, intake_id = queue.get_nowait()
            spent.append((await _checkout(client, who, intake_id))[0])

    await asyncio.gather(*(worker() for _ in range(16)))
    # The burst: exactly 10 seats free on one intake, 200 learners at once.
    await conn.execute(
        "UPDATE intakes SET seat_capacity = seats_taken + $2 WHERE id = $1",
        burst_intake["id"],
        BURST_SEATS,
    )
    crowd = learners[len(steady) :][:BURST]
    started = time.perf_counter()
    burst = await asyncio.gather(*(_checkout(client, who, burst_intake["id"]) for who in crowd))
    burst_seconds = time.perf_counter() - started
    capacity, taken, queued = await conn.fetchrow(
        "SELECT seat_capacity, seats_taken, queue_length FROM intakes WHERE id = $1",
        burst_intake["id"],
    )
    held = sum(outcome == "SEAT_HELD" for _, outcome in burst)
    return {
        "checkout_requests_c16": len(spent),
        "checkout_p50_ms_c16": _p(spent, 50),
        "checkout_p95_ms_c16": _p(spent, 95),
        "burst_requests": len(burst),
        "burst_p95_ms": _p([seconds for seconds, _ in burst], 95),
        "burst_seconds": burst_seconds,
        "burst_seats_held": held,
        "burst_waitlisted": sum(outcome == "WAITLISTED" for _, outcome in burst),
        "burst_oversold": max(taken - capacity, 0) + max(held - BURST_SEATS, 0),
        "burst_queue_length": queued,
    }


async def clean_up(
    conn: asyncpg.Connection,
    learners: list[Learner],
    intakes: list[asyncpg.Record],
) -> None:
    """Every trace of the run gone (bookings, their payments and ledger, the bench's Stripe
    events, the learners), the intakes' counts as they were."""
    who = [learner.user_id for learner in learners]
    async with conn.transaction():
        await conn.execute(
            "DELETE FROM ledger_entries WHERE enrollment_id IN"
            " (SELECT id FROM enrollments WHERE learner_id = ANY($1))",
            who,
        )
        await conn.execute(
            "DELETE FROM payments WHERE enrollment_id IN"
            " (SELECT id FROM enrollments WHERE learner_id = ANY($1))",
            who,
        )
        await conn.execute("DELETE FROM stripe_events WHERE id LIKE 'evt_bench_%'")
        await conn.execute("DELETE FROM waitlist_entries WHERE learner_id = ANY($1)", who)
        await conn.execute("DELETE FROM enrollments WHERE learner_id = ANY($1)", who)
        await conn.execute("DELETE FROM users WHERE id = ANY($1)", who)
        # The jobs the run queued (mails, events, payments' processing): no worker runs
        # beside the bench, so every job still to do is the run's.
        await conn.execute("DELETE FROM procrastinate_jobs WHERE status = 'todo'")
        await conn.executemany(
            "UPDATE intakes SET seat_capacity = $2, seats_taken = $3, queue_length = $4"
            " WHERE id = $1",
            [tuple(row) for row in intakes],
        )
