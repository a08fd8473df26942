"""After a correction at least MARKET_TENDER_CORRECTION_MIN_DAYS remain before the bid
deadline (here set to 20): a sooner deadline moves to that day, by the database clock, and
the planned award and contract start move by as much; a later one stays. The setting never
leaves less than the 6 days answers need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from market.db.database import Database
from market.settings import Settings
from market.tenders.corrections import CorrectionRules
from tests.support.graphql import GraphQLClient
from tests.tenders.correction_world import correct, published_tender
from tests.tenders.test_publication import events
from tests.tenders.world import TENDER, build_coalition, publishable_input, rows

MIN_DAYS = 20


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        embedded_worker=False,
        db_pool_size=5,
        tender_correction_min_days=MIN_DAYS,
    )


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _deadline_in(db: Database, days: int) -> None:
    """Moves the whole stored timeline so that the bid deadline is `days` days away."""
    columns = ("publication_at", "questions_deadline", "planned_award_at", "contract_start_at")
    shifted = ", ".join(f"{column} = {column} - shift.by" for column in columns)
    async with db.transaction() as session:
        await session.execute(
            text(
                f"UPDATE tenders SET {shifted}, bid_deadline = bid_deadline - shift.by"  # noqa: S608
                " FROM (SELECT bid_deadline - now() - make_interval(days => :days) AS by"
                " FROM tenders) AS shift"
            ),
            {"days": days},
        )


async def _corrected(db: Database, gql: GraphQLClient, days: int) -> tuple[Any, Any, datetime]:
    """A published tender whose bid deadline is `days` away, corrected (one lot's maximum):
    the timeline before, the tender after, and the database clock just before."""
    w = await build_coalition(db, gql)
    tender = await published_tender(db, gql, w)
    await _deadline_in(db, days)
    before = (await gql(TENDER, {"id": tender})).ok()["tender"]["timeline"]
    draft = publishable_input(w)
    draft["timeline"] = before
    draft["lots"][0]["maxValueCents"] = 160_000_000
    ((now,),) = await rows(db, "SELECT now()")
    after = (await correct(gql, w, tender, draft)).ok()["updateTender"]
    return before, after, now


async def test_a_deadline_sooner_than_the_setting_moves_later_with_what_follows_it(
    db: Database, gql: GraphQLClient
) -> None:
    before, after, now = await _corrected(db, gql, days=12)
    ((later,),) = await rows(db, "SELECT now()")

    moved = _at(after["timeline"]["bidDeadline"]) - _at(before["bidDeadline"])
    [rectification] = after["rectifications"]
    # December: no switch to or from summer time within the 20 days.
    assert now + timedelta(days=MIN_DAYS) <= _at(after["timeline"]["bidDeadline"])
    assert _at(after["timeline"]["bidDeadline"]) <= later + timedelta(days=MIN_DAYS)
    assert timedelta(days=MIN_DAYS - 12) - timedelta(minutes=1) < moved
    for moment in ("plannedAwardAt", "contractStartAt"):
        assert _at(after["timeline"][moment]) - _at(before[moment]) == moved
    for moment in ("publicationAt", "questionsDeadline"):
        assert after["timeline"][moment] == before[moment]
    assert (_at(rectification["bidDeadlineBefore"]), _at(rectification["bidDeadlineAfter"])) == (
        _at(before["bidDeadline"]),
        _at(after["timeline"]["bidDeadline"]),
    )
    assert {c["field"] for c in rectification["changes"]} == {
        "lots[0].maxValueCents",
        "timeline.bidDeadline",
        "timeline.plannedAwardAt",
        "timeline.contractStartAt",
    }
    ((event,),) = await events(db, "tenders.tender_corrected")
    assert _at(event["bid_deadline"]) == _at(after["timeline"]["bidDeadline"])


async def test_a_deadline_further_away_than_the_setting_stays(
    db: Database, gql: GraphQLClient
) -> None:
    before, after, _ = await _corrected(db, gql, days=MIN_DAYS + 5)

    assert after["timeline"] == before
    [rectification] = after["rectifications"]
    assert rectification["bidDeadlineBefore"] == rectification["bidDeadlineAfter"]
    assert [c["field"] for c in rectification["changes"]] == ["lots[0].maxValueCents"]


def test_a_setting_below_the_answers_rule_still_leaves_six_days() -> None:
    assert CorrectionRules(min_days=3).days == 6
    assert CorrectionRules(min_days=10).days == 10


def test_the_days_are_amsterdam_calendar_days_across_the_summer_time_switch() -> None:
    # 20 March 2027 12:00 in Amsterdam (CET); summer time starts on 28 March.
    now = datetime(2027, 3, 20, 11, 0, tzinfo=UTC)

    earliest = CorrectionRules(min_days=10).earliest_bid_deadline(now)

    # 30 March 12:00 in Amsterdam (CEST): 10 calendar days, one hour fewer.
    assert earliest == datetime(2027, 3, 30, 10, 0, tzinfo=UTC)
