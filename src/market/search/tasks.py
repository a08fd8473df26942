"""Search's background jobs. `blueprint()` declares them; the worker registers them under the
`search` namespace:

- `search:sync_index` applies pending catalog changes to Meilisearch, batch by batch, each
  batch in its own transaction (so a Meilisearch failure leaves only that batch pending).
  It runs every minute and can be deferred on demand (`market search sync` runs the same
  work at once).
- `search:record_new_day` queues the courses whose documents depend on the date,
  re-summarises PostgreSQL's search rows that the new day made stale, and brings the
  courses of providers whose contracts started or ended up to date (contractedBy), daily.
- `search:contract_changed` does the latter for one provider when a contract with it is
  signed or extended (subscribed to tenders' ContractSigned and ContractExtended in
  market.worker.SUBSCRIPTIONS).
- `search:compact_slots` moves PostgreSQL's listed courses into the bitmap slots that
  courses no longer listed freed, daily, in its own transaction (it makes search writers
  wait while it runs, so it holds nothing else).
- `search:purge` removes processed catalog changes older than a day (finished jobs of every
  queue are removed by the worker's own `platform:remove_finished_jobs`).
"""

from __future__ import annotations

from typing import Any

import structlog
from procrastinate import Blueprint, JobContext

from market.db import jobs, outbox
from market.search import indexer, postgres
from market.search.meilisearch import MeilisearchSearch
from market.tenders.events import ContractExtended, ContractSigned

log = structlog.get_logger("market.search.tasks")

QUEUE = "search"
EVERY_MINUTE = "* * * * *"
# Just after midnight in the Netherlands (cron runs in UTC).
DAILY = "7 23 * * *"
# Half an hour after the new day's work, so the two never hold each other up.
DAILY_COMPACTION = "37 23 * * *"
HOURLY = "41 * * * *"
_ENGINE = "search_engine"
CONTRACT_CHANGED = "search:contract_changed"
_CONTRACT_EVENTS: dict[str, type[ContractSigned | ContractExtended]] = {
    event.name: event for event in (ContractSigned, ContractExtended)
}


def job_context(engine: MeilisearchSearch | None) -> dict[str, Any]:
    """What the worker adds to every job's context: the Meilisearch engine, or None when
    search runs on PostgreSQL."""
    return {_ENGINE: engine}


def _engine(context: JobContext) -> MeilisearchSearch | None:
    engine: MeilisearchSearch | None = context.additional_context.get(_ENGINE)
    return engine


async def sync_index(context: JobContext, timestamp: int) -> None:
    engine = _engine(context)
    applied = await indexer.drain(lambda: jobs.transaction(context), engine)
    if applied:
        log.info("applied catalog changes", changes=applied, to_meilisearch=engine is not None)


async def record_new_day(context: JobContext, timestamp: int) -> None:
    async with jobs.transaction(context) as session:
        queued = await indexer.record_new_day(session)
        refreshed = await postgres.refresh_stale(session)
        contracted = await indexer.contracts_changed(session)
    log.info(
        "a new day for search",
        queued_for_meilisearch=queued,
        refreshed_postgres_summaries=refreshed,
        courses_with_other_contracts=contracted,
    )


async def contract_changed(context: JobContext, event: dict[str, Any]) -> None:
    delivery = outbox.received(_CONTRACT_EVENTS[event["name"]], event)
    supplier = delivery.event.supplier_id
    async with jobs.transaction(context) as session:
        changed = await indexer.contracts_changed(session, [supplier])
    log.info("a contract changed", provider_id=str(supplier), courses_changed=changed)


async def compact_slots(context: JobContext, timestamp: int) -> None:
    async with jobs.transaction(context) as session:
        moved = await postgres.compact_slots(session)
    log.info("compacted the search slots", moved_courses=moved)


async def purge(context: JobContext, timestamp: int) -> None:
    async with jobs.transaction(context) as session:
        removed = await indexer.purge(session)
    log.info("purged processed catalog changes", removed=removed)


def blueprint() -> Blueprint:
    """A fresh set of task objects for each App (see identity.tasks.blueprint)."""
    tasks = Blueprint()
    # The queueing lock keeps at most one sync waiting, however often it is deferred.
    sync = tasks.task(name="sync_index", queue=QUEUE, pass_context=True,
                      queueing_lock="search:sync_index")(sync_index)  # fmt: skip
    tasks.periodic(cron=EVERY_MINUTE)(sync)
    new_day = tasks.task(name="record_new_day", queue=QUEUE, pass_context=True)(record_new_day)
    tasks.periodic(cron=DAILY)(new_day)
    compaction = tasks.task(name="compact_slots", queue=QUEUE, pass_context=True)(compact_slots)
    tasks.periodic(cron=DAILY_COMPACTION)(compaction)
    tasks.periodic(cron=HOURLY)(tasks.task(name="purge", queue=QUEUE, pass_context=True)(purge))
    tasks.task(name="contract_changed", queue=QUEUE, pass_context=True)(contract_changed)
    return tasks
