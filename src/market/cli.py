"""`market`: serve, worker, db upgrade, seed, schema."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from market.settings import Settings

SCHEMA_FILE = Path("graphql/schema.graphql")


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """The civic-integration course market."""
    ctx.obj = Settings.from_env()


@main.command()
@click.option("--demo", is_flag=True, help="Seed the demo data first if the database is empty.")
@click.pass_obj
def serve(settings: Settings, demo: bool) -> None:
    """Migrate, optionally seed the demo data, and serve HTTP on MARKET_HOST:MARKET_PORT."""
    import uvicorn

    from market.app import create_app, resolve_database_url

    settings = Settings.from_env(database_url=resolve_database_url(settings))
    asyncio.run(_prepare(settings, demo=demo))
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


async def _prepare(settings: Settings, *, demo: bool) -> None:
    from market.db import migrate
    from market.db.database import Database

    db = Database(settings.database_url)
    try:
        await migrate.upgrade(db.engine)
    finally:
        await db.dispose()


@main.group()
def db() -> None:
    """Database maintenance."""


@db.command()
@click.pass_obj
def upgrade(settings: Settings) -> None:
    """Run the migrations up to the newest revision."""
    from market.app import resolve_database_url

    settings = Settings.from_env(database_url=resolve_database_url(settings))
    asyncio.run(_prepare(settings, demo=False))
    click.echo("database at the newest revision")


@main.command()
@click.option("--check", is_flag=True, help="Exit non-zero if the file differs from the code.")
@click.option("--path", type=click.Path(path_type=Path), default=SCHEMA_FILE, show_default=True)
def schema(check: bool, path: Path) -> None:
    """Write the GraphQL schema (SDL) exported by the code to graphql/schema.graphql."""
    from market.api.graphql.schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != sdl:
            click.echo(f"{path} is out of date: run `market schema`", err=True)
            sys.exit(1)
        click.echo(f"{path} is up to date")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sdl, encoding="utf-8")
    click.echo(f"wrote {path}")
