"""GraphQL types of regional joint tenders: coalitions of municipalities and their
tenders with lots. Weights are basis points (10000 = 100%), money integer euro cents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

import strawberry

from market.api.graphql import ids
from market.api.graphql.catalog.types import Level, Route, Stream
from market.api.graphql.context import Info
from market.api.graphql.tenders.rectifications import Rectification, tender_rectifications
from market.tenders import models, policies
from market.tenders.service import (
    CoalitionView,
    CriterionView,
    DocumentView,
    LotView,
    MemberView,
    RequirementView,
    TenderView,
    VolumeView,
)

# The domain's enums, registered as GraphQL enums (identity's way: a valid type for mypy).
CoalitionMemberState = models.MemberState
strawberry.enum(
    CoalitionMemberState,
    name="CoalitionMemberState",
    description="INVITED: asked to join; MEMBER: accepted (the lead always is); DECLINED.",
)


@strawberry.type(description="A municipality in a coalition.")
class CoalitionMember:
    organisation_id: strawberry.ID
    name: str
    municipality_code: str | None
    state: CoalitionMemberState
    is_lead: bool
    invited_at: datetime
    responded_at: datetime | None

    @classmethod
    def of(cls, view: MemberView, lead_id: uuid.UUID) -> CoalitionMember:
        return cls(
            organisation_id=strawberry.ID(ids.encode("Organisation", view.organisation_id)),
            name=view.name,
            municipality_code=view.municipality_code,
            state=view.state,
            is_lead=view.organisation_id == lead_id,
            invited_at=view.invited_at,
            responded_at=view.responded_at,
        )


@strawberry.type(
    description="A samenwerkingsverband: municipalities that buy trajectories together; "
    "the lead (penvoerder) runs their tenders."
)
class Coalition:
    id: strawberry.ID
    name: str
    lead_organisation_id: strawberry.ID
    created_at: datetime
    members: list[CoalitionMember] = strawberry.field(
        description="The lead first, then the others by name, invited and declined ones too."
    )

    @classmethod
    def of(cls, view: CoalitionView) -> Coalition:
        return cls(
            id=strawberry.ID(ids.encode("Coalition", view.id)),
            name=view.name,
            lead_organisation_id=strawberry.ID(ids.encode("Organisation", view.lead_id)),
            created_at=view.created_at,
            members=[CoalitionMember.of(member, view.lead_id) for member in view.members],
        )


TenderState = policies.TenderState
strawberry.enum(
    TenderState,
    name="TenderState",
    description="DRAFT -> PUBLISHED (questions open) -> QUESTIONS_CLOSED -> BIDS_CLOSED -> "
    "OPENED -> EVALUATED -> AWARD_DECIDED (standstill) -> CONTRACTED; or CANCELLED, "
    "UNSUCCESSFUL.",
)
LotState = policies.LotState
strawberry.enum(LotState, name="LotState")
AwardMethod = policies.AwardMethod
strawberry.enum(
    AwardMethod,
    name="AwardMethod",
    description="RELATIVE_PRICE: WQ*Q + WP*(Pbest/P), highest wins. LINEAR_PRICE: WQ*Q + "
    "WP*(Pmax-P)/(Pmax-Pmin), highest wins. QUALITY_VALUE (fictieve korting): P minus each "
    "criterion's value times its score, lowest wins. FIXED_PRICE: quality only.",
)
RequirementKind = policies.RequirementKind
strawberry.enum(
    RequirementKind,
    name="RequirementKind",
    description="A knock-out requirement. MAX_CLASS_SIZE and INTAKE_FREQUENCY (intakes a "
    "year) state an amount; CUSTOM states a text.",
)


@strawberry.type(description="A member municipality's estimated learners a year in a lot.")
class MemberVolume:
    organisation_id: strawberry.ID
    name: str
    learners_per_year: int

    @classmethod
    def of(cls, view: VolumeView) -> MemberVolume:
        return cls(
            organisation_id=strawberry.ID(ids.encode("Organisation", view.organisation_id)),
            name=view.name,
            learners_per_year=view.learners_per_year,
        )


@strawberry.type(description="A lot (perceel) of a tender.")
class Lot:
    id: strawberry.ID
    number: int = strawberry.field(description="Its place in the tender, from 1.")
    title: str
    route: Route  # type: ignore[valid-type]
    level: Level | None = strawberry.field(  # type: ignore[valid-type]
        description="B1 and Z routes."
    )
    stream: Stream | None = strawberry.field(  # type: ignore[valid-type]
        description="The Onderwijsroute."
    )
    region_codes: list[str] = strawberry.field(description="Labour-market regions (AM01...).")
    max_value_cents: int | None
    max_trajectories: int | None
    state: LotState
    volumes: list[MemberVolume]

    @classmethod
    def of(cls, view: LotView) -> Lot:
        return cls(
            id=strawberry.ID(ids.encode("Lot", view.id)),
            number=view.number,
            title=view.title,
            route=view.route,
            level=view.level,
            stream=view.stream,
            region_codes=list(view.region_codes),
            max_value_cents=view.max_value_cents,
            max_trajectories=view.max_trajectories,
            state=view.state,
            volumes=[MemberVolume.of(volume) for volume in view.volumes],
        )


@strawberry.type(description="A knock-out requirement.")
class Requirement:
    id: strawberry.ID
    kind: RequirementKind
    amount: int | None
    text: str | None

    @classmethod
    def of(cls, view: RequirementView) -> Requirement:
        return cls(
            id=strawberry.ID(ids.encode("Requirement", view.id)),
            kind=view.kind,
            amount=view.amount,
            text=view.text,
        )


@strawberry.type(description="A quality award criterion.")
class QualityCriterion:
    id: strawberry.ID
    name: str
    weight_bp: int
    value_cents: int | None = strawberry.field(description="QUALITY_VALUE only.")

    @classmethod
    def of(cls, view: CriterionView) -> QualityCriterion:
        return cls(
            id=strawberry.ID(ids.encode("QualityCriterion", view.id)),
            name=view.name,
            weight_bp=view.weight_bp,
            value_cents=view.value_cents,
        )


@strawberry.type(description="How bids are scored.")
class Award:
    method: AwardMethod
    quality_weight_bp: int | None = strawberry.field(description="The points methods: WQ.")
    price_weight_bp: int | None = strawberry.field(description="The points methods: WP.")
    price_floor_cents: int | None = strawberry.field(description="LINEAR_PRICE: Pmin.")
    price_ceiling_cents: int | None = strawberry.field(description="LINEAR_PRICE: Pmax.")


@strawberry.type(description="The tender's moments, in UTC.")
class Timeline:
    publication_at: datetime
    questions_deadline: datetime
    bid_deadline: datetime
    planned_award_at: datetime
    contract_start_at: datetime


@strawberry.type(description="A framework contract's term: initial months plus options.")
class ContractTerm:
    initial_months: int
    extension_months: list[int]
    latest_end_date: date | None = strawberry.field(
        description="The last day, every extension included."
    )


@strawberry.type(description="A stored document, with its SHA-256 (hex) and size in bytes.")
class Document:
    id: strawberry.ID
    name: str
    sha256: str
    size: int
    media_type: str
    download_path: str = strawberry.field(
        description="Where `GET` sends its content, to whoever may read it."
    )

    @classmethod
    def of(cls, view: DocumentView, of: Literal["tender", "bid"]) -> Document:
        id = ids.encode("TenderDocument" if of == "tender" else "BidDocument", view.id)
        return cls(
            id=strawberry.ID(id),
            name=view.name,
            sha256=view.sha256,
            size=view.size,
            media_type=view.media_type,
            download_path=f"/documents/{of}/{id}",
        )


@strawberry.type(description="A joint tender of a coalition.")
class Tender:
    id: strawberry.ID
    coalition_id: strawberry.ID
    coalition_name: str
    state: TenderState
    version: int = strawberry.field(
        description="1 as published; each correction after publication makes the next."
    )
    title: str
    description: str
    lots: list[Lot]
    requirements: list[Requirement]
    award: Award
    criteria: list[QualityCriterion]
    timeline: Timeline
    contract_term: ContractTerm
    estimated_total_value_cents: int
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    cancellation_reason: str | None = strawberry.field(
        default=None, description="Why the lead cancelled it (CANCELLED only)."
    )
    documents: list[Document] = strawberry.field(
        default_factory=list, description="The tender's documents, in their order."
    )
    retender_of_lot_id: strawberry.ID | None = strawberry.field(
        default=None, description="A re-tender (`retenderLot`): the unsuccessful lot it buys again."
    )

    @strawberry.field(
        description="Its corrections after publication, oldest first: everyone who sees the "
        "tender sees them."
    )
    async def rectifications(self, info: Info) -> list[Rectification]:
        found = await tender_rectifications(info).load(ids.decode("Tender", self.id))
        return [Rectification.of(view) for view in found]

    @classmethod
    def of(cls, view: TenderView) -> Tender:
        award, timeline, term = view.award, view.timeline, view.term
        return cls(
            id=strawberry.ID(ids.encode("Tender", view.id)),
            coalition_id=strawberry.ID(ids.encode("Coalition", view.coalition_id)),
            coalition_name=view.coalition_name,
            state=view.state,
            version=view.version,
            title=view.title,
            description=view.description,
            lots=[Lot.of(lot) for lot in view.lots],
            requirements=[Requirement.of(requirement) for requirement in view.requirements],
            award=Award(
                method=award.method,
                quality_weight_bp=award.quality_weight_bp,
                price_weight_bp=award.price_weight_bp,
                price_floor_cents=award.price_floor_cents,
                price_ceiling_cents=award.price_ceiling_cents,
            ),
            criteria=[QualityCriterion.of(criterion) for criterion in view.criteria],
            timeline=Timeline(
                publication_at=timeline.publication_at,
                questions_deadline=timeline.questions_deadline,
                bid_deadline=timeline.bid_deadline,
                planned_award_at=timeline.planned_award_at,
                contract_start_at=timeline.contract_start_at,
            ),
            contract_term=ContractTerm(
                initial_months=term.initial_months,
                extension_months=list(term.extension_months),
                latest_end_date=term.latest_end_date,
            ),
            estimated_total_value_cents=view.estimated_total_value_cents,
            published_at=view.published_at,
            created_at=view.created_at,
            updated_at=view.updated_at,
            cancellation_reason=view.cancellation_reason,
            retender_of_lot_id=None
            if view.retender_of_lot_id is None
            else strawberry.ID(ids.encode("Lot", view.retender_of_lot_id)),
            documents=[Document.of(d, "tender") for d in view.documents],
        )
