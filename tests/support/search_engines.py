"""A Meilisearch engine for tests that need a live server: only where MARKET_MEILISEARCH_URL
names one (none runs on the development machine; there such tests skip, saying why).

`meilisearch_engine(db)` gives a private index, filled from the test's database by the
real `reindex` (settings from search/) on `sync()`, and deleted when the block ends.
`shared_contract_engine()` is the search contract suite's engine (one index per test
process, rebuilt for every test; see tests/search/contract/meilisearch_engine.py).
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from market.db.database import Database
from market.search import indexer
from market.search.meilisearch import MeilisearchSearch

SEARCH_DIR = Path(__file__).resolve().parents[2] / "search"
URL_VARIABLE = "MARKET_MEILISEARCH_URL"
KEY_VARIABLE = "MARKET_MEILISEARCH_API_KEY"
NO_SERVER = (
    f"no Meilisearch server: set {URL_VARIABLE} (and {KEY_VARIABLE}) to run the search "
    "tests against Meilisearch"
)


def _connect(index: str) -> MeilisearchSearch:
    url = os.environ.get(URL_VARIABLE)
    if not url:
        pytest.skip(NO_SERVER)
    return MeilisearchSearch.connect(url, os.environ.get(KEY_VARIABLE, ""), index=index)


@dataclass
class Engine:
    backend: MeilisearchSearch
    db: Database

    async def sync(self) -> None:
        """Rebuild the index from the database as it is now."""
        await indexer.reindex(self.db, self.backend, SEARCH_DIR)


@asynccontextmanager
async def meilisearch_engine(db: Database) -> AsyncIterator[Engine]:
    engine = _connect(f"test_{uuid.uuid4().hex}")
    try:
        yield Engine(engine, db)
    finally:
        await engine.client.delete_index_if_exists(engine.index)
        await engine.aclose()


@functools.cache
def shared_contract_engine() -> MeilisearchSearch:
    return _connect(f"market_contract_{os.getpid()}")
