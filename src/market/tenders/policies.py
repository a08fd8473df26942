"""The tenders' rules, free of the database: the lifecycle of a tender and of its lots as
one table each, what a draft must hold to be stored, and what publication will check.

Weights are basis points (10000 = 100%), money integer euro cents, times aware and UTC;
calendar reasoning (days before a deadline, a contract's months) happens on the
Europe/Amsterdam calendar, so it holds across the switch to and from summer time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from market.catalog import errors as catalog_errors
from market.catalog.models import Level, Route, Stream
from market.identity.models import OrganisationKind, Role
from market.identity.policies import Actor
from market.kernel.errors import DomainError
from market.tenders import errors

if TYPE_CHECKING:
    from market.tenders.models import Lot, Tender

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WHOLE = 10_000  # basis points: 100%
# Answers (the nota van inlichtingen) reach every party at least this long before the bid
# deadline.
ANSWERS_LEAD_DAYS = 6

MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 20_000
MAX_REQUIREMENT_TEXT_LENGTH = 1_000
MAX_LOTS = 50
MAX_CRITERIA = 20
MAX_REQUIREMENTS = 30


class TenderState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # questions open
    QUESTIONS_CLOSED = "questions_closed"
    BIDS_CLOSED = "bids_closed"
    OPENED = "opened"
    EVALUATED = "evaluated"
    AWARD_DECIDED = "award_decided"  # the standstill runs
    CONTRACTED = "contracted"
    CANCELLED = "cancelled"
    UNSUCCESSFUL = "unsuccessful"


class LotState(StrEnum):
    ACTIVE = "active"
    AWARD_DECIDED = "award_decided"
    CONTRACTED = "contracted"
    UNSUCCESSFUL = "unsuccessful"
    CANCELLED = "cancelled"


class AwardMethod(StrEnum):
    """The four methods of TENDERS.md: points with price relative to the lowest, points with
    price linear between published bounds, value (fictieve korting), fixed price."""

    RELATIVE_PRICE = "relative_price"
    LINEAR_PRICE = "linear_price"
    QUALITY_VALUE = "quality_value"
    FIXED_PRICE = "fixed_price"


# The methods that weigh quality against price (WQ + WP = 100%).
WEIGHED_METHODS = frozenset({AwardMethod.RELATIVE_PRICE, AwardMethod.LINEAR_PRICE})


class RequirementKind(StrEnum):
    BLIK_OP_WERK = "blik_op_werk"
    DIPLOMA_RECOGNITION = "diploma_recognition"
    EVENING_LESSONS = "evening_lessons"
    MAX_CLASS_SIZE = "max_class_size"
    INTAKE_FREQUENCY = "intake_frequency"  # intakes a year
    ACCESSIBILITY = "accessibility"
    CUSTOM = "custom"


# The requirements that state a number (at most n learners a class, n intakes a year).
COUNTED_REQUIREMENTS = frozenset({RequirementKind.MAX_CLASS_SIZE, RequirementKind.INTAKE_FREQUENCY})

_CANCELLABLE = frozenset({TenderState.CANCELLED})
TENDER_TRANSITIONS: dict[TenderState, frozenset[TenderState]] = {
    TenderState.DRAFT: frozenset({TenderState.PUBLISHED}) | _CANCELLABLE,
    TenderState.PUBLISHED: frozenset({TenderState.QUESTIONS_CLOSED}) | _CANCELLABLE,
    TenderState.QUESTIONS_CLOSED: frozenset({TenderState.BIDS_CLOSED}) | _CANCELLABLE,
    # No bid at all: nothing to open.
    TenderState.BIDS_CLOSED: frozenset({TenderState.OPENED, TenderState.UNSUCCESSFUL})
    | _CANCELLABLE,
    TenderState.OPENED: frozenset({TenderState.EVALUATED, TenderState.UNSUCCESSFUL}) | _CANCELLABLE,
    # Contracted: an upheld objection reopened a lot that then ended without a passing bid,
    # while the other lots were contracted (market.tenders.evaluation).
    TenderState.EVALUATED: frozenset(
        {TenderState.AWARD_DECIDED, TenderState.CONTRACTED, TenderState.UNSUCCESSFUL}
    )
    | _CANCELLABLE,
    # An upheld objection sends the decision back to evaluation.
    TenderState.AWARD_DECIDED: frozenset({TenderState.CONTRACTED, TenderState.EVALUATED})
    | _CANCELLABLE,
    TenderState.CONTRACTED: frozenset(),
    TenderState.CANCELLED: frozenset(),
    TenderState.UNSUCCESSFUL: frozenset(),
}
LOT_TRANSITIONS: dict[LotState, frozenset[LotState]] = {
    LotState.ACTIVE: frozenset({LotState.AWARD_DECIDED, LotState.UNSUCCESSFUL, LotState.CANCELLED}),
    LotState.AWARD_DECIDED: frozenset({LotState.CONTRACTED, LotState.ACTIVE, LotState.CANCELLED}),
    LotState.CONTRACTED: frozenset(),
    LotState.UNSUCCESSFUL: frozenset(),
    LotState.CANCELLED: frozenset(),
}

S = TypeVar("S", TenderState, LotState)


def _allowed(table: dict[S, frozenset[S]], kind: str, current: S, target: S) -> S:
    if target not in table[current]:
        raise errors.TransitionNotAllowed(
            kind=kind, current=current.name, target=target.name, field="state"
        )
    return target


def acting_for(
    actor: Actor,
    kind: OrganisationKind,
    roles: Sequence[Role],
    given: uuid.UUID | None,
    *,
    field: str,
    refused: type[DomainError],
    choose: type[DomainError],
) -> uuid.UUID:
    """The organisation of `kind` the actor acts for in one of `roles`: the one given, or
    their only one. `refused` when they act for none (or not for the one given), `choose`
    when they act for several and named none."""
    actor.require_user()
    acting = actor.organisations(kind, roles)
    if given is not None:
        if given not in acting:
            raise refused(field=field)
        return given
    if not acting:
        raise refused()
    if len(acting) > 1:
        raise choose(field=field)
    (only,) = acting
    return only


def move_tender(tender: Tender, target: TenderState) -> None:
    """Moves the tender to `target`, if the table allows it from where it is."""
    tender.state = _allowed(TENDER_TRANSITIONS, "tender", tender.state, target)


def move_lot(lot: Lot, target: LotState) -> None:
    lot.state = _allowed(LOT_TRANSITIONS, "lot", lot.state, target)


# -- a draft ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LotDraft:
    title: str
    route: Route
    level: Level | None
    stream: Stream | None
    region_codes: tuple[str, ...]
    max_value_cents: int | None
    max_trajectories: int | None
    # Member municipality (organisation id) -> estimated learners a year.
    volumes: tuple[tuple[uuid.UUID, int], ...]


@dataclass(frozen=True, slots=True)
class RequirementDraft:
    kind: RequirementKind
    amount: int | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class AwardTerms:
    method: AwardMethod
    quality_weight_bp: int | None = None
    price_weight_bp: int | None = None
    price_floor_cents: int | None = None
    price_ceiling_cents: int | None = None


@dataclass(frozen=True, slots=True)
class CriterionDraft:
    name: str
    weight_bp: int
    # QUALITY_VALUE only: what full marks on this criterion are worth, off the price.
    value_cents: int | None = None


@dataclass(frozen=True, slots=True)
class Timeline:
    publication_at: datetime
    questions_deadline: datetime
    bid_deadline: datetime
    planned_award_at: datetime
    contract_start_at: datetime


@dataclass(frozen=True, slots=True)
class ContractTerm:
    initial_months: int
    extension_months: tuple[int, ...] = ()
    latest_end_date: date | None = None


@dataclass(frozen=True, slots=True)
class TenderDraft:
    title: str
    description: str
    lots: tuple[LotDraft, ...]
    requirements: tuple[RequirementDraft, ...]
    award: AwardTerms
    criteria: tuple[CriterionDraft, ...]
    timeline: Timeline
    term: ContractTerm
    estimated_total_value_cents: int


def trimmed_text(value: str, limit: int, field: str, *, required: bool = True) -> str:
    """The text without surrounding space, refused when empty (if `required`) or over `limit`."""
    value = value.strip()
    if required and not value:
        raise catalog_errors.TextRequired(field=field)
    if len(value) > limit:
        raise catalog_errors.TextTooLong(limit, field=field)
    return value


def _not_negative(value: int | None, field: str) -> None:
    if value is not None and value < 0:
        raise errors.NegativeFigure(field=field)


def _positive(value: int | None, field: str) -> None:
    if value is not None and value <= 0:
        raise errors.FigureNotPositive(field=field)


def _at_most(items: Sequence[object], limit: int, field: str) -> None:
    if len(items) > limit:
        raise catalog_errors.TooManyItems(limit, field=field)


def lot_scope(
    route: Route,
    level: Level | None,
    stream: Stream | None,
    region_codes: Sequence[str],
    *,
    at: str,
    exact: bool = True,
) -> tuple[str, ...]:
    """What a lot buys: a B1- or Z-route level or an Onderwijsroute stream, in some regions
    (returned normalised). `exact`: the level or stream is required (a lot), not only
    allowed (a look at the market may leave it open). `at`: the fields' path prefix."""
    prefix = f"{at}." if at else ""
    if route is Route.ONDERWIJS:
        if level is not None:
            raise errors.LevelNotAllowed(field=f"{prefix}level")
        if stream is None and exact:
            raise catalog_errors.StreamRequired(field=f"{prefix}stream")
    else:
        if stream is not None:
            raise catalog_errors.StreamNotAllowed(field=f"{prefix}stream")
        if level is None and exact:
            raise errors.LevelRequired(field=f"{prefix}level")
    regions = tuple(code.strip().upper() for code in region_codes)
    if not regions:
        raise catalog_errors.ItemsRequired(field=f"{prefix}regionCodes")
    if len(set(regions)) != len(regions):
        raise catalog_errors.DuplicateItems(field=f"{prefix}regionCodes")
    return regions


