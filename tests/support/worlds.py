"""Worlds built once and cloned per test: a test taking a world fixture gets a fresh
database cloned from one in which the world's builder already ran (through the real app,
as it would in the test), and the world it returned. Each pytest-xdist worker builds each
world once, the first time a test asks for it.

A world fixture is declared with `shared_world(name, builder)`; the builder takes the
database and a GraphQL client, as every `build_*` helper does. A test takes at most one
world fixture: it is its database's starting point."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from market.app import create_app
from market.db.database import Database
from market.settings import Settings
from tests.support.graphql import GraphQLClient

Builder = Callable[[Database, GraphQLClient], Awaitable[Any]]
CreateDatabase = Callable[[str, str], None]


@dataclass(frozen=True)
class _Built:
    database: str
    world: Any


_builders: dict[str, Builder] = {}
_built: dict[str, _Built] = {}


def shared_world(name: str, builder: Builder) -> Any:
    """A fixture `name` giving the world `builder` returned, in a database it built."""
    assert _builders.setdefault(name, builder) is builder, f"two worlds named {name}"

    @pytest.fixture(name=name)
    def world(database_url: str) -> Any:
        return _built[name].world

    return world


def template_for(
    fixtures: Iterable[str], template: str, url_of: Callable[[str], str], create: CreateDatabase
) -> str:
    """The database a test's own is cloned from: its world's (built now if not yet), or
    `template` when it takes no world. `url_of` gives a database's URL by name; `create`
    clones (new name, template name)."""
    names = [name for name in fixtures if name in _builders]
    assert len(names) <= 1, f"a test takes one world, not {names}"
    if not names:
        return template
    (name,) = names
    if name not in _built:
        database = f"world_{os.getpid()}_{name}"
        create(database, template)
        world = asyncio.run(_build(_builders[name], url_of(database)))
        _built[name] = _Built(database, world)
    return _built[name].database


async def _build(builder: Builder, url: str) -> Any:
    """Runs the builder against the app, then closes every connection: a database being
    cloned must have none."""
    settings = Settings(database_url=url, embedded_worker=False, db_pool_size=5)
    db = Database(url, pool_size=2)
    try:
        async with AsyncTestClient(app=create_app(settings)) as http:
            return await builder(db, GraphQLClient(http))
    finally:
        await db.dispose()
