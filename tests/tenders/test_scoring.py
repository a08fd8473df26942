"""The award methods of TENDERS.md: worked examples an officer can check by hand, the typed
refusals of bad inputs, and properties over generated tenders and bids."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from market.catalog.errors import DuplicateItems, ValueOutOfRange
from market.catalog.models import Level, Route
from market.kernel.errors import DomainError
from market.tenders.errors import (
    AwardWeightsNotExpected,
    AwardWeightsNotWhole,
    CriteriaWeightsNotWhole,
    CriterionValueNotExpected,
    FigureNotPositive,
    NegativeFigure,
    PriceBoundsInverted,
    PriceBoundsNotExpected,
    QualityScoresMismatch,
)
from market.tenders.policies import (
    AwardMethod,
    AwardTerms,
    ContractTerm,
    CriterionDraft,
    LotDraft,
    TenderDraft,
    Timeline,
    check_draft,
)
from market.tenders.scoring import AwardCriteria, Bid, Criterion, Ranking, rank

D = Decimal

# The worked example: a plan of approach weighing 70% of quality, the team 30%.
PLAN_AND_TEAM = (Criterion("plan", 7000), Criterion("team", 3000))
# Q = 0.7 * 0.8 + 0.3 * 0.6 = 0.74
A = Bid("A", 100_000, {"plan": D("0.8"), "team": D("0.6")})
# Q = 0.5, the lowest price
B = Bid("B", 80_000, {"plan": D("0.5"), "team": D("0.5")})
# Q = 1, the highest price
C = Bid("C", 120_000, {"plan": D("1"), "team": D("1")})


def table(ranking: Ranking) -> list[tuple[int, str, str, str, str]]:
    """Rank, bid, quality part, price part and score, as the decision states them."""
    return [
        (r.rank, r.bid_id, f"{r.quality_part:f}", f"{r.price_part:f}", f"{r.score:f}")
        for r in ranking.ranked
    ]


# Worked examples


def test_points_relative_to_the_lowest_price() -> None:
    award = AwardCriteria(
        AwardMethod.RELATIVE_PRICE, PLAN_AND_TEAM, quality_weight_bp=6000, price_weight_bp=4000
    )

    ranking = rank(award, [A, B, C])

    # Quality part 0.6 * Q; price part 0.4 * 80,000 / P.
    assert table(ranking) == [
        (1, "C", "0.6000000000", "0.2666666667", "0.8666666667"),
        (2, "A", "0.4440000000", "0.3200000000", "0.7640000000"),
        (3, "B", "0.3000000000", "0.4000000000", "0.7000000000"),
    ]
    assert [r.quality for r in ranking.ranked] == [D("1"), D("0.74"), D("0.5")]


def test_points_linear_between_the_published_bounds() -> None:
    award = AwardCriteria(
        AwardMethod.LINEAR_PRICE,
        PLAN_AND_TEAM,
        quality_weight_bp=6000,
        price_weight_bp=4000,
        price_floor_cents=60_000,
        price_ceiling_cents=140_000,
    )

    ranking = rank(award, [A, B, C])

    # Price part 0.4 * (140,000 - P) / 80,000.
    assert table(ranking) == [
        (1, "C", "0.6000000000", "0.1000000000", "0.7000000000"),
        (2, "A", "0.4440000000", "0.2000000000", "0.6440000000"),
        (3, "B", "0.3000000000", "0.3000000000", "0.6000000000"),
    ]


def test_linear_prices_outside_the_bounds_earn_no_more_than_the_bounds() -> None:
    award = AwardCriteria(
        AwardMethod.LINEAR_PRICE,
        PLAN_AND_TEAM,
        quality_weight_bp=6000,
        price_weight_bp=4000,
        price_floor_cents=60_000,
        price_ceiling_cents=140_000,
    )
    cheap = Bid("cheap", 40_000, {"plan": D("0.5"), "team": D("0.5")})
    dear = Bid("dear", 200_000, {"plan": D("1"), "team": D("1")})

    ranking = rank(award, [cheap, dear])

    # Unclamped, cheap's price part would be 0.4 * 100,000 / 80,000 = 0.5, more than the
    # published 40%, and dear's 0.4 * -60,000 / 80,000 = -0.3.
    assert table(ranking) == [
        (1, "cheap", "0.3000000000", "0.4000000000", "0.7000000000"),
        (2, "dear", "0.6000000000", "0.0000000000", "0.6000000000"),
    ]


def test_value_takes_the_worth_of_the_quality_off_the_price_and_the_lowest_wins() -> None:
    # Full marks on the plan are worth EUR 300 off the price, on the team EUR 100.
    award = AwardCriteria(
        AwardMethod.QUALITY_VALUE,
        (Criterion("plan", 7000, value_cents=30_000), Criterion("team", 3000, value_cents=10_000)),
    )

    ranking = rank(award, [A, B, C])

    # A: 100,000 - (30,000 * 0.8 + 10,000 * 0.6) = 70,000 cents.
    assert table(ranking) == [
        (1, "B", "20000.0000000000", "80000.0000000000", "60000.0000000000"),
        (2, "A", "30000.0000000000", "100000.0000000000", "70000.0000000000"),
        (3, "C", "40000.0000000000", "120000.0000000000", "80000.0000000000"),
    ]


def test_fixed_price_ranks_on_quality_alone() -> None:
    ranking = rank(AwardCriteria(AwardMethod.FIXED_PRICE, PLAN_AND_TEAM), [A, B, C])

    assert table(ranking) == [
        (1, "C", "1.0000000000", "0.0000000000", "1.0000000000"),
        (2, "A", "0.7400000000", "0.0000000000", "0.7400000000"),
        (3, "B", "0.5000000000", "0.0000000000", "0.5000000000"),
    ]


HALF_AND_HALF = AwardCriteria(
    AwardMethod.LINEAR_PRICE,
    (Criterion("plan", 10_000),),
    quality_weight_bp=5000,
    price_weight_bp=5000,
    price_floor_cents=0,
    price_ceiling_cents=100_000,
)


def test_at_an_equal_score_the_higher_quality_wins() -> None:
    # 0.5 * 0.6 + 0.5 * 0.5 = 0.55 = 0.5 * 0.5 + 0.5 * 0.6
    better = Bid("z-better", 50_000, {"plan": D("0.6")})
    cheaper = Bid("a-cheaper", 40_000, {"plan": D("0.5")})

    ranking = rank(HALF_AND_HALF, [cheaper, better])

    assert [(r.bid_id, r.score) for r in ranking.ranked] == [
        ("z-better", D("0.55")),
        ("a-cheaper", D("0.55")),
    ]


def test_at_an_equal_score_and_quality_the_lower_price_wins() -> None:
    # Both above the ceiling: no price points for either.
    dearer = Bid("a-dearer", 120_000, {"plan": D("0.5")})
    cheaper = Bid("z-cheaper", 110_000, {"plan": D("0.5")})

    ranking = rank(HALF_AND_HALF, [dearer, cheaper])

    assert [(r.bid_id, r.score) for r in ranking.ranked] == [
        ("z-cheaper", D("0.25")),
        ("a-dearer", D("0.25")),
    ]


def test_identical_offers_are_ordered_by_bid_id() -> None:
    offer = {"plan": D("0.5")}

    ranking = rank(HALF_AND_HALF, [Bid("b", 50_000, offer), Bid("a", 50_000, offer)])

    assert [(r.rank, r.bid_id) for r in ranking.ranked] == [(1, "a"), (2, "b")]


def test_the_callers_decimal_context_changes_nothing() -> None:
    award = AwardCriteria(
        AwardMethod.RELATIVE_PRICE, PLAN_AND_TEAM, quality_weight_bp=6000, price_weight_bp=4000
    )
    expected = rank(award, [A, B, C])

    with localcontext() as context:
        context.prec = 3
        context.rounding = ROUND_DOWN
        assert rank(award, [A, B, C]) == expected


def test_a_coarse_caller_context_does_not_tie_close_scores() -> None:
    # 0.5 * 0.6 + 0.5 * 49,980 / 100,000 = 0.5499 against 0.5 * 0.5 + 0.5 * 0.6 = 0.55:
    # at two digits both would read 0.55, and the higher quality would win the tie.
    nearly = Bid("nearly", 50_020, {"plan": D("0.6")})
    best = Bid("best", 40_000, {"plan": D("0.5")})

    with localcontext() as context:
        context.prec = 2
        ranking = rank(HALF_AND_HALF, [nearly, best])

    assert [(r.bid_id, r.score) for r in ranking.ranked] == [
        ("best", D("0.55")),
        ("nearly", D("0.5499")),
    ]


def test_no_bids_rank_as_an_empty_ranking() -> None:
    assert rank(AwardCriteria(AwardMethod.FIXED_PRICE, PLAN_AND_TEAM), []).ranked == ()


def test_the_record_is_plain_json_with_exact_decimal_text() -> None:
    award = AwardCriteria(
        AwardMethod.RELATIVE_PRICE, PLAN_AND_TEAM, quality_weight_bp=6000, price_weight_bp=4000
    )
    ranking = rank(award, [C, A, B])

    record = ranking.to_record()

    assert json.loads(json.dumps(record)) == record
    assert record["award"] == {
        "method": "relative_price",
        "criteria": [
            {"name": "plan", "weight_bp": 7000, "value_cents": 0},
            {"name": "team", "weight_bp": 3000, "value_cents": 0},
        ],
        "quality_weight_bp": 6000,
        "price_weight_bp": 4000,
        "price_floor_cents": 0,
        "price_ceiling_cents": 0,
    }
    assert record["bids"][0] == {
        "bid_id": "A",
        "price_cents": 100_000,
        "quality": {"plan": "0.8", "team": "0.6"},
    }
    assert record["ranked"][0] == {
        "bid_id": "C",
        "rank": 1,
        "price_cents": 120_000,
        "score": "0.8666666667",
        "quality": "1.0000000000",
        "quality_part": "0.6000000000",
        "price_part": "0.2666666667",
    }
    assert Ranking.from_record(record) == ranking
    assert Ranking.from_record(record).is_reproducible()


def test_a_changed_record_no_longer_reproduces() -> None:
    record = rank(AwardCriteria(AwardMethod.FIXED_PRICE, PLAN_AND_TEAM), [A, B, C]).to_record()
    record["bids"][0]["quality"]["plan"] = "0.9"

    assert not Ranking.from_record(record).is_reproducible()


# Refusals: each a typed error naming its field


def linear(**changes: int) -> AwardCriteria:
    parameters = {
        "quality_weight_bp": 6000,
        "price_weight_bp": 4000,
        "price_floor_cents": 60_000,
        "price_ceiling_cents": 140_000,
    }
    return AwardCriteria(AwardMethod.LINEAR_PRICE, PLAN_AND_TEAM, **(parameters | changes))


@pytest.mark.parametrize(
    ("build", "error", "field"),
    [
        (lambda: linear(price_weight_bp=3000), AwardWeightsNotWhole, "priceWeightBp"),
        (
            lambda: linear(quality_weight_bp=-1, price_weight_bp=10_001),
            NegativeFigure,
            "qualityWeightBp",
        ),
        (lambda: linear(price_floor_cents=140_000), PriceBoundsInverted, "priceCeilingCents"),
        (lambda: linear(price_floor_cents=-1), NegativeFigure, "priceFloorCents"),
        (
            lambda: AwardCriteria(
                AwardMethod.FIXED_PRICE, (Criterion("plan", 7000), Criterion("team", 2000))
            ),
            CriteriaWeightsNotWhole,
            "criteria",
        ),
        (lambda: AwardCriteria(AwardMethod.FIXED_PRICE), CriteriaWeightsNotWhole, "criteria"),
        (
            lambda: AwardCriteria(
                AwardMethod.FIXED_PRICE, (Criterion("plan", 5000), Criterion("plan", 5000))
            ),
            DuplicateItems,
            "criteria",
        ),
        (lambda: Criterion("plan", 10_001), ValueOutOfRange, "weightBp"),
        (lambda: Criterion("plan", 5000, value_cents=-1), NegativeFigure, "valueCents"),
        (
            lambda: AwardCriteria(AwardMethod.QUALITY_VALUE, PLAN_AND_TEAM, price_weight_bp=10_000),
            AwardWeightsNotExpected,
            "priceWeightBp",
        ),
        (
            lambda: AwardCriteria(
                AwardMethod.RELATIVE_PRICE,
                PLAN_AND_TEAM,
                quality_weight_bp=6000,
                price_weight_bp=4000,
                price_ceiling_cents=140_000,
            ),
            PriceBoundsNotExpected,
            "priceCeilingCents",
        ),
        (
            lambda: AwardCriteria(AwardMethod.FIXED_PRICE, (Criterion("plan", 10_000, 500),)),
            CriterionValueNotExpected,
            "valueCents",
        ),
        (lambda: Bid("x", 0, {}), FigureNotPositive, "priceCents"),
        (lambda: Bid("x", -100, {}), FigureNotPositive, "priceCents"),
        (lambda: Bid("x", 100, {"plan": D("1.01")}), ValueOutOfRange, "quality"),
        (lambda: Bid("x", 100, {"plan": D("-0.01")}), ValueOutOfRange, "quality"),
        (lambda: Bid("x", 100, {"plan": D("NaN")}), ValueOutOfRange, "quality"),
        # A float never gets in, even from untyped data: it is not exact.
        (lambda: Bid("x", 100, {"plan": 0.5}), ValueOutOfRange, "quality"),  # type: ignore[dict-item]
        (
            lambda: rank(linear(), [A, Bid("A", 90_000, A.quality)]),
            DuplicateItems,
            "bidId",
        ),
        (
            lambda: rank(linear(), [Bid("x", 100, {"plan": D("1")})]),
            QualityScoresMismatch,
            "quality",
        ),
        (
            lambda: rank(
                linear(), [Bid("x", 100, {"plan": D("1"), "team": D("1"), "extra": D("1")})]
            ),
            QualityScoresMismatch,
            "quality",
        ),
    ],
)
def test_bad_inputs_are_refused_naming_their_field(
    build: Callable[[], object], error: type[DomainError], field: str
) -> None:
    with pytest.raises(error) as raised:
        build()

    assert raised.value.field == field


def test_a_weights_error_says_what_they_add_up_to() -> None:
    with pytest.raises(AwardWeightsNotWhole) as raised:
        linear(price_weight_bp=3000)

    assert raised.value.params == {"total": 9000}
    assert raised.value.message == (
        "The quality and price weights add up to 9000 basis points; they must add up "
        "to 10000 (100%)."
    )


def draft_with(award: AwardTerms, criteria: tuple[CriterionDraft, ...]) -> TenderDraft:
    start = datetime(2027, 3, 1, 12, tzinfo=UTC)
    return TenderDraft(
        title="Taalroute",
        description="",
        lots=(LotDraft("Lot 1", Route.B1, Level.B1, None, ("AM01",), None, None, ()),),
        requirements=(),
        award=award,
        criteria=criteria,
        timeline=Timeline(*(start + timedelta(days=30 * i) for i in range(5))),
        term=ContractTerm(24),
        estimated_total_value_cents=0,
    )


@pytest.mark.parametrize(
    ("quality_weight", "price_weight", "floor", "ceiling", "weights"),
    [
        (6000, 3000, 0, 1, (7000, 3000)),
        (-1, 10_001, 0, 1, (7000, 3000)),
        (6000, 4000, -1, 1, (7000, 3000)),
        (6000, 4000, 5, 5, (7000, 3000)),
        (6000, 4000, 0, 1, (7000, 2000)),
    ],
)
def test_scoring_refuses_the_award_figures_a_draft_refuses_with_the_same_fact(
    quality_weight: int, price_weight: int, floor: int, ceiling: int, weights: tuple[int, ...]
) -> None:
    names = [f"criterion {i}" for i in range(len(weights))]
    terms = AwardTerms(AwardMethod.LINEAR_PRICE, quality_weight, price_weight, floor, ceiling)
    criteria = tuple(CriterionDraft(n, w) for n, w in zip(names, weights, strict=True))

    with pytest.raises(DomainError) as by_draft:
        check_draft(draft_with(terms, criteria))
    with pytest.raises(DomainError) as by_scoring:
        AwardCriteria(
            AwardMethod.LINEAR_PRICE,
            tuple(Criterion(n, w) for n, w in zip(names, weights, strict=True)),
            quality_weight_bp=quality_weight,
            price_weight_bp=price_weight,
            price_floor_cents=floor,
            price_ceiling_cents=ceiling,
        )

    assert type(by_scoring.value) is type(by_draft.value)
    assert by_scoring.value.params == by_draft.value.params
    assert by_draft.value.field in {f"award.{by_scoring.value.field}", by_scoring.value.field}


def test_price_only_needs_no_quality_criteria() -> None:
    award = AwardCriteria(AwardMethod.RELATIVE_PRICE, quality_weight_bp=0, price_weight_bp=10_000)

    ranking = rank(award, [Bid("dear", 200, {}), Bid("cheap", 100, {})])

    assert [(r.bid_id, r.score) for r in ranking.ranked] == [("cheap", 1), ("dear", D("0.5"))]


# Properties over generated tenders and bids

NAMES = ("plan", "team", "access")
FULL = 10_000
examples = settings(max_examples=300, deadline=None, derandomize=True, database=None)


def split(draw: st.DrawFn, parts: int, unit: int = 1) -> list[int]:
    """10,000 basis points cut into `parts` weights, each a multiple of `unit`."""
    cuts = sorted(
        draw(st.lists(st.integers(0, FULL // unit), min_size=parts - 1, max_size=parts - 1))
    )
    bounds = [0, *cuts, FULL // unit]
    return [(high - low) * unit for low, high in itertools.pairwise(bounds)]


# Round figures often, so that ties and equal prices come up and the tie-break is tried.
prices = st.sampled_from([50_000, 80_000, 100_000]) | st.integers(1, 400_000)
scores = st.sampled_from([D("0"), D("0.5"), D("1")]) | st.decimals(0, 1, places=4)


@st.composite
def awards(draw: st.DrawFn) -> AwardCriteria:
    method = draw(st.sampled_from(AwardMethod))
    names = NAMES[: draw(st.integers(1, len(NAMES)))]
    values = draw(st.lists(st.integers(0, 100_000), min_size=len(names), max_size=len(names)))
    criteria = tuple(
        Criterion(name, weight, value if method is AwardMethod.QUALITY_VALUE else 0)
        for name, weight, value in zip(names, split(draw, len(names)), values, strict=True)
    )
    if method is AwardMethod.QUALITY_VALUE or method is AwardMethod.FIXED_PRICE:
        return AwardCriteria(method, criteria)
    quality_weight = draw(st.integers(0, FULL))
    weights = {"quality_weight_bp": quality_weight, "price_weight_bp": FULL - quality_weight}
    if method is AwardMethod.RELATIVE_PRICE:
        return AwardCriteria(method, criteria, **weights)
    low = draw(st.integers(0, 200_000))
    high = low + draw(st.integers(1, 200_000))
    return AwardCriteria(
        method, criteria, **weights, price_floor_cents=low, price_ceiling_cents=high
    )


@st.composite
def tenders(draw: st.DrawFn) -> tuple[AwardCriteria, list[Bid]]:
    award = draw(awards())
    ids = draw(
        st.lists(st.text("abcdef0123", min_size=1, max_size=4), min_size=1, max_size=8, unique=True)
    )
    bids = [
        Bid(bid_id, draw(prices), {c.name: draw(scores) for c in award.criteria}) for bid_id in ids
    ]
    return award, bids


def place(ranking: Ranking, bid_id: str) -> int:
    return next(r.rank for r in ranking.ranked if r.bid_id == bid_id)


@examples
@given(tenders(), st.data())
def test_a_lower_price_never_lowers_a_bids_place(
    tender: tuple[AwardCriteria, list[Bid]], data: st.DataObject
) -> None:
    award, bids = tender
    bid = data.draw(st.sampled_from(bids))
    lower = data.draw(st.integers(1, bid.price_cents))
    cheaper = [Bid(b.bid_id, lower, b.quality) if b is bid else b for b in bids]

    assert place(rank(award, cheaper), bid.bid_id) <= place(rank(award, bids), bid.bid_id)


@examples
@given(tenders(), st.data())
def test_a_higher_quality_score_never_lowers_a_bids_place(
    tender: tuple[AwardCriteria, list[Bid]], data: st.DataObject
) -> None:
    award, bids = tender
    bid = data.draw(st.sampled_from(bids))
    name = data.draw(st.sampled_from(sorted(bid.quality)))
    higher = data.draw(st.decimals(bid.quality[name], 1, places=4))
    better = [
        Bid(b.bid_id, b.price_cents, {**b.quality, name: higher}) if b is bid else b for b in bids
    ]

    assert place(rank(award, better), bid.bid_id) <= place(rank(award, bids), bid.bid_id)


@examples
@given(tenders(), st.randoms(use_true_random=False))
def test_the_order_of_the_bids_never_changes_the_ranking(
    tender: tuple[AwardCriteria, list[Bid]], shuffler: random.Random
) -> None:
    award, bids = tender
    shuffled = list(bids)
    shuffler.shuffle(shuffled)

    assert rank(award, shuffled) == rank(award, bids)
    assert rank(award, shuffled).to_record() == rank(award, bids).to_record()


@examples
@given(tenders())
def test_the_stored_record_recomputes_to_the_identical_ranking(
    tender: tuple[AwardCriteria, list[Bid]],
) -> None:
    ranking = rank(*tender)
    stored = json.loads(json.dumps(ranking.to_record()))

    again = Ranking.from_record(stored)

    assert again == ranking
    assert rank(again.award, again.bids) == ranking
    assert rank(again.award, again.bids).to_record() == stored


@st.composite
def equivalent_tenders(draw: st.DrawFn) -> tuple[AwardCriteria, AwardCriteria, list[Bid]]:
    names = NAMES[: draw(st.integers(1, len(NAMES)))]
    weights = split(draw, len(names), unit=100)
    price_weight = draw(st.integers(1, 100)) * 100
    quality_weight = FULL - price_weight
    span = price_weight * draw(st.integers(1, 50))
    low = draw(st.integers(1, 200_000))
    high = low + span
    points = AwardCriteria(
        AwardMethod.LINEAR_PRICE,
        tuple(Criterion(name, weight) for name, weight in zip(names, weights, strict=True)),
        quality_weight_bp=quality_weight,
        price_weight_bp=price_weight,
        price_floor_cents=low,
        price_ceiling_cents=high,
    )
    # value_k = (Pmax - Pmin) * WQ/WP * weight_k, whole cents by the choices above.
    value = AwardCriteria(
        AwardMethod.QUALITY_VALUE,
        tuple(
            Criterion(name, weight, span * quality_weight * weight // (price_weight * FULL))
            for name, weight in zip(names, weights, strict=True)
        ),
    )
    ids = draw(
        st.lists(st.text("abcdef", min_size=1, max_size=3), min_size=1, max_size=8, unique=True)
    )
    in_bounds = st.sampled_from([low, high, (low + high) // 2]) | st.integers(low, high)
    bids = [
        Bid(bid_id, draw(in_bounds), {n: draw(st.decimals(0, 1, places=2)) for n in names})
        for bid_id in ids
    ]
    return points, value, bids


@examples
@given(equivalent_tenders())
def test_linear_points_and_value_rank_alike_under_linear_equivalence(
    tender: tuple[AwardCriteria, AwardCriteria, list[Bid]],
) -> None:
    """With V = (Pmax - Pmin) * WQ/WP, the value of full quality marks, and
    value_k = V * weight_k, the linear points score is

        S = WQ*Q + WP*(Pmax - P)/(Pmax - Pmin) = WP/(Pmax - Pmin) * (Pmax - (P - V*Q))

    and P - V*Q = P - sum(value_k * q_k) is the value score: S falls exactly as the value
    score rises, so both methods order the bids alike, and their tie-breaks agree too (the
    quality parts WQ*Q and V*Q both grow with Q). Prices stay within the bounds, where the
    linear method does not clamp. Weights in whole percent and Pmax - Pmin a multiple of
    WP's basis points make every value_k whole cents, and the scores exact enough that
    their stated figures keep every difference.
    """
    points, value, bids = tender

    by_points = [(r.rank, r.bid_id) for r in rank(points, bids).ranked]
    by_value = [(r.rank, r.bid_id) for r in rank(value, bids).ranked]

    assert by_points == by_value