def _lot(lot: LotDraft, at: str) -> LotDraft:
    title = trimmed_text(lot.title, MAX_TITLE_LENGTH, f"{at}.title")
    regions = lot_scope(lot.route, lot.level, lot.stream, lot.region_codes, at=at)
    _positive(lot.max_value_cents, f"{at}.maxValueCents")
    _positive(lot.max_trajectories, f"{at}.maxTrajectories")
    members = [organisation for organisation, _ in lot.volumes]
    if len(set(members)) != len(members):
        raise catalog_errors.DuplicateItems(field=f"{at}.volumes")
    for i, (_, learners) in enumerate(lot.volumes):
        _not_negative(learners, f"{at}.volumes[{i}].learnersPerYear")
    return replace(lot, title=title, region_codes=regions)


def _requirement(requirement: RequirementDraft, at: str) -> RequirementDraft:
    kind = requirement.kind
    if kind in COUNTED_REQUIREMENTS:
        if requirement.amount is None:
            raise errors.RequirementAmountRequired(field=f"{at}.amount", kind=kind.name)
        _positive(requirement.amount, f"{at}.amount")
    elif requirement.amount is not None:
        raise errors.RequirementAmountNotExpected(field=f"{at}.amount", kind=kind.name)
    if kind is RequirementKind.CUSTOM:
        text = trimmed_text(requirement.text or "", MAX_REQUIREMENT_TEXT_LENGTH, f"{at}.text")
        return replace(requirement, text=text)
    if requirement.text is not None:
        raise errors.RequirementTextNotExpected(field=f"{at}.text")
    return requirement


