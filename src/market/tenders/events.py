"""What tenders state for whoever reacts (`market.db.outbox.record`): notifications and
the open-data feed learn of a publication, a cancellation or an answer in the change's
transaction. No event names or hints at who asked a question: every subscriber may tell
every party."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from market.kernel.events import Event


@dataclass(frozen=True, slots=True)
class TenderPublished(Event):
    name: ClassVar[str] = "tenders.tender_published"
    tender_id: uuid.UUID
    coalition_id: uuid.UUID
    version: int
    published_at: datetime


@dataclass(frozen=True, slots=True)
class TenderCancelled(Event):
    name: ClassVar[str] = "tenders.tender_cancelled"
    tender_id: uuid.UUID
    coalition_id: uuid.UUID
    reason: str


@dataclass(frozen=True, slots=True)
class QuestionAnswered(Event):
    """An answer is published to every party who sees the tender."""

    name: ClassVar[str] = "tenders.question_answered"
    tender_id: uuid.UUID
    question_id: uuid.UUID
    question_number: int


@dataclass(frozen=True, slots=True)
class NotaPublished(Event):
    """A nota van inlichtingen bundles the answers not yet in one."""

    name: ClassVar[str] = "tenders.nota_published"
    tender_id: uuid.UUID
    nota_id: uuid.UUID
    nota_number: int
    sha256: str
