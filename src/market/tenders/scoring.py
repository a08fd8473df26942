"""Scoring and ranking the bids on a lot by the award methods of TENDERS.md.

The award step calls `rank` with what it stored (the award criteria as frozen at
publication, each opened bid's price and consensus quality scores) and writes
`Ranking.to_record()` to the audit trail; `Ranking.from_record` reads it back, and `rank`
on the inputs it holds gives the identical ranking (guarantee 7).

| AwardMethod    | score                                  | winner  |
| -------------- | -------------------------------------- | ------- |
| RELATIVE_PRICE | WQ*Q + WP*(Pbest/P)                    | highest |
| LINEAR_PRICE   | WQ*Q + WP*(Pmax-P)/(Pmax-Pmin)         | highest |
| QUALITY_VALUE  | P - sum(value_k * q_k), in cents       | lowest  |
| FIXED_PRICE    | Q (the price is fixed)                 | highest |

P is a bid's price in cents, Pbest the lowest price among the bids ranked, q_k the bid's
score on quality criterion k as a fraction of full marks (0..1), Q = sum(weight_k * q_k)
its quality, WQ + WP = 100%, Pmin and Pmax the published price floor and ceiling.
QUALITY_VALUE is the fictieve korting: value_k is what full marks on criterion k are worth,
taken off the price.

The figures are held to the award rules a draft is held to (market.tenders.policies), and
refused with the same errors.

The arithmetic is Decimal only, never float, in a context of its own (50 significant
digits, ROUND_HALF_EVEN), so neither the caller's context nor the platform can change a
result. Every figure is stated to SCORE_PLACES decimal places, rounded half even, and
bids are compared on their stated figures: that is what the award decision publishes, so
a tie is what a reader of the decision sees as one, and the tie-break of `rank` decides it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import Enum
from types import MappingProxyType
from typing import Any

from market.catalog.errors import DuplicateItems, ValueOutOfRange
from market.tenders import errors
from market.tenders.policies import (
    WEIGHED_METHODS,
    WHOLE,
    AwardMethod,
    check_award_weights,
    check_criteria_weights,
    check_price_bounds,
)

SCORE_PLACES = 10
_STATED = Decimal(1).scaleb(-SCORE_PLACES)
_CONTEXT = Context(
    prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)


@dataclass(frozen=True)
class Criterion:
    """A quality criterion as published: its weight within quality and, for the
    QUALITY_VALUE method only, what full marks on it are worth (value_k)."""

    name: str
    weight_bp: int
    value_cents: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.weight_bp <= WHOLE:
            raise ValueOutOfRange(0, WHOLE, field="weightBp")
        if self.value_cents < 0:
            raise errors.NegativeFigure(field="valueCents")


@dataclass(frozen=True)
class AwardCriteria:
    """The award method and its parameters, as frozen with the tender.

    A parameter the method does not use must stay 0, so that a stored record never carries
    a figure that played no part in the result. Criteria are optional only where quality
    counts for nothing (a points method with WQ = 0, or QUALITY_VALUE without criteria:
    price only).
    """

    method: AwardMethod
    criteria: tuple[Criterion, ...] = ()
    quality_weight_bp: int = 0
    price_weight_bp: int = 0
    price_floor_cents: int = 0
    price_ceiling_cents: int = 0

    def __post_init__(self) -> None:
        self._check_unused_parameters()
        if self.method in WEIGHED_METHODS:
            check_award_weights(self.quality_weight_bp, self.price_weight_bp)
        if self.method is AwardMethod.LINEAR_PRICE:
            check_price_bounds(self.price_floor_cents, self.price_ceiling_cents)
        self._check_criteria()

    def _check_unused_parameters(self) -> None:
        if self.method not in WEIGHED_METHODS and (self.quality_weight_bp or self.price_weight_bp):
            given = "qualityWeightBp" if self.quality_weight_bp else "priceWeightBp"
            raise errors.AwardWeightsNotExpected(field=given, method=self.method.name)
        if self.method is not AwardMethod.LINEAR_PRICE and (
            self.price_floor_cents or self.price_ceiling_cents
        ):
            given = "priceFloorCents" if self.price_floor_cents else "priceCeilingCents"
            raise errors.PriceBoundsNotExpected(field=given)
        if self.method is not AwardMethod.QUALITY_VALUE and any(
            c.value_cents for c in self.criteria
        ):
            raise errors.CriterionValueNotExpected(field="valueCents")

    def _check_criteria(self) -> None:
        names = [c.name for c in self.criteria]
        if len(set(names)) != len(names):
            raise DuplicateItems(field="criteria")
        quality_counts = self.method is AwardMethod.FIXED_PRICE or self.quality_weight_bp > 0
        if self.criteria or quality_counts:
            check_criteria_weights([c.weight_bp for c in self.criteria], field="criteria")


@dataclass(frozen=True)
class Bid:
    """An opened bid as scoring sees it: an opaque id, its price, and its quality score on
    each criterion by name (the evaluators' consensus, as a fraction of full marks)."""

    bid_id: str
    price_cents: int
    quality: Mapping[str, Decimal] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.price_cents <= 0:
            raise errors.FigureNotPositive(field="priceCents")
        for score in self.quality.values():
            if not (isinstance(score, Decimal) and score.is_finite() and 0 <= score <= 1):
                raise ValueOutOfRange(0, 1, field="quality")
        # Frozen in its contents too (a caller's later change to its dict cannot reach it),
        # and in name order, so equal inputs give the same record whatever order they had.
        scores = dict(sorted(self.quality.items()))
        object.__setattr__(self, "quality", MappingProxyType(scores))


@dataclass(frozen=True)
class RankedBid:
    """A bid's place in the ranking and how its score is made up.

    quality_part is what quality contributes (WQ*Q; for QUALITY_VALUE sum(value_k * q_k) in
    cents; for FIXED_PRICE Q), price_part what the price contributes (WP*Pbest/P or
    WP*(Pmax-P)/(Pmax-Pmin); for QUALITY_VALUE P in cents; for FIXED_PRICE 0). Each is
    stated on its own, so their sum may differ from the score in the last decimal place.
    """

    bid_id: str
    rank: int
    price_cents: int
    score: Decimal
    quality: Decimal
    quality_part: Decimal
    price_part: Decimal


@dataclass(frozen=True)
class Ranking:
    """The inputs (bids in bid id order, whatever order they came in) and the bids ranked,
    best first."""

    award: AwardCriteria
    bids: tuple[Bid, ...]
    ranked: tuple[RankedBid, ...]

    def to_record(self) -> dict[str, Any]:
        """Plain JSON data: ints stay ints, Decimals become their exact text (no floats)."""
        record: dict[str, Any] = _plain(self)
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Ranking:
        award = record["award"]
        return cls(
            award=AwardCriteria(
                method=AwardMethod(award["method"]),
                criteria=tuple(Criterion(**c) for c in award["criteria"]),
                quality_weight_bp=award["quality_weight_bp"],
                price_weight_bp=award["price_weight_bp"],
                price_floor_cents=award["price_floor_cents"],
                price_ceiling_cents=award["price_ceiling_cents"],
            ),
            bids=tuple(
                Bid(
                    bid_id=b["bid_id"],
                    price_cents=b["price_cents"],
                    quality={name: Decimal(score) for name, score in b["quality"].items()},
                )
                for b in record["bids"]
            ),
            ranked=tuple(
                RankedBid(
                    bid_id=r["bid_id"],
                    rank=r["rank"],
                    price_cents=r["price_cents"],
                    score=Decimal(r["score"]),
                    quality=Decimal(r["quality"]),
                    quality_part=Decimal(r["quality_part"]),
                    price_part=Decimal(r["price_part"]),
                )
                for r in record["ranked"]
            ),
        )

    def is_reproducible(self) -> bool:
        """Whether ranking the stored inputs again gives exactly the stored result."""
        return rank(self.award, self.bids) == self


def rank(award: AwardCriteria, bids: Iterable[Bid]) -> Ranking:
    """The bids ranked by `award`, best first, ranks 1, 2, 3... with no shared places.

    Bids with equal stated scores are ordered by, in turn:
    1. the higher quality part: under price-quality the buyer published that it buys
       quality as well as price, so at equal overall value the better service wins;
    2. the lower price: at equal quality too, public money is spent where it goes furthest;
    3. the bid id, ascending: only offers equal in score, quality and price reach it. It
       makes the order total, so the ranking never depends on the order bids were read in.
    Submission time is deliberately not a key: bids may be withdrawn and resubmitted until
    the deadline, so it says nothing about the offer, would penalise a bidder for
    correcting one, and is not among the inputs the ranking is recomputed from.
    """
    ordered = tuple(sorted(bids, key=lambda bid: bid.bid_id))
    _check_bids(award, ordered)
    best_is_highest = award.method is not AwardMethod.QUALITY_VALUE

    def standing(bid: RankedBid) -> tuple[Decimal, Decimal, int, str]:
        # copy_negate is exact in any context; a plain minus rounds to the current one.
        score = bid.score.copy_negate() if best_is_highest else bid.score
        return (score, bid.quality_part.copy_negate(), bid.price_cents, bid.bid_id)

    with localcontext(_CONTEXT):
        lowest_price = min((bid.price_cents for bid in ordered), default=0)
        ranked = sorted((_score(award, bid, lowest_price) for bid in ordered), key=standing)
    return Ranking(
        award=award,
        bids=ordered,
        ranked=tuple(replace(bid, rank=place) for place, bid in enumerate(ranked, start=1)),
    )


def _check_bids(award: AwardCriteria, bids: tuple[Bid, ...]) -> None:
    ids = [bid.bid_id for bid in bids]
    if len(set(ids)) != len(ids):
        raise DuplicateItems(field="bidId")
    names = {c.name for c in award.criteria}
    if any(set(bid.quality) != names for bid in bids):
        raise errors.QualityScoresMismatch(field="quality")


def _score(award: AwardCriteria, bid: Bid, lowest_price: int) -> RankedBid:
    """The bid's figures, stated to SCORE_PLACES; called inside _CONTEXT."""
    quality = sum(
        (Decimal(c.weight_bp) / WHOLE * bid.quality[c.name] for c in award.criteria),
        Decimal(0),
    )
    quality_weight = Decimal(award.quality_weight_bp) / WHOLE
    price_weight = Decimal(award.price_weight_bp) / WHOLE
    price = Decimal(bid.price_cents)
    match award.method:
        case AwardMethod.RELATIVE_PRICE:
            quality_part = quality_weight * quality
            price_part = price_weight * lowest_price / price
        case AwardMethod.LINEAR_PRICE:
            quality_part = quality_weight * quality
            price_part = price_weight * _linear_price_factor(award, bid.price_cents)
        case AwardMethod.QUALITY_VALUE:
            quality_part = sum(
                (c.value_cents * bid.quality[c.name] for c in award.criteria), Decimal(0)
            )
            price_part = price
        case AwardMethod.FIXED_PRICE:
            quality_part = quality
            price_part = Decimal(0)
    score = (
        price_part - quality_part
        if award.method is AwardMethod.QUALITY_VALUE
        else quality_part + price_part
    )
    return RankedBid(
        bid_id=bid.bid_id,
        rank=0,
        price_cents=bid.price_cents,
        score=score.quantize(_STATED),
        quality=quality.quantize(_STATED),
        quality_part=quality_part.quantize(_STATED),
        price_part=price_part.quantize(_STATED),
    )


def _linear_price_factor(award: AwardCriteria, price_cents: int) -> Decimal:
    """(Pmax - P) / (Pmax - Pmin) with P clamped to the bounds, so 0..1.

    The published price weight is the most a bid can gain or lose on price. Unclamped, a
    price under Pmin would earn more than WP and could outweigh quality beyond the weights
    the tender published, and a price over Pmax would score negative points. Whether such a
    bid is acceptable at all (abnormally low, over the ceiling) is for the knock-out check
    to decide, not for the formula.
    """
    low, high = award.price_floor_cents, award.price_ceiling_cents
    clamped = min(max(price_cents, low), high)
    return Decimal(high - clamped) / (high - low)


def _plain(value: object) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, Enum):
        return value.value
    return value
