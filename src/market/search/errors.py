"""Expected failures of the course search."""

from __future__ import annotations

from market.kernel.errors import InvalidInput


class SearchQueryTooLong(InvalidInput):
    reason = "SearchQueryTooLong"
    message = "Search with at most {max} characters."

    def __init__(self, limit: int) -> None:
        super().__init__(field="query", max=limit)


class TooManyFilterValues(InvalidInput):
    reason = "TooManyFilterValues"
    message = "Filter on at most {max} values."

    def __init__(self, limit: int, *, field: str) -> None:
        super().__init__(field=field, max=limit)


class NegativeFilterValue(InvalidInput):
    reason = "NegativeFilterValue"
    message = "This filter cannot be negative."


class PriceRangeInverted(InvalidInput):
    reason = "PriceRangeInverted"
    message = "The lowest price is above the highest."


class RadiusOutOfRange(InvalidInput):
    reason = "RadiusOutOfRange"
    message = "Search within {min:g} to {max:g} km."

    def __init__(self, low: float, high: float) -> None:
        super().__init__(field="radiusKm", min=low, max=high)


class UnknownSearchPostcode(InvalidInput):
    """A postcode in a search filter whose area is not known: the learner mistyped it."""

    reason = "UnknownSearchPostcode"

    message = "This postcode area is not known."


class DistanceNeedsPlace(InvalidInput):
    reason = "DistanceNeedsPlace"
    message = "Sorting by distance needs a place to measure from: set filter.near."
