"""A published tender changes only by a correction (`updateTender` with a reason): a new
version, a rectification everyone who sees the tender reads (what changed, before and
after), the award terms frozen again, an audit entry and TenderCorrected for every party.
Each refusal is a typed error that leaves the tables, the audit trail and the outbox as
they were."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor, Grant
from market.tenders import audit, service
from tests.support.actors import provider_staff
from tests.support.graphql import GraphQLClient
from tests.tenders.correction_world import (
    LOT_IDS,
    TENDER_WITH_RECTIFICATIONS,
    correct,
    published_tender,
    with_rectifications,
    with_weights,
)
from tests.tenders.test_publication import events
from tests.tenders.test_schedule import passed
from tests.tenders.world import (
    CANCEL_TENDER,
    TENDER,
    CoalitionWorld,
    audit_trail,
    create_publishable_tender,
    publishable_input,
    rows,
)

ADMIN = Actor(uuid.uuid4(), (Grant(uuid.uuid4(), OrganisationKind.PLATFORM, Role.ADMIN),))
REASON = "Het plafond van perceel 2 was te laag."


async def test_a_correction_makes_the_next_version_that_everyone_reads(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await published_tender(db, gql, w)
    before = (await gql(LOT_IDS, {"id": tender}, token=w.lead.officer.token)).ok()["tender"]
    draft = publishable_input(w)
    draft["title"] = "Inburgering Regio Amsterdam 2027, gecorrigeerd"
    draft["lots"][1]["maxValueCents"] = 95_000_000

    corrected = (await correct(gql, w, tender, draft, REASON)).ok()["updateTender"]

    stranger = await provider_staff(db)
    for token in (None, stranger.token, w.member.evaluator.token):
        read = (await gql(TENDER_WITH_RECTIFICATIONS, {"id": tender}, token=token)).ok()
        assert read["tender"]["rectifications"] == corrected["rectifications"]
    assert (corrected["state"], corrected["version"]) == ("PUBLISHED", 2)
    assert corrected["title"] == "Inburgering Regio Amsterdam 2027, gecorrigeerd"
    assert [lot["maxValueCents"] for lot in corrected["lots"]] == [150_000_000, 95_000_000]
    [rectification] = corrected["rectifications"]
    deadline = corrected["timeline"]["bidDeadline"]
    assert rectification == {
        "version": 2,
        "reason": REASON,
        "changes": [
            {"field": "lots[1].maxValueCents", "before": 80_000_000, "after": 95_000_000},
            {
                "field": "title",
                "before": "Inburgering Regio Amsterdam 2027",
                "after": "Inburgering Regio Amsterdam 2027, gecorrigeerd",
            },
        ],
        # Weeks ahead: no extension needed.
        "bidDeadlineBefore": deadline,
        "bidDeadlineAfter": deadline,
        "publishedAt": rectification["publishedAt"],
    }
    # Bids, questions and the frozen terms refer to these: they stay.
    after = (await gql(LOT_IDS, {"id": tender}, token=w.lead.officer.token)).ok()["tender"]
    assert after == before
    assert [action for _, action, _ in await audit_trail(db, tender)] == [
        "tender.created",
        "tender.published",
        "tender.corrected",
    ]
    ((rectification_id, published_by),) = await rows(
        db, "SELECT id, published_by FROM tender_rectifications"
    )
    assert published_by == w.lead.officer.user_id
    ((event,),) = await events(db, "tenders.tender_corrected")
    assert event == {
        "tender_id": str(ids.decode("Tender", tender)),
        "rectification_id": str(rectification_id),
        "version": 2,
        "bid_deadline": event["bid_deadline"],
    }


async def test_guarantee_04_criteria_and_weights_change_only_by_a_versioned_correction(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await published_tender(db, gql, w)
    draft = with_weights(w, quality_bp=5000, plan_bp=6000)
    before = await with_rectifications(db)

    refused = await correct(gql, w, tender, draft, reason=None)

    assert (refused.error_code, refused.errors[0]["extensions"]["reason"]) == (
        "BAD_USER_INPUT",
        "CorrectionReasonRequired",
    )
    assert refused.error_field == "correctionReason"
    assert await with_rectifications(db) == before
    read = (await gql(TENDER, {"id": tender})).ok()["tender"]
    assert (read["version"], read["award"]["qualityWeightBp"]) == (1, 6000)

    corrected = (await correct(gql, w, tender, draft, "Kwaliteit weegt minder.")).ok()

    read = (await gql(TENDER_WITH_RECTIFICATIONS, {"id": tender})).ok()["tender"]
    assert read == {**corrected["updateTender"], "retenderOfLotId": None}
    assert read["version"] == 2
    assert (read["award"]["qualityWeightBp"], read["award"]["priceWeightBp"]) == (5000, 5000)
    assert [c["weightBp"] for c in read["criteria"]] == [6000, 4000]
    assert read["rectifications"][0]["changes"] == [
        {"field": "award.priceWeightBp", "before": 4000, "after": 5000},
        {"field": "award.qualityWeightBp", "before": 6000, "after": 5000},
        {"field": "criteria[0].weightBp", "before": 7000, "after": 6000},
        {"field": "criteria[1].weightBp", "before": 3000, "after": 4000},
    ]
    # The frozen copy, where scoring reads the terms, is the corrected one.
    assert await rows(
        db,
        "SELECT frozen_terms->'award'->'quality_weight_bp',"
        " jsonb_path_query_array(frozen_terms, '$.criteria[*].weight_bp') FROM tenders",
    ) == [(5000, [6000, 4000])]


async def test_every_version_stays_readable_and_version_1_is_rebuilt_from_the_audit_trail(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await published_tender(db, gql, w)
    tender_id = ids.decode("Tender", tender)
    async with db.reader() as session:
        version_1 = await service.find_tender(session, ADMIN, tender_id)
    second = publishable_input(w)
    second["description"] = "Met toelichting."
    second["lots"][0]["volumes"][1]["learnersPerYear"] = 25  # Amstelveen's
    (await correct(gql, w, tender, second, "Toelichting toegevoegd.")).ok()
    third = {**second, "requirements": [{"kind": "BLIK_OP_WERK"}]}
    (await correct(gql, w, tender, third, "Alleen het keurmerk telt.")).ok()

    read = (await gql(TENDER_WITH_RECTIFICATIONS, {"id": tender})).ok()["tender"]
    async with db.reader() as session:
        rebuilt = await audit.rebuild(session, tender_id, 2)  # 1: created, 2: published

    assert read["version"] == 3
    assert [(r["version"], r["reason"]) for r in read["rectifications"]] == [
        (2, "Toelichting toegevoegd."),
        (3, "Alleen het keurmerk telt."),
    ]
    assert read["rectifications"][0]["changes"] == [
        {
            "field": "description",
            "before": "Leerroutes Z en Onderwijs voor de regio.",
            "after": "Met toelichting.",
        },
        {"field": "lots[0].volumes[0].learnersPerYear", "before": 20, "after": 25},
    ]
    assert [c["field"] for c in read["rectifications"][1]["changes"]] == [
        "requirements[1].amount",
        "requirements[1].kind",
        "requirements[2].kind",
        "requirements[2].text",
    ]
    assert version_1 is not None
    assert rebuilt == version_1
    assert (rebuilt.version, rebuilt.description, len(rebuilt.requirements)) == (
        1,
        "Leerroutes Z en Onderwijs voor de regio.",
        3,
    )


# -- refusals -------------------------------------------------------------------------------

Setup = Callable[[Database, GraphQLClient, CoalitionWorld], Awaitable[str]]


async def _published(db: Database, gql: GraphQLClient, w: CoalitionWorld) -> str:
    return await published_tender(db, gql, w)


async def _draft(db: Database, gql: GraphQLClient, w: CoalitionWorld) -> str:
    return await create_publishable_tender(gql, w)


async def _cancelled(db: Database, gql: GraphQLClient, w: CoalitionWorld) -> str:
    tender = await published_tender(db, gql, w)
    variables = {"id": tender, "reason": "Geen budget."}
    (await gql(CANCEL_TENDER, variables, token=w.lead.officer.token)).ok()
    return tender


def _past(deadline: str, state: str) -> Setup:
    """Published, then `deadline` passed a minute ago and the tender moved to `state` (the
    chronograph's step, here by SQL)."""

    async def setup(db: Database, gql: GraphQLClient, w: CoalitionWorld) -> str:
        tender = await published_tender(db, gql, w)
        await passed(db, tender, deadline)
        async with db.transaction() as session:
            await session.execute(text("UPDATE tenders SET state = :state"), {"state": state})
        return tender

    return setup


def _keep(draft: dict[str, Any]) -> None:
    """The draft as published."""


def _one_lot(draft: dict[str, Any]) -> None:
    draft["lots"] = draft["lots"][:1]


def _third_criterion(draft: dict[str, Any]) -> None:
    draft["criteria"] = [
        {"name": "Plan van aanpak", "weightBp": 5000},
        {"name": "Begeleiding", "weightBp": 3000},
        {"name": "Spreiding", "weightBp": 2000},
    ]


def _deadline_earlier(draft: dict[str, Any]) -> None:
    draft["timeline"]["bidDeadline"] = draft["timeline"]["bidDeadline"].replace("04-12", "04-11")


def _weights_not_whole(draft: dict[str, Any]) -> None:
    draft["award"]["priceWeightBp"] = 3000


def _no_maximum(draft: dict[str, Any]) -> None:
    del draft["lots"][1]["maxValueCents"]


def _title(draft: dict[str, Any]) -> None:
    draft["title"] = "Anders"


REFUSALS = {
    "no reason": (_published, _title, None, "BAD_USER_INPUT", "CorrectionReasonRequired"),
    "blank reason": (_published, _title, "  ", "BAD_USER_INPUT", "TextRequired"),
    "a draft with a reason": (_draft, _title, REASON, "BAD_USER_INPUT", "DraftNeedsNoCorrection"),
    "cancelled": (_cancelled, _title, REASON, "CONFLICT", "TenderNotCorrectable"),
    "bid deadline passed, chronograph not yet run": (
        _past("bid_deadline", "questions_closed"),
        _title,
        REASON,
        "CONFLICT",
        "CorrectionAfterBidDeadline",
    ),
    "bids closed": (
        _past("bid_deadline", "bids_closed"),
        _title,
        REASON,
        "CONFLICT",
        "CorrectionAfterBidDeadline",
    ),
    "a lot dropped": (_published, _one_lot, REASON, "BAD_USER_INPUT", "LotCountFixed"),
    "a criterion added": (
        _published,
        _third_criterion,
        REASON,
        "BAD_USER_INPUT",
        "CriteriaCountFixed",
    ),
    "bid deadline earlier": (
        _published,
        _deadline_earlier,
        REASON,
        "BAD_USER_INPUT",
        "BidDeadlineMovedEarlier",
    ),
    "weights not whole": (
        _published,
        _weights_not_whole,
        REASON,
        "BAD_USER_INPUT",
        "AwardWeightsNotWhole",
    ),
    "a lot without maximum": (
        _published,
        _no_maximum,
        REASON,
        "BAD_USER_INPUT",
        "MaximumValueRequired",
    ),
    "nothing changed": (_published, _keep, REASON, "BAD_USER_INPUT", "NothingToCorrect"),
}
FIELDS = {
    "CorrectionReasonRequired": "correctionReason",
    "TextRequired": "correctionReason",
    "DraftNeedsNoCorrection": "correctionReason",
    "TenderNotCorrectable": "id",
    "CorrectionAfterBidDeadline": "id",
    "LotCountFixed": "lots",
    "CriteriaCountFixed": "criteria",
    "BidDeadlineMovedEarlier": "timeline.bidDeadline",
    "AwardWeightsNotWhole": "award.priceWeightBp",
    "MaximumValueRequired": "lots[1].maxValueCents",
    "NothingToCorrect": "input",
}


@pytest.mark.parametrize("case", REFUSALS)
async def test_a_refused_correction_is_a_typed_error_and_changes_nothing(
    db: Database, gql: GraphQLClient, case: str, coalition_world: CoalitionWorld
) -> None:
    setup, change, reason, code, expected = REFUSALS[case]
    w = coalition_world
    tender = await setup(db, gql, w)
    draft = publishable_input(w)
    change(draft)
    before = await with_rectifications(db)

    result = await correct(gql, w, tender, draft, reason)

    assert (result.error_code, result.errors[0]["extensions"]["reason"]) == (code, expected)
    assert result.error_field == FIELDS[expected]
    assert result.data is None
    assert await with_rectifications(db) == before


async def test_questions_that_closed_stay_closed(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await _past("questions_deadline", "questions_closed")(db, gql, w)
    stored = (await gql(TENDER, {"id": tender})).ok()["tender"]["timeline"]
    later = datetime.fromisoformat(stored["questionsDeadline"]) + timedelta(hours=1)
    draft = publishable_input(w)
    draft["timeline"] = {**stored, "questionsDeadline": later.isoformat()}
    before = await with_rectifications(db)

    moved = await correct(gql, w, tender, draft)

    assert moved.errors[0]["extensions"]["reason"] == "QuestionsDeadlinePassed"
    assert moved.error_field == "timeline.questionsDeadline"
    assert await with_rectifications(db) == before
    draft["timeline"] = stored
    draft["title"] = "Gecorrigeerd na de vragen"
    kept = (await correct(gql, w, tender, draft)).ok()["updateTender"]
    assert (kept["state"], kept["version"]) == ("QUESTIONS_CLOSED", 2)
