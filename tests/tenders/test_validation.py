"""Each rule a draft must keep: broken, it is a typed error naming its field, and nothing
is stored (neither by createTender nor by updateTender)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from market.api.graphql import ids
from market.db.database import Database
from tests.support.graphql import GraphQLClient
from tests.tenders.world import (
    CREATE_TENDER,
    UPDATE_TENDER,
    CoalitionWorld,
    create_tender,
    tender_input,
    tender_tables,
)

Change = Callable[[dict[str, Any], CoalitionWorld], None]


def _set(path: str, value: Any) -> Change:
    """Sets the value at a dotted path (numbers index lists)."""

    def change(draft: dict[str, Any], w: CoalitionWorld) -> None:
        *parents, last = path.split(".")
        target: Any = draft
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return change


def _outsider_volume(draft: dict[str, Any], w: CoalitionWorld) -> None:
    draft["lots"][0]["volumes"].append({"organisationId": w.outsider.id, "learnersPerYear": 5})


def _invited_volume(draft: dict[str, Any], w: CoalitionWorld) -> None:
    draft["lots"][1]["volumes"] = [{"organisationId": w.invited.id, "learnersPerYear": 5}]


CASES: dict[str, tuple[Change, str, str]] = {
    "no lots": (_set("lots", []), "LotsRequired", "lots"),
    "criteria weights short of 100%": (
        _set("criteria.1.weightBp", 2000),
        "CriteriaWeightsNotWhole",
        "criteria",
    ),
    "no criteria": (_set("criteria", []), "CriteriaRequired", "criteria"),
    "WQ + WP above 100%": (
        _set("award.priceWeightBp", 5000),
        "AwardWeightsNotWhole",
        "award.priceWeightBp",
    ),
    "points method without WP": (
        _set("award", {"method": "RELATIVE_PRICE", "qualityWeightBp": 10000}),
        "AwardWeightsRequired",
        "award.priceWeightBp",
    ),
    "fixed price with weights": (
        _set("award.method", "FIXED_PRICE"),
        "AwardWeightsNotExpected",
        "award.qualityWeightBp",
    ),
    "linear method without bounds": (
        _set("award.method", "LINEAR_PRICE"),
        "PriceBoundsRequired",
        "award.priceFloorCents",
    ),
    "linear method with Pmin = Pmax": (
        _set(
            "award",
            {
                "method": "LINEAR_PRICE",
                "qualityWeightBp": 6000,
                "priceWeightBp": 4000,
                "priceFloorCents": 900_000,
                "priceCeilingCents": 900_000,
            },
        ),
        "PriceBoundsInverted",
        "award.priceCeilingCents",
    ),
    "bounds for another method": (
        _set("award.priceFloorCents", 1),
        "PriceBoundsNotExpected",
        "award.priceFloorCents",
    ),
    "value method without a criterion's value": (
        _set("award", {"method": "QUALITY_VALUE"}),
        "CriterionValueRequired",
        "criteria[0].valueCents",
    ),
    "a criterion's value under a points method": (
        _set("criteria.0.valueCents", 100_000),
        "CriterionValueNotExpected",
        "criteria[0].valueCents",
    ),
    "a volume of a municipality outside the coalition": (
        _outsider_volume,
        "VolumeForNonMember",
        "lots[0].volumes[2].organisationId",
    ),
    "a volume of a municipality only invited": (
        _invited_volume,
        "VolumeForNonMember",
        "lots[1].volumes[0].organisationId",
    ),
    "a negative volume": (
        _set("lots.0.volumes.1.learnersPerYear", -1),
        "NegativeFigure",
        "lots[0].volumes[1].learnersPerYear",
    ),
    "a negative estimated value": (
        _set("estimatedTotalValueCents", -1),
        "NegativeFigure",
        "estimatedTotalValueCents",
    ),
    "a maximum value of nothing": (
        _set("lots.0.maxValueCents", 0),
        "FigureNotPositive",
        "lots[0].maxValueCents",
    ),
    "a negative criterion weight": (
        _set("criteria.0.weightBp", -7000),
        "FigureNotPositive",
        "criteria[0].weightBp",
    ),
    "bid deadline before the questions deadline": (
        _set("timeline.bidDeadline", "2027-03-14T12:00:00+01:00"),
        "TimelineOutOfOrder",
        "timeline.bidDeadline",
    ),
    "award planned at the bid deadline": (
        _set("timeline.plannedAwardAt", "2027-04-12T10:00:00Z"),
        "TimelineOutOfOrder",
        "timeline.plannedAwardAt",
    ),
    "contract starting before the award": (
        _set("timeline.contractStartAt", "2027-05-01T00:00:00Z"),
        "TimelineOutOfOrder",
        "timeline.contractStartAt",
    ),
    "a time without its offset": (
        _set("timeline.bidDeadline", "2027-04-12T12:00:00"),
        "TimeWithoutZone",
        "timeline.bidDeadline",
    ),
    "an Onderwijsroute lot without a stream": (
        _set("lots.1.stream", None),
        "StreamRequired",
        "lots[1].stream",
    ),
    "a Z-route lot without a level": (
        _set("lots.0.level", None),
        "LevelRequired",
        "lots[0].level",
    ),
    "an unknown region": (
        _set("lots.1.regionCodes", ["AM18", "AM99"]),
        "UnknownRegionCode",
        "lots[1].regionCodes",
    ),
    "a class size without its number": (
        _set("requirements.1", {"kind": "MAX_CLASS_SIZE"}),
        "RequirementAmountRequired",
        "requirements[1].amount",
    ),
    "a custom requirement without text": (
        _set("requirements.2.text", " "),
        "TextRequired",
        "requirements[2].text",
    ),
    "an extension of no months": (
        _set("contractTerm.extensionMonths", [12, 0]),
        "FigureNotPositive",
        "contractTerm.extensionMonths",
    ),
}


@pytest.mark.parametrize("case", CASES)
async def test_a_broken_rule_is_named_and_nothing_is_stored(
    db: Database, gql: GraphQLClient, case: str, coalition_world: CoalitionWorld
) -> None:
    change, reason, field = CASES[case]
    w = coalition_world
    draft = tender_input(w)
    change(draft, w)

    created = await gql(
        CREATE_TENDER, {"coalition": w.coalition, "input": draft}, token=w.lead.officer.token
    )

    assert created.data is None
    assert created.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert created.errors[0]["extensions"]["reason"] == reason, created.errors
    assert created.error_field == field
    assert all(stored == [] for stored in (await tender_tables(db)).values())


@pytest.mark.parametrize(
    "case",
    [
        "no lots",
        "criteria weights short of 100%",
        "a volume of a municipality outside the coalition",
    ],
)
async def test_an_update_breaking_a_rule_changes_nothing(
    db: Database, gql: GraphQLClient, case: str, coalition_world: CoalitionWorld
) -> None:
    change, reason, field = CASES[case]
    w = coalition_world
    tender = await create_tender(gql, w)
    before = await tender_tables(db)
    draft = tender_input(w)
    change(draft, w)

    updated = await gql(UPDATE_TENDER, {"id": tender, "input": draft}, token=w.lead.officer.token)

    assert updated.errors[0]["extensions"]["reason"] == reason
    assert updated.error_field == field
    assert await tender_tables(db) == before
    assert ids.lookup("Tender", tender) is not None
