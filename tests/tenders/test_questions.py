"""Questions and answers on a published tender and the nota van inlichtingen, through
the GraphQL API: equal information (TENDERS.md guarantee 5), the deadlines by the
database clock (moved in the stored dates), and bad input refused with nothing changed."""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from market.api.graphql import ids
from market.db.database import Database
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor, Grant
from market.settings import Settings
from market.tenders import questions
from tests.support.actors import learner, platform_admin
from tests.support.graphql import GraphQLClient
from tests.tenders.questions_world import (
    ANSWER,
    ASK,
    NOTAS,
    PUBLISH_NOTA,
    QUESTIONS,
    Provider,
    QuestionsWorld,
    answer,
    ask,
    provider,
    set_timeline,
    snapshot,
    sql,
)
from tests.tenders.world import rows

LOTS = "query($id: ID!) { tender(id: $id) { lots { id number } } }"


async def _lot_id(gql: GraphQLClient, w: QuestionsWorld, number: int) -> str:
    lots = (await gql(LOTS, {"id": w.tender})).ok()["tender"]["lots"]
    return str(next(lot["id"] for lot in lots if lot["number"] == number))


async def _questions(gql: GraphQLClient, w: QuestionsWorld, token: str | None) -> Any:
    return (await gql(QUESTIONS, {"tender": w.tender}, token=token)).ok()["tenderQuestions"]


def _asker_traces(w: QuestionsWorld) -> list[str]:
    """Everything that would give the asker away: user, provider, name, email."""
    person, organisation = w.asker.owner, w.asker.organisation_id
    return [
        str(person.user_id),
        ids.encode("User", person.user_id),
        str(organisation),
        ids.encode("Organisation", organisation),
        w.asker.name,
        person.email,
        person.email.split("@")[0],
    ]


def _leaks(payload: Any, w: QuestionsWorld) -> list[str]:
    dumped = json.dumps(payload).lower()
    return [trace for trace in _asker_traces(w) if trace.lower() in dumped]


async def test_guarantee_05_equal_information(
    db: Database, gql: GraphQLClient, questions_world: QuestionsWorld
) -> None:
    w = questions_world
    lead, member = w.coalition.lead, w.coalition.member
    admin = await platform_admin(db)
    lot = await _lot_id(gql, w, 2)
    question = await ask(gql, w, "Mag de intake online?", lot=lot)

    answered = await gql(
        ANSWER, {"question": question, "text": "Ja, via video."}, token=lead.officer.token
    )

    # The answer, its question and the outbox event committed in one transaction.
    (stored,) = await rows(
        db,
        "SELECT answer, xmin::text FROM tender_questions WHERE id = :id",
        id=ids.decode("TenderQuestion", question),
    )
    events = await rows(
        db,
        "SELECT args->'event', xmin::text FROM procrastinate_jobs"
        " WHERE args->'event'->>'name' = 'tenders.question_answered'",
    )
    assert stored[0] == "Ja, via video."
    assert [xmin for _, xmin in events] == [stored[1]]
    (event,) = [payload for payload, _ in events]
    assert event["data"] == {
        "tender_id": str(ids.decode("Tender", w.tender)),
        "question_id": str(ids.decode("TenderQuestion", question)),
        "question_number": 1,
    }
    # Every party sees the question with its answer, at once.
    other = await learner(db)
    for token in (
        None,
        other.token,
        w.other.owner.token,
        member.evaluator.token,
        w.coalition.outsider.officer.token,
    ):
        (node,) = (await _questions(gql, w, token))["nodes"]
        assert (node["text"], node["answer"], node["lotNumber"]) == (
            "Mag de intake online?",
            "Ja, via video.",
            2,
        )
        assert node["yours"] is False
        assert node["askedBy"] is None
    # The asker's own provider sees it as theirs, a platform admin sees who asked.
    for token in (w.asker.owner.token, w.asker.editor.token):
        assert (await _questions(gql, w, token))["nodes"][0]["yours"] is True
    asked_by = (await _questions(gql, w, admin.token))["nodes"][0]["askedBy"]
    assert asked_by == {
        "providerId": w.asker.id,
        "providerName": "Taalhuis Noord",
        "userId": ids.encode("User", w.asker.owner.user_id),
    }
    # No payload anyone but the asker and admins sees gives the asker away: results,
    # errors, the nota and the event.
    nota = await gql(PUBLISH_NOTA, {"tender": w.tender}, token=lead.officer.token)
    payloads: list[Any] = [answered.body, nota.body, event]
    for token in (None, w.other.owner.token, lead.officer.token, member.evaluator.token):
        payloads.append((await gql(QUESTIONS, {"tender": w.tender}, token=token)).body)
        payloads.append((await gql(NOTAS, {"tender": w.tender}, token=token)).body)
        payloads.append(
            (await gql(ANSWER, {"question": question, "text": "Nog eens"}, token=token)).body
        )
        payloads.append((await gql(PUBLISH_NOTA, {"tender": w.tender}, token=token)).body)
    assert nota.ok()["publishNotaVanInlichtingen"]["questions"][0]["question"]
    assert all(payload for payload in payloads)
    assert [_leaks(payload, w) for payload in payloads] == [[] for _ in payloads]
    assert _leaks((await _questions(gql, w, admin.token)), w) != []


