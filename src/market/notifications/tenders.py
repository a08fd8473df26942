"""Mails about joint tenders, to providers' staff and municipalities' procurement officers.

- TenderPublished: the staff (owners, editors) of every provider whose follows match a
  lot of the tender.
- TenderCorrected: the same, plus the staff of every provider that asked a question or
  has a bid on the tender, plus the procurement officers of the coalition's members;
  what changed, why, and the bid deadline.
- AwardDecided: each bidder's staff gets the award letter of every decided lot it bid on
  (the winner, the winner's score and its own, the reasons, the standstill's end); the
  staff of providers following a decided lot without bidding get a short notice.

Everyone gets one mail per event (per decided lot for a letter), in their own language.
Which providers asked or bid decides only who gets a mail, never what it says: a mail
before the bid deadline carries no price, no bid count and no asker (guarantees 1, 5).

A handler writes its mails (`TENDER_MAILS`: the event and the function that reads what
its mails say), then sends each in a transaction of its own (`send`): each recipient's
mail is claimed in `sent_mails` under a key of its own, derived from the event's id and
the recipient, so a redelivered event, or a retry after some mails went out, sends only
those not sent yet.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from market.db.outbox import Delivery
from market.identity import service as identity
from market.identity.models import Role
from market.identity.service import StaffAddressee
from market.kernel.catalogs import Message
from market.kernel.events import Event
from market.notifications import messages
from market.notifications.messages import Mail
from market.notifications.render import Phrase, Value
from market.notifications.service import Post, compose, language, send_once
from market.tenders import parties
from market.tenders.events import AwardDecided, TenderCorrected, TenderPublished
from market.tenders.parties import Decision, Parties, Standing
from market.tenders.service import PROVIDER_STAFF, TenderView

E = TypeVar("E", bound=Event)
# How much of a changed value a correction mail quotes; the tender itself has it all.
MAX_QUOTED = 200


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One mail to one person. `key`: its claim in `sent_mails`, the same on every
    delivery of the event."""

    key: uuid.UUID
    to: str
    language: str
    mail: Mail
    values: Mapping[str, Value]


@dataclass(frozen=True, slots=True)
class TenderMail(Generic[E]):
    event: type[E]
    write: Callable[[AsyncSession, Delivery[E]], Awaitable[list[Outgoing]]]


def _key(delivery: Delivery[Any], *about: object) -> uuid.UUID:
    return uuid.uuid5(delivery.id, ":".join(str(part) for part in about))


async def _addressees(session: AsyncSession, to: Parties) -> list[StaffAddressee]:
    """The providers' staff and the municipalities' procurement officers, each person once
    (staff of two providers told about one tender gets one mail)."""
    staff = await identity.staff_addressees(session, to.providers, PROVIDER_STAFF)
    staff += await identity.staff_addressees(
        session, to.municipalities, (Role.PROCUREMENT_OFFICER,)
    )
    once: dict[uuid.UUID, StaffAddressee] = {}
    for person in staff:
        once.setdefault(person.user_id, person)
    return sorted(once.values(), key=lambda person: person.email)


def _details(tender: TenderView, lots: Iterable[uuid.UUID] | None = None) -> Phrase:
    """The tender's name, its buyer and its lots (of `lots`, if given)."""
    only = None if lots is None else set(lots)
    lines = [
        Phrase(
            messages.LOT_LINE,
            {
                "number": lot.number,
                "title": lot.title,
                "route": Phrase(messages.ROUTES[lot.route.value]),
                "regions": ", ".join(lot.region_codes),
            },
        )
        for lot in tender.lots
        if only is None or lot.id in only
    ]
    return Phrase(
        messages.TENDER_DETAILS,
        {"tender": tender.title, "coalition": tender.coalition_name, "lots": _joined(lines)},
    )


def _joined(phrases: list[Phrase]) -> Phrase:
    """Phrases one after another, in the reader's language."""
    text = Message("".join(f"{{p{i}}}" for i in range(len(phrases))))
    return Phrase(text, {f"p{i}": phrase for i, phrase in enumerate(phrases)})


def _notices(
    delivery: Delivery[Any],
    people: Iterable[StaffAddressee],
    mail: Mail,
    values: Mapping[str, Value],
) -> list[Outgoing]:
    """The same mail to each person, greeted by name."""
    return [
        Outgoing(
            _key(delivery, person.user_id),
            person.email,
            language(person.preferred_language),
            mail,
            {**values, "name": person.display_name},
        )
        for person in people
    ]


# -- published ------------------------------------------------------------------------------


async def published(session: AsyncSession, delivery: Delivery[TenderPublished]) -> list[Outgoing]:
    tender = await parties.published_tender(session, delivery.event.tender_id)
    if tender is None:
        return []
    people = await _addressees(session, await parties.publication_parties(session, tender.id))
    values: dict[str, Value] = {
        "tender": tender.title,
        "details": _details(tender),
        "questions_deadline": tender.timeline.questions_deadline,
        "bid_deadline": tender.timeline.bid_deadline,
    }
    return _notices(delivery, people, messages.TENDER_PUBLISHED, values)


