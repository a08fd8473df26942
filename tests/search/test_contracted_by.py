"""Contracts reaching course search over time: a contract counts from its first day up to
its end, an extension keeps it counting, the daily job notices contracts starting and
ending, a signed or extended contract reaches search through its event's subscriber, and
both engines' documents and the GraphQL API show it. What the filter and the facet find
on every engine is the contract's (tests/search/contract/test_contracted.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select, text

from market import worker
from market.api.graphql import ids
from market.catalog.models import CatalogChange
from market.db import jobs, outbox
from market.db.database import Database
from market.kernel.pagination import PageRequest
from market.search import indexer, service
from market.search import tasks as search_tasks
from market.search.criteria import CourseSearch
from market.search.documents import course_documents
from tests.search.contracts import contract, extend, move_term
from tests.support.catalog import add_course, add_intake, add_location, add_provider, today
from tests.support.graphql import GraphQLClient

AMSTERDAM, UTRECHT = "GM0363", "GM0344"


async def contracted(db: Database, code: str) -> list[uuid.UUID]:
    """The course ids searchCourses(filter: {contractedBy: code}) finds on PostgreSQL."""
    async with db.reader() as session:
        result = await service.search_courses(
            session, CourseSearch(contracted_by=code), PageRequest(50)
        )
    return [hit.course.id for hit in result.page.items]


async def a_course(db: Database, name: str = "Taalschool Fictief") -> tuple[uuid.UUID, uuid.UUID]:
    """A provider with one listed course (continuous intake at Amsterdam)."""
    provider = await add_provider(db, name=name)
    location = await add_location(db, provider)
    course = await add_course(db, provider, title=f"B1 bij {name}")
    await add_intake(db, course, location)
    return provider, course


async def a_new_day(db: Database) -> int:
    async with db.transaction() as session:
        return await indexer.contracts_changed(session)


async def test_a_contract_counts_from_its_first_day_until_its_end(db: Database) -> None:
    provider, course = await a_course(db)
    day = today()
    signed = await contract(
        db, provider, AMSTERDAM, starts_on=day + timedelta(days=1), ends_on=day + timedelta(days=30)
    )
    assert await contracted(db, AMSTERDAM) == []

    # The day it starts (time moves by the stored dates): the daily job finds it.
    await move_term(db, signed, day, day + timedelta(days=29))
    assert await contracted(db, AMSTERDAM) == []  # nothing stated: not yet seen
    assert await a_new_day(db) == 1
    assert await contracted(db, AMSTERDAM) == [course]

    # The day it ends it no longer counts.
    await move_term(db, signed, day - timedelta(days=29), day)
    assert await a_new_day(db) == 1
    assert await contracted(db, AMSTERDAM) == []


async def test_the_daily_job_run_twice_or_late_changes_nothing_more(db: Database) -> None:
    provider, course = await a_course(db)
    day = today()
    signed = await contract(
        db, provider, AMSTERDAM, starts_on=day + timedelta(days=3), ends_on=day + timedelta(days=30)
    )
    # Three days pass without a run: the first run catches up, a second finds nothing.
    await move_term(db, signed, day, day + timedelta(days=27))

    assert await a_new_day(db) == 1
    assert await a_new_day(db) == 0
    assert await contracted(db, AMSTERDAM) == [course]


async def test_an_extension_keeps_the_contract_counting_past_its_first_end(db: Database) -> None:
    provider, course = await a_course(db)
    day = today()
    signed = await contract(
        db, provider, AMSTERDAM, starts_on=day - timedelta(days=30), ends_on=day + timedelta(days=1)
    )
    await extend(db, signed, day + timedelta(days=366))

    # Two days later (the stored term moved back two days): past the first end, it runs on.
    await move_term(db, signed, day - timedelta(days=32), day + timedelta(days=364))
    assert await a_new_day(db) == 0
    assert await contracted(db, AMSTERDAM) == [course]


async def test_a_course_published_later_carries_its_providers_contracts(db: Database) -> None:
    provider, first = await a_course(db)
    day = today()
    await contract(db, provider, UTRECHT, starts_on=day, ends_on=day + timedelta(days=30))
    location = await add_location(db, provider)
    second = await add_course(db, provider, title="Nieuw")
    await add_intake(db, second, location)

    assert sorted(await contracted(db, UTRECHT)) == sorted([first, second])


async def test_a_signed_or_extended_contract_reaches_search_through_its_subscriber(
    db: Database,
) -> None:
    provider, course = await a_course(db)
    day = today()
    signed = await contract(
        db, provider, AMSTERDAM, starts_on=day, ends_on=day + timedelta(days=30), applied=False
    )
    assert await contracted(db, AMSTERDAM) == []

    await run_search_jobs(db)
    assert await contracted(db, AMSTERDAM) == [course]

    # Extended past the end that time then reaches: still counted after the subscriber.
    await extend(db, signed, day + timedelta(days=390), applied=False)
    await move_term(db, signed, day - timedelta(days=31), day + timedelta(days=359))
    await run_search_jobs(db)
    assert await contracted(db, AMSTERDAM) == [course]
    assert await pending_changes(db, course) >= 1  # Meilisearch's documents follow


async def run_search_jobs(db: Database) -> None:
    app = worker.job_app(db.url)
    async with app.open_async():
        await app.run_worker_async(
            queues=[outbox.QUEUE, search_tasks.QUEUE],
            wait=False,
            install_signal_handlers=False,
            additional_context=jobs.job_context(db) | search_tasks.job_context(None),
        )


async def pending_changes(db: Database, course_id: uuid.UUID) -> int:
    async with db.reader() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(CatalogChange)
            .where(CatalogChange.course_id == course_id)
        )
    return count or 0


def test_contract_events_are_subscribed_by_search() -> None:
    for name in ("tenders.contract_signed", "tenders.contract_extended"):
        assert worker.SUBSCRIPTIONS[name] == (search_tasks.CONTRACT_CHANGED,)


async def test_meilisearch_documents_carry_the_contracting_municipalities(db: Database) -> None:
    provider, course = await a_course(db)
    _, other = await a_course(db, "Leerhuis Elders")
    day = today()
    await contract(db, provider, UTRECHT, starts_on=day, ends_on=day + timedelta(days=30))
    await contract(db, provider, AMSTERDAM, starts_on=day - timedelta(days=9), ends_on=day)
    await contract(
        db, provider, "GM0014", starts_on=day - timedelta(days=9), ends_on=day + timedelta(days=9)
    )

    async with db.reader() as session:
        built = await course_documents(session, [course, other], day)

    by_course = {doc["course_id"]: doc["contracted_by"] for doc in built.documents}
    assert by_course == {str(course): ["GM0014", UTRECHT], str(other): []}


async def test_a_contract_reaches_the_changes_for_meilisearch(db: Database) -> None:
    provider, course = await a_course(db)
    async with db.transaction() as session:
        await session.execute(text("DELETE FROM catalog_changes"))
    day = today()

    await contract(db, provider, UTRECHT, starts_on=day, ends_on=day + timedelta(days=30))

    assert await pending_changes(db, course) == 1


# -- through GraphQL ------------------------------------------------------------------------

SEARCH = """
query($filter: CourseFilter) {
  searchCourses(filter: $filter) {
    totalCount
    nodes { course { title contractedBy { code name regionCode } } }
    facets { field values { value label labelKey count } }
  }
}
"""


async def test_search_filters_counts_and_badges_by_contracting_municipality(
    db: Database, gql: GraphQLClient
) -> None:
    provider, _ = await a_course(db, "Taalschool Fictief")
    await a_course(db, "Leerhuis Elders")
    day = today()
    await contract(db, provider, UTRECHT, starts_on=day, ends_on=day + timedelta(days=30))
    await contract(db, provider, AMSTERDAM, starts_on=day, ends_on=day + timedelta(days=30))

    found = (await gql(SEARCH, {"filter": {"contractedBy": "gm0344"}})).ok()["searchCourses"]

    assert found["totalCount"] == 1
    assert found["nodes"] == [
        {
            "course": {
                "title": "B1 bij Taalschool Fictief",
                "contractedBy": [
                    {"code": UTRECHT, "name": "Utrecht", "regionCode": "AM13"},
                    {"code": AMSTERDAM, "name": "Amsterdam", "regionCode": "AM18"},
                ],
            }
        }
    ]
    [facet] = [f for f in found["facets"] if f["field"] == "CONTRACTED_BY"]
    assert facet["values"] == [
        {"value": UTRECHT, "label": "Utrecht", "labelKey": "contracted_by.GM0344", "count": 1},
        {"value": AMSTERDAM, "label": "Amsterdam", "labelKey": "contracted_by.GM0363", "count": 1},
    ]
    everything = (await gql(SEARCH, {})).ok()["searchCourses"]
    assert everything["totalCount"] == 2
    assert sorted(len(node["course"]["contractedBy"]) for node in everything["nodes"]) == [0, 2]


async def test_a_course_shows_the_municipalities_contracting_its_provider(
    db: Database, gql: GraphQLClient
) -> None:
    provider, course = await a_course(db)
    day = today()
    await contract(db, provider, UTRECHT, starts_on=day, ends_on=day + timedelta(days=30))
    await contract(
        db, provider, AMSTERDAM, starts_on=day + timedelta(days=1), ends_on=day + timedelta(days=30)
    )

    found = (
        await gql(
            "query($id: ID!) { course(id: $id) { contractedBy { code name } } }",
            {"id": ids.encode("Course", course)},
        )
    ).ok()

    assert found == {"course": {"contractedBy": [{"code": UTRECHT, "name": "Utrecht"}]}}
