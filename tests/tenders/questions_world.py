"""The world of the questions tests: a coalition's tender published (by SQL: publication
is not this part's) with its timeline set relative to the database clock, and providers
whose staff ask."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from tests.support.actors import Person, add_organisation, add_person
from tests.support.graphql import GraphQLClient
from tests.tenders.world import CoalitionWorld, build_coalition, create_tender, rows

QUESTION_FIELDS = """
  id tenderId number lotId lotNumber text askedAt answer answeredAt notaNumber yours
  askedBy { providerId providerName userId }
"""
ASK = f"""mutation($tender: ID!, $text: String!, $lot: ID, $provider: ID) {{
  askQuestion(tenderId: $tender, text: $text, lotId: $lot, providerId: $provider) {{
    {QUESTION_FIELDS}
  }}
}}"""
ANSWER = f"""mutation($question: ID!, $text: String!) {{
  answerQuestion(questionId: $question, text: $text) {{ {QUESTION_FIELDS} }}
}}"""
NOTA_FIELDS = """
  id tenderId number publishedAt body sha256
  questions { questionNumber lotNumber question answer answeredAt }
"""
PUBLISH_NOTA = f"""mutation($tender: ID!) {{
  publishNotaVanInlichtingen(tenderId: $tender) {{ {NOTA_FIELDS} }}
}}"""
QUESTIONS = f"""query($tender: ID!, $first: Int, $after: String) {{
  tenderQuestions(tenderId: $tender, first: $first, after: $after) {{
    totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {QUESTION_FIELDS} }}
  }}
}}"""
NOTAS = f"""query($tender: ID!) {{
  notasVanInlichtingen(tenderId: $tender) {{ totalCount nodes {{ {NOTA_FIELDS} }} }}
}}"""
QUESTION_TABLES = ("tenders", "tender_questions", "tender_notas")


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
    slug = name.lower().replace(" ", "-")
    owner = await add_person(
        db, organisation_id=organisation_id, role=Role.OWNER, email=f"{slug}-owner@example.test"
    )
    editor = await add_person(
        db, organisation_id=organisation_id, role=Role.EDITOR, email=f"{slug}-editor@example.test"
    )
    return Provider(organisation_id, name, owner, editor)


async def publish(
    db: Database,
    tender: str,
    *,
    questions_in: timedelta = timedelta(days=10),
    bids_in: timedelta = timedelta(days=30),
) -> None:
    """Publishes the tender, its questions deadline and bid deadline this far from now."""
    await set_timeline(db, tender, questions_in=questions_in, bids_in=bids_in)
    await sql(
        db,
        "UPDATE tenders SET state = 'published', published_at = now() WHERE id = :id",
        id=ids.decode("Tender", tender),
    )


async def set_timeline(
    db: Database, tender: str, *, questions_in: timedelta, bids_in: timedelta
) -> None:
    """Moves the stored dates: time passes without sleeping."""
    await sql(
        db,
        "UPDATE tenders SET publication_at = now() - interval '30 days',"
        " questions_deadline = now() + :questions_in, bid_deadline = now() + :bids_in,"
        " planned_award_at = now() + :bids_in + interval '20 days',"
        " contract_start_at = now() + :bids_in + interval '60 days'"
        " WHERE id = :id",
        id=ids.decode("Tender", tender),
        questions_in=questions_in,
        bids_in=bids_in,
    )


async def sql(db: Database, statement: str, **params: Any) -> None:
    async with db.transaction() as session:
        await session.execute(text(statement), params)


@dataclass(frozen=True)
class QuestionsWorld:
    coalition: CoalitionWorld
    tender: str  # published, questions open for 10 days, bids for 30
    asker: Provider
    other: Provider


async def build(db: Database, gql: GraphQLClient) -> QuestionsWorld:
    w = await build_coalition(db, gql)
    tender = await create_tender(gql, w)
    await publish(db, tender)
    return QuestionsWorld(
        w, tender, await provider(db, "Taalhuis Noord"), await provider(db, "Leerpunt Zuid")
    )


async def ask(gql: GraphQLClient, w: QuestionsWorld, question: str, **extra: Any) -> str:
    result = await gql(
        ASK, {"tender": w.tender, "text": question, **extra}, token=w.asker.owner.token
    )
    return str(result.ok()["askQuestion"]["id"])


async def answer(gql: GraphQLClient, w: QuestionsWorld, question: str, reply: str) -> None:
    variables = {"question": question, "text": reply}
    (await gql(ANSWER, variables, token=w.coalition.lead.officer.token)).ok()


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    tables = {
        table: await rows(db, f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
        for table in QUESTION_TABLES
    }
    tables["jobs"] = await rows(
        db, "SELECT id, task_name, args FROM procrastinate_jobs ORDER BY id"
    )
    return tables
