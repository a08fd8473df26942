"""The lead's procurement officer publishes a draft (its award terms frozen from then on)
or cancels a tender with a reason; retried creates and publishes never duplicate. Each
refusal names its field and leaves every table as it was."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from tests.support.actors import provider_staff
from tests.support.concurrent import post
from tests.support.graphql import GraphQLClient
from tests.tenders.world import (
    CANCEL_TENDER,
    CREATE_TENDER_ONCE,
    PUBLISH_TENDER,
    TENDER,
    TENDER_TABLES,
    UPDATE_TENDER,
    CoalitionWorld,
    ahead,
    audit_trail,
    create_publishable_tender,
    create_tender,
    publishable_input,
    rows,
)

TABLES = (*TENDER_TABLES, "tender_audit_entries", "tender_idempotency_keys")


async def everything(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every tender table and the queued jobs (the outbox), to show nothing changed."""
    found = {table: await rows(db, f"SELECT * FROM {table} ORDER BY 1, 2") for table in TABLES}  # noqa: S608
    found["jobs"] = await rows(db, "SELECT id, task_name, args FROM procrastinate_jobs ORDER BY 1")
    return found


async def events(db: Database, name: str) -> list[tuple[Any, ...]]:
    return await rows(
        db,
        "SELECT args->'event'->'data' FROM procrastinate_jobs WHERE args->'event'->>'name' = :name",
        name=name,
    )


async def publish(gql: GraphQLClient, w: CoalitionWorld, tender: str) -> dict[str, Any]:
    result = await gql(PUBLISH_TENDER, {"id": tender}, token=w.lead.officer.token)
    return dict(result.ok()["publishTender"])