# -- corrected ------------------------------------------------------------------------------


def _quoted(value: Any) -> str:
    """A changed value as the mail quotes it: text as it is, anything else as JSON."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "\u2026"


def _before_after(change: Any) -> tuple[Any, Any]:
    """A change as stored: {"before": ..., "after": ...} or [before, after]."""
    if isinstance(change, Mapping) and {"before", "after"} <= change.keys():
        return change["before"], change["after"]
    if isinstance(change, list | tuple) and len(change) == 2:
        return change[0], change[1]
    return None, change


def _changes(changes: Mapping[str, Any]) -> Phrase:
    lines = []
    for field, change in sorted(changes.items()):
        before, after = _before_after(change)
        values = {"field": field, "before": _quoted(before), "after": _quoted(after)}
        lines.append(Phrase(messages.CHANGE_LINE, values))
    return _joined(lines)


def _deadline(before: datetime, after: datetime) -> Phrase:
    if after != before:
        return Phrase(messages.DEADLINE_MOVED, {"before": before, "after": after})
    return Phrase(messages.DEADLINE_KEPT, {"deadline": after})


async def corrected(session: AsyncSession, delivery: Delivery[TenderCorrected]) -> list[Outgoing]:
    found = await parties.correction(session, delivery.event.rectification_id)
    if found is None:
        return []
    tender = found.tender
    people = await _addressees(session, await parties.correction_parties(session, tender))
    values: dict[str, Value] = {
        "tender": tender.title,
        "version": found.version,
        "details": _details(tender),
        "reason": found.reason,
        "changes": _changes(found.changes),
        "deadline": _deadline(found.bid_deadline_before, found.bid_deadline_after),
    }
    return _notices(delivery, people, messages.TENDER_CORRECTED, values)


# -- decided --------------------------------------------------------------------------------


def _own(standing: Standing) -> Phrase:
    if standing.rank is None or standing.score is None:
        reason = standing.excluded_because or Phrase(messages.NO_REASON)
        return Phrase(messages.OWN_EXCLUDED, {"reason": reason})
    return Phrase(messages.OWN_RANKED, {"score": standing.score, "rank": standing.rank})


def _letter_values(tender: TenderView, decision: Decision, provider: uuid.UUID) -> dict[str, Value]:
    assert decision.winner.score is not None
    won = provider == decision.winner_id
    return {
        "tender": tender.title,
        "lot": decision.lot_number,
        "lot_title": decision.lot_title,
        "sent": decision.sent_at,
        "outcome": Phrase(messages.YOU_WON if won else messages.YOU_LOST),
        "winner": decision.winner_name,
        "winner_score": decision.winner.score,
        "own": _own(decision.bidders[provider]),
        "reasons": decision.reasons,
        "standstill": decision.standstill_ends_at,
    }


async def _letters(
    session: AsyncSession, delivery: Delivery[AwardDecided], tender: TenderView, decision: Decision
) -> list[Outgoing]:
    """The decision's letter to every staff member of each of its lot's bidders."""
    staff = await identity.staff_addressees(session, decision.bidders, PROVIDER_STAFF)
    return [
        Outgoing(
            _key(delivery, decision.id, person.organisation_id, person.user_id),
            person.email,
            language(person.preferred_language),
            messages.AWARD_LETTER,
            {
                **_letter_values(tender, decision, person.organisation_id),
                "name": person.display_name,
            },
        )
        for person in staff
    ]


async def decided(session: AsyncSession, delivery: Delivery[AwardDecided]) -> list[Outgoing]:
    tender = await parties.published_tender(session, delivery.event.tender_id)
    if tender is None:
        return []
    found = await parties.decisions(session, delivery.event.decision_ids)
    letters = [mail for d in found for mail in await _letters(session, delivery, tender, d)]
    followers = await parties.decision_followers(session, tender.id, found)
    decided_lots = [
        Phrase(
            messages.DECIDED_LOT,
            {
                "number": d.lot_number,
                "title": d.lot_title,
                "winner": d.winner_name,
                "standstill": d.standstill_ends_at,
            },
        )
        for d in found
    ]
    values: dict[str, Value] = {
        "tender": tender.title,
        "details": _details(tender, [d.lot_id for d in found]),
        "decided": _joined(decided_lots),
    }
    people = await _addressees(session, followers)
    return letters + _notices(delivery, people, messages.TENDER_DECIDED, values)


# One line per tender event that mails; market.notifications.tasks makes a job of each.
TENDER_MAILS: tuple[TenderMail[Any], ...] = (
    TenderMail(TenderPublished, published),
    TenderMail(TenderCorrected, corrected),
    TenderMail(AwardDecided, decided),
)


async def send(session: AsyncSession, post: Post, outgoing: Outgoing) -> bool:
    """The mail, unless it was sent before; True when it was sent now."""
    message = compose(
        post,
        event_id=outgoing.key,
        to=outgoing.to,
        mail=outgoing.mail,
        language=outgoing.language,
        values=outgoing.values,
    )
    return await send_once(session, post, outgoing.key, message, outgoing.mail.key)
