"""Questions and answers on a published tender, and the nota van inlichtingen.

Providers' staff ask until the questions deadline; the lead's procurement officers
answer, and each answer is published to every party in its own transaction (an outbox
event commits with it); the officers bundle the answers not yet in one into a numbered,
immutable nota van inlichtingen, at the latest ANSWERS_LEAD_DAYS before the bid deadline.

Anonymity (TENDERS.md: askers anonymised): who asked (user and provider) is stored, and
shown only to the asker's own provider (as `yours`) and to platform admins (who answer
for abuse). The lead's officers do not see it either: answering needs nothing of the
asker, and an officer who knew could favour or disfavour a provider. No event, nota or
error names the asker.

Who sees which question: everyone who sees the tender sees its answered questions; the
coalition's insiders (its members' officers and evaluators) and platform admins see the
open ones too, and a provider its own. Deadlines compare with the database clock.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select, true, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from market.db import outbox
from market.identity.models import Organisation, OrganisationKind, Role
from market.identity.policies import Actor
from market.kernel.pagination import Page, PageRequest, created_cursor, newest_page
from market.tenders import errors, events, policies
from market.tenders.models import (
    Coalition,
    CoalitionMember,
    Lot,
    MemberState,
    Nota,
    Tender,
    TenderQuestion,
)
from market.tenders.policies import TenderState, acting_for, trimmed_text
from market.tenders.service import INSIDER_ROLES, visible_tenders

MAX_QUESTION_LENGTH = 4_000
MAX_ANSWER_LENGTH = 20_000
PROVIDER_STAFF = (Role.OWNER, Role.EDITOR)
# The states in which questions are asked (until the deadline) and answered.
OPEN_STATES = frozenset({TenderState.PUBLISHED, TenderState.QUESTIONS_CLOSED})


@dataclass(frozen=True, slots=True)
class AskerView:
    """Who asked: shown to platform admins only."""

    provider_id: uuid.UUID
    provider_name: str
    user_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class QuestionView:
    id: uuid.UUID
    tender_id: uuid.UUID
    number: int
    lot_id: uuid.UUID | None
    lot_number: int | None
    text: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    nota_number: int | None
    # Asked by a provider the actor is staff of.
    yours: bool
    asker: AskerView | None


@dataclass(frozen=True, slots=True)
class NotaEntry:
    question_number: int
    lot_number: int | None
    question: str
    answer: str
    answered_at: str


@dataclass(frozen=True, slots=True)
class NotaView:
    id: uuid.UUID
    tender_id: uuid.UUID
    number: int
    published_at: datetime
    body: str
    sha256: str
    entries: tuple[NotaEntry, ...]


def acting_provider(actor: Actor, given: uuid.UUID | None) -> uuid.UUID:
    """The provider its staff member asks for: the one given, or their only one."""
    return acting_for(
        actor,
        OrganisationKind.PROVIDER,
        PROVIDER_STAFF,
        given,
        field="providerId",
        refused=errors.NotAProvider,
        choose=errors.AskingProviderRequired,
    )


async def _tender_for_update(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID
) -> tuple[Tender, Coalition]:
    found = (
        await session.execute(
            select(Tender, Coalition)
            .join(Coalition, Coalition.id == Tender.coalition_id)
            .where(Tender.id == tender_id, visible_tenders(actor))
            .with_for_update(of=Tender)
        )
    ).one_or_none()
    if found is None:
        raise errors.TenderNotFound(field="tenderId")
    return found.tuple()


def _require_lead(actor: Actor, coalition: Coalition, field: str) -> None:
    if not actor.acts_for(coalition.lead_id, (Role.PROCUREMENT_OFFICER,)):
        raise errors.NotCoalitionLead(field=field)


def _require_open(tender: Tender) -> None:
    if tender.state not in OPEN_STATES:
        raise errors.TenderClosed(state=tender.state.name)


async def _now(session: AsyncSession) -> datetime:
    """The database's clock: the transaction's start, as every func.now() in it."""
    now = await session.scalar(select(func.now()))
    assert isinstance(now, datetime)
    return now


async def _require_questions_open(session: AsyncSession, tender: Tender) -> None:
    """Asked before the questions deadline, unless the scheduler closed them already."""
    _require_open(tender)
    closed = tender.state is TenderState.QUESTIONS_CLOSED
    if closed or await _now(session) >= tender.questions_deadline:
        raise errors.QuestionsClosed(deadline=tender.questions_deadline.isoformat())


async def _require_answers_in_time(session: AsyncSession, tender: Tender) -> datetime:
    """Answers (and their nota) reach the parties by policies.answers_due; returns now."""
    _require_open(tender)
    now = await _now(session)
    latest = policies.answers_due(tender.bid_deadline)
    if now > latest:
        raise errors.AnswersWindowClosed(days=policies.ANSWERS_LEAD_DAYS, latest=latest.isoformat())
    return now


# -- writing ------------------------------------------------------------------------------


async def ask_question(
    session: AsyncSession,
    actor: Actor,
    tender_id: uuid.UUID,
    text: str,
    *,
    lot_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
) -> QuestionView:
    """A provider's staff member asks, on a published tender before its questions
    deadline, about the whole tender or one of its lots."""
    provider_id = acting_provider(actor, provider_id)
    text = trimmed_text(text, MAX_QUESTION_LENGTH, "text")
    tender, _ = await _tender_for_update(session, actor, tender_id)
    if lot_id is not None:
        in_tender = await session.scalar(
            select(Lot.id).where(Lot.id == lot_id, Lot.tender_id == tender.id)
        )
        if in_tender is None:
            raise errors.LotNotInTender(field="lotId")
    await _require_questions_open(session, tender)
    # The tender's row lock (above) keeps the numbers of concurrent questions apart.
    number = await session.scalar(
        select(func.coalesce(func.max(TenderQuestion.number), 0) + 1).where(
            TenderQuestion.tender_id == tender.id
        )
    )
    assert number is not None
    question = TenderQuestion(
        id=uuid.uuid4(),
        tender_id=tender.id,
        lot_id=lot_id,
        number=number,
        text=text,
        asked_by=actor.user_id,
        provider_id=provider_id,
    )
    session.add(question)
    await session.flush()
    return await _question_view(session, actor, question.id)


async def answer_question(
    session: AsyncSession, actor: Actor, question_id: uuid.UUID, text: str
) -> QuestionView:
    """The lead's procurement officer answers; the answer is published to every party in
    this transaction (QuestionAnswered). A published answer does not change."""
    actor.require_user()
    found = (
        await session.execute(
            select(TenderQuestion, Tender, Coalition)
            .join(Tender, Tender.id == TenderQuestion.tender_id)
            .join(Coalition, Coalition.id == Tender.coalition_id)
            .where(TenderQuestion.id == question_id, visible_tenders(actor))
            .with_for_update(of=TenderQuestion)
        )
    ).one_or_none()
    if found is None:
        raise errors.QuestionNotFound(field="questionId")
    question, tender, coalition = found.tuple()
    _require_lead(actor, coalition, "questionId")
    text = trimmed_text(text, MAX_ANSWER_LENGTH, "text")
    if question.answer is not None:
        raise errors.QuestionAlreadyAnswered(field="questionId")
    await _require_answers_in_time(session, tender)
    question.answer = text
    question.answered_by = actor.user_id
    question.answered_at = func.now()
    await session.flush()
    await outbox.record(session, events.QuestionAnswered(tender.id, question.id, question.number))
    return await _question_view(session, actor, question.id)


def _body(tender: Tender, number: int, now: datetime, entries: list[NotaEntry]) -> str:
    """The nota as canonical JSON (sorted keys, no spaces), the text its hash is of."""
    document: dict[str, Any] = {
        "tenderId": str(tender.id),
        "tenderTitle": tender.title,
        "tenderVersion": tender.version,
        "nota": number,
        "publishedAt": now.isoformat(),
        "questions": [
            {
                "number": e.question_number,
                "lot": e.lot_number,
                "question": e.question,
                "answer": e.answer,
                "answeredAt": e.answered_at,
            }
            for e in entries
        ],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


async def publish_nota(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> NotaView:
    """The lead's procurement officer bundles every answer not yet in a nota into the next
    one, in time for the answers window; refused when there is nothing new."""
    actor.require_user()
    tender, coalition = await _tender_for_update(session, actor, tender_id)
    _require_lead(actor, coalition, "tenderId")
    now = await _require_answers_in_time(session, tender)
    rows = (
        await session.execute(
            select(TenderQuestion, Lot.number)
            .outerjoin(Lot, Lot.id == TenderQuestion.lot_id)
            .where(
                TenderQuestion.tender_id == tender.id,
                TenderQuestion.answer.is_not(None),
                TenderQuestion.nota_id.is_(None),
            )
            .order_by(TenderQuestion.number)
            .with_for_update(of=TenderQuestion)
        )
    ).all()
    if not rows:
        raise errors.NothingNewToPublish(field="tenderId")
    entries = [
        NotaEntry(q.number, lot_number, q.text, q.answer or "", _iso(q.answered_at))
        for q, lot_number in rows
    ]
    number = await session.scalar(
        select(func.coalesce(func.max(Nota.number), 0) + 1).where(Nota.tender_id == tender.id)
    )
    assert number is not None
    body = _body(tender, number, now, entries)
    nota = Nota(
        id=uuid.uuid4(),
        tender_id=tender.id,
        number=number,
        body=body,
        sha256=hashlib.sha256(body.encode()).hexdigest(),
        published_by=actor.user_id,
        created_at=now,
    )
    session.add(nota)
    await session.flush()
    await session.execute(
        update(TenderQuestion)
        .where(TenderQuestion.id.in_([q.id for q, _ in rows]))
        .values(nota_id=nota.id)
    )
    await outbox.record(session, events.NotaPublished(tender.id, nota.id, nota.number, nota.sha256))
    return _nota_view(nota)


def _iso(moment: datetime | None) -> str:
    assert moment is not None
    return moment.isoformat()


# -- reading ------------------------------------------------------------------------------


def _provider_ids(actor: Actor) -> frozenset[uuid.UUID]:
    return actor.organisations(OrganisationKind.PROVIDER, PROVIDER_STAFF)


def _visible_questions(actor: Actor) -> ColumnElement[bool]:
    """Answered questions to everyone who sees the tender; open ones to the coalition's
    insiders, platform admins, and the provider that asked."""
    if actor.is_platform_admin:
        return true()
    insiders = actor.organisations(OrganisationKind.MUNICIPALITY, INSIDER_ROLES)
    own = _provider_ids(actor)
    return or_(
        TenderQuestion.answer.is_not(None),
        TenderQuestion.provider_id.in_(own) if own else false(),
        Tender.coalition_id.in_(
            select(CoalitionMember.coalition_id).where(
                CoalitionMember.organisation_id.in_(insiders),
                CoalitionMember.state == MemberState.MEMBER,
            )
        ),
    )


def _question_rows() -> Select[TenderQuestion, int, int, str]:
    return (
        select(TenderQuestion, Lot.number, Nota.number, Organisation.name)
        .join(Tender, Tender.id == TenderQuestion.tender_id)
        .join(Organisation, Organisation.id == TenderQuestion.provider_id)
        .outerjoin(Lot, Lot.id == TenderQuestion.lot_id)
        .outerjoin(Nota, Nota.id == TenderQuestion.nota_id)
    )


def _view(
    actor: Actor,
    question: TenderQuestion,
    lot_number: int | None,
    nota_number: int | None,
    provider_name: str,
) -> QuestionView:
    asker = None
    if actor.is_platform_admin:
        asker = AskerView(question.provider_id, provider_name, question.asked_by)
    return QuestionView(
        id=question.id,
        tender_id=question.tender_id,
        number=question.number,
        lot_id=question.lot_id,
        lot_number=lot_number,
        text=question.text,
        asked_at=question.created_at,
        answer=question.answer,
        answered_at=question.answered_at,
        nota_number=nota_number,
        yours=question.provider_id in _provider_ids(actor),
        asker=asker,
    )


async def _question_view(
    session: AsyncSession, actor: Actor, question_id: uuid.UUID
) -> QuestionView:
    await session.flush()
    row = (
        await session.execute(
            _question_rows()
            .where(TenderQuestion.id == question_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    return _view(actor, *row.tuple())


async def _visible_tender_id(session: AsyncSession, actor: Actor, tender_id: uuid.UUID) -> None:
    found = await session.scalar(
        select(Tender.id).where(Tender.id == tender_id, visible_tenders(actor))
    )
    if found is None:
        raise errors.TenderNotFound(field="tenderId")


async def questions(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID, page: PageRequest
) -> Page[QuestionView]:
    """A tender's questions the actor sees, newest first."""
    await _visible_tender_id(session, actor, tender_id)
    scope = (TenderQuestion.tender_id == tender_id, _visible_questions(actor))
    total = await session.scalar(
        select(func.count())
        .select_from(TenderQuestion)
        .join(Tender, Tender.id == TenderQuestion.tender_id)
        .where(*scope)
    )
    statement = _question_rows().where(*scope)
    if page.after is not None:
        statement = statement.where(
            tuple_(TenderQuestion.created_at, TenderQuestion.id)
            < tuple_(*created_cursor(page.after))
        )
    rows = (
        await session.execute(
            statement.order_by(TenderQuestion.created_at.desc(), TenderQuestion.id.desc()).limit(
                page.first + 1
            )
        )
    ).all()
    found = newest_page([row.TenderQuestion for row in rows], page.first, total or 0)
    views = [_view(actor, *row.tuple()) for row in rows[: page.first]]
    return Page(views, found.has_next_page, found.end_cursor, found.total_count)