async def test_the_lead_publishes_a_draft_that_everyone_then_reads(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_publishable_tender(gql, w)

    published = await publish(gql, w, tender)

    assert (published["state"], published["version"]) == ("PUBLISHED", 1)
    assert published["publishedAt"] is not None
    assert [lot["state"] for lot in published["lots"]] == ["ACTIVE", "ACTIVE"]
    stranger = await provider_staff(db)
    read = await gql(TENDER, {"id": tender}, token=stranger.token)
    assert read.ok()["tender"]["state"] == "PUBLISHED"
    assert [action for _, action, _ in await audit_trail(db, tender)] == [
        "tender.created",
        "tender.published",
    ]
    ((event,),) = await events(db, "tenders.tender_published")
    assert event["tender_id"] == str(ids.decode("Tender", tender))
    assert event["version"] == 1


async def test_guarantee_04_criteria_frozen_at_publication(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_publishable_tender(gql, w)
    published = await publish(gql, w, tender)

    # Written around the service (a later part, a slip, an attacker): the rows change,
    # what was published does not.
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE tenders SET quality_weight_bp = 2000, price_weight_bp = 8000")
        )
        await session.execute(
            text("UPDATE tender_quality_criteria SET weight_bp = 5000, name = 'Anders'")
        )
    refused = await gql(
        UPDATE_TENDER,
        {"id": tender, "input": {**publishable_input(w), "title": "Later"}},
        token=w.lead.officer.token,
    )
    read = (await gql(TENDER, {"id": tender}, token=w.member.officer.token)).ok()["tender"]

    # Published, it changes only by a versioned correction, which takes a reason.
    assert (refused.error_code, refused.errors[0]["extensions"]["reason"]) == (
        "BAD_USER_INPUT",
        "CorrectionReasonRequired",
    )
    assert (
        read["award"]
        == published["award"]
        == {
            "method": "RELATIVE_PRICE",
            "qualityWeightBp": 6000,
            "priceWeightBp": 4000,
            "priceFloorCents": None,
            "priceCeilingCents": None,
        }
    )
    assert (
        read["criteria"]
        == published["criteria"]
        == [
            {"name": "Plan van aanpak", "weightBp": 7000, "valueCents": None},
            {"name": "Begeleiding", "weightBp": 3000, "valueCents": None},
        ]
    )


def _without_second_maximum(draft: dict[str, Any]) -> None:
    del draft["lots"][1]["maxValueCents"]


def _without_latest_end(draft: dict[str, Any]) -> None:
    draft["contractTerm"]["latestEndDate"] = None


def _latest_end_before_the_options(draft: dict[str, Any]) -> None:
    draft["contractTerm"]["latestEndDate"] = ahead("2030-08-31")


def _questions_too_late(draft: dict[str, Any]) -> None:
    draft["timeline"]["questionsDeadline"] = ahead("2027-04-08T12:00:00+02:00")


@pytest.mark.parametrize(
    ("change", "reason", "field"),
    [
        (_without_second_maximum, "MaximumValueRequired", "lots[1].maxValueCents"),
        (_without_latest_end, "LatestEndDateRequired", "contractTerm.latestEndDate"),
        (_latest_end_before_the_options, "LatestEndDateTooEarly", "contractTerm.latestEndDate"),
        (_questions_too_late, "AnswersTooLate", "timeline.questionsDeadline"),
    ],
)
async def test_guarantee_12_no_publication_without_maximum_and_latest_end(
    db: Database,
    gql: GraphQLClient,
    change: Any,
    reason: str,
    field: str,
    coalition_world: CoalitionWorld,
) -> None:
    w = coalition_world
    draft = publishable_input(w)
    change(draft)
    created = await gql(
        CREATE_TENDER_ONCE, {"coalition": w.coalition, "input": draft}, token=w.lead.officer.token
    )
    tender = created.ok()["createTender"]["id"]
    before = await everything(db)

    result = await gql(PUBLISH_TENDER, {"id": tender}, token=w.lead.officer.token)

    assert result.error_code == "BAD_USER_INPUT"
    assert (result.errors[0]["extensions"]["reason"], result.error_field) == (reason, field)
    assert await everything(db) == before


async def test_no_publication_once_the_bid_deadline_has_passed_by_the_database_clock(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_publishable_tender(gql, w)
    async with db.transaction() as session:
        await session.execute(
            text(
                "UPDATE tenders SET publication_at = now() - interval '60 days',"
                " questions_deadline = now() - interval '40 days',"
                " bid_deadline = now() - interval '1 second'"
            )
        )
    before = await everything(db)

    result = await gql(PUBLISH_TENDER, {"id": tender}, token=w.lead.officer.token)

    assert result.errors[0]["extensions"]["reason"] == "DeadlineInPast"
    assert result.error_field == "timeline.bidDeadline"
    assert await everything(db) == before


async def test_a_published_tender_is_not_published_again(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_publishable_tender(gql, w)
    await publish(gql, w, tender)
    before = await everything(db)

    again = await gql(PUBLISH_TENDER, {"id": tender}, token=w.lead.officer.token)

    assert (again.error_code, again.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "TenderNotDraft",
    )
    assert await everything(db) == before


async def test_the_lead_cancels_a_published_tender_with_its_lots_giving_the_reason(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_publishable_tender(gql, w)
    await publish(gql, w, tender)

    result = await gql(
        CANCEL_TENDER,
        {"id": tender, "reason": "  Budget ingetrokken.  "},
        token=w.lead.officer.token,
    )

    cancelled = result.ok()["cancelTender"]
    assert (cancelled["state"], cancelled["cancellationReason"]) == (
        "CANCELLED",
        "Budget ingetrokken.",
    )
    assert [lot["state"] for lot in cancelled["lots"]] == ["CANCELLED", "CANCELLED"]
    assert [action for _, action, _ in await audit_trail(db, tender)][-1] == "tender.cancelled"
    ((event,),) = await events(db, "tenders.tender_cancelled")
    assert event["reason"] == "Budget ingetrokken."


@pytest.mark.parametrize(
    ("reason", "code", "why", "field"),
    [
        ("   ", "BAD_USER_INPUT", "TextRequired", "reason"),
        ("x" * 2001, "BAD_USER_INPUT", "TextTooLong", "reason"),
    ],
)
async def test_a_cancellation_without_a_fitting_reason_is_refused(
    db: Database,
    gql: GraphQLClient,
    reason: str,
    code: str,
    why: str,
    field: str,
    coalition_world: CoalitionWorld,
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    before = await everything(db)

    result = await gql(CANCEL_TENDER, {"id": tender, "reason": reason}, token=w.lead.officer.token)

    assert result.error_code == code
    assert (result.errors[0]["extensions"]["reason"], result.error_field) == (why, field)
    assert await everything(db) == before


async def test_a_cancelled_tender_is_not_cancelled_again(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    variables = {"id": tender, "reason": "Geen budget."}
    (await gql(CANCEL_TENDER, variables, token=w.lead.officer.token)).ok()
    before = await everything(db)

    again = await gql(CANCEL_TENDER, variables, token=w.lead.officer.token)

    assert (again.error_code, again.errors[0]["extensions"]["reason"]) == (
        "CONFLICT",
        "TransitionNotAllowed",
    )
    assert await everything(db) == before


async def test_guarantee_11_retried_create_and_publish_never_duplicate(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    token = w.lead.officer.token
    create = {"coalition": w.coalition, "input": publishable_input(w), "key": "aanvraag-1"}

    created = await asyncio.gather(
        *(post(client, CREATE_TENDER_ONCE, create, token) for _ in range(4))
    )

    assert [body.get("errors") for body in created] == [None] * 4
    tender_ids = {body["data"]["createTender"]["id"] for body in created}
    assert len(tender_ids) == 1
    assert await rows(db, "SELECT count(*) FROM tenders") == [(1,)]
    (tender,) = tender_ids

    publish_once = {"id": tender, "key": "publicatie-1"}
    published = await asyncio.gather(
        *(post(client, PUBLISH_TENDER, publish_once, token) for _ in range(4))
    )

    assert [body.get("errors") for body in published] == [None] * 4
    assert {body["data"]["publishTender"]["publishedAt"] for body in published} != {None}
    assert len({body["data"]["publishTender"]["publishedAt"] for body in published}) == 1
    assert [action for _, action, _ in await audit_trail(db, tender)] == [
        "tender.created",
        "tender.published",
    ]
    assert len(await events(db, "tenders.tender_published")) == 1


async def test_the_same_key_for_a_different_request_is_a_conflict(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    token = w.lead.officer.token
    first = {"coalition": w.coalition, "input": publishable_input(w), "key": "k"}
    (await gql(CREATE_TENDER_ONCE, first, token=token)).ok()
    before = await everything(db)

    other = {**first, "input": {**publishable_input(w), "title": "Een andere"}}
    result = await gql(CREATE_TENDER_ONCE, other, token=token)
    # Another user may use the same key for a request of their own.
    mine = await gql(CREATE_TENDER_ONCE, first, token=w.member.officer.token)

    assert result.error_code == "CONFLICT"
    assert (result.errors[0]["extensions"]["reason"], result.error_field) == (
        "IdempotencyKeyReused",
        "idempotencyKey",
    )
    assert mine.error_code == "FORBIDDEN"
    assert await everything(db) == before


async def test_two_publications_at_once_publish_once(
    db: Database, gql: GraphQLClient, client: httpx.AsyncClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_publishable_tender(gql, w)

    # Different keys (or none): two requests, not a retry; the row lock lets one through.
    answers = await asyncio.gather(
        post(client, PUBLISH_TENDER, {"id": tender, "key": "a"}, w.lead.officer.token),
        post(client, PUBLISH_TENDER, {"id": tender}, w.lead.officer.token),
    )

    reasons = sorted(
        body["errors"][0]["extensions"]["reason"] if body.get("errors") else "published"
        for body in answers
    )
    assert reasons == ["TenderNotDraft", "published"]
    assert [action for _, action, _ in await audit_trail(db, tender)] == [
        "tender.created",
        "tender.published",
    ]
    assert len(await events(db, "tenders.tender_published")) == 1
