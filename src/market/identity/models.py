"""Accounts, organisations and who may act for which organisation."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from market.db.base import Base, created_at, uuid_pk


class OrganisationKind(StrEnum):
    PROVIDER = "provider"
    MUNICIPALITY = "municipality"
    PLATFORM = "platform"


class Role(StrEnum):
    OWNER = "owner"  # provider
    EDITOR = "editor"  # provider
    PROCUREMENT_OFFICER = "procurement_officer"  # municipality
    EVALUATOR = "evaluator"  # municipality
    ADMIN = "admin"  # platform


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, values_callable=lambda e: [m.value for m in e])


class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = uuid_pk()
    # Stored normalised: NFKC, lower-cased and trimmed (see identity.service.normalise_email).
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100))
    preferred_language: Mapped[str] = mapped_column(String(5), default="nl")
    created_at: Mapped[datetime] = created_at()


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("kvk_number ~ '^[0-9]{8}$'", name="kvk_number_format"),
        CheckConstraint(
            "(kind = 'municipality') = (municipality_code IS NOT NULL)",
            name="municipality_code_for_municipalities",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    name: Mapped[str] = mapped_column(String(200))
    # For municipality organisations: which municipality they act for.
    municipality_code: Mapped[str | None] = mapped_column(
        ForeignKey("municipalities.cbs_code"), unique=True
    )
    # Chamber of Commerce (Kamer van Koophandel) number: eight digits, one organisation each.
    kvk_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    created_at: Mapped[datetime] = created_at()


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role, "membership_role"))
    created_at: Mapped[datetime] = created_at()


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[uuid.UUID] = uuid_pk()
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # The invitee's email, normalised like users.email; indexed to find what someone received.
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "membership_role"))
    # Only a hash is stored; the secret is handed out once, when the invitation is made.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()


class AuthToken(Base):
    """A bearer token; only its SHA-256 is stored, so a database leak yields no sessions."""

    __tablename__ = "auth_tokens"

    id: Mapped[uuid.UUID] = uuid_pk()
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at()


class LoginAttempt(Base):
    """A failed login, for slowing down: per email and client together, and per client over
    all emails (see identity.throttling). Both are hashed: the email may not belong to
    anyone, and neither should be readable in a copy of the table."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_client_hash", "client_hash", "attempted_at"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    client_hash: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = created_at()


class ClientRequestCount(Base):
    """Requests of one kind from one client in one fixed window (see identity.throttling).
    A row per window, counted up in place, so every server process sees the same count."""

    __tablename__ = "client_request_counts"

    action: Mapped[str] = mapped_column(String(32), primary_key=True)
    client_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    counted_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    requests: Mapped[int] = mapped_column(Integer)