async def test_open_questions_are_seen_by_the_asker_and_the_buyers_only(
    db: Database, gql: GraphQLClient, questions_world: QuestionsWorld
) -> None:
    w = questions_world
    await ask(gql, w, "Is er een maximum aan groepsgrootte?")

    def texts(found: Any) -> list[tuple[str, str | None]]:
        return [(node["text"], node["answer"]) for node in found["nodes"]]

    open_question = [("Is er een maximum aan groepsgrootte?", None)]
    for token in (
        w.asker.editor.token,
        w.coalition.lead.officer.token,
        w.coalition.member.evaluator.token,
    ):
        assert texts(await _questions(gql, w, token)) == open_question
    for token in (None, w.other.owner.token, w.coalition.outsider.officer.token):
        found = await _questions(gql, w, token)
        assert (found["totalCount"], texts(found)) == (0, [])


async def test_questions_close_at_the_deadline_by_the_database_clock(
    db: Database, gql: GraphQLClient, questions_world: QuestionsWorld
) -> None:
    w = questions_world
    await ask(gql, w, "Vraag op tijd")
    await set_timeline(db, w.tender, questions_in=timedelta(seconds=-1), bids_in=timedelta(days=20))
    before = await snapshot(db)

    late = await gql(ASK, {"tender": w.tender, "text": "Te laat"}, token=w.asker.owner.token)

    assert late.error_code == "CONFLICT"
    assert late.errors[0]["extensions"]["reason"] == "QuestionsClosed"
    assert await snapshot(db) == before
    # The scheduler's state closes questions too, whatever the stored deadline says.
    await set_timeline(db, w.tender, questions_in=timedelta(days=1), bids_in=timedelta(days=20))
    await sql(db, "UPDATE tenders SET state = 'questions_closed'")
    closed = await gql(ASK, {"tender": w.tender, "text": "Nu?"}, token=w.asker.owner.token)
    assert closed.errors[0]["extensions"]["reason"] == "QuestionsClosed"


async def test_answers_and_notas_go_out_at_least_six_days_before_the_bid_deadline(
    db: Database, gql: GraphQLClient, questions_world: QuestionsWorld
) -> None:
    w = questions_world
    officer = w.coalition.lead.officer.token
    first = await ask(gql, w, "Eerste vraag")
    second = await ask(gql, w, "Tweede vraag")
    await set_timeline(
        db, w.tender, questions_in=timedelta(days=-1), bids_in=timedelta(days=6, minutes=5)
    )
    await answer(gql, w, first, "Op tijd beantwoord.")
    await set_timeline(
        db, w.tender, questions_in=timedelta(days=-1), bids_in=timedelta(days=6, minutes=-5)
    )
    before = await snapshot(db)

    late_answer = await gql(ANSWER, {"question": second, "text": "Te laat"}, token=officer)
    late_nota = await gql(PUBLISH_NOTA, {"tender": w.tender}, token=officer)

    for result in (late_answer, late_nota):
        assert result.error_code == "CONFLICT"
        assert result.errors[0]["extensions"]["reason"] == "AnswersWindowClosed"
        assert result.errors[0]["extensions"]["params"]["days"] == 6
    assert await snapshot(db) == before
    await set_timeline(
        db, w.tender, questions_in=timedelta(days=-1), bids_in=timedelta(days=6, minutes=5)
    )
    nota = (await gql(PUBLISH_NOTA, {"tender": w.tender}, token=officer)).ok()
    assert [q["question"] for q in nota["publishNotaVanInlichtingen"]["questions"]] == [
        "Eerste vraag"
    ]


