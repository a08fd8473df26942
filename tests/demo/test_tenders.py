"""The demo's joint tenders, as their users see them through the API."""

from __future__ import annotations

from datetime import date

from market.db.database import Database
from market.demo import seed
from market.tenders import audit
from tests.support.graphql import GraphQLClient


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
