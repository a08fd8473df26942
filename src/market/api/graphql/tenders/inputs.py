"""Tender inputs, and their translation into the service's draft. `createTender` and
`updateTender` take the whole draft: an update replaces every field, lot, requirement and
criterion."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from market.api.graphql import ids
from market.api.graphql.catalog.types import Level, Route, Stream
from market.api.graphql.tenders.types import AwardMethod, RequirementKind, TenderState
from market.tenders import errors, policies, service


@strawberry.input(description="A member municipality's estimated learners a year.")
class MemberVolumeInput:
    organisation_id: strawberry.ID
    learners_per_year: int


@strawberry.input
class LotInput:
    title: str
    route: Route  # type: ignore[valid-type]
    level: Level | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="B1 and Z routes."
    )
    stream: Stream | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="The Onderwijsroute."
    )
    region_codes: list[str] = strawberry.field(description="Labour-market regions (AM01...).")
    max_value_cents: int | None = strawberry.field(
        default=None, description="Required before publication."
    )
    max_trajectories: int | None = None
    volumes: list[MemberVolumeInput] = strawberry.field(
        default_factory=list, description="Only the coalition's member municipalities."
    )


@strawberry.input
class RequirementInput:
    kind: RequirementKind
    amount: int | None = strawberry.field(
        default=None, description="MAX_CLASS_SIZE and INTAKE_FREQUENCY only."
    )
    text: str | None = strawberry.field(default=None, description="CUSTOM only.")


@strawberry.input(description="The award method and its parameters (see AwardMethod).")
class AwardInput:
    method: AwardMethod
    quality_weight_bp: int | None = None
    price_weight_bp: int | None = None
    price_floor_cents: int | None = None
    price_ceiling_cents: int | None = None


@strawberry.input(description="The criteria's weights add up to 10000 basis points.")
class QualityCriterionInput:
    name: str
    weight_bp: int
    value_cents: int | None = strawberry.field(default=None, description="QUALITY_VALUE only.")


@strawberry.input(description="Each moment with its UTC offset, each after the one before.")
class TimelineInput:
    publication_at: datetime
    questions_deadline: datetime
    bid_deadline: datetime
    planned_award_at: datetime
    contract_start_at: datetime


@strawberry.input
class ContractTermInput:
    initial_months: int
    extension_months: list[int] = strawberry.field(default_factory=list)
    latest_end_date: date | None = strawberry.field(
        default=None, description="Required before publication."
    )


@strawberry.input
class TenderInput:
    title: str
    description: str = ""
    lots: list[LotInput]
    requirements: list[RequirementInput] = strawberry.field(default_factory=list)
    award: AwardInput
    criteria: list[QualityCriterionInput]
    timeline: TimelineInput
    contract_term: ContractTermInput
    estimated_total_value_cents: int

    def to_draft(self) -> policies.TenderDraft:
        award, timeline, term = self.award, self.timeline, self.contract_term
        return policies.TenderDraft(
            title=self.title,
            description=self.description,
            lots=tuple(_lot(lot, i) for i, lot in enumerate(self.lots)),
            requirements=tuple(
                policies.RequirementDraft(r.kind, r.amount, r.text) for r in self.requirements
            ),
            award=policies.AwardTerms(
                award.method,
                award.quality_weight_bp,
                award.price_weight_bp,
                award.price_floor_cents,
                award.price_ceiling_cents,
            ),
            criteria=tuple(
                policies.CriterionDraft(c.name, c.weight_bp, c.value_cents) for c in self.criteria
            ),
            timeline=policies.Timeline(
                timeline.publication_at,
                timeline.questions_deadline,
                timeline.bid_deadline,
                timeline.planned_award_at,
                timeline.contract_start_at,
            ),
            term=policies.ContractTerm(
                term.initial_months, tuple(term.extension_months), term.latest_end_date
            ),
            estimated_total_value_cents=self.estimated_total_value_cents,
        )


def _lot(lot: LotInput, i: int) -> policies.LotDraft:
    volumes = tuple(
        (
            ids.decode(
                "Organisation",
                volume.organisation_id,
                field=f"lots[{i}].volumes[{j}].organisationId",
            ),
            volume.learners_per_year,
        )
        for j, volume in enumerate(lot.volumes)
    )
    return policies.LotDraft(
        title=lot.title,
        route=lot.route,
        level=lot.level,
        stream=lot.stream,
        region_codes=tuple(lot.region_codes),
        max_value_cents=lot.max_value_cents,
        max_trajectories=lot.max_trajectories,
        volumes=volumes,
    )


@strawberry.input(
    description="Which tenders to list; every field left out matches any. `routes`, "
    "`regionCodes` and `followed` hold for one and the same lot of a tender."
)
class TenderFilter:
    states: list[TenderState] | None = None
    coalition_id: strawberry.ID | None = None
    routes: list[Route] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="A lot on any of these routes."
    )
    region_codes: list[str] | None = strawberry.field(
        default=None, description="A lot in any of these labour-market regions (AM01...)."
    )
    bid_deadline_after: datetime | None = None
    bid_deadline_before: datetime | None = None
    open_for_bids: bool = strawberry.field(
        default=False,
        description="Published, its bid deadline ahead (the server's clock).",
    )
    followed: bool = strawberry.field(
        default=False,
        description="A lot that a follow of one of your providers matches (myTenderFollows).",
    )

    def to_filter(self) -> service.TenderFilter:
        coalition = None
        if self.coalition_id is not None:
            coalition = ids.decode("Coalition", self.coalition_id, field="coalitionId")
        return service.TenderFilter(
            states=frozenset(self.states or ()),
            coalition_id=coalition,
            routes=frozenset(self.routes or ()),
            region_codes=frozenset(self.region_codes or ()),
            bid_deadline_after=_aware(self.bid_deadline_after, "bidDeadlineAfter"),
            bid_deadline_before=_aware(self.bid_deadline_before, "bidDeadlineBefore"),
            open_for_bids=self.open_for_bids,
            followed=self.followed,
        )


def _aware(moment: datetime | None, field: str) -> datetime | None:
    """A moment with its offset: without one, which moment is meant is unknown."""
    if moment is not None and moment.tzinfo is None:
        raise errors.TimeWithoutZone(field=field)
    return moment
