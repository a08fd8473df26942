"""What was mailed: one row per event whose mail went out, so a redelivered event (the
outbox delivers at least once) never mails twice. No address or text is kept."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from market.db.base import Base


class SentMail(Base):
    __tablename__ = "sent_mails"

    # The outbox event's id, the same on every delivery.
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Which message it was (a key of market.notifications.messages).
    message: Mapped[str] = mapped_column(String(64))
    # Indexed for the purge of old rows.
    sent_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
