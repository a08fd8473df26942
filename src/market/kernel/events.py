"""Domain events: facts a domain states so that other parts can react (enrollment confirmed,
tender published), without the domain knowing who reacts.

An event is a frozen dataclass of plain values (str, int, bool, UUID, date, datetime, and
lists or nested dataclasses of those) with a stable `name`: the name, not the class, is what
is stored and subscribed to, so a class may be renamed or moved without losing queued events.
`market.db.outbox.record` queues one in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    """Subclasses are frozen dataclasses too and set `name`, "<domain>.<what happened>"."""

    name: ClassVar[str]
