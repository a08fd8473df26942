"""Regional joint tenders: coalitions of municipalities, one of them the lead; their
tenders with lots, per-member volumes, knock-out requirements, award method and quality
criteria. The rules the database can hold (weights, bounds, non-negative money, the
timeline's order) are CHECK constraints; the service refuses first, with friendly errors.
Later parts (publication, corrections, bids, awards) add their own tables; a tender's
`version` counts its published versions, and each lot has its own state."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from market.catalog.models import Level, Route, Stream, updated_at
from market.db.base import Base, created_at, uuid_pk
from market.tenders.policies import AwardMethod, LotState, RequirementKind, TenderState


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
    # The head of its audit chain (market.tenders.audit): the last entry's hash and count.
    audit_head: Mapped[str | None] = mapped_column(String(64))
    audit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


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


class Tender(Base):
    __tablename__ = "tenders"
    __table_args__ = (
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("char_length(title) BETWEEN 1 AND 200", name="title_length"),
        CheckConstraint(
            "(award_method IN ('relative_price', 'linear_price'))"
            " = (quality_weight_bp IS NOT NULL AND price_weight_bp IS NOT NULL)"
            " AND (quality_weight_bp IS NULL OR (quality_weight_bp >= 0 AND price_weight_bp >= 0"
            " AND quality_weight_bp + price_weight_bp = 10000))",
            name="award_weights",
        ),
        CheckConstraint(
            "(award_method = 'linear_price')"
            " = (price_floor_cents IS NOT NULL AND price_ceiling_cents IS NOT NULL)"
            " AND (price_floor_cents IS NULL"
            " OR (price_floor_cents >= 0 AND price_floor_cents < price_ceiling_cents))",
            name="price_bounds",
        ),
        CheckConstraint(
            "publication_at < questions_deadline AND questions_deadline < bid_deadline"
            " AND bid_deadline < planned_award_at AND planned_award_at < contract_start_at",
            name="timeline_order",
        ),
        CheckConstraint(
            "initial_term_months > 0 AND 0 < ALL(extension_months)", name="term_positive"
        ),
        CheckConstraint("estimated_total_value_cents >= 0", name="estimated_value_not_negative"),
        # Providers' search by bid deadline (`tenders(filter)`).
        Index("ix_tenders_bid_deadline", "bid_deadline"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    coalition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("coalitions.id"), index=True)
    state: Mapped[TenderState] = mapped_column(
        _enum(TenderState, "tender_state"), default=TenderState.DRAFT
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    award_method: Mapped[AwardMethod] = mapped_column(_enum(AwardMethod, "award_method"))
    quality_weight_bp: Mapped[int | None] = mapped_column(Integer)
    price_weight_bp: Mapped[int | None] = mapped_column(Integer)
    price_floor_cents: Mapped[int | None] = mapped_column(BigInteger)
    price_ceiling_cents: Mapped[int | None] = mapped_column(BigInteger)
    # The planned moment of publication; `published_at` is when it happened.
    publication_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    questions_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    bid_deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    planned_award_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    contract_start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    initial_term_months: Mapped[int] = mapped_column(SmallInteger)
    extension_months: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    # Publication requires it; a draft may not know it yet.
    latest_end_date: Mapped[date | None] = mapped_column(Date)
    estimated_total_value_cents: Mapped[int] = mapped_column(BigInteger)
    # Set by publication: from then on everyone sees the tender.
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at()
    updated_at: Mapped[datetime] = updated_at()
    # The award method, its parameters and the criteria as published (guarantee 4): from
    # publication on, reads take them from here (market.tenders.frozen).
    frozen_terms: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    # Set on a tender made by re-tendering an unsuccessful lot: that lot.
    retender_of_lot_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tender_lots.id", use_alter=True)
    )
    # The head of its audit chain (market.tenders.audit): the last entry's hash and count.
    audit_head: Mapped[str | None] = mapped_column(String(64))
    audit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Lot(Base):
    """A perceel: one route (with its level, or an Onderwijsroute stream) in some regions."""

    __tablename__ = "tender_lots"
    __table_args__ = (
        UniqueConstraint("tender_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("char_length(title) BETWEEN 1 AND 200", name="title_length"),
        CheckConstraint(
            "(route = 'onderwijs') = (stream IS NOT NULL)"
            " AND (stream IS NULL) = (level IS NOT NULL)",
            name="level_or_stream",
        ),
        CheckConstraint("cardinality(region_codes) >= 1", name="regions_given"),
        CheckConstraint("max_value_cents > 0", name="max_value_positive"),
        CheckConstraint("max_trajectories > 0", name="max_trajectories_positive"),
        # Providers' search by region (`regionCodes`, a lot in any of them: &&).
        Index("ix_tender_lots_region_codes", "region_codes", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"))
    # Its place in the tender, from 1.
    number: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    route: Mapped[Route] = mapped_column(_enum(Route, "course_route"))
    level: Mapped[Level | None] = mapped_column(_enum(Level, "course_level"))
    stream: Mapped[Stream | None] = mapped_column(_enum(Stream, "onderwijs_stream"))
    # Labour-market region codes (AM01...); checked against the reference data on writing.
    region_codes: Mapped[list[str]] = mapped_column(ARRAY(String(4)))
    max_value_cents: Mapped[int | None] = mapped_column(BigInteger)
    max_trajectories: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[LotState] = mapped_column(_enum(LotState, "lot_state"), default=LotState.ACTIVE)


class LotVolume(Base):
    """A member municipality's estimated learners a year in a lot."""

    __tablename__ = "tender_lot_volumes"
    __table_args__ = (CheckConstraint("learners_per_year >= 0", name="learners_not_negative"),)

    lot_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tender_lots.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True
    )
    learners_per_year: Mapped[int] = mapped_column(Integer)


