"""The audit trail of tenders and coalitions (guarantee 8): append-only, hash-chained.

Each tender, and each coalition, has a chain of its own: entry n states who acted (the
user id), when (the database clock), what they did (the action) and what the subject
became (the change), with the hash of entry n-1; its own hash is SHA-256 over a canonical
JSON of those fields. The subject's row keeps the chain's head (last hash, entry count),
so removing the last entries is found too, not only a break inside the chain. Appends take
the subject's row lock, so two changes to one tender never claim the same place.

A trigger refuses UPDATE, DELETE and TRUNCATE on the entries. Whoever gets round it (a
superuser can switch triggers off) and edits an entry breaks its hash; removes one,
breaks the next entry's link or the head; rewrites the rest of the chain and the head as
well, is beyond what a chain kept in the same database can show: that needs the head
published elsewhere.

Entries carry the subject's whole new state (the tender as `tender(id)` reads it), not a
difference: `rebuild` is then a read of one entry, each entry is checkable on its own, and
no replay code has to stay in step with every past shape of a change. A tender is small
(at most 50 lots), so the cost is a few kilobytes an entry.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from market.identity.policies import Actor
from market.tenders import errors
from market.tenders.models import AuditEntry, Coalition, Tender

if TYPE_CHECKING:
    from market.tenders.service import CoalitionView, TenderView


class Problem(StrEnum):
    TAMPERED = "tampered"  # an entry's content no longer matches its hash
    # The links do not join: an entry is gone, or the one before it was rewritten.
    MISSING = "missing"
    HEAD_MISMATCH = "head mismatch"  # the chain ends elsewhere than its subject records


@dataclass(frozen=True, slots=True)
class Break:
    subject: str  # "tender" or "coalition"
    subject_id: uuid.UUID
    sequence: int | None  # the entry at fault, if one is
    problem: Problem

    def __str__(self) -> str:
        at = "" if self.sequence is None else f" at entry {self.sequence}"
        return f"{self.subject} {self.subject_id}: {self.problem}{at}"


def canonical(value: Any) -> bytes:
    """One byte string per JSON value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: AuditEntry) -> str:
    subject = entry.tender_id or entry.coalition_id
    fields = {
        "subject": "tender" if entry.tender_id is not None else "coalition",
        "subjectId": str(subject),
        "sequence": entry.sequence,
        "actorId": None if entry.actor_id is None else str(entry.actor_id),
        "at": entry.at.astimezone(UTC).isoformat(),
        "action": entry.action,
        "change": entry.change,
        "previousHash": entry.previous_hash,
    }
    return hashlib.sha256(canonical(fields)).hexdigest()


async def _append(
    session: AsyncSession,
    actor: Actor,
    subject: Tender | Coalition,
    action: str,
    change: Mapping[str, Any],
) -> None:
    # The lock serialises appends; the head is read under it, never from a stale copy.
    await session.refresh(subject, ["audit_head", "audit_count"], with_for_update=True)
    is_tender = isinstance(subject, Tender)
    entry = AuditEntry(
        id=uuid.uuid4(),
        tender_id=subject.id if is_tender else None,
        coalition_id=None if is_tender else subject.id,
        sequence=subject.audit_count + 1,
        actor_id=actor.user_id,
        at=await session.scalar(select(func.now())),
        action=action,
        # Through JSON and back: hashed exactly as the JSONB column will give it back.
        change=json.loads(canonical(msgspec.to_builtins(change))),
        previous_hash=subject.audit_head,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    subject.audit_head, subject.audit_count = entry.hash, entry.sequence
    await session.flush()


async def record_tender(
    session: AsyncSession,
    actor: Actor,
    tender: Tender,
    action: str,
    view: TenderView,
    **details: object,
) -> None:
    """Appends `action` to the tender's chain with its new state, `view`, and `details`
    (plain data) of what happened."""
    await _append(session, actor, tender, action, {"tender": view, **details})


async def record_coalition(
    session: AsyncSession, actor: Actor, coalition: Coalition, action: str, view: CoalitionView
) -> None:
    await _append(session, actor, coalition, action, {"coalition": view})


async def rebuild(session: AsyncSession, tender_id: uuid.UUID, sequence: int) -> TenderView:
    """The tender as it was right after entry `sequence` of its chain (1 is its creation)."""
    # Imported here: the service records through this module.
    from market.tenders.service import TenderView

    change = await session.scalar(
        select(AuditEntry.change).where(
            AuditEntry.tender_id == tender_id, AuditEntry.sequence == sequence
        )
    )
    if change is None:
        raise errors.AuditEntryNotFound(field="sequence")
    return msgspec.convert(change["tender"], TenderView)


async def _chain_breaks(
    session: AsyncSession,
    subject: str,
    table: type[Tender] | type[Coalition],
    key: InstrumentedAttribute[uuid.UUID | None],
) -> list[Break]:
    heads = {
        row.id: (row.audit_head, row.audit_count)
        for row in await session.execute(select(table.id, table.audit_head, table.audit_count))
    }
    ends: dict[uuid.UUID, tuple[str | None, int]] = {}
    found: list[Break] = []
    entries = await session.stream_scalars(
        select(AuditEntry)
        .where(key.is_not(None))
        .order_by(key, AuditEntry.sequence)
        .execution_options(yield_per=500)
    )
    async for entry in entries:
        subject_id = getattr(entry, key.key)
        previous, count = ends.get(subject_id, (None, 0))
        if entry.sequence != count + 1 or entry.previous_hash != previous:
            found.append(Break(subject, subject_id, count + 1, Problem.MISSING))
        if entry_hash(entry) != entry.hash:
            found.append(Break(subject, subject_id, entry.sequence, Problem.TAMPERED))
        ends[subject_id] = (entry.hash, entry.sequence)
    for subject_id, head in heads.items():
        if ends.get(subject_id, (None, 0)) != head:
            found.append(Break(subject, subject_id, None, Problem.HEAD_MISMATCH))
    return found


async def verify(session: AsyncSession) -> list[Break]:
    """Every break in every chain: tampered and missing entries, heads that disagree."""
    return [
        *await _chain_breaks(session, "tender", Tender, AuditEntry.tender_id),
        *await _chain_breaks(session, "coalition", Coalition, AuditEntry.coalition_id),
    ]
