"""The world bid tests share: the coalition's tender published (by SQL: publication is not
the bids' part), two bidding providers and one that does not bid, and the bid tables read
straight from the database. Time moves by changing the stored deadlines."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from market.settings import Settings
from tests.support.actors import Person, add_organisation, add_person, learner, platform_admin
from tests.support.graphql import GraphQLClient
from tests.tenders.world import (
    PUBLISH_TENDER,
    CoalitionWorld,
    build_coalition,
    create_publishable_tender,
    create_tender,
    rows,
)

# Small enough to test the limit without big inputs.
MAX_DOCUMENT_BYTES = 1_000
PDF = b"%PDF-1.7\n" + b"x" * 200

BID_FIELDS = """
  id tenderId lotId providerId providerName state priceCents submittedAt endedAt
  qualityAnswers { criterionId text }
  documents { name sha256 size mediaType }
"""
SUBMIT = f"""mutation($input: BidInput!) {{ submitBid(input: $input) {{ {BID_FIELDS} }} }}"""
WITHDRAW = f"""mutation($id: ID!) {{ withdrawBid(id: $id) {{ {BID_FIELDS} }} }}"""
MY_BIDS = f"""query($tender: ID) {{ myBids(tenderId: $tender) {{ {BID_FIELDS} }} }}"""
BID = f"""query($id: ID!) {{ bid(id: $id) {{ {BID_FIELDS} }} }}"""
TENDER_BIDS = f"""query($tender: ID!) {{ tenderBids(tenderId: $tender) {{ {BID_FIELDS} }} }}"""
OPENING_FIELDS = """
  tenderId requestedBy requestedAt openedBy openedAt
  lots { lotId number title bidCount bids { bidId providerId providerName priceCents } }
"""
OPEN = f"""mutation($tender: ID!) {{ openBids(tenderId: $tender) {{ {OPENING_FIELDS} }} }}"""
OPENING = f"""query($tender: ID!) {{ bidOpening(tenderId: $tender) {{ {OPENING_FIELDS} }} }}"""
TENDER_IDS = "query($id: ID!) { tender(id: $id) { state lots { id } criteria { id name } } }"

BID_TABLES = (
    "tender_bids",
    "tender_bid_answers",
    "tender_bid_documents",
    "tender_bid_openings",
    "tenders",
)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The suite's settings with a document folder of the test's own and a small limit."""
    return Settings(
        database_url=database_url,
        embedded_worker=False,
        db_pool_size=5,
        files_dir=tmp_path / "files",
        max_document_bytes=MAX_DOCUMENT_BYTES,
    )


@dataclass(frozen=True)
class Provider:
    organisation_id: uuid.UUID
    name: str
    owner: Person
    editor: Person

    @property
    def id(self) -> str:
        return ids.encode("Organisation", self.organisation_id)


async def provider(db: Database, name: str) -> Provider:
    organisation_id = await add_organisation(db, OrganisationKind.PROVIDER, name)
    owner = await add_person(db, organisation_id=organisation_id, role=Role.OWNER)
    editor = await add_person(db, organisation_id=organisation_id, role=Role.EDITOR)
    return Provider(organisation_id, name, owner, editor)


@dataclass(frozen=True)
class BidWorld:
    coalition: CoalitionWorld
    tender: str
    lots: tuple[str, str]
    criteria: tuple[str, str]
    alpha: Provider  # bids
    beta: Provider  # bids
    gamma: Provider  # does not bid
    second_officer: Person  # another procurement officer of the lead
    learner: Person
    admin: Person

    @property
    def tender_id(self) -> uuid.UUID:
        return ids.decode("Tender", self.tender)


async def publish(db: Database, tender: str) -> None:
    async with db.transaction() as session:
        await session.execute(
            text("UPDATE tenders SET state = 'published', published_at = now() WHERE id = :id"),
            {"id": ids.decode("Tender", tender)},
        )


async def pass_bid_deadline(db: Database, tender: str) -> None:
    """The bid deadline a minute ago (and the questions deadline and publication before it),
    by the database clock; the state stays as it was, as before the scheduler runs."""
    async with db.transaction() as session:
        await session.execute(
            text(
                "UPDATE tenders SET publication_at = now() - interval '30 days',"
                " questions_deadline = now() - interval '20 days',"
                " bid_deadline = now() - interval '1 minute' WHERE id = :id"
            ),
            {"id": ids.decode("Tender", tender)},
        )


async def build_bid_world(db: Database, gql: GraphQLClient, *, frozen: bool = False) -> BidWorld:
    """`frozen`: the tender published through the API, its award terms frozen as an award
    decision needs them; else published by SQL."""
    w = await build_coalition(db, gql)
    if frozen:
        tender = await create_publishable_tender(gql, w)
        (await gql(PUBLISH_TENDER, {"id": tender}, token=w.lead.officer.token)).ok()
    else:
        tender = await create_tender(gql, w)
        await publish(db, tender)
    read = (await gql(TENDER_IDS, {"id": tender}, token=w.lead.officer.token)).ok()["tender"]
    lots = tuple(lot["id"] for lot in read["lots"])
    criteria = tuple(c["id"] for c in read["criteria"])
    second_officer = await add_person(
        db, organisation_id=w.lead.organisation_id, role=Role.PROCUREMENT_OFFICER
    )
    return BidWorld(
        coalition=w,
        tender=tender,
        lots=(lots[0], lots[1]),
        criteria=(criteria[0], criteria[1]),
        alpha=await provider(db, "Alfa Taal"),
        beta=await provider(db, "Beta Inburgering"),
        gamma=await provider(db, "Gamma Leren"),
        second_officer=second_officer,
        learner=await learner(db),
        admin=await platform_admin(db),
    )


def bid_input(
    w: BidWorld, lot: int = 0, price_cents: int = 950_000, **overrides: Any
) -> dict[str, Any]:
    return {
        "lotId": w.lots[lot],
        "priceCents": price_cents,
        "qualityAnswers": [
            {"criterionId": w.criteria[0], "text": "Een plan van aanpak in vier fasen."},
            {"criterionId": w.criteria[1], "text": "Een vaste coach per groep."},
        ],
        **overrides,
    }


async def upload(
    gql: GraphQLClient,
    person: Person,
    content: bytes = PDF,
    name: str = "plan.pdf",
    media_type: str = "application/pdf",
) -> httpx.Response:
    """`POST /documents` as the person."""
    return await gql.http.post(
        "/documents",
        params={"name": name},
        content=content,
        headers={"Authorization": f"Bearer {person.token}", "Content-Type": media_type},
    )


async def document(gql: GraphQLClient, person: Person, content: bytes = PDF) -> dict[str, str]:
    """A document for the person's bid: their upload of `content` as plan.pdf."""
    uploaded = await upload(gql, person, content)
    assert uploaded.status_code == 201, uploaded.text
    return {"uploadId": uploaded.json()["id"]}


async def submit(gql: GraphQLClient, person: Person, bid: dict[str, Any]) -> dict[str, Any]:
    result = await gql(SUBMIT, {"input": bid}, token=person.token)
    return dict(result.ok()["submitBid"])


async def bid_tables(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: await rows(db, f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608
        for table in BID_TABLES
    }
