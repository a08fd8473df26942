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


@dataclass(frozen=True, slots=True)
class TenderCorrected(Event):
    """A published tender was corrected (a rectification made version `version`)."""

    name: ClassVar[str] = "tenders.tender_corrected"
    tender_id: uuid.UUID
    rectification_id: uuid.UUID
    version: int
    bid_deadline: datetime


@dataclass(frozen=True, slots=True)
class AwardDecided(Event):
    """Award decisions on some of a tender's lots were sent to every bidder at once."""

    name: ClassVar[str] = "tenders.award_decided"
    tender_id: uuid.UUID
    decision_ids: tuple[uuid.UUID, ...]
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class ContractSigned(Event):
    """A member municipality signed its contract with a lot's winner: from `starts_on`
    the supplier's courses carry that municipality (searchCourses' contractedBy)."""

    name: ClassVar[str] = "tenders.contract_signed"
    contract_id: uuid.UUID
    tender_id: uuid.UUID
    buyer_id: uuid.UUID
    supplier_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class ContractExtended(Event):
    """An extension option was exercised: the contract now ends later."""

    name: ClassVar[str] = "tenders.contract_extended"
    contract_id: uuid.UUID
    supplier_id: uuid.UUID