def _nota_view(nota: Nota) -> NotaView:
    document = json.loads(nota.body)
    entries = tuple(
        NotaEntry(e["number"], e["lot"], e["question"], e["answer"], e["answeredAt"])
        for e in document["questions"]
    )
    return NotaView(
        nota.id, nota.tender_id, nota.number, nota.created_at, nota.body, nota.sha256, entries
    )


async def notas(
    session: AsyncSession, actor: Actor, tender_id: uuid.UUID, page: PageRequest
) -> Page[NotaView]:
    """A tender's notas van inlichtingen, newest first, for everyone who sees the tender."""
    await _visible_tender_id(session, actor, tender_id)
    total = await session.scalar(
        select(func.count()).select_from(Nota).where(Nota.tender_id == tender_id)
    )
    statement = select(Nota).where(Nota.tender_id == tender_id)
    if page.after is not None:
        statement = statement.where(
            tuple_(Nota.created_at, Nota.id) < tuple_(*created_cursor(page.after))
        )
    rows = (
        await session.scalars(
            statement.order_by(Nota.created_at.desc(), Nota.id.desc()).limit(page.first + 1)
        )
    ).all()
    found = newest_page(rows, page.first, total or 0)
    return Page(
        [_nota_view(nota) for nota in found.items],
        found.has_next_page,
        found.end_cursor,
        found.total_count,
    )
