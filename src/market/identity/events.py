"""What identity states for whoever reacts (`market.db.outbox.record`): mails today.

Each event carries what its reader needs and cannot read later: an invitation's token
exists only when it is issued (only its hash is stored).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from market.kernel.events import Event


@dataclass(frozen=True, slots=True)
class RegistrationForExistingEmail(Event):
    """Someone registered with an email that already has an account; the answer they got
    did not say so, so the account's owner is told instead."""

    name: ClassVar[str] = "identity.registration_for_existing_email"
    # Normalised, as users.email.
    email: str


@dataclass(frozen=True, slots=True)
class InvitationIssued(Event):
    """An invitation to join an organisation, with its one-time token for the invitee."""

    name: ClassVar[str] = "identity.invitation_issued"
    invitation_id: uuid.UUID
    # The invitee's normalised email.
    email: str
    organisation_name: str
    # The role (market.identity.models.Role), e.g. "editor".
    role: str
    token: str
    expires_at: datetime
