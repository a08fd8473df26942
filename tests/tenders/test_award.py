"""The award decision: every open lot of an evaluated tender decided at once, ranked on the
frozen award terms, sent to every bidder at one moment with the standstill's end; the
ranking recomputes exactly from the stored inputs (guarantee 7); refused before the
evaluation and a second time, changing nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor, Grant
from market.settings import Settings
from market.tenders import frozen, scoring
from market.tenders.award import standstill_end
from market.tenders.evaluation import ScoreDraft, agree_score
from market.tenders.policies import AwardMethod
from tests.support.actors import Person
from tests.support.concurrent import post
from tests.support.graphql import GraphQLClient, Result
from tests.tenders.award_world import (
    DECIDE,
    AwardWorld,
    audit_actions,
    check,
    evaluate,
    evaluation_tables,
    lot_awards,
    scored_by_both,
    states,
)
from tests.tenders.world import rows


def _reason(result: Result) -> tuple[str | None, str | None, str | None]:
    assert result.data is None
    error = result.errors[0]["extensions"]
    return error["code"], error["reason"], error.get("field")


@pytest.mark.parametrize(
    ("sent_at", "ends_at"),
    [
        # Sent in winter time; the standstill runs 11 to 30 March, across the switch to
        # summer time on 28 March: it ends at midnight CEST.
        ("2027-03-10T13:00:00+00:00", "2027-03-30T22:00:00+00:00"),
        # Sent late in the evening, Amsterdam's day: 23:30 on 10 March is still 10 March.
        ("2027-03-10T22:30:00+00:00", "2027-03-30T22:00:00+00:00"),
        # Just after midnight in Amsterdam (still the 10th in UTC): the 11th is the day sent.
        ("2027-03-10T23:30:00+00:00", "2027-03-31T22:00:00+00:00"),
        # Across the switch back to winter time on 31 October: midnight CET.
        ("2027-10-20T09:00:00+00:00", "2027-11-09T23:00:00+00:00"),
    ],
)
def test_the_standstill_ends_with_the_20th_calendar_day_after_sending(
    sent_at: str, ends_at: str
) -> None:
    assert standstill_end(datetime.fromisoformat(sent_at)) == datetime.fromisoformat(ends_at)


async def _decided(gql: GraphQLClient, w: AwardWorld, key: str | None = None) -> Result:
    variables = {"tender": w.tender, "lots": lot_awards(w), "key": key}
    return await gql(DECIDE, variables, token=w.officer.token)


def _stored_inputs(terms: dict[str, Any], prices: dict[str, int], consensus: list[Any]) -> Any:
    """The award criteria and bids as scoring takes them, rebuilt from the stored rows."""
    thawed = frozen.thaw(terms)
    award = thawed.award
    criteria = scoring.AwardCriteria(
        method=AwardMethod(award.method),
        criteria=tuple(
            scoring.Criterion(c.name, c.weight_bp, c.value_cents or 0) for c in thawed.criteria
        ),
        quality_weight_bp=award.quality_weight_bp or 0,
        price_weight_bp=award.price_weight_bp or 0,
    )
    names = {str(c.id): c.name for c in thawed.criteria}
    quality: dict[str, dict[str, Decimal]] = {bid: {} for bid in prices}
    for bid_id, criterion_id, score_bp in consensus:
        quality[str(bid_id)][names[str(criterion_id)]] = Decimal(score_bp) / 10_000
    bids = [scoring.Bid(bid, price, quality[bid]) for bid, price in prices.items()]
    return criteria, bids


async def test_guarantee_07_the_ranking_recomputes_exactly_from_stored_inputs(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    await evaluate(gql, w)

    decided = (await _decided(gql, w)).ok()["decideAward"]

    # Lot 1 only (lot 2 is unsuccessful). Alpha: quality 0.7*0.9 + 0.3*0.8 = 0.87, score
    # 0.6*0.87 + 0.4*880000/990000; beta: quality 0.57, score 0.6*0.57 + 0.4*1.
    (decision,) = decided
    assert (decision["lotNumber"], decision["state"]) == (1, "STANDING")
    assert [
        (r["rank"], r["providerName"], r["priceCents"], r["quality"], r["score"])
        for r in decision["ranking"]
    ] == [
        (1, "Alfa Taal", 990_000, "0.8700000000", "0.8775555556"),
        (2, "Beta Inburgering", 880_000, "0.5700000000", "0.7420000000"),
    ]
    assert decision["winner"] == decision["ranking"][0]
    assert decision["winner"]["bidId"] == w.bids["alpha"]
    assert sorted((q["criterion"], q["fraction"]) for q in decision["winner"]["qualityScores"]) == [
        ("Begeleiding", "0.8"),
        ("Plan van aanpak", "0.9"),
    ]

    # From the stored rows alone: the frozen terms, the bids' prices, the consensus scores.
    tender_id = ids.decode("Tender", w.tender)
    ((terms,),) = await rows(db, "SELECT frozen_terms FROM tenders WHERE id = :id", id=tender_id)
    ((record, winner),) = await rows(
        db, "SELECT ranking, winning_bid_id FROM tender_award_decisions"
    )
    prices = {
        str(bid_id): price
        for bid_id, price in await rows(
            db,
            "SELECT b.id, b.price_cents FROM tender_bids b JOIN tender_bid_checks c"
            " ON c.bid_id = b.id WHERE c.passed AND b.lot_id = :lot",
            lot=ids.decode("Lot", w.lots[0]),
        )
    }
    consensus = await rows(db, "SELECT bid_id, criterion_id, score_bp FROM tender_consensus_scores")
    criteria, bids = _stored_inputs(terms, prices, consensus)
    recomputed = scoring.rank(criteria, bids)
    stored = scoring.Ranking.from_record(record)
    assert recomputed == stored
    assert stored.is_reproducible()
    assert recomputed.to_record() == record
    assert str(winner) == recomputed.ranked[0].bid_id == str(ids.decode("Bid", w.bids["alpha"]))
    # The API states the stored figures.
    assert [(r["score"], r["qualityPart"], r["pricePart"]) for r in decision["ranking"]] == [
        (f"{r.score:f}", f"{r.quality_part:f}", f"{r.price_part:f}") for r in stored.ranked
    ]
    # The same record is in the audit trail.
    ((rankings,),) = await rows(
        db,
        "SELECT change -> 'rankings' FROM tender_audit_entries"
        " WHERE tender_id = :id AND action = 'tender.award_decided'",
        id=tender_id,
    )
    assert rankings == {str(ids.decode("Lot", w.lots[0])): record}


async def test_the_decision_is_sent_at_one_moment_with_the_standstill(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    await evaluate(gql, w)

    (decision,) = (await _decided(gql, w)).ok()["decideAward"]

    sent_at = datetime.fromisoformat(decision["sentAt"])
    ends_at = datetime.fromisoformat(decision["standstillEndsAt"])
    assert ends_at == standstill_end(sent_at)
    ((now,),) = await rows(db, "SELECT now()")
    assert abs((now - sent_at).total_seconds()) < 60
    assert await states(gql, w) == ("AWARD_DECIDED", ["AWARD_DECIDED", "UNSUCCESSFUL"])
    assert (await audit_actions(db, w))[-1] == "tender.award_decided"
    ((event,),) = await rows(
        db,
        "SELECT args->'event'->'data' FROM procrastinate_jobs"
        " WHERE args->'event'->>'name' = 'tenders.award_decided'",
    )
    assert event["tender_id"] == str(ids.decode("Tender", w.tender))
    assert event["decision_ids"] == [str(ids.decode("AwardDecision", decision["id"]))]
    assert datetime.fromisoformat(event["sent_at"]).astimezone(UTC) == sent_at.astimezone(UTC)
    # The reasons as given; lot 1 had no knocked-out bid (gamma bid on lot 2).
    assert decision["reasons"] == "Alfa Taal biedt de beste prijs-kwaliteit."
    assert decision["excluded"] == []


async def test_a_second_decision_is_refused_and_changes_nothing(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    await evaluate(gql, w)
    (await _decided(gql, w)).ok()
    before = await evaluation_tables(db)

    again = await _decided(gql, w)

    assert _reason(again) == ("CONFLICT", "AwardAlreadyDecided", "tenderId")
    assert await evaluation_tables(db) == before


async def test_a_decision_before_the_evaluation_is_refused_and_changes_nothing(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    before = await evaluation_tables(db)

    early = await _decided(gql, w)

    assert _reason(early) == ("CONFLICT", "EvaluationNotComplete", "tenderId")
    assert early.errors[0]["extensions"]["params"] == {"state": "OPENED"}
    assert await evaluation_tables(db) == before
    assert await states(gql, w) == ("OPENED", ["ACTIVE", "ACTIVE"])


async def test_every_open_lot_is_decided_at_once(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    await evaluate(gql, w)
    before = await evaluation_tables(db)
    reasons = "Beste prijs-kwaliteit."
    cases = {
        "no lot": [],
        "the unsuccessful lot": [
            {"lotId": w.lots[0], "reasons": reasons},
            {"lotId": w.lots[1], "reasons": reasons},
        ],
        "twice": [{"lotId": w.lots[0], "reasons": reasons}] * 2,
        "no reasons": [{"lotId": w.lots[0], "reasons": "  "}],
        "another tender's lot": [{"lotId": ids.encode("Lot", uuid.uuid4()), "reasons": reasons}],
    }

    answers = {
        case: _reason(await gql(DECIDE, {"tender": w.tender, "lots": lots}, token=w.officer.token))
        for case, lots in cases.items()
    }

    assert answers == {
        "no lot": ("BAD_USER_INPUT", "AwardLotMissing", "lots"),
        "the unsuccessful lot": ("CONFLICT", "LotNotAwardable", "lots[1].lotId"),
        "twice": ("BAD_USER_INPUT", "DuplicateItems", "lots[1].lotId"),
        "no reasons": ("BAD_USER_INPUT", "TextRequired", "lots[0].reasons"),
        "another tender's lot": ("NOT_FOUND", "LotNotInTender", "lots[0].lotId"),
    }
    assert await evaluation_tables(db) == before


async def test_a_retried_decision_with_its_key_returns_the_decision(
    db: Database, gql: GraphQLClient, award_world: AwardWorld
) -> None:
    w = award_world
    await evaluate(gql, w)

    first = (await _decided(gql, w, key="gunning-1")).ok()["decideAward"]
    retried = (await _decided(gql, w, key="gunning-1")).ok()["decideAward"]

    assert retried == first
    assert await rows(db, "SELECT count(*) FROM tender_award_decisions") == [(1,)]


async def _waits_for_a_lock(db: Database) -> bool:
    [(waiting,)] = await rows(
        db,
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE wait_event_type = 'Lock' AND datname = current_database()",
    )
    return bool(waiting)


async def _blocked_or_done(db: Database, task: asyncio.Task[None]) -> None:
    """Returns once the task waits for a lock, or is done."""
    while not await _waits_for_a_lock(db):
        done, _ = await asyncio.wait({task}, timeout=0.01)
        if done:
            return


async def test_two_consensus_scores_completing_the_evaluation_at_once_complete_it_once(
    db: Database, gql: GraphQLClient, settings: Settings, award_world: AwardWorld
) -> None:
    """Each consensus completes the evaluation only with the other's in. The first holds
    its transaction open while the second runs: the tender's row lock (taken before the
    evaluation is settled) makes the second wait and then see the first's; settled
    without it, neither would see the other's and the tender would stay opened for good."""
    w = award_world
    for name in ("alpha", "beta"):
        await scored_by_both(gql, w, w.bids[name])
    (await check(gql, w.officer, w.bids["gamma"], False, "Geen keurmerk.")).ok()
    lead = w.coalition.lead.organisation_id
    grant = Grant(lead, OrganisationKind.MUNICIPALITY, Role.EVALUATOR)
    drafts = [ScoreDraft(ids.decode("QualityCriterion", c), 7000, "Eens.") for c in w.criteria]
    database = Database(settings.database_url, pool_size=2)
    flushed, release = asyncio.Event(), asyncio.Event()

    async def agree_on(person: Person, bid: str, hold: bool) -> None:
        async with database.transaction() as session:
            actor = Actor(person.user_id, (grant,))
            await agree_score(session, actor, ids.decode("Bid", bid), drafts)
            if hold:
                flushed.set()
                await release.wait()

    try:
        first = asyncio.create_task(agree_on(w.evaluator, w.bids["alpha"], hold=True))
        await flushed.wait()
        second = asyncio.create_task(agree_on(w.second_evaluator, w.bids["beta"], hold=False))
        await _blocked_or_done(db, second)
        release.set()
        await asyncio.gather(first, second)
    finally:
        await database.dispose()

    assert await states(gql, w) == ("EVALUATED", ["ACTIVE", "UNSUCCESSFUL"])
    assert (await audit_actions(db, w)).count("tender.evaluated") == 1


async def test_two_officers_deciding_at_once_decide_once(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient, award_world: AwardWorld
) -> None:
    w = award_world
    await evaluate(gql, w)
    variables = {"tender": w.tender, "lots": lot_awards(w)}

    answers = await asyncio.gather(
        post(client, DECIDE, variables, w.officer.token),
        post(client, DECIDE, variables, w.second_officer.token),
    )

    reasons = sorted(
        body["errors"][0]["extensions"]["reason"] if body.get("errors") else "decided"
        for body in answers
    )
    assert reasons == ["AwardAlreadyDecided", "decided"]
    assert await rows(db, "SELECT count(*) FROM tender_award_decisions") == [(1,)]
    assert (await audit_actions(db, w)).count("tender.award_decided") == 1
