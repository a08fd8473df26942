"""The Meilisearch side of the search contract (see conftest.search_backend): the arranged
catalog is indexed by the real `reindex` (settings from search/) into this test process's
own index, rebuilt and swapped in for every test, so each test sees exactly its catalog."""

from __future__ import annotations

from market.db.database import Database
from market.search import indexer
from market.search.backend import SearchBackend
from market.settings import Settings
from tests.support.search_engines import SEARCH_DIR, shared_contract_engine


async def make_backend(db: Database, settings: Settings) -> SearchBackend:
    engine = shared_contract_engine()
    await indexer.reindex(db, engine, SEARCH_DIR)
    return engine
