"""Expected failures of the course search."""

from __future__ import annotations

from market.kernel.errors import InvalidInput


class SearchQueryTooLong(InvalidInput):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Search with at most {limit} characters.", field="query")


class TooManyFilterValues(InvalidInput):
    def __init__(self, limit: int, *, field: str) -> None:
        super().__init__(f"Filter on at most {limit} values.", field=field)


class NegativePrice(InvalidInput):
    message = "A price cannot be negative."
