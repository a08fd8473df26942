"""GraphQL face of questions and answers on tenders and the nota van inlichtingen. Who
asked is never shown, except `yours` to the asking provider's staff and `askedBy` to
platform admins."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

from market.api.graphql import ids
from market.api.graphql.context import Info
from market.api.graphql.pagination import Connection
from market.kernel.pagination import PageRequest
from market.tenders import questions
from market.tenders.questions import AskerView, NotaEntry, NotaView, QuestionView


def _id(type_name: str, value: uuid.UUID) -> strawberry.ID:
    return strawberry.ID(ids.encode(type_name, value))


@strawberry.type(description="Who asked a question: shown to platform admins only.")
class QuestionAsker:
    provider_id: strawberry.ID
    provider_name: str
    user_id: strawberry.ID | None

    @classmethod
    def of(cls, view: AskerView) -> QuestionAsker:
        return cls(
            provider_id=_id("Organisation", view.provider_id),
            provider_name=view.provider_name,
            user_id=None if view.user_id is None else _id("User", view.user_id),
        )


@strawberry.type(description="A provider's question on a tender, and the lead's answer.")
class TenderQuestion:
    id: strawberry.ID
    tender_id: strawberry.ID
    number: int = strawberry.field(description="Its place among the tender's questions.")
    lot_id: strawberry.ID | None = strawberry.field(description="Null: the whole tender.")
    lot_number: int | None
    text: str
    asked_at: datetime
    answer: str | None = strawberry.field(description="Null until answered.")
    answered_at: datetime | None
    nota_number: int | None = strawberry.field(
        description="The nota van inlichtingen that holds the answer, once bundled."
    )
    yours: bool = strawberry.field(description="Asked by a provider you are staff of.")
    asked_by: QuestionAsker | None = strawberry.field(
        description="Platform admins only; askers are anonymous to everyone else."
    )

    @classmethod
    def of(cls, view: QuestionView) -> TenderQuestion:
        return cls(
            id=_id("TenderQuestion", view.id),
            tender_id=_id("Tender", view.tender_id),
            number=view.number,
            lot_id=None if view.lot_id is None else _id("Lot", view.lot_id),
            lot_number=view.lot_number,
            text=view.text,
            asked_at=view.asked_at,
            answer=view.answer,
            answered_at=view.answered_at,
            nota_number=view.nota_number,
            yours=view.yours,
            asked_by=None if view.asker is None else QuestionAsker.of(view.asker),
        )


@strawberry.type(description="A question and its answer as a nota van inlichtingen holds it.")
class NotaQuestion:
    question_number: int
    lot_number: int | None
    question: str
    answer: str
    answered_at: datetime

    @classmethod
    def of(cls, entry: NotaEntry) -> NotaQuestion:
        return cls(
            question_number=entry.question_number,
            lot_number=entry.lot_number,
            question=entry.question,
            answer=entry.answer,
            answered_at=datetime.fromisoformat(entry.answered_at),
        )


@strawberry.type(
    description="A nota van inlichtingen: answers published together to every party, "
    "numbered per tender and never changed afterwards."
)
class NotaVanInlichtingen:
    id: strawberry.ID
    tender_id: strawberry.ID
    number: int
    published_at: datetime
    body: str = strawberry.field(description="The nota as published: canonical JSON.")
    sha256: str = strawberry.field(description="The SHA-256 (hex) of `body`'s UTF-8 bytes.")
    questions: list[NotaQuestion]

    @classmethod
    def of(cls, view: NotaView) -> NotaVanInlichtingen:
        return cls(
            id=_id("NotaVanInlichtingen", view.id),
            tender_id=_id("Tender", view.tender_id),
            number=view.number,
            published_at=view.published_at,
            body=view.body,
            sha256=view.sha256,
            questions=[NotaQuestion.of(entry) for entry in view.entries],
        )


@strawberry.type
class QuestionsQuery:
    @strawberry.field(
        description="A tender's questions, newest first, for everyone who sees the tender: "
        "answered ones to all; open ones to the coalition's officers and evaluators, "
        "platform admins and the provider that asked."
    )
    async def tender_questions(
        self,
        info: Info,
        tender_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[TenderQuestion]:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        async with info.context.reader() as session:
            found = await questions.questions(session, info.context.actor, tender, page)
        return Connection.of(found, TenderQuestion.of)

    @strawberry.field(
        description="A tender's notas van inlichtingen, newest first, for everyone who sees "
        "the tender."
    )
    async def notas_van_inlichtingen(
        self,
        info: Info,
        tender_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[NotaVanInlichtingen]:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        page = PageRequest.parse(first, after, limit=info.context.page_size_limit)
        async with info.context.reader() as session:
            found = await questions.notas(session, info.context.actor, tender, page)
        return Connection.of(found, NotaVanInlichtingen.of)


@strawberry.type
class QuestionsMutation:
    @strawberry.mutation(
        description="A provider's staff (`providerId` only when staff of several): ask about "
        "a published tender, or one of its lots, before its questions deadline. Other "
        "providers, the lead and the public never learn who asked."
    )
    async def ask_question(
        self,
        info: Info,
        tender_id: strawberry.ID,
        text: str,
        lot_id: strawberry.ID | None = None,
        provider_id: strawberry.ID | None = None,
    ) -> TenderQuestion:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        lot = None if lot_id is None else ids.decode("Lot", lot_id, field="lotId")
        provider = None
        if provider_id is not None:
            provider = ids.decode("Organisation", provider_id, field="providerId")
        async with info.context.transaction() as session:
            view = await questions.ask_question(
                session, info.context.actor, tender, text, lot_id=lot, provider_id=provider
            )
        return TenderQuestion.of(view)

    @strawberry.mutation(
        description="A procurement officer of the coalition's lead: answer a question; the "
        "answer is published to every party at once and does not change afterwards."
    )
    async def answer_question(
        self, info: Info, question_id: strawberry.ID, text: str
    ) -> TenderQuestion:
        question = ids.decode("TenderQuestion", question_id, field="questionId")
        async with info.context.transaction() as session:
            view = await questions.answer_question(session, info.context.actor, question, text)
        return TenderQuestion.of(view)

    @strawberry.mutation(
        description="A procurement officer of the coalition's lead: bundle every answer not "
        "yet in a nota into the next nota van inlichtingen, at the latest 6 days before the "
        "bid deadline."
    )
    async def publish_nota_van_inlichtingen(
        self, info: Info, tender_id: strawberry.ID
    ) -> NotaVanInlichtingen:
        tender = ids.decode("Tender", tender_id, field="tenderId")
        async with info.context.transaction() as session:
            view = await questions.publish_nota(session, info.context.actor, tender)
        return NotaVanInlichtingen.of(view)
