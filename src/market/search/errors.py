"""Expected failures of the course search."""

from __future__ import annotations

from market.kernel.errors import InvalidInput


class SearchQueryTooLong(InvalidInput):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Search with at most {limit} characters.", field="query")


class TooManyFilterValues(InvalidInput):
    def __init__(self, limit: int, *, field: str) -> None:
        super().__init__(f"Filter on at most {limit} values.", field=field)


class NegativeFilterValue(InvalidInput):
    message = "This filter cannot be negative."


class PriceRangeInverted(InvalidInput):
    message = "The lowest price is above the highest."


class RadiusOutOfRange(InvalidInput):
    def __init__(self, low: float, high: float) -> None:
        super().__init__(f"Search within {low:g} to {high:g} km.", field="radiusKm")


class UnknownSearchPostcode(InvalidInput):
    """A postcode in a search filter whose area is not known: the learner mistyped it."""

    message = "This postcode area is not known."


class DistanceNeedsPlace(InvalidInput):
    message = "Sorting by distance needs a place to measure from: set filter.near."