class Requirement(Base):
    """A knock-out requirement: a bid that does not meet it is out."""

    __tablename__ = "tender_requirements"
    __table_args__ = (
        UniqueConstraint("tender_id", "position"),
        CheckConstraint(
            "(kind IN ('max_class_size', 'intake_frequency')) = (amount IS NOT NULL)"
            " AND (amount IS NULL OR amount > 0)",
            name="amount_for_counted_kinds",
        ),
        CheckConstraint(
            "(kind = 'custom') = (text IS NOT NULL)"
            " AND (text IS NULL OR char_length(text) BETWEEN 1 AND 1000)",
            name="text_for_custom",
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[RequirementKind] = mapped_column(_enum(RequirementKind, "requirement_kind"))
    amount: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)


class QualityCriterion(Base):
    """A quality award criterion; the weights of a tender's criteria add up to 10000 basis
    points (checked by the service: a CHECK sees one row)."""

    __tablename__ = "tender_quality_criteria"
    __table_args__ = (
        UniqueConstraint("tender_id", "position"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("weight_bp BETWEEN 1 AND 10000", name="weight_within_whole"),
        CheckConstraint("value_cents >= 0", name="value_not_negative"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(200))
    weight_bp: Mapped[int] = mapped_column(Integer)
    value_cents: Mapped[int | None] = mapped_column(BigInteger)


# -- bids (sealed until the four-eyes opening) -----------------------------------------------


class BidState(StrEnum):
    SUBMITTED = "submitted"  # the provider's live bid on the lot
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"  # replaced by the provider's next submission


class Bid(Base):
    """A provider's bid on a lot. Submitting again keeps the previous one as superseded,
    so a provider has at most one live bid per lot (a partial unique index)."""

    __tablename__ = "tender_bids"
    __table_args__ = (
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint("(state = 'submitted') = (ended_at IS NULL)", name="ended_unless_live"),
        Index(
            "uq_tender_bids_live",
            "lot_id",
            "provider_id",
            unique=True,
            postgresql_where=text("state = 'submitted'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_lots.id"), index=True)
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    state: Mapped[BidState] = mapped_column(_enum(BidState, "bid_state"))
    # Per trajectory.
    price_cents: Mapped[int] = mapped_column(BigInteger)
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime] = created_at()
    # When it was withdrawn or superseded.
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BidAnswer(Base):
    """A bid's answer to one of the tender's quality criteria."""

    __tablename__ = "tender_bid_answers"

    bid_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tender_bids.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tender_quality_criteria.id"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)


class BidDocument(Base):
    """A document of a bid, kept by the FileStore under `key` (its SHA-256)."""

    __tablename__ = "tender_bid_documents"
    __table_args__ = (
        UniqueConstraint("bid_id", "position"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_bids.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))


class BidOpening(Base):
    """The four-eyes opening of a tender's bids: one procurement officer of the lead
    requests it, another opens; the report is written at that moment."""

    __tablename__ = "tender_bid_openings"
    __table_args__ = (
        CheckConstraint("opened_by <> requested_by", name="four_eyes"),
        CheckConstraint(
            "(opened_by IS NULL) = (opened_at IS NULL) AND (opened_at IS NULL) = (report IS NULL)",
            name="opened_with_report",
        ),
    )

    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), primary_key=True)
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = created_at()
    opened_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Per lot the number of bids and each bidder's provider and price, as opened.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class AuditEntry(Base):
    """One link of a tender's (or a coalition's) audit chain: who changed it, when by the
    database clock, what it became. Append-only: a trigger refuses UPDATE, DELETE and
    TRUNCATE (market.tenders.audit says how a change made around it is still found)."""

    __tablename__ = "tender_audit_entries"
    __table_args__ = (
        UniqueConstraint("tender_id", "sequence"),
        UniqueConstraint("coalition_id", "sequence"),
        CheckConstraint("num_nonnulls(tender_id, coalition_id) = 1", name="one_subject"),
        CheckConstraint("sequence >= 1", name="sequence_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenders.id"))
    coalition_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("coalitions.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    # No foreign key: the trail keeps naming whoever acted, even once their account is gone.
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(60))
    change: Mapped[dict[str, Any]] = mapped_column(JSONB)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyKey(Base):
    """A client's retry key: the first request under it, by its digest, and what it made.
    A retry with the same key returns that result instead of doing the work again."""

    __tablename__ = "tender_idempotency_keys"
    __table_args__ = (CheckConstraint("char_length(key) BETWEEN 1 AND 200", name="key_length"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    operation: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_digest: Mapped[str] = mapped_column(String(64))
    result_id: Mapped[uuid.UUID] = mapped_column()
    created_at: Mapped[datetime] = created_at()


class TenderQuestion(Base):
    """A provider's question on a published tender, and the lead's answer. Who asked is
    kept for the asker's own view and for platform admins; nothing shown to the lead, to
    other providers or to the public carries it (TENDERS.md: askers anonymised). Bundled
    into a nota van inlichtingen once answered; the nota, not this row, is the record."""

    __tablename__ = "tender_questions"
    __table_args__ = (
        UniqueConstraint("tender_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("char_length(text) BETWEEN 1 AND 4000", name="text_length"),
        CheckConstraint(
            "(answer IS NULL) = (answered_at IS NULL)"
            " AND (answer IS NULL OR char_length(answer) BETWEEN 1 AND 20000)",
            name="answer_complete",
        ),
        CheckConstraint("nota_id IS NULL OR answer IS NOT NULL", name="nota_holds_answers"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tender_lots.id"))
    # Its place among the tender's questions, from 1, as the nota cites it.
    number: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = created_at()
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    nota_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tender_notas.id"), index=True)


class Nota(Base):
    """A nota van inlichtingen: the answers published together, numbered per tender. Its
    body (canonical JSON) and the body's SHA-256 are written once: a trigger refuses any
    UPDATE or DELETE, and a CHECK holds the hash to the body."""

    __tablename__ = "tender_notas"
    __table_args__ = (
        UniqueConstraint("tender_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "sha256 = encode(sha256(convert_to(body, 'UTF8')), 'hex')", name="hash_of_body"
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    number: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    # No ON DELETE action: the row is never updated, so its officer's account stays.
    published_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # The moment every party received it.
    created_at: Mapped[datetime] = created_at()


# -- evaluation: knock-out checks and price-blind quality scores -----------------------------


class BidCheck(Base):
    """The knock-out verdict on an opened bid: it meets every requirement, or it is out
    with the reason (which the award decision states to its bidder)."""

    __tablename__ = "tender_bid_checks"
    __table_args__ = (
        CheckConstraint(
            "passed = (reason IS NULL)"
            " AND (reason IS NULL OR char_length(reason) BETWEEN 1 AND 4000)",
            name="reason_when_out",
        ),
    )

    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_bids.id"), primary_key=True)
    passed: Mapped[bool] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime] = created_at()


class QualityScore(Base):
    """One evaluator's own score of a bid on one quality criterion, given without seeing
    any price; the fraction of full marks in basis points (10000 = full marks)."""

    __tablename__ = "tender_quality_scores"
    __table_args__ = (
        CheckConstraint("score_bp BETWEEN 0 AND 10000", name="score_within_whole"),
        CheckConstraint("char_length(motivation) BETWEEN 1 AND 4000", name="motivation_length"),
    )

    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_bids.id"), primary_key=True)
    criterion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tender_quality_criteria.id"), primary_key=True
    )
    evaluator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    score_bp: Mapped[int] = mapped_column(Integer)
    motivation: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = created_at()


class ConsensusScore(Base):
    """The score the evaluators agreed for a bid on a criterion: what the ranking uses."""

    __tablename__ = "tender_consensus_scores"
    __table_args__ = (
        CheckConstraint("score_bp BETWEEN 0 AND 10000", name="score_within_whole"),
        CheckConstraint("char_length(motivation) BETWEEN 1 AND 4000", name="motivation_length"),
    )

    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_bids.id"), primary_key=True)
    criterion_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tender_quality_criteria.id"), primary_key=True
    )
    score_bp: Mapped[int] = mapped_column(Integer)
    motivation: Mapped[str] = mapped_column(Text)
    agreed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    agreed_at: Mapped[datetime] = created_at()


# -- award decisions, objections, contracts ---------------------------------------------------


class DecisionState(StrEnum):
    STANDING = "standing"
    # An upheld objection sends the lot back to evaluation; the decision stays on record.
    WITHDRAWN = "withdrawn"


class AwardDecision(Base):
    """The award decision on a lot (gunningsbeslissing): the winning bid, the ranking as
    computed (market.tenders.scoring's record), the reasons, and the standstill, which
    ends at least 20 calendar days after the day it was sent to every bidder at once."""

    __tablename__ = "tender_award_decisions"
    __table_args__ = (
        CheckConstraint("standstill_ends_at > sent_at", name="standstill_after_sending"),
        CheckConstraint("char_length(reasons) BETWEEN 1 AND 20000", name="reasons_length"),
        Index(
            "uq_tender_award_decisions_standing",
            "lot_id",
            unique=True,
            postgresql_where=text("state = 'standing'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_lots.id"), index=True)
    state: Mapped[DecisionState] = mapped_column(
        _enum(DecisionState, "award_decision_state"), default=DecisionState.STANDING
    )
    winning_bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_bids.id"))
    ranking: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reasons: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    # The one moment every bidder was sent the decision.
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    standstill_ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ObjectionState(StrEnum):
    OPEN = "open"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    UPHELD = "upheld"


class Objection(Base):
    """An objection (bezwaar) against a lot's award decision; while one is open, no
    contract on the lot can be signed."""

    __tablename__ = "tender_objections"
    __table_args__ = (
        CheckConstraint("char_length(text) BETWEEN 1 AND 20000", name="text_length"),
        CheckConstraint(
            "(state = 'open') = (resolved_at IS NULL)"
            " AND (resolved_at IS NULL) = (resolution IS NULL)",
            name="resolved_with_resolution",
        ),
        Index("ix_tender_objections_open", "lot_id", postgresql_where=text("state = 'open'")),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_lots.id"))
    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_award_decisions.id"))
    # The objecting bidder.
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[ObjectionState] = mapped_column(
        _enum(ObjectionState, "objection_state"), default=ObjectionState.OPEN
    )
    registered_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    registered_at: Mapped[datetime] = created_at()
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Contract(Base):
    """A member municipality's own contract with the winner of a lot, holding only its
    own volume: a lot's contracts add up to the lot's total (guarantee 9). It runs from
    `starts_on` to `ends_on`; exercising an extension option moves `ends_on`, never past
    `latest_end_date`."""

    __tablename__ = "tender_contracts"
    __table_args__ = (
        UniqueConstraint("lot_id", "buyer_id"),
        CheckConstraint(
            "starts_on < ends_on AND ends_on <= latest_end_date", name="term_within_latest_end"
        ),
        CheckConstraint("learners_per_year >= 0", name="learners_not_negative"),
        CheckConstraint("price_cents > 0", name="price_positive"),
        CheckConstraint("extensions_exercised >= 0", name="extensions_not_negative"),
        Index("ix_tender_contracts_supplier_term", "supplier_id", "starts_on", "ends_on"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    lot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_lots.id"))
    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_award_decisions.id"))
    bid_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tender_bids.id"))
    # The member municipality and the provider that won the lot.
    buyer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    learners_per_year: Mapped[int] = mapped_column(Integer)
    # Per trajectory, as bid.
    price_cents: Mapped[int] = mapped_column(BigInteger)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    latest_end_date: Mapped[date] = mapped_column(Date)
    extensions_exercised: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    signed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_at: Mapped[datetime] = created_at()


# -- corrections after publication, re-tendering, providers following tenders ----------------


class Rectification(Base):
    """A correction of a published tender (rectificatie): the version it made, why, what
    changed, and the bid deadline before and after (a correction may extend it)."""

    __tablename__ = "tender_rectifications"
    __table_args__ = (
        UniqueConstraint("tender_id", "version"),
        CheckConstraint("version >= 2", name="version_after_first"),
        CheckConstraint("char_length(reason) BETWEEN 1 AND 4000", name="reason_length"),
        CheckConstraint("bid_deadline_after >= bid_deadline_before", name="deadline_not_earlier"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    # Per changed field of the tender view: its value before and after.
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    bid_deadline_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    bid_deadline_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime] = created_at()


class TenderFollow(Base):
    """A provider following published tenders by route and/or labour-market region
    (either may be open: any route, any region); told by mail when a matching tender is
    published, corrected or decided."""

    __tablename__ = "tender_follows"
    __table_args__ = (
        UniqueConstraint("provider_id", "route", "region_code", postgresql_nulls_not_distinct=True),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    route: Mapped[Route | None] = mapped_column(_enum(Route, "course_route"))
    region_code: Mapped[str | None] = mapped_column(
        String(4), ForeignKey("labour_market_regions.code"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at()


# -- documents: uploads waiting for their bid or tender, and a tender's own documents --------


class DocumentUpload(Base):
    """A document received by `POST /documents` (market.tenders.documents), kept by the
    FileStore under `key`, waiting to be attached to a bid or a tender by its uploader.
    Attaching consumes the row; an upload left unattached is forgotten after a day."""

    __tablename__ = "document_uploads"
    __table_args__ = (
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("size > 0", name="size_positive"),
        Index("ix_document_uploads_uploaded_by_created_at", "uploaded_by", "created_at"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = created_at()


class TenderDocument(Base):
    """A document of a tender (the bestek, a price list template...), kept by the FileStore
    under `key` (its SHA-256); public with the tender once it is published."""

    __tablename__ = "tender_documents"
    __table_args__ = (
        UniqueConstraint("tender_id", "position"),
        CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
        CheckConstraint("size > 0", name="size_positive"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    tender_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenders.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    added_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = created_at()