# The award rules a draft and scoring (market.tenders.scoring) both hold their figures to;
# `at` is where the figures sit in the caller's input.


def check_award_weights(quality_weight_bp: int, price_weight_bp: int, *, at: str = "") -> None:
    """A weighed method's WQ and WP: neither negative, and together 100%."""
    _not_negative(quality_weight_bp, f"{at}qualityWeightBp")
    _not_negative(price_weight_bp, f"{at}priceWeightBp")
    total = quality_weight_bp + price_weight_bp
    if total != WHOLE:
        raise errors.AwardWeightsNotWhole(field=f"{at}priceWeightBp", total=total)


def check_price_bounds(floor_cents: int, ceiling_cents: int, *, at: str = "") -> None:
    """LINEAR_PRICE's published bounds: 0 <= floor < ceiling."""
    _not_negative(floor_cents, f"{at}priceFloorCents")
    if floor_cents >= ceiling_cents:
        raise errors.PriceBoundsInverted(field=f"{at}priceCeilingCents")


def check_criteria_weights(weights_bp: Sequence[int], *, field: str) -> None:
    """The quality criteria's weights make 100% of quality."""
    total = sum(weights_bp)
    if total != WHOLE:
        raise errors.CriteriaWeightsNotWhole(field=field, total=total)


