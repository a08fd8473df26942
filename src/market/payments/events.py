"""What payments states for whoever reacts (`market.db.outbox.record`): mails to the learner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from market.kernel.events import Event


@dataclass(frozen=True, slots=True)
class DuoInvoiceStepped(Event):
    """A DUO invoice of a booking was recorded or moved on (`state`: its new state); the
    learner approves a sent invoice in Mijn Inburgering."""

    name: ClassVar[str] = "payments.duo_invoice_stepped"
    invoice_id: uuid.UUID
    enrollment_id: uuid.UUID
    state: str