async def test_a_nota_bundles_the_new_answers_numbered_and_hashed(
    db: Database, gql: GraphQLClient, questions_world: QuestionsWorld
) -> None:
    w = questions_world
    officer = w.coalition.lead.officer.token
    lot = await _lot_id(gql, w, 1)
    first = await ask(gql, w, "Vraag een", lot=lot)
    await ask(gql, w, "Vraag twee")
    third = await ask(gql, w, "Vraag drie")
    nothing = await gql(PUBLISH_NOTA, {"tender": w.tender}, token=officer)
    assert nothing.errors[0]["extensions"]["reason"] == "NothingNewToPublish"
    await answer(gql, w, third, "Antwoord drie")
    await answer(gql, w, first, "Antwoord een")

    one = (await gql(PUBLISH_NOTA, {"tender": w.tender}, token=officer)).ok()
    again = await gql(PUBLISH_NOTA, {"tender": w.tender}, token=officer)
    second = await ask(gql, w, "Vraag vier")
    await answer(gql, w, second, "Antwoord vier")
    two = (await gql(PUBLISH_NOTA, {"tender": w.tender}, token=officer)).ok()

    nota = one["publishNotaVanInlichtingen"]
    assert nota["number"] == 1
    assert [
        (q["questionNumber"], q["lotNumber"], q["question"], q["answer"]) for q in nota["questions"]
    ] == [
        (1, 1, "Vraag een", "Antwoord een"),
        (3, None, "Vraag drie", "Antwoord drie"),
    ]
    assert nota["sha256"] == hashlib.sha256(nota["body"].encode()).hexdigest()
    assert json.loads(nota["body"])["nota"] == 1
    assert again.errors[0]["extensions"]["reason"] == "NothingNewToPublish"
    assert two["publishNotaVanInlichtingen"]["number"] == 2
    assert [q["question"] for q in two["publishNotaVanInlichtingen"]["questions"]] == ["Vraag vier"]
    listed = (await gql(NOTAS, {"tender": w.tender})).ok()["notasVanInlichtingen"]
    assert [n["number"] for n in listed["nodes"]] == [2, 1]
    numbers = {
        node["number"]: node["notaNumber"] for node in (await _questions(gql, w, None))["nodes"]
    }
    assert numbers == {1: 1, 3: 1, 4: 2}


async def test_a_nota_is_never_changed_or_removed(
    db: Database, gql: GraphQLClient, questions_world: QuestionsWorld
) -> None:
    w = questions_world
    await answer(gql, w, await ask(gql, w, "Vraag"), "Antwoord")
    (await gql(PUBLISH_NOTA, {"tender": w.tender}, token=w.coalition.lead.officer.token)).ok()
    before = await snapshot(db)

    for statement in (
        "UPDATE tender_notas SET body = body || ' '",
        "UPDATE tender_notas SET created_at = now()",
        "DELETE FROM tender_notas",
        "TRUNCATE tender_notas CASCADE",
    ):
        with pytest.raises(DBAPIError, match="never changed or removed"):
            await sql(db, statement)

    assert await snapshot(db) == before


async def test_a_stored_hash_must_be_the_bodys(
    db: Database, gql: GraphQLClient, questions_world: QuestionsWorld
) -> None:
    w = questions_world

    with pytest.raises(DBAPIError, match="ck_tender_notas_hash_of_body"):
        await sql(
            db,
            "INSERT INTO tender_notas (id, tender_id, number, body, sha256, published_by)"
            " VALUES (gen_random_uuid(), :tender, 1, '{}', repeat('0', 64), :officer)",
            tender=ids.decode("Tender", w.tender),
            officer=w.coalition.lead.officer.user_id,
        )


async def test_questions_asked_at_once_get_their_own_numbers(
    db: Database, gql: GraphQLClient, settings: Settings, questions_world: QuestionsWorld
) -> None:
    w = questions_world
    providers = [await provider(db, f"Aanbieder {i}") for i in range(5)]
    tender_id = ids.decode("Tender", w.tender)
    database = Database(settings.database_url, pool_size=5)

    async def asks(staff: Provider) -> int:
        actor = Actor(
            staff.owner.user_id,
            (Grant(staff.organisation_id, OrganisationKind.PROVIDER, Role.OWNER),),
        )
        async with database.transaction() as session:
            view = await questions.ask_question(session, actor, tender_id, staff.name)
            return view.number

    try:
        numbers = await asyncio.gather(*(asks(staff) for staff in providers))
    finally:
        await database.dispose()

    assert sorted(numbers) == [1, 2, 3, 4, 5]
    stored = await rows(db, "SELECT number, text FROM tender_questions ORDER BY number")
    assert sorted(text for _, text in stored) == [f"Aanbieder {i}" for i in range(5)]