def _award(award: AwardTerms) -> None:
    method = award.method.name
    quality, price = award.quality_weight_bp, award.price_weight_bp
    if award.method in WEIGHED_METHODS:
        if quality is None or price is None:
            missing = "qualityWeightBp" if quality is None else "priceWeightBp"
            raise errors.AwardWeightsRequired(field=f"award.{missing}", method=method)
        check_award_weights(quality, price, at="award.")
    elif quality is not None or price is not None:
        given = "qualityWeightBp" if quality is not None else "priceWeightBp"
        raise errors.AwardWeightsNotExpected(field=f"award.{given}", method=method)
    floor, ceiling = award.price_floor_cents, award.price_ceiling_cents
    if award.method is AwardMethod.LINEAR_PRICE:
        if floor is None or ceiling is None:
            missing = "priceFloorCents" if floor is None else "priceCeilingCents"
            raise errors.PriceBoundsRequired(field=f"award.{missing}")
        check_price_bounds(floor, ceiling, at="award.")
    elif floor is not None or ceiling is not None:
        given = "priceFloorCents" if floor is not None else "priceCeilingCents"
        raise errors.PriceBoundsNotExpected(field=f"award.{given}")


def _criteria(
    criteria: tuple[CriterionDraft, ...], method: AwardMethod
) -> tuple[CriterionDraft, ...]:
    if not criteria:
        raise errors.CriteriaRequired(field="criteria")
    _at_most(criteria, MAX_CRITERIA, "criteria")
    checked = []
    for i, criterion in enumerate(criteria):
        at = f"criteria[{i}]"
        name = trimmed_text(criterion.name, MAX_TITLE_LENGTH, f"{at}.name")
        _positive(criterion.weight_bp, f"{at}.weightBp")
        if method is AwardMethod.QUALITY_VALUE:
            if criterion.value_cents is None:
                raise errors.CriterionValueRequired(field=f"{at}.valueCents")
            _not_negative(criterion.value_cents, f"{at}.valueCents")
        elif criterion.value_cents is not None:
            raise errors.CriterionValueNotExpected(field=f"{at}.valueCents")
        checked.append(replace(criterion, name=name))
    check_criteria_weights([criterion.weight_bp for criterion in criteria], field="criteria")
    return tuple(checked)


_TIMELINE_FIELDS = (
    ("publication_at", "publicationAt"),
    ("questions_deadline", "questionsDeadline"),
    ("bid_deadline", "bidDeadline"),
    ("planned_award_at", "plannedAwardAt"),
    ("contract_start_at", "contractStartAt"),
)


def _timeline(timeline: Timeline) -> Timeline:
    """Each moment aware and in UTC, and each after the one before."""
    moments: dict[str, datetime] = {}
    for name, field in _TIMELINE_FIELDS:
        moment: datetime = getattr(timeline, name)
        if moment.utcoffset() is None:
            raise errors.TimeWithoutZone(field=f"timeline.{field}")
        moments[name] = moment.astimezone(UTC)
    for (before, before_field), (after, after_field) in pairwise(_TIMELINE_FIELDS):
        if moments[after] <= moments[before]:
            raise errors.TimelineOutOfOrder(
                field=f"timeline.{after_field}", after=f"timeline.{before_field}"
            )
    return Timeline(**moments)


def _term(term: ContractTerm) -> None:
    _positive(term.initial_months, "contractTerm.initialMonths")
    for months in term.extension_months:
        _positive(months, "contractTerm.extensionMonths")


