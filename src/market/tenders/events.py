"""What tenders state for whoever reacts (`market.db.outbox.record`). No event names or
hints at who asked a question: every subscriber may tell every party."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from market.kernel.events import Event


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
