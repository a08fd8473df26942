"""The demo's joint tenders, as their users see them through the API."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from market.db.database import Database
from market.demo import seed
from market.tenders import audit
from market.tenders.models import Tender
from market.tenders.policies import TenderState
from tests.support.graphql import GraphQLClient
from tests.tenders.test_ocds import assert_valid


async def _token(gql: GraphQLClient, email: str) -> str:
    login = await gql(
        f'mutation {{ login(email: "{email}", password: "demo-password") {{ token }} }}'
    )
    return str(login.ok()["login"]["token"])


async def test_a_coalition_of_six_has_a_tender_open_for_questions(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.transaction() as session:
        await seed.seed_demo(session, password="demo-password", today=date.today())
    officer = await _token(gql, "inkoop.diemen@market.example")

    found = await gql(
        """{ coalitions { nodes { name members { name state isLead } } }
             tenders(filter: {states: [PUBLISHED]}) { nodes { id title state
               lots { title route volumes { learnersPerYear } } } } }""",
        token=officer,
    )

    data = found.ok()
    (coalition,) = data["coalitions"]["nodes"]
    assert coalition["name"] == "Regio Groot Amsterdam"
    assert len(coalition["members"]) == 6
    assert {m["state"] for m in coalition["members"]} == {"MEMBER"}
    assert [m["name"] for m in coalition["members"] if m["isLead"]] == ["Gemeente Amsterdam"]
    (tender,) = data["tenders"]["nodes"]
    assert [(lot["title"], len(lot["volumes"])) for lot in tender["lots"]] == [
        ("Z-route", 6),
        ("B1-route", 6),
    ]
    public = await gql(
        "query($id: ID!) { tenderQuestions(tenderId: $id) { nodes { number answer } } }",
        {"id": tender["id"]},
    )
    assert [
        (q["number"], q["answer"] is not None) for q in public.ok()["tenderQuestions"]["nodes"]
    ] == [(1, True)]
    async with db.reader() as session:
        assert await audit.verify(session) == []


async def test_last_years_tender_ran_to_contracts_that_run_now(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.transaction() as session:
        await seed.seed_demo(session, password="demo-password", today=date.today())
    officer = await _token(gql, "inkoop.uithoorn@market.example")

    found = await gql(
        """{ tenders(filter: {states: [CONTRACTED]}) { nodes { id lots { title state } } }
             contracts { nodes {
               lotTitle buyerName supplierName learnersPerYear startsOn endsOn } } }""",
        token=officer,
    )

    data = found.ok()
    (tender,) = data["tenders"]["nodes"]
    assert [(lot["title"], lot["state"]) for lot in tender["lots"]] == [
        ("Z-route", "CONTRACTED"),
        ("B1-route", "CONTRACTED"),
    ]
    own = data["contracts"]["nodes"]
    assert sorted((c["lotTitle"], c["learnersPerYear"]) for c in own) == [
        ("B1-route", 11),
        ("Z-route", 4),
    ]
    today = date.today().isoformat()
    assert all(c["startsOn"] <= today <= c["endsOn"] for c in own)
    assert {c["buyerName"] for c in own} == {"Gemeente Uithoorn"}
    lead = await _token(gql, "inkoop.amsterdam@market.example")
    decided = await gql(
        "query($id: ID!) { awardDecisions(tenderId: $id) { winner { providerName } } }",
        {"id": tender["id"]},
        token=lead,
    )
    assert len(decided.ok()["awardDecisions"]) == 2


async def test_the_contracted_providers_courses_carry_the_members(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.transaction() as session:
        await seed.seed_demo(session, password="demo-password", today=date.today())

    found = await gql(
        """{ searchCourses(filter: {contractedBy: "GM0451"}, first: 50) {
               totalCount nodes { course { contractedBy { code } } } } }"""
    )

    data = found.ok()["searchCourses"]
    assert data["totalCount"] > 0
    assert all(
        "GM0451" in {m["code"] for m in node["course"]["contractedBy"]} for node in data["nodes"]
    )


async def test_the_contracted_tender_is_valid_open_data_with_awards_and_contracts(
    db: Database, gql: GraphQLClient
) -> None:
    async with db.transaction() as session:
        await seed.seed_demo(session, password="demo-password", today=date.today())
    async with db.reader() as session:
        tender_id = await session.scalar(
            select(Tender.id).where(Tender.state == TenderState.CONTRACTED)
        )

    package = (await gql.http.get(f"/ocds/tenders/{tender_id}")).json()

    assert_valid(package)
    dates = [release["date"] for release in package["releases"]]
    assert dates == sorted(dates)
    tags = [tag for release in package["releases"] for tag in release["tag"]]
    assert tags[:4] == ["tender", "tenderUpdate", "award", "award"]
    assert tags.count("award") == 2
    assert tags.count("contract") == 12
    contracts = [c for r in package["releases"] for c in r.get("contracts", [])]
    assert {c["buyer"]["name"] for c in contracts} == {
        "Gemeente Amsterdam", "Gemeente Amstelveen", "Gemeente Diemen",
        "Gemeente Ouder-Amstel", "Gemeente Aalsmeer", "Gemeente Uithoorn",
    }  # fmt: skip
    assert len(package["releases"][-1]["tender"]["lots"]) == 2