def check_draft(draft: TenderDraft) -> TenderDraft:
    """The draft as stored (texts trimmed, times in UTC), or the first rule it breaks.
    Which municipalities are members and which regions exist the service checks."""
    title = trimmed_text(draft.title, MAX_TITLE_LENGTH, "title")
    description = trimmed_text(
        draft.description, MAX_DESCRIPTION_LENGTH, "description", required=False
    )
    if not draft.lots:
        raise errors.LotsRequired(field="lots")
    _at_most(draft.lots, MAX_LOTS, "lots")
    lots = tuple(_lot(lot, f"lots[{i}]") for i, lot in enumerate(draft.lots))
    _at_most(draft.requirements, MAX_REQUIREMENTS, "requirements")
    requirements = tuple(
        _requirement(requirement, f"requirements[{i}]")
        for i, requirement in enumerate(draft.requirements)
    )
    _award(draft.award)
    criteria = _criteria(draft.criteria, draft.award.method)
    timeline = _timeline(draft.timeline)
    _term(draft.term)
    _not_negative(draft.estimated_total_value_cents, "estimatedTotalValueCents")
    return replace(
        draft,
        title=title,
        description=description,
        lots=lots,
        requirements=requirements,
        criteria=criteria,
        timeline=timeline,
    )


# -- what publication checks ----------------------------------------------------------------


def answers_due(bid_deadline: datetime) -> datetime:
    """The latest moment answers may reach the parties: ANSWERS_LEAD_DAYS calendar days
    before the bid deadline, at the same Amsterdam wall-clock time."""
    local = bid_deadline.astimezone(AMSTERDAM)
    return (local - timedelta(days=ANSWERS_LEAD_DAYS)).astimezone(UTC)


def check_answers_window(questions_deadline: datetime, bid_deadline: datetime) -> None:
    """Questions close early enough for the answers to go out in time."""
    latest = answers_due(bid_deadline)
    if questions_deadline > latest:
        raise errors.AnswersTooLate(
            field="timeline.questionsDeadline", days=ANSWERS_LEAD_DAYS, latest=latest.isoformat()
        )


def check_maximum_values(max_values_cents: Sequence[int | None]) -> None:
    """Every lot (in order) states its maximum value."""
    for i, value in enumerate(max_values_cents):
        if value is None or value <= 0:
            raise errors.MaximumValueRequired(field=f"lots[{i}].maxValueCents")


def _day_after(start: date, months: int) -> date:
    """The first day after a term of `months` from `start`: the same date `months` later,
    or the first of the month after when that month is too short (a month from 31 January
    runs to the end of February)."""
    year, month = divmod(start.month - 1 + months, 12)
    first = date(start.year + year, month + 1, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first.replace(day=start.day) if start.day <= (following - first).days else following


def contract_starts_on(contract_start_at: datetime) -> date:
    """The contract's first day: its start on the Amsterdam calendar."""
    return contract_start_at.astimezone(AMSTERDAM).date()


def contract_ends_on(starts_on: date, months: int) -> date:
    """The last day of a contract running `months` from `starts_on` (2027-01-01, 24
    months: 2028-12-31). Always counted from the start, so extensions never drift off
    the month's end."""
    return _day_after(starts_on, months) - timedelta(days=1)


def earliest_end(contract_start_at: datetime, term: ContractTerm) -> date:
    """The last day of the contract with every extension taken (start 2027-01-01, 2+1+1
    years: 2030-12-31)."""
    months = term.initial_months + sum(term.extension_months)
    return contract_ends_on(contract_starts_on(contract_start_at), months)


def check_latest_end(contract_start_at: datetime, term: ContractTerm) -> None:
    if term.latest_end_date is None:
        raise errors.LatestEndDateRequired(field="contractTerm.latestEndDate")
    earliest = earliest_end(contract_start_at, term)
    if term.latest_end_date < earliest:
        raise errors.LatestEndDateTooEarly(
            field="contractTerm.latestEndDate", earliest=earliest.isoformat()
        )


def check_deadline_ahead(bid_deadline: datetime, now: datetime) -> None:
    """`now` is the database's clock, never the app's."""
    if bid_deadline <= now:
        raise errors.DeadlineInPast(field="timeline.bidDeadline")


def check_publishable(draft: TenderDraft, now: datetime) -> None:
    """What publication adds to the rules of a stored draft, first broken rule first."""
    check_deadline_ahead(draft.timeline.bid_deadline, now)
    check_answers_window(draft.timeline.questions_deadline, draft.timeline.bid_deadline)
    check_maximum_values([lot.max_value_cents for lot in draft.lots])
    check_latest_end(draft.timeline.contract_start_at, draft.term)
