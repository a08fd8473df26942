"""What tenders state for whoever reacts (`market.db.outbox.record`): notifications and
the open-data feed learn of a publication or a cancellation in the change's transaction."""

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
