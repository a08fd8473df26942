"""Regional joint tenders: coalitions of municipalities, one of them the lead."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from market.db.base import Base, created_at, uuid_pk


def _enum(kind: type[StrEnum], name: str) -> Enum:
    return Enum(kind, name=name, values_callable=lambda e: [m.value for m in e])


class MemberState(StrEnum):
    INVITED = "invited"
    MEMBER = "member"
    DECLINED = "declined"


class Coalition(Base):
    """A samenwerkingsverband: municipalities buying together, run by their lead."""

    __tablename__ = "coalitions"
    __table_args__ = (CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    # The penvoerder; also a member row of its own, so "the members" always includes it.
    lead_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at()


class CoalitionMember(Base):
    """A municipality in a coalition: invited, then a member or having declined."""

    __tablename__ = "coalition_members"

    coalition_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("coalitions.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True, index=True
    )
    state: Mapped[MemberState] = mapped_column(_enum(MemberState, "coalition_member_state"))
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    invited_at: Mapped[datetime] = created_at()
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
