"""The chronograph (tenders:advance_tenders, every minute) closes a published tender's
questions and then its bids when their deadlines pass; run twice, late or after a gap it
leaves the same state and skips no step (guarantee 10). Time moves by moving the stored
timeline into the past."""

from __future__ import annotations

from sqlalchemy import text

from market import worker
from market.api.graphql import ids
from market.db import jobs
from market.db.database import Database
from market.tenders import audit, schedule
from market.tenders.policies import TenderState
from tests.support.graphql import GraphQLClient
from tests.tenders.world import TENDER, CoalitionWorld, build_coalition, create_tender, rows

TIMELINE = (
    "publication_at",
    "questions_deadline",
    "bid_deadline",
    "planned_award_at",
    "contract_start_at",
)


async def published(db: Database, gql: GraphQLClient, w: CoalitionWorld | None = None) -> str:
    """A tender of the coalition (of a new one by default), published (publication is its
    own step: here by SQL)."""
    tender = await create_tender(gql, w or await build_coalition(db, gql))
    await set_state(db, tender, "published")
    return tender


async def set_state(db: Database, tender: str, state: str) -> None:
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE tenders SET state = :state, published_at = now() WHERE id = :id"),
            {"state": state, "id": ids.decode("Tender", tender)},
        )


async def passed(db: Database, tender: str, deadline: str) -> None:
    """Moves the tender's whole timeline back so that `deadline` passed a minute ago."""
    shifted = ", ".join(f"{column} = {column} - shift.by" for column in TIMELINE)
    async with db.transaction() as session:
        await session.execute(
            text(
                f"UPDATE tenders SET {shifted} FROM (SELECT {deadline} - now()"  # noqa: S608
                " + interval '1 minute' AS by FROM tenders WHERE id = :id) AS shift"
                " WHERE tenders.id = :id"
            ),
            {"id": ids.decode("Tender", tender)},
        )


async def advance(db: Database) -> list[schedule.Step]:
    """One run of the per-minute job."""
    async with db.transaction() as session:
        return await schedule.advance_due(session)


async def state(gql: GraphQLClient, tender: str) -> str:
    """The tender's state as anyone reads it once published."""
    return str((await gql(TENDER, {"id": tender})).ok()["tender"]["state"])


async def test_guarantee_10_questions_close_then_bids_close_at_their_deadlines(
    db: Database, gql: GraphQLClient
) -> None:
    tender = await published(db, gql)

    assert await advance(db) == []
    assert await state(gql, tender) == "PUBLISHED"

    await passed(db, tender, "questions_deadline")
    [step] = await advance(db)
    assert (step.before, step.after) == (TenderState.PUBLISHED, TenderState.QUESTIONS_CLOSED)
    assert await state(gql, tender) == "QUESTIONS_CLOSED"

    await passed(db, tender, "bid_deadline")
    [step] = await advance(db)
    assert (step.before, step.after) == (TenderState.QUESTIONS_CLOSED, TenderState.BIDS_CLOSED)
    assert await state(gql, tender) == "BIDS_CLOSED"


async def test_guarantee_10_run_twice_or_late_the_state_is_the_same(
    db: Database, gql: GraphQLClient
) -> None:
    tender = await published(db, gql)
    await passed(db, tender, "questions_deadline")

    first, second = await advance(db), await advance(db)

    assert [s.after for s in first] == [TenderState.QUESTIONS_CLOSED]
    assert second == []
    assert await state(gql, tender) == "QUESTIONS_CLOSED"


async def test_guarantee_10_after_a_gap_no_step_is_skipped(
    db: Database, gql: GraphQLClient
) -> None:
    tender = await published(db, gql)
    # Both deadlines passed while nothing ran (the bid deadline a minute ago).
    await passed(db, tender, "bid_deadline")

    steps = await advance(db)

    assert [(s.before, s.after) for s in steps] == [
        (TenderState.PUBLISHED, TenderState.QUESTIONS_CLOSED),
        (TenderState.QUESTIONS_CLOSED, TenderState.BIDS_CLOSED),
    ]
    assert steps[0].due_at < steps[1].due_at
    assert await state(gql, tender) == "BIDS_CLOSED"
    assert await advance(db) == []
    # Each step is in the tender's audit trail, made by no one (the clock), unbroken.
    trail = await rows(
        db,
        "SELECT action, actor_id FROM tender_audit_entries WHERE tender_id = :id ORDER BY sequence",
        id=ids.decode("Tender", tender),
    )
    assert trail[-2:] == [("tender.questions_closed", None), ("tender.bids_closed", None)]
    async with db.transaction() as session:
        assert await audit.verify(session) == []


async def test_only_time_moves_published_tenders_on(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    draft, cancelled = await published(db, gql, w), await published(db, gql, w)
    await set_state(db, draft, "draft")
    await set_state(db, cancelled, "cancelled")
    for tender in (draft, cancelled):
        await passed(db, tender, "bid_deadline")

    assert await advance(db) == []
    assert await rows(db, "SELECT state::text FROM tenders ORDER BY 1") == [
        ("cancelled",),
        ("draft",),
    ]


async def test_the_worker_runs_the_chronograph_every_minute(
    db: Database, gql: GraphQLClient
) -> None:
    queue = worker.job_app(db.url)
    crons = {
        p.task.name: p.cron
        for p in queue.periodic_registry.periodic_tasks.values()
        if p.task.name.startswith("tenders:")
    }
    assert crons == {
        "tenders:advance_tenders": "* * * * *",
        "tenders:forget_abandoned_uploads": "17 * * * *",
    }

    tender = await published(db, gql)
    await passed(db, tender, "questions_deadline")
    async with queue.open_async():
        await queue.configure_task("tenders:advance_tenders").defer_async(timestamp=0)
        await queue.run_worker_async(
            wait=False, install_signal_handlers=False, additional_context=jobs.job_context(db)
        )

    assert await state(gql, tender) == "QUESTIONS_CLOSED"
