"""Bad input to the questions' mutations: each gets its typed error (code, reason, field)
and nothing changes, asserted on the tables and the outbox."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from market.api.graphql import ids
from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.tenders.questions_world import (
    ANSWER,
    ASK,
    PUBLISH_NOTA,
    QuestionsWorld,
    answer,
    ask,
    build,
    snapshot,
    sql,
)
from tests.tenders.world import create_tender

LOTS = "query($id: ID!) { tender(id: $id) { lots { id } } }"


@dataclass(frozen=True)
class World:
    questions: QuestionsWorld
    answered: str
    open: str
    draft: str  # another tender of the coalition, not published
    draft_lot: str


async def _build(db: Database, gql: GraphQLClient) -> World:
    w = await build(db, gql)
    answered = await ask(gql, w, "Beantwoord")
    await answer(gql, w, answered, "Ja.")
    draft = await create_tender(gql, w.coalition)
    token = w.coalition.lead.officer.token
    lots = (await gql(LOTS, {"id": draft}, token=token)).ok()["tender"]["lots"]
    return World(w, answered, await ask(gql, w, "Open"), draft, lots[0]["id"])


@dataclass(frozen=True)
class Case:
    query: str
    variables: Callable[[World], dict[str, Any]]
    actor: Callable[[World], str]
    expected: tuple[str, str, str | None]  # code, reason, field
    arrange: Callable[[Database, World], Awaitable[None]] | None = None


def _asker(w: World) -> str:
    return w.questions.asker.owner.token


def _lead(w: World) -> str:
    return w.questions.coalition.lead.officer.token


def _ask(w: World, **extra: Any) -> dict[str, Any]:
    return {"tender": w.questions.tender, "text": "Een vraag", **extra}


async def _cancel(db: Database, w: World) -> None:
    await sql(
        db,
        "UPDATE tenders SET state = 'cancelled' WHERE id = :id",
        id=ids.decode("Tender", w.questions.tender),
    )


async def _staff_of_two(db: Database, w: World) -> None:
    await sql(
        db,
        "INSERT INTO memberships (id, user_id, organisation_id, role)"
        " VALUES (gen_random_uuid(), :user, :provider, 'owner')",
        user=w.questions.asker.owner.user_id,
        provider=w.questions.other.organisation_id,
    )


CASES = {
    "empty question": Case(
        ASK,
        lambda w: _ask(w, text="   "),
        _asker,
        ("BAD_USER_INPUT", "TextRequired", "text"),
    ),
    "question too long": Case(
        ASK,
        lambda w: _ask(w, text="x" * 4001),
        _asker,
        ("BAD_USER_INPUT", "TextTooLong", "text"),
    ),
    "lot of another tender": Case(
        ASK,
        lambda w: _ask(w, lot=w.draft_lot),
        _asker,
        ("NOT_FOUND", "LotNotInTender", "lotId"),
    ),
    "not an id": Case(
        ASK,
        lambda w: _ask(w, tender="nonsense"),
        _asker,
        ("BAD_USER_INPUT", "MalformedId", "tenderId"),
    ),
    "a draft": Case(
        ASK,
        lambda w: _ask(w, tender=w.draft),
        _asker,
        ("NOT_FOUND", "TenderNotFound", "tenderId"),
    ),
    "a cancelled tender": Case(
        ASK, _ask, _asker, ("CONFLICT", "TenderClosed", None), arrange=_cancel
    ),
    "for another provider": Case(
        ASK,
        lambda w: _ask(w, provider=w.questions.other.id),
        _asker,
        ("FORBIDDEN", "NotAProvider", "providerId"),
    ),
    "staff of two, not saying which": Case(
        ASK,
        _ask,
        _asker,
        ("BAD_USER_INPUT", "AskingProviderRequired", "providerId"),
        arrange=_staff_of_two,
    ),
    "empty answer": Case(
        ANSWER,
        lambda w: {"question": w.open, "text": ""},
        _lead,
        ("BAD_USER_INPUT", "TextRequired", "text"),
    ),
    "answered again": Case(
        ANSWER,
        lambda w: {"question": w.answered, "text": "Nee, toch niet."},
        _lead,
        ("CONFLICT", "QuestionAlreadyAnswered", "questionId"),
    ),
    "no such question": Case(
        ANSWER,
        lambda w: {"question": ids.encode("TenderQuestion", uuid.uuid4()), "text": "Ja."},
        _lead,
        ("NOT_FOUND", "QuestionNotFound", "questionId"),
    ),
    "answer on a cancelled tender": Case(
        ANSWER,
        lambda w: {"question": w.open, "text": "Ja."},
        _lead,
        ("CONFLICT", "TenderClosed", None),
        arrange=_cancel,
    ),
    "nota of a draft": Case(
        PUBLISH_NOTA,
        lambda w: {"tender": w.draft},
        _lead,
        ("CONFLICT", "TenderClosed", None),
    ),
}


@pytest.mark.parametrize("case", CASES)
async def test_bad_input_changes_nothing(db: Database, gql: GraphQLClient, case: str) -> None:
    spec = CASES[case]
    w = await _build(db, gql)
    if spec.arrange is not None:
        await spec.arrange(db, w)
    before = await snapshot(db)

    result = await gql(spec.query, spec.variables(w), token=spec.actor(w))

    extensions = result.errors[0]["extensions"]
    assert (result.error_code, extensions["reason"], result.error_field) == spec.expected
    assert result.data is None
    assert await snapshot(db) == before
