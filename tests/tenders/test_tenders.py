"""The lead's procurement officer drafts a tender with lots for the coalition; its members'
officers and evaluators read it, nobody else does until it is published."""

from __future__ import annotations

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from tests.support.actors import learner, platform_admin, provider_staff
from tests.support.graphql import GraphQLClient
from tests.tenders.world import (
    CREATE_TENDER,
    TENDER,
    TENDERS,
    UPDATE_TENDER,
    CoalitionWorld,
    create_tender,
    rows,
    tender_input,
    tender_tables,
)


async def test_the_lead_drafts_a_tender_with_two_lots_that_members_read_back(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world

    created = await gql(
        CREATE_TENDER,
        {"coalition": w.coalition, "input": tender_input(w)},
        token=w.lead.officer.token,
    )

    tender = created.ok()["createTender"]
    read = await gql(TENDER, {"id": tender["id"]}, token=w.member.evaluator.token)
    assert read.ok()["tender"] == tender
    assert tender["coalitionId"] == w.coalition
    assert (tender["state"], tender["version"], tender["publishedAt"]) == ("DRAFT", 1, None)
    assert [
        (lot["number"], lot["route"], lot["level"], lot["stream"], lot["regionCodes"])
        for lot in tender["lots"]
    ] == [(1, "Z", "A2", None, ["AM18"]), (2, "ONDERWIJS", None, "MBO", ["AM18", "AM17"])]
    assert [(v["name"], v["learnersPerYear"]) for v in tender["lots"][0]["volumes"]] == [
        ("Gemeente GM0362", 20),
        ("Gemeente GM0363", 80),
    ]
    assert tender["lots"][0]["maxValueCents"] == 150_000_000
    assert tender["lots"][1]["maxValueCents"] is None
    assert tender["requirements"] == [
        {"kind": "BLIK_OP_WERK", "amount": None, "text": None},
        {"kind": "MAX_CLASS_SIZE", "amount": 16, "text": None},
        {"kind": "CUSTOM", "amount": None, "text": "Lessen in de regio."},
    ]
    assert tender["award"] == {
        "method": "RELATIVE_PRICE",
        "qualityWeightBp": 6000,
        "priceWeightBp": 4000,
        "priceFloorCents": None,
        "priceCeilingCents": None,
    }
    # Stored and answered in UTC.
    assert tender["timeline"]["questionsDeadline"] == "2027-03-15T11:00:00+00:00"
    assert tender["timeline"]["bidDeadline"] == "2027-04-12T10:00:00+00:00"
    assert tender["contractTerm"] == {
        "initialMonths": 24,
        "extensionMonths": [12, 12],
        "latestEndDate": "2031-08-31",
    }
    assert await rows(db, "SELECT count(*) FROM tender_lot_volumes") == [(3,)]


async def test_a_draft_is_seen_only_by_the_coalitions_members_and_admins(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    insiders = [w.lead.officer, w.member.officer, w.member.evaluator, await platform_admin(db)]
    outsiders = [
        w.invited.officer,  # invited, not (yet) a member
        w.outsider.officer,
        await learner(db),
        await provider_staff(db),
    ]

    for person in insiders:
        assert (await gql(TENDER, {"id": tender}, token=person.token)).ok()["tender"]
        listed = (await gql(TENDERS, {}, token=person.token)).ok()["tenders"]
        assert [t["id"] for t in listed["nodes"]] == [tender]
    for token in [person.token for person in outsiders] + [None]:
        assert (await gql(TENDER, {"id": tender}, token=token)).ok()["tender"] is None
        assert (await gql(TENDERS, {}, token=token)).ok()["tenders"]["totalCount"] == 0


async def test_once_published_everyone_sees_it(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE tenders SET state = 'published', published_at = now() WHERE id = :id"),
            {"id": ids.decode("Tender", tender)},
        )

    for token in (None, w.outsider.officer.token, (await provider_staff(db)).token):
        assert (await gql(TENDER, {"id": tender}, token=token)).ok()["tender"]["state"] == (
            "PUBLISHED"
        )
        listed = await gql(TENDERS, {"filter": {"states": ["PUBLISHED"]}}, token=token)
        assert listed.ok()["tenders"]["totalCount"] == 1


async def test_the_lead_replaces_a_drafts_fields_but_not_after_publication(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    tender = await create_tender(gql, w)
    changed = tender_input(w)
    changed["title"] = "Inburgering 2027, herzien"
    changed["lots"] = changed["lots"][:1]
    changed["award"] = {
        "method": "LINEAR_PRICE",
        "qualityWeightBp": 5000,
        "priceWeightBp": 5000,
        "priceFloorCents": 500_000,
        "priceCeilingCents": 1_200_000,
    }

    updated = await gql(UPDATE_TENDER, {"id": tender, "input": changed}, token=w.lead.officer.token)

    result = updated.ok()["updateTender"]
    assert result["title"] == "Inburgering 2027, herzien"
    assert [lot["title"] for lot in result["lots"]] == ["Z-route"]
    assert result["award"]["priceCeilingCents"] == 1_200_000
    assert await rows(db, "SELECT count(*) FROM tender_lots") == [(1,)]
    assert await rows(db, "SELECT count(*) FROM tender_lot_volumes") == [(2,)]

    async with db.transaction() as session:
        await session.execute(text("UPDATE tenders SET state = 'published', published_at = now()"))
    before = await tender_tables(db)
    refused = await gql(
        UPDATE_TENDER, {"id": tender, "input": tender_input(w)}, token=w.lead.officer.token
    )
    # Published, it changes only by a versioned correction (test_corrections), with a reason.
    assert refused.errors[0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "CorrectionReasonRequired",
        "field": "correctionReason",
    }
    assert await tender_tables(db) == before


async def test_tenders_filter_by_coalition_and_page_newest_first(
    db: Database, gql: GraphQLClient, coalition_world: CoalitionWorld
) -> None:
    w = coalition_world
    first, second, third = [await create_tender(gql, w) for _ in range(3)]
    token = w.lead.officer.token

    page = (
        await gql(TENDERS, {"first": 2, "filter": {"coalitionId": w.coalition}}, token=token)
    ).ok()
    after = page["tenders"]["pageInfo"]["endCursor"]
    rest = (await gql(TENDERS, {"first": 2, "after": after}, token=token)).ok()
    drafts = (await gql(TENDERS, {"filter": {"states": ["PUBLISHED"]}}, token=token)).ok()

    assert [t["id"] for t in page["tenders"]["nodes"]] == [third, second]
    assert page["tenders"]["totalCount"] == 3
    assert [t["id"] for t in rest["tenders"]["nodes"]] == [first]
    assert drafts["tenders"]["totalCount"] == 0
