"""`market`: serve, worker, db upgrade, seed, search reindex/sync, tenders verify, schema,
errors."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import os
import signal
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click
from click.decorators import FC

from market.settings import PREFIX, Settings

if TYPE_CHECKING:
    from market.db.database import Database
    from market.demo.seed import SeedSummary
    from market.tenders import audit

SCHEMA_FILE = Path("graphql/schema.graphql")
ERRORS_FILE = Path("graphql/ERRORS.md")


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """The civic-integration course market.

    Configured by MARKET_* environment variables. Without MARKET_DATABASE_URL the
    commands that need a database start (or attach to) an embedded PostgreSQL in
    MARKET_DATA_DIR.
    """
    ctx.obj = Settings.from_env()


def with_database(settings: Settings) -> Settings:
    """The settings with a concrete database URL (starting the embedded server if needed).
    Whether jobs run inside `serve` is decided first: afterwards every URL looks external."""
    from market.app import resolve_database_url

    return dataclasses.replace(
        settings,
        database_url=resolve_database_url(settings),
        embedded_worker=settings.runs_embedded_worker,
    )


@main.command(short_help="Serve the web app and GraphQL API.")
@click.option("--demo", is_flag=True, help="Seed the demo data first if the database is empty.")
@click.option("--workers", type=click.IntRange(1, 64), help="Server processes (MARKET_WORKERS).")
@click.pass_obj
def serve(settings: Settings, demo: bool, workers: int | None) -> None:
    """Migrate, optionally seed the demo data, and serve HTTP on MARKET_HOST:MARKET_PORT.

    With the embedded database (or MARKET_EMBEDDED_WORKER=true) the background job
    worker runs inside each server process too.
    """
    import uvicorn

    from market.app import served_app

    workers = workers or settings.workers
    if workers < 1:
        raise click.BadParameter("must be at least 1", param_hint="MARKET_WORKERS")
    local = not settings.takes_payments and settings.uses_embedded_database
    settings = with_database(settings)
    if local:
        settings = with_local_stripe(settings)
    asyncio.run(_prepare(settings, demo=demo))
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the handler
    # it found: make that an ordinary exit, so that the exit hooks run and the embedded
    # PostgreSQL this process started is stopped with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run = functools.partial(
        uvicorn.run,
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        log_config=None,
    )
    if workers == 1:
        run(served_app(settings))
        return
    # Each process builds its app from the environment: hand it the database resolved here
    # (this process keeps an embedded server running while it supervises them).
    os.environ[PREFIX + "DATABASE_URL"] = settings.database_url
    os.environ[PREFIX + "EMBEDDED_WORKER"] = "true" if settings.runs_embedded_worker else "false"
    for name in ("stripe_secret_key", "stripe_publishable_key", "stripe_webhook_secret"):
        os.environ[PREFIX + name.upper()] = getattr(settings, name)
    os.environ[PREFIX + "STRIPE_API_BASE"] = settings.stripe_api_base
    os.environ[PREFIX + "STRIPE_JS_URL"] = settings.stripe_js_url
    os.environ[PREFIX + "STRIPE_CONNECT"] = "true" if settings.stripe_connect else "false"
    run("market.app:served_app", factory=True, workers=workers)


def with_local_stripe(settings: Settings) -> Settings:
    """Development without a Stripe key: localstripe (a fake Stripe) in this process on a
    free loopback port, the app pointed at it with Connect off, and its webhooks sent to
    this server's /webhooks/stripe, so a payment confirms end to end. Without the
    localstripe package (a production install), online payment stays off."""
    import secrets

    try:
        from market.payments import local_stripe

        server = local_stripe.start()
    except ImportError:
        click.echo("localstripe is not installed: online payment is off", err=True)
        return settings
    secret = "whsec_" + secrets.token_hex(16)
    host = "127.0.0.1" if settings.host in {"", "0.0.0.0", "::"} else settings.host  # noqa: S104
    server.register_webhook(
        "market",
        f"http://{host}:{settings.port}/webhooks/stripe",
        secret,
        ["payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled"],
    )
    click.echo(f"payments: localstripe at {server.base} (test card 4242 4242 4242 4242)", err=True)
    return dataclasses.replace(
        settings,
        stripe_secret_key=local_stripe.SECRET_KEY,
        stripe_publishable_key=local_stripe.PUBLISHABLE_KEY,
        stripe_webhook_secret=secret,
        stripe_api_base=server.base,
        stripe_js_url=local_stripe.js_url(server.base),
        stripe_connect=False,
    )


async def _prepare(settings: Settings, *, demo: bool) -> None:
    """Migrate; with `demo`, seed the demo data unless the database already holds data."""
    from market.db import migrate
    from market.db.database import Database

    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db.engine)
        if demo:
            await _load(db, settings, scale=None)
    finally:
        await db.dispose()


async def _load(db: Database, settings: Settings, *, scale: int | None) -> SeedSummary | None:
    """Seed in one transaction (demo: only into an empty database, else None), then compact
    the search tables the bulk load bloated."""
    from market.demo import seed
    from market.search import postgres as search_tables

    async with db.transaction() as session:
        if scale is not None:
            summary = await seed.seed_scale(session, courses=scale, today=_today())
        elif await seed.demo_is_present(session):
            return None
        else:
            summary = await seed.seed_demo(session, password=settings.demo_password, today=_today())
    await search_tables.compact(db.engine)
    _report(summary)
    return summary


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def _report(summary: SeedSummary) -> None:
    click.echo(
        f"seeded {summary.providers} providers, {summary.courses} courses, "
        f"{summary.intakes} intakes, {len(summary.accounts)} accounts",
        err=True,
    )


@main.command("seed")
@click.option("--demo", "mode", flag_value="demo", help="The fictional demo world and accounts.")
@click.option("--scale", type=click.IntRange(1, 2_000_000), metavar="N",
              help="N extra courses (3 intakes each) for benchmarks.")  # fmt: skip
@click.pass_obj
def seed_command(settings: Settings, mode: str | None, scale: int | None) -> None:
    """Fill the database: `--demo` once (refused if data is present), or `--scale N`."""
    if (mode is None) == (scale is None):
        raise click.UsageError("give exactly one of --demo or --scale N")
    settings = with_database(settings)
    asyncio.run(_seed(settings, scale))


async def _seed(settings: Settings, scale: int | None) -> None:
    from market.db import migrate
    from market.db.database import Database

    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db.engine)
        summary = await _load(db, settings, scale=scale)
        if summary is None:
            raise click.ClickException("the database already holds data; not seeding")
        if scale is None:
            for email, what in summary.accounts[:12]:
                click.echo(f"  {email:55} {what}")
            click.echo(f"  ... and {len(summary.accounts) - 12} more (see README.md)")
            click.echo(f"every demo account's password: {settings.demo_password}")
    finally:
        await db.dispose()


@main.command(short_help="Run background and periodic jobs.")
@click.pass_obj
def worker(settings: Settings) -> None:
    """Run background and periodic jobs until stopped (Ctrl+C or SIGTERM).

    Run it beside `market serve` when MARKET_DATABASE_URL is set; any number of workers
    may share one database. Running jobs get 30 seconds to finish when it stops.
    """
    from market import logging as market_logging

    settings = with_database(settings)
    market_logging.configure(settings.log_level)
    asyncio.run(_work(settings))


async def _work(settings: Settings) -> None:
    from market import worker as job_worker
    from market.app import meilisearch, payments
    from market.db.database import Database
    from market.enrollment.policies import BookingRules
    from market.files import FolderStore

    db = Database(settings.database_url, pool_size=settings.db_pool_size)
    engine = meilisearch(settings)
    try:
        await job_worker.run(
            db,
            mail=job_worker.post(settings),
            search_engine=engine,
            booking=BookingRules.of(settings),
            payments=payments(settings),
            files=FolderStore(settings.files_dir),
            concurrency=settings.worker_concurrency,
        )
    finally:
        if engine is not None:
            await engine.aclose()
        await db.dispose()


@main.group()
def search() -> None:
    """The Meilisearch index (used when MARKET_MEILISEARCH_URL is set)."""


@search.command()
@click.pass_obj
def reindex(settings: Settings) -> None:
    """Rebuild the Meilisearch index from the catalog and swap it in atomically.

    Builds `courses_<timestamp>` with the settings in MARKET_SEARCH_CONFIG_DIR, fills it
    with every published course, swaps it with `courses` and deletes the old index.
    """
    if not settings.meilisearch_url:
        raise click.UsageError("set MARKET_MEILISEARCH_URL: without it search reads PostgreSQL")
    settings = with_database(settings)
    asyncio.run(_reindex(settings))


async def _reindex(settings: Settings) -> None:
    from market.app import meilisearch
    from market.db import migrate
    from market.db.database import Database
    from market.search import indexer, synonyms

    db = Database(settings.database_url)
    engine = meilisearch(settings)
    assert engine is not None  # checked by the command
    try:
        await migrate.upgrade(db.engine)
        rebuilt = await indexer.reindex(db, engine, synonyms.config_dir(settings.search_config_dir))
    finally:
        await engine.aclose()
        await db.dispose()
    click.echo(
        f"{rebuilt.index} is now `courses`: {rebuilt.courses} courses, "
        f"{rebuilt.documents} intake documents; {rebuilt.reopened} recent changes re-queued"
    )


@search.command()
@click.pass_obj
def sync(settings: Settings) -> None:
    """Apply pending catalog changes to the index now (the worker does it every minute)."""
    settings = with_database(settings)
    applied = asyncio.run(_sync(settings))
    click.echo(f"applied {applied} catalog changes")


async def _sync(settings: Settings) -> int:
    from market.app import meilisearch
    from market.db.database import Database
    from market.search import indexer

    db = Database(settings.database_url)
    engine = meilisearch(settings)
    try:
        return await indexer.drain(db.transaction, engine)
    finally:
        if engine is not None:
            await engine.aclose()
        await db.dispose()


@main.group()
def tenders() -> None:
    """Regional joint tenders."""


@tenders.command()
@click.pass_obj
def verify(settings: Settings) -> None:
    """Check every tender's and coalition's audit chain; exit 1 if any is broken.

    Prints each break (a tampered entry, a missing one, a head that disagrees with the
    chain), naming the tender or coalition.
    """
    settings = with_database(settings)
    breaks = asyncio.run(_verify(settings))
    for found in breaks:
        click.echo(str(found))
    if not breaks:
        click.echo("every audit chain is intact")
        return
    broken = len({found.subject_id for found in breaks})
    click.echo(f"{broken} broken audit chain{'' if broken == 1 else 's'}")
    sys.exit(1)


async def _verify(settings: Settings) -> list[audit.Break]:
    from market.db.database import Database
    from market.tenders import audit

    db = Database(settings.database_url, pool_size=1)
    try:
        async with db.reader() as session:
            return await audit.verify(session)
    finally:
        await db.dispose()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@click.pass_obj
def upgrade(settings: Settings) -> None:
    """Run the migrations up to the newest revision."""
    settings = with_database(settings)
    asyncio.run(_prepare(settings, demo=False))
    click.echo("database at the newest revision")


def _path_option(default: Path) -> Callable[[FC], FC]:
    return click.option(
        "--path",
        type=click.Path(path_type=Path),
        default=default,
        show_default=True,
        help="The file to write or check.",
    )


_check_option = click.option(
    "--check", is_flag=True, help="Exit non-zero if the file differs from the code."
)


def _write_or_check(path: Path, text: str, *, check: bool, command: str) -> None:
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            click.echo(f"{path} is out of date: run `market {command}`", err=True)
            sys.exit(1)
        click.echo(f"{path} is up to date")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}")


@main.command(short_help="Export graphql/schema.graphql, or --check it.")
@_check_option
@_path_option(SCHEMA_FILE)
def schema(check: bool, path: Path) -> None:
    """Write the GraphQL schema (SDL) exported by the code to graphql/schema.graphql."""
    from market.api.graphql.schema import build_schema

    _write_or_check(path, build_schema().as_str() + "\n", check=check, command="schema")


@main.command(short_help="Export graphql/ERRORS.md, or --check it.")
@_check_option
@_path_option(ERRORS_FILE)
def errors(check: bool, path: Path) -> None:
    """Write the table of error reasons, with their codes and parameters, from the code."""
    from market.api.graphql.reasons import document

    _write_or_check(path, document(), check=check, command="errors")
