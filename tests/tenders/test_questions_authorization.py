"""Who may ask, answer, publish a nota van inlichtingen, and read a tender's questions and
notas: each actor of the coalition world, providers and platform admins. On every denial
the questions' tables and the outbox stay exactly as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from market.db.database import Database
from tests.support.actors import learner, platform_admin
from tests.support.graphql import GraphQLClient
from tests.tenders.questions_world import (
    ANSWER,
    ASK,
    NOTAS,
    PUBLISH_NOTA,
    QUESTIONS,
    QuestionsWorld,
    answer,
    ask,
    build,
    snapshot,
)
from tests.tenders.world import create_tender

ACTORS = (
    "anonymous",
    "learner",
    "asking provider's staff",
    "other provider's staff",
    "outsider officer",
    "invited officer",
    "member evaluator",
    "member officer",
    "lead officer",
    "admin",
)
NOT_THE_LEAD = {
    "anonymous": "UNAUTHENTICATED",
    **{actor: "FORBIDDEN" for actor in ACTORS if actor not in {"anonymous", "lead officer"}},
}


@dataclass(frozen=True)
class World:
    questions: QuestionsWorld
    open: str  # a question not yet answered
    draft: str  # a tender of the coalition not published
    tokens: dict[str, str | None]


async def _build(db: Database, gql: GraphQLClient) -> World:
    """Three questions: the first answered and in nota 1, the second open, the third
    answered but in no nota yet."""
    w = await build(db, gql)
    c = w.coalition
    await answer(gql, w, await ask(gql, w, "Eerste"), "Een.")
    (await gql(PUBLISH_NOTA, {"tender": w.tender}, token=c.lead.officer.token)).ok()
    open_question = await ask(gql, w, "Tweede")
    await answer(gql, w, await ask(gql, w, "Derde"), "Drie.")
    tokens = {
        "anonymous": None,
        "learner": (await learner(db)).token,
        "asking provider's staff": w.asker.editor.token,
        "other provider's staff": w.other.owner.token,
        "outsider officer": c.outsider.officer.token,
        "invited officer": c.invited.officer.token,
        "member evaluator": c.member.evaluator.token,
        "member officer": c.member.officer.token,
        "lead officer": c.lead.officer.token,
        "admin": (await platform_admin(db)).token,
    }
    return World(w, open_question, await create_tender(gql, c), tokens)


@dataclass(frozen=True)
class Mutation:
    query: str
    variables: Callable[[World], dict[str, Any]]
    allowed: frozenset[str]
    denied: dict[str, str]


MUTATIONS = {
    "askQuestion": Mutation(
        ASK,
        lambda w: {"tender": w.questions.tender, "text": "Nog een vraag"},
        frozenset({"asking provider's staff", "other provider's staff"}),
        {
            "anonymous": "UNAUTHENTICATED",
            **{
                actor: "FORBIDDEN"
                for actor in ACTORS
                if actor not in {"anonymous", "asking provider's staff", "other provider's staff"}
            },
        },
    ),
    "answerQuestion": Mutation(
        ANSWER,
        lambda w: {"question": w.open, "text": "Twee."},
        frozenset({"lead officer"}),
        NOT_THE_LEAD,
    ),
    "publishNotaVanInlichtingen": Mutation(
        PUBLISH_NOTA,
        lambda w: {"tender": w.questions.tender},
        frozenset({"lead officer"}),
        NOT_THE_LEAD,
    ),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("operation", MUTATIONS)
async def test_mutation_matrix(
    db: Database, gql: GraphQLClient, operation: str, actor: str
) -> None:
    w = await _build(db, gql)
    spec = MUTATIONS[operation]
    assert spec.allowed | spec.denied.keys() == set(ACTORS)
    before = await snapshot(db)

    result = await gql(spec.query, spec.variables(w), token=w.tokens[actor])

    if actor in spec.allowed:
        assert result.ok()[operation]["id"]
        assert await snapshot(db) != before
    else:
        assert result.error_code == spec.denied[actor], result.errors
        assert result.data is None
        assert await snapshot(db) == before


# Who sees the open question as well as the answered ones.
SEE_OPEN = frozenset(
    {"asking provider's staff", "member evaluator", "member officer", "lead officer", "admin"}
)
# Who sees the draft (and so its questions and notas: none yet).
DRAFT_INSIDERS = frozenset({"member evaluator", "member officer", "lead officer", "admin"})


def _questions(result: Any) -> list[str]:
    return [node["text"] for node in result.ok()["tenderQuestions"]["nodes"]]


@pytest.mark.parametrize("actor", ACTORS)
async def test_query_matrix(db: Database, gql: GraphQLClient, actor: str) -> None:
    w = await _build(db, gql)
    token = w.tokens[actor]
    published = {"tender": w.questions.tender}

    questions = await gql(QUESTIONS, published, token=token)
    notas = await gql(NOTAS, published, token=token)
    draft_questions = await gql(QUESTIONS, {"tender": w.draft}, token=token)
    draft_notas = await gql(NOTAS, {"tender": w.draft}, token=token)

    seen = ["Derde", "Tweede", "Eerste"] if actor in SEE_OPEN else ["Derde", "Eerste"]
    assert _questions(questions) == seen
    assert [n["number"] for n in notas.ok()["notasVanInlichtingen"]["nodes"]] == [1]
    if actor in DRAFT_INSIDERS:
        assert _questions(draft_questions) == []
        assert draft_notas.ok()["notasVanInlichtingen"]["totalCount"] == 0
    else:
        assert draft_questions.error_code == draft_notas.error_code == "NOT_FOUND"
        assert draft_questions.data is None
