"""What enrollment states for whoever reacts (`market.db.outbox.record`): payments refund a
cancelled paid booking, notifications mail the learner."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from market.kernel.events import Event


@dataclass(frozen=True, slots=True)
class SeatHeld(Event):
    name: ClassVar[str] = "enrollment.seat_held"
    enrollment_id: uuid.UUID
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class EnrollmentConfirmed(Event):
    name: ClassVar[str] = "enrollment.confirmed"
    enrollment_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class EnrollmentCancelled(Event):
    """A live booking cancelled by its learner; `refund_cents` of what was paid goes back
    (0 when nothing was paid yet or the terms give nothing back)."""

    name: ClassVar[str] = "enrollment.cancelled"
    enrollment_id: uuid.UUID
    refund_cents: int


@dataclass(frozen=True, slots=True)
class HoldExpired(Event):
    """A hold (or a DUO booking the provider did not answer) lapsed; its seat is free."""

    name: ClassVar[str] = "enrollment.hold_expired"
    enrollment_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class DuoBookingDeclined(Event):
    name: ClassVar[str] = "enrollment.duo_booking_declined"
    enrollment_id: uuid.UUID


@dataclass(frozen=True, slots=True)
class WaitlistOfferMade(Event):
    name: ClassVar[str] = "enrollment.waitlist_offer_made"
    waitlist_entry_id: uuid.UUID
    expires_at: datetime
